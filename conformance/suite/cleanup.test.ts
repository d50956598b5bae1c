import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSpec, specPath } from '../../mock/core/spec.ts';
import { cleanupFamilies, sweep } from '../cleanup.ts';

/**
 * `--cleanup` takes what to sweep from the spec (conformance/cleanup.ts): these check the
 * derivation on a small spec, the sweep's retries on an in-memory tenant, and the families of the
 * two vendor specs. The end-to-end run against a twin is in conformance-cli.test.ts.
 */
const dir = mkdtempSync(join(tmpdir(), 'apitwin-cleanup-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = { '200': { description: 'ok' } };
const listOf = (item: object) => ({ '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { result: { type: 'array', items: item } } } } } } });
const named = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } };
const tokenPair = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, primary: { type: 'object', properties: { access: { type: 'object' } } } } };
const param = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

async function smallSpec() {
  const file = join(dir, 'small.yaml');
  writeFileSync(
    file,
    stringify({
      openapi: '3.0.3',
      info: { title: 'small', version: '1' },
      paths: {
        '/keys': { get: { operationId: 'keys_list', tags: ['keys'], responses: listOf(tokenPair) }, post: { operationId: 'keys_create', tags: ['keys'], responses: ok } },
        '/keys/{keyId}': { delete: { operationId: 'keys_delete', tags: ['keys'], parameters: [param('keyId')], responses: ok } },
        '/parents': { get: { operationId: 'parents_list', tags: ['parents'], responses: listOf(named) }, post: { operationId: 'parents_create', tags: ['parents'], responses: ok } },
        '/parents/{parentId}': { delete: { operationId: 'parents_delete', tags: ['parents'], parameters: [param('parentId')], responses: ok } },
        '/things': { get: { operationId: 'things_list', tags: ['things'], responses: listOf(named) }, put: { operationId: 'things_create', tags: ['things'], responses: ok } },
        '/things/{thingId}': { delete: { operationId: 'things_delete', tags: ['things'], parameters: [param('thingId')], responses: ok } },
        '/children/{parentId}': {
          get: { operationId: 'children_list', tags: ['children'], parameters: [param('parentId')], responses: listOf(named) },
          post: { operationId: 'children_create', tags: ['children'], parameters: [param('parentId')], responses: ok },
        },
        '/children/{parentId}/{childId}': { delete: { operationId: 'children_delete', tags: ['children'], parameters: [param('parentId'), param('childId')], responses: ok } },
        '/notes/{ownerId}': {
          get: { operationId: 'notes_list', tags: ['notes'], parameters: [param('ownerId')], responses: listOf(named) },
          post: { operationId: 'notes_create', tags: ['notes'], parameters: [param('ownerId')], responses: ok },
        },
        '/notes/{ownerId}/{noteId}': { delete: { operationId: 'notes_delete', tags: ['notes'], parameters: [param('ownerId'), param('noteId')], responses: ok } },
        // no create: nothing the suite makes, so nothing to sweep
        '/logs': { get: { operationId: 'logs_list', tags: ['logs'], responses: listOf(named) } },
        '/logs/{logId}': { delete: { operationId: 'logs_delete', tags: ['logs'], parameters: [param('logId')], responses: ok } },
      },
    }),
  );
  return loadSpec(file);
}

