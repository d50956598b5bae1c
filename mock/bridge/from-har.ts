import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StubInput } from '../core/stubs.ts';
import { headerOf, readHar, responseText } from './har.ts';
import { loadVendor, type RecordVendor } from './record.ts';

/**
 * `apitwin stubs from-har`: one stub file per recorded exchange that plays the recorded answer
 * back byte for byte (`bodyText`, unchecked: it is what the vendor said). Each stub answers once
 * (`times: 1`) and earlier exchanges have the higher priority, so repeated calls of an operation
 * get their answers in the recorded order; path parameters must equal the recorded ones.
 */

/** response headers a playback does not repeat (they describe the recorded connection) */
const NOT_PLAYED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'content-encoding']);

export async function stubsFromHar(file: string, outDir: string): Promise<{ files: string[]; skipped: number }> {
  const har = readHar(file);
  const entries = har.log.entries;
  const routers = new Map<RecordVendor, Awaited<ReturnType<typeof loadVendor>>>();
  const stubs: Array<{ name: string; stub: StubInput }> = [];
  let skipped = 0;
  for (const [i, entry] of entries.entries()) {
    const url = new URL(entry.request.url);
    const vendor: RecordVendor = entry._apitwin?.vendor ?? (/^\/v1\//.test(url.pathname) ? 'synqly' : 'connxio');
    let v = routers.get(vendor);
    if (!v) routers.set(vendor, (v = await loadVendor(vendor)));
    const match = v.router.match(entry.request.method, url.pathname);
    if (match.kind !== 'found') {
      skipped++;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const h of entry.response.headers ?? []) if (!NOT_PLAYED.has(h.name.toLowerCase()) && !h.name.startsWith(':')) headers[h.name.toLowerCase()] = h.value;
    const text = responseText(entry);
    const params = Object.fromEntries(Object.entries(match.params).map(([name, value]) => [name, { equals: value }]));
    const stub: StubInput = {
      name: `har ${i + 1}: ${match.route.operationId}`,
      vendor,
      operationId: match.route.operationId,
      ...(Object.keys(params).length ? { request: { params } } : {}),
      response: { status: entry.response.status, headers: { 'content-type': headerOf(entry.response.headers, 'content-type') ?? 'application/json; charset=utf-8', ...headers }, ...(text !== undefined && text !== '' ? { bodyText: text } : {}) },
      unchecked: true,
      times: 1,
      priority: entries.length - i,
    };
    stubs.push({ name: `${String(i + 1).padStart(4, '0')}-${match.route.operationId}.json`, stub });
  }
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const { name, stub } of stubs) {
    const path = join(outDir, name);
    // never a half-written stub file: written aside, then renamed into place
    writeFileSync(`${path}.tmp`, JSON.stringify(stub, null, 2) + '\n');
    renameSync(`${path}.tmp`, path);
    files.push(path);
  }
  return { files, skipped };
}
