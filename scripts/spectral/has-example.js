// Spectral function (used by .spectral.yaml): the target — a schema, or a media type object —
// carries an example: `example`/`examples` on itself or, for a media type, on its schema.
export default function hasExample(target) {
  if (!target || typeof target !== 'object') return;
  const own = (o) => o && typeof o === 'object' && ('example' in o || 'examples' in o);
  if (own(target) || own(target.schema)) return;
  return [{ message: 'has no example (set `example` on it or on its schema)' }];
}
