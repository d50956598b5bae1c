/**
 * A response reduced to what parity compares: field presence and value types. Ids, timestamps
 * and secrets disappear with the values; strings keep only their kind (uuid, date-time, string).
 */
export type Shape = string | { [field: string]: Shape } | Shape[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

export function responseShape(value: unknown, depth = 0): Shape {
  if (depth > 20) return '<deep>';
  if (value === undefined) return '<none>';
  if (value === null) return '<null>';
  if (typeof value === 'string') return UUID.test(value) ? '<uuid>' : DATE_TIME.test(value) ? '<date-time>' : '<string>';
  if (typeof value === 'number') return '<number>';
  if (typeof value === 'boolean') return '<boolean>';
  if (Array.isArray(value)) {
    // item counts differ between tenants; compare the shape of the items instead
    const shapes = new Map<string, Shape>();
    for (const item of value) {
      const s = responseShape(item, depth + 1);
      shapes.set(JSON.stringify(s), s);
    }
    return [...shapes.values()].slice(0, 1);
  }
  const out: { [field: string]: Shape } = {};
  for (const key of Object.keys(value as object).sort()) out[key] = responseShape((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

export interface ShapeDifference {
  path: string;
  a: string;
  b: string;
}

/** Differences between two shapes; an empty array on one side only is not a difference. */
export function diffShapes(a: Shape, b: Shape, path = ''): ShapeDifference[] {
  if (typeof a === 'string' || typeof b === 'string') {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: path || '/', a: describe(a), b: describe(b) }];
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return [{ path: path || '/', a: describe(a), b: describe(b) }];
    if (a.length === 0 || b.length === 0) return [];
    return diffShapes(a[0]!, b[0]!, `${path}/*`);
  }
  const out: ShapeDifference[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const p = `${path}/${key}`;
    if (!(key in a)) out.push({ path: p, a: '<absent>', b: describe(b[key]!) });
    else if (!(key in b)) out.push({ path: p, a: describe(a[key]!), b: '<absent>' });
    else out.push(...diffShapes(a[key]!, b[key]!, p));
  }
  return out;
}

function describe(s: Shape): string {
  if (typeof s === 'string') return s;
  return Array.isArray(s) ? 'array' : 'object';
}
