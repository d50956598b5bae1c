import { normalize, type Normalized } from './compare.ts';

/**
 * A response reduced to what parity compares: field presence and value types (the comparison
 * engine's shape mode). Ids, timestamps and secrets disappear with the values.
 */
export type Shape = Normalized;

export function responseShape(value: unknown): Shape {
  return normalize(value, 'shape');
}
