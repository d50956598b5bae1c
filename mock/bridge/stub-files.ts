import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { messageOf } from '../core/error-message.ts';
import { errnoCode } from '../core/narrow.ts';
import { isPlainObject } from '../core/store/document.ts';

/**
 * `apitwin serve --stubs DIR`: every .json, .yaml or .yml file under DIR holds one stub or a list
 * of them, added through the control API (so they pass its checks) and named after their file.
 * Stubs loaded from files earlier (a persisted store) are replaced, never doubled.
 */

export class StubFileError extends Error {
  override name = 'StubFileError';
}

export const FILE_STUB_PREFIX = 'file:';

export function readStubFiles(dir: string): Array<{ source: string; stub: Record<string, unknown> }> {
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new StubFileError(`--stubs ${dir} is not a directory`);
    files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(json|ya?ml)$/i.test(f)).sort();
  } catch (err) {
    if (err instanceof StubFileError) throw err;
    throw new StubFileError(`cannot read --stubs ${dir}: ${errnoCode(err) ?? messageOf(err)}`);
  }
  const out: Array<{ source: string; stub: Record<string, unknown> }> = [];
  for (const file of files) {
    const path = join(dir, file);
    let doc: unknown;
    try {
      doc = parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new StubFileError(`${path}: not JSON or YAML (${messageOf(err).split('\n')[0]})`);
    }
    const list = Array.isArray(doc) ? doc : [doc];
    list.forEach((stub, i) => {
      if (!isPlainObject(stub)) throw new StubFileError(`${path}${list.length > 1 ? ` item ${i + 1}` : ''}: a stub is an object`);
      out.push({ source: `${relative(dir, path)}${list.length > 1 ? `#${i + 1}` : ''}`, stub });
    });
  }
  return out;
}

export async function loadStubFiles(adminUrl: string, adminToken: string | undefined, dir: string): Promise<number> {
  const stubs = readStubFiles(dir);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(adminToken ? { 'x-apitwin-admin-token': adminToken } : {}) };
  const listed = await fetch(`${adminUrl}/__admin/stubs`, { headers });
  if (listed.status !== 200) throw new StubFileError(`the control API did not list the stubs (${listed.status})`);
  // the control API's stub list (specs/admin.yaml)
  for (const old of ((await listed.json()) as { stubs: Array<{ id: string; name?: string }> }).stubs) {
    if (old.name?.startsWith(FILE_STUB_PREFIX)) await fetch(`${adminUrl}/__admin/stubs/${old.id}`, { method: 'DELETE', headers });
  }
  for (const { source, stub } of stubs) {
    const name = `${FILE_STUB_PREFIX}${source}${typeof stub.name === 'string' ? ` ${stub.name}` : ''}`;
    const res = await fetch(`${adminUrl}/__admin/stubs`, { method: 'POST', headers, body: JSON.stringify({ ...stub, name }) });
    if (res.status !== 201) {
      // the control API's problem details (specs/admin.yaml); every member is optional here
  const problem = (await res.json().catch(() => ({}))) as { detail?: string; errors?: Array<{ pointer: string; message: string }> };
      const issues = problem.errors?.length ? `: ${problem.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}` : '';
      throw new StubFileError(`--stubs ${source}: ${problem.detail ?? `refused (${res.status})`}${issues}`);
    }
  }
  return stubs.length;
}
