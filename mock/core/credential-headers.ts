import { errors } from './errors.ts';
import type { RequestInfo } from './pipeline.ts';

/**
 * A credential header sent twice is ambiguous (Node keeps only the first `Authorization`, a proxy
 * may keep the last): refused with 400 in the vendor's envelope before any credential is looked
 * at (DECISIONS "duplicate credentials"). Counted on the raw header lines, as sent.
 */
export function refuseDuplicateHeaders(request: Pick<RequestInfo, 'rawHeaders'>, names: readonly string[]): void {
  const raw = request.rawHeaders;
  if (!raw) return;
  const wanted = names.map((n) => n.toLowerCase());
  const counts = new Map<string, number>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!wanted.includes(name)) continue;
    const count = (counts.get(name) ?? 0) + 1;
    counts.set(name, count);
    if (count > 1) {
      const shown = names[wanted.indexOf(name)]!;
      throw errors.badRequest(`the ${shown} header was sent more than once; send exactly one`, { parameter: { id: shown, location: 'header' } });
    }
  }
}