/** an in-memory tenant: collections of items; a parent cannot go while a thing of the same name suffix exists */
function tenant(state: Record<string, Array<{ id: string; name: string; parent?: string }>>) {
  const calls: string[] = [];
  const json = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = async (path: string, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${path}`);
    const [, collection, a, b] = path.split('/') as [string, string, string?, string?];
    const items = state[collection] ?? [];
    if (method === 'GET') {
      if (collection === 'children' || collection === 'notes') {
        if (!state.parents!.some((p) => p.id === a)) return json(404);
        return json(200, { result: items.filter((i) => i.parent === a) });
      }
      return json(200, { result: items });
    }
    const id = collection === 'children' || collection === 'notes' ? b : a;
    const item = items.find((i) => i.id === id);
    if (!item) return json(404);
    if (collection === 'parents' && (state.things ?? []).length > 0) return json(409, { message: 'things still use it' });
    if (item.name.includes('stuck')) return json(409, { message: 'never' });
    state[collection] = items.filter((i) => i !== item);
    if (collection === 'parents') for (const c of ['children', 'notes']) state[c] = (state[c] ?? []).filter((i) => i.parent !== item.id);
    return json(204);
  };
  return { fetch, calls };
}

describe('cleanup families from a spec', () => {
  it('pairs each list and create with the delete of the same path; children first, credentials last; parameters filled by name or from owners', async () => {
    const families = cleanupFamilies(await smallSpec());
    expect(families.map((f) => f.label)).toEqual(['children', 'notes', 'parents', 'things', 'keys']);
    const children = families.find((f) => f.label === 'children')!;
    expect(children.parents.map((p) => [p.param, p.from.map((f) => f.label), p.byName])).toEqual([['parentId', ['parents'], true]]);
    const notes = families.find((f) => f.label === 'notes')!;
    // no family takes {ownerId}: the families others nest under fill it
    expect(notes.parents.map((p) => [p.param, p.from.map((f) => f.label), p.byName])).toEqual([['ownerId', ['parents'], false]]);
  });

  it('deletes every prefixed item, retries what was refused while something else went, and reports what never goes', async () => {
    const families = cleanupFamilies(await smallSpec());
    const { fetch, calls } = tenant({
      keys: [{ id: 'k1', name: 'apitwin-key' }, { id: 'k2', name: 'keep-key' }],
      parents: [{ id: 'p1', name: 'apitwin-parent' }, { id: 'p2', name: 'keep-parent' }, { id: 'p3', name: 'apitwin-stuck' }],
      things: [{ id: 't1', name: 'apitwin-thing' }],
      children: [{ id: 'c1', name: 'apitwin-child', parent: 'p2' }, { id: 'c2', name: 'keep-child', parent: 'p1' }],
      notes: [{ id: 'n1', name: 'apitwin-note', parent: 'p2' }],
      logs: [{ id: 'l1', name: 'apitwin-log' }],
    });
    const lines: string[] = [];
    const result = await sweep(fetch, families, 'TOKEN', (l) => lines.push(l));
    expect(result).toEqual({ removed: 5, failed: 1 });
    expect(lines).toEqual([
      'deleted children apitwin-child',
      'deleted notes apitwin-note',
      'deleted things apitwin-thing',
      'deleted keys apitwin-key',
      // refused in the first round (a thing still used it), deleted in the second
      'deleted parents apitwin-parent',
      'could not delete parents apitwin-stuck: 409',
    ]);
    expect(calls).toContain('DELETE /children/p2/c1');
    expect(calls).not.toContain('GET /logs');
    expect(calls.filter((c) => c === 'DELETE /parents/p1')).toHaveLength(2);
  });

  it('stops with the credential variable named when the tenant refuses the credentials', async () => {
    const refuse = async () => new Response('{}', { status: 401 });
    await expect(sweep(refuse, cleanupFamilies(await smallSpec()), 'C_TOKEN', () => {})).rejects.toThrow(/refused the credentials \(401 on GET \/parents\): check C_TOKEN/);
  });

  it('sweeps every family the vendor specs pair, each with an operation the suite creates through', async () => {
    const synqly = cleanupFamilies(await loadSpec(specPath('synqly-management.yaml')));
    const labels = synqly.map((f) => f.label);
    expect(labels.at(-1)).toBe('tokens');
    for (const child of ['integrations', 'bridges', 'credentials']) expect(labels.indexOf(child)).toBeLessThan(labels.indexOf('accounts'));
    expect(synqly.find((f) => f.label === 'integrations')!.remove.operationId).toBe('integrations_delete');
    const connxio = cleanupFamilies(await loadSpec(specPath('connxio.yaml')));
    expect(connxio.map((f) => f.remove.operationId).sort()).toEqual(['delete_code_component', 'delete_environment_variable', 'delete_integration', 'delete_security_config']);
  });
});
