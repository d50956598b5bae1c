/**
 * The JSON of an answer body, with the JSON of values that cannot change kept: a `{"result": …}`
 * body whose result is deep-frozen plain data (the store's records are) reuses the text made the
 * last time that very object was answered, so a record answered again is not serialised again.
 * The last KEPT_VALUES such values are kept (oldest dropped first); anything else is serialised as
 * usual. The text is what JSON.stringify makes of the body, byte for byte.
 */

const KEPT_VALUES = 1024;
const kept = new Map<object, string>();

export function answerJson(body: unknown): string {
  if (body !== null && typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype) {
    let only: string | undefined;
    let count = 0;
    for (const k in body) {
      only = k;
      if (++count > 1) break;
    }
    // (for…in lists inherited keys too; Object.prototype has none that are enumerable)
    if (count === 1 && only === 'result') {
      const result: unknown = Reflect.get(body, 'result');
      if (result !== null && typeof result === 'object') return `{"result":${valueJson(result)}}`;
    }
  }
  return JSON.stringify(body);
}

function valueJson(value: object): string {
  const known = kept.get(value);
  if (known !== undefined) return known;
  const text = JSON.stringify(value);
  if (isFrozenData(value, 0)) {
    if (kept.size >= KEPT_VALUES) kept.delete(kept.keys().next().value!);
    kept.set(value, text);
  }
  return text;
}

/** whether nothing in `value` can change: frozen plain objects and arrays, all the way down, holding data properties only */
function isFrozenData(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth > 64 || !Object.isFrozen(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value) ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) {
    const property = Object.getOwnPropertyDescriptor(value, key);
    if (!property || !('value' in property) || !isFrozenData(property.value, depth + 1)) return false;
  }
  return true;
}
