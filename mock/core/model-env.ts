import type { Random } from './random.ts';

/** What a model needs from the outside world: the time and the randomness, both injected. */
export interface ModelEnv {
  nowMs: number;
  random: Random;
}

/** A timestamp as the vendors write it (ISO 8601, UTC, milliseconds). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
