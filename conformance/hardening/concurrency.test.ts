import { Agent } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { hardeningTenants, listenersOf, send, type HardeningTenants, type Listeners, type RawResponse } from './http.ts';

/**
 * Concurrency: many creates in flight at once, each on its own connection. Every acknowledged
 * create is there exactly once with a unique id; among parallel creates of one name exactly one
 * wins and every other gets the vendor's conflict answer (Synqly 409, Connxio 400).
 */

const target = await useTarget();
const run = target.capabilities.admin;

let listeners: Listeners;
let tenants: HardeningTenants;
/** one connection per request: nothing is serialized on the client side */
const wide = new Agent({ keepAlive: false, maxSockets: Infinity });

beforeAll(async () => {
  if (!run) return;
  listeners = await listenersOf(target);
  tenants = await hardeningTenants(target, listeners, '/c/{id}');
  return async () => {
    wide.destroy();
    await tenants.remove();
  };
});

function parallel<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

const synqly = (method: string, path: string, body?: unknown) =>
  send(listeners.synqly, {
    method,
    path,
    headers: { authorization: `Bearer ${tenants.synqlyToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    agent: wide,
  });

const connxio = (method: string, path: string, body?: unknown) =>
  send(listeners.connxio, {
    method,
    path,
    headers: { 'connxio-api-key': tenants.connxio.apiKey, authorization: `Bearer ${tenants.connxio.bearer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    agent: wide,
  });

/** every account of the organization, paging with start_after */
async function allAccounts(): Promise<Array<{ id: string; name: string }>> {
  const out: Array<{ id: string; name: string }> = [];
  let after = '';
  for (;;) {
    const res = await synqly('GET', `/v1/accounts?limit=500&order=name${after ? `&start_after=${encodeURIComponent(after)}` : ''}`);
    expect(res.status).toBe(200);
    const page = (res.json as { result: Array<{ id: string; name: string }> }).result;
    out.push(...page);
    if (page.length < 500) return out;
    after = page[page.length - 1]!.name;
  }
}

function statuses(responses: RawResponse[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of responses) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe.runIf(run)('concurrency', () => {
  it('1,000 parallel accounts_create: exactly 1,000 accounts, unique ids, each acknowledged one readable', { timeout: 120_000 }, async () => {
    const before = (await allAccounts()).length;
    const responses = await parallel(1000, (i) => synqly('POST', '/v1/accounts', { name: `par-${String(i).padStart(4, '0')}` }));
    expect(statuses(responses)).toEqual({ 200: 1000 });
    const created = responses.map((r) => (r.json as { result: { account: { id: string; name: string } } }).result.account);
    expect(new Set(created.map((a) => a.id)).size).toBe(1000);
    const stored = await allAccounts();
    expect(stored.length - before).toBe(1000);
    const storedIds = new Set(stored.map((a) => a.id));
    for (const a of created) expect(storedIds.has(a.id)).toBe(true);
    expect(new Set(stored.map((a) => a.id)).size).toBe(stored.length);
    // each readable by id and by name
    const sample = await parallel(50, (i) => synqly('GET', `/v1/accounts/${i % 2 ? created[i * 20]!.id : created[i * 20]!.name}`));
    expect(statuses(sample)).toEqual({ 200: 50 });
  });

  it('parallel accounts_create of one name: exactly one 200, every other 409, one account stored', async () => {
    const name = `dup-${Date.now().toString(36)}`;
    const responses = await parallel(100, () => synqly('POST', '/v1/accounts', { name }));
    expect(statuses(responses)).toEqual({ 200: 1, 409: 99 });
    for (const r of responses.filter((x) => x.status === 409)) expect(r.json).toMatchObject({ status: 409, message: expect.any(String) });
    const listed = await synqly('GET', `/v1/accounts?filter=${encodeURIComponent(`name[eq]${name}`)}&total=true`);
    expect((listed.json as { result: unknown[] }).result).toHaveLength(1);
    // a name and a fullname deriving the same name race the same way
    const derived = `derived-${Date.now().toString(36)}`;
    const variants = await parallel(40, (i) => synqly('POST', '/v1/accounts', i % 2 ? { name: derived } : { fullname: derived.replace('-', ' ') }));
    expect(statuses(variants)).toEqual({ 200: 1, 409: 39 });
  });

  it('300 parallel Connxio create_integration: 300 integrations with unique ids', { timeout: 120_000 }, async () => {
    const { integrationBody } = await import('../support/connxio-portal.ts');
    const before = ((await connxio('GET', '/v2/integrations')).json as unknown[]).length;
    const responses = await parallel(300, () => connxio('POST', '/v2/integrations', integrationBody(tenants.connxio.subscriptionId)));
    expect(statuses(responses)).toEqual({ 201: 300 });
    const ids = responses.map((r) => (r.json as { configCorrelationId: string }).configCorrelationId);
    expect(new Set(ids).size).toBe(300);
    const listed = (await connxio('GET', '/v2/integrations')).json as Array<{ configCorrelationId: string }>;
    expect(listed.length - before).toBe(300);
    const listedIds = new Set(listed.map((i) => i.configCorrelationId));
    for (const id of ids) expect(listedIds.has(id)).toBe(true);
  });

  it('parallel Connxio create_environment_variable of one name: exactly one 200, every other 400', async () => {
    const name = `DUP_${Date.now().toString(36)}`;
    const responses = await parallel(60, () => connxio('PUT', '/v2/environmentvariables', { name, defaultValue: 'v' }));
    expect(statuses(responses)).toEqual({ 200: 1, 400: 59 });
    const listed = (await connxio('GET', '/v2/environmentvariables')).json as Array<{ name: string }>;
    expect(listed.filter((v) => v.name.toLowerCase() === name.toLowerCase())).toHaveLength(1);
  });

  it('parallel messages to one integration: each accepted once, each with its own interchange id', async () => {
    const responses = await parallel(200, (i) => connxio('POST', `/v2/messages/${tenants.connxio.integrationId}?InterchangeId=par-${i}`, { n: i }));
    expect(statuses(responses)).toEqual({ 200: 200 });
    const journal = await target.admin.get('/__admin/connxio/messages').query({ companyId: tenants.connxio.companyId, integrationId: tenants.connxio.integrationId, limit: 1000 });
    expect(journal.status).toBe(200);
    const ids = (journal.body.messages as Array<{ interchangeId: string }>).map((m) => m.interchangeId).filter((id) => id.startsWith('par-'));
    expect(new Set(ids).size).toBe(200);
  });
});
