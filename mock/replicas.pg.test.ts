import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './core/store/testing/postgres-cluster.ts';
import { startReplica, type Replica } from './core/store/testing/replica.ts';

/**
 * Two (or more) `apitwin serve --store postgres://…` processes on one database behave as one twin.
 * Each test gets its own database on one private cluster.
 */

let cluster: Cluster;
let n = 0;
const running: Replica[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.kill()));
});
afterAll(() => cluster?.destroy());

async function replicas(count: number, url?: string): Promise<{ url: string; list: Replica[] }> {
  const db = url ?? (await cluster.createDatabase(`replicas_${++n}`));
  const list: Replica[] = [];
  // one after the other: the first creates the schema (concurrent starts are covered by the lock in the migration)
  for (let i = 0; i < count; i++) {
    const r = await startReplica(db);
    running.push(r);
    list.push(r);
  }
  return { url: db, list };
}

async function synqlyTenant(base: string): Promise<{ token: string; orgId: string }> {
  const res = await fetch(`${base}/__admin/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor: 'synqly' }) });
  expect(res.status).toBe(201);
  const { credentials } = (await res.json()) as { credentials: { token: string; organization_id: string } };
  return { token: credentials.token, orgId: credentials.organization_id };
}

function createAccount(base: string, token: string, name: string): Promise<Response> {
  return fetch(`${base}/v1/accounts`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
}

/** the account ids of the organization, read through the control API's snapshot of `base` */
async function accountIds(base: string, orgId: string): Promise<string[]> {
  const res = await fetch(`${base}/__admin/snapshot`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { collections: Record<string, Record<string, unknown>> };
  return Object.keys(doc.collections[`synqly/org/${orgId}/accounts`] ?? {});
}

describe('replicas on one PostgreSQL database', () => {
  it('1,000 parallel creates spread over two replicas: exactly 1,000 records with unique ids, seen by both', async () => {
    const { list: [a, b] } = await replicas(2);
    const { token, orgId } = await synqlyTenant(a!.urls.synqly);
    const before = (await accountIds(b!.urls.synqly, orgId)).length;
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => createAccount((i % 2 ? a : b)!.urls.synqly, token, `acct-${i}`)));
    expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { result: { account: { id: string } } }).result.account.id));
    expect(new Set(ids).size).toBe(1000);
    for (const r of [a!, b!]) {
      const stored = await accountIds(r.urls.synqly, orgId);
      expect(stored.length - before).toBe(1000);
      expect(ids.every((id) => stored.includes(id))).toBe(true);
    }
  });

  it('200 creates of one name spread over two replicas: exactly one success, 199 × 409 in the Synqly envelope', async () => {
    const { list: [a, b] } = await replicas(2);
    const { token } = await synqlyTenant(b!.urls.synqly);
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => createAccount((i % 2 ? a : b)!.urls.synqly, token, 'the-one-name')));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    const conflict = responses.find((r) => r.status === 409)!;
    expect(await conflict.json()).toMatchObject({ status: 409, message: expect.stringMatching(/the-one-name/) });
  });

  it('write on A, read on B, 1,000 times: never stale', async () => {
    const { list: [a, b] } = await replicas(2);
    const { token } = await synqlyTenant(a!.urls.synqly);
    let stale = 0;
    for (let i = 0; i < 1000; i++) {
      const [writer, reader] = i % 2 ? [a!, b!] : [b!, a!];
      const created = await createAccount(writer.urls.synqly, token, `ryw-${i}`);
      expect(created.status).toBe(200);
      const { id } = ((await created.json()) as { result: { account: { id: string } } }).result.account;
      const read = await fetch(`${reader.urls.synqly}/v1/accounts/${id}`, { headers: { authorization: `Bearer ${token}` } });
      if (read.status !== 200) stale++;
      else expect(((await read.json()) as { result: { name: string } }).result.name).toBe(`ryw-${i}`);
    }
    expect(stale).toBe(0);
  });

  it('SIGKILL a replica under write load, 10 times: every acknowledged write is present', async () => {
    const { url, list } = await replicas(2);
    const { token, orgId } = await synqlyTenant(list[0]!.urls.synqly);
    const acknowledged: string[] = [];
    let seq = 0;
    let stop = false;
    const writer = async (pick: () => Replica) => {
      while (!stop) {
        const target = pick();
        try {
          const res = await createAccount(target.urls.synqly, token, `k-${seq++}`);
          if (res.status === 200) acknowledged.push(((await res.json()) as { result: { account: { id: string } } }).result.account.id);
        } catch {
          // the replica died mid-request: not acknowledged
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    let victim = 0;
    const writers = Array.from({ length: 8 }, (_, i) => writer(() => list[i % 2]!));
    for (let round = 0; round < 10; round++) {
      await new Promise((r) => setTimeout(r, 250));
      const dying = list[victim]!;
      await dying.kill();
      const fresh = await startReplica(url);
      running.push(fresh);
      list[victim] = fresh;
      victim = 1 - victim;
    }
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThan(50);
    for (const r of list) {
      const stored = new Set(await accountIds(r.urls.synqly, orgId));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    }
  });

  it('PostgreSQL restarted under load: 503s in the vendor envelopes during the outage, then normal service; nothing acknowledged lost', async () => {
    const { list: [a, b] } = await replicas(2);
    const { token, orgId } = await synqlyTenant(a!.urls.synqly);
    const acknowledged: string[] = [];
    const unavailable: unknown[] = [];
    const other: number[] = [];
    let seq = 0;
    let stop = false;
    const writer = async (r: Replica) => {
      while (!stop) {
        const res = await createAccount(r.urls.synqly, token, `o-${seq++}`);
        if (res.status === 200) acknowledged.push(((await res.json()) as { result: { account: { id: string } } }).result.account.id);
        else if (res.status === 503) {
          expect(res.headers.get('retry-after')).toBe('1');
          unavailable.push(await res.json());
          await new Promise((resolve) => setTimeout(resolve, 20));
        } else other.push(res.status);
      }
    };
    const writers = [a!, b!, a!, b!].map(writer);
    await expect.poll(() => acknowledged.length, { timeout: 20_000 }).toBeGreaterThan(10);
    const ackedBefore = acknowledged.length;
    cluster.stopServer('immediate');
    await expect.poll(() => unavailable.length, { timeout: 20_000 }).toBeGreaterThan(4);
    // Connxio answers an outage in its ProblemDetails
    const connxio = await fetch(`${b!.urls.connxio}/v2/subscriptions`, { headers: { 'connxio-api-key': 'whatever' } });
    expect(connxio.status).toBe(503);
    expect(connxio.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await connxio.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
    cluster.startServer();
    const ackedAtRestart = acknowledged.length;
    await expect.poll(() => acknowledged.length, { timeout: 20_000 }).toBeGreaterThan(ackedAtRestart + 20);
    stop = true;
    await Promise.all(writers);
    expect(ackedBefore).toBeGreaterThan(0);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const body of unavailable) expect(body).toMatchObject({ status: 503, message: expect.stringMatching(/database is unavailable/) });
    expect(other).toEqual([]);
    expect(a!.child.exitCode).toBeNull();
    expect(b!.child.exitCode).toBeNull();
    for (const r of [a!, b!]) {
      const stored = new Set(await accountIds(r.urls.synqly, orgId));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    }
  });

  it('webhooks: one delivery per event with both replicas running, and after killing the one that held the lease', async () => {
    const received = new Map<string, number>();
    const receiver: Server = createServer((req, res) => {
      const id = String(req.headers['x-apitwin-delivery']);
      received.set(id, (received.get(id) ?? 0) + 1);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { url, list } = await replicas(2);
      const [a, b] = list as [Replica, Replica];
      const { token } = await synqlyTenant(a.urls.synqly);
      const hook = await fetch(`${b.urls.synqly}/v1/organization/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'replicas', filters: ['account_create'], url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: { value: 'shh' } }),
      });
      expect(hook.status).toBe(200);
      const create = async (r: Replica, count: number, stem: string) => {
        for (let i = 0; i < count; i++) expect((await createAccount(r.urls.synqly, token, `${stem}-${i}`)).status).toBe(200);
      };
      await Promise.all([create(a, 10, 'a'), create(b, 10, 'b')]);
      await expect.poll(() => received.size, { timeout: 30_000 }).toBe(20);
      // a second or two more: no replica sends any of them again
      await new Promise((r) => setTimeout(r, 2500));
      expect([...received.values()].filter((n) => n !== 1)).toEqual([]);

      // the journals are shared, so they do not tell which replica holds the lease: kill A, then
      // (with A restarted) B, which certainly held it then, having sent the deliveries in between
      await a.kill();
      await create(b, 10, 'after');
      // B sends them, taking the lease over once it expired (5 s) if A held it
      await expect.poll(() => received.size, { timeout: 30_000 }).toBe(30);
      await new Promise((r) => setTimeout(r, 2500));
      expect([...received.values()].filter((n) => n !== 1)).toEqual([]);
      const restarted = await startReplica(url);
      running.push(restarted);
      await b.kill();
      await create(restarted, 5, 'restarted');
      // the restarted replica takes the lease over from the killed holder and sends them once
      await expect.poll(() => received.size, { timeout: 30_000 }).toBe(35);
      await new Promise((r) => setTimeout(r, 2500));
      expect([...received.values()].filter((n) => n !== 1)).toEqual([]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('the clock, fault rules, stubs and rate limits are shared: an advance through B moves A; a fault set through A fires on B, its times counted once, and so are a stub\'s', async () => {
    const { list: [a, b] } = await replicas(2);
    const { token } = await synqlyTenant(a!.urls.synqly);
    const post = (base: string, path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const nowOf = async (r: Replica) => Date.parse(((await (await fetch(`${r.urls.synqly}/__admin/clock`)).json()) as { now: string }).now);
    const before = await nowOf(a!);
    // two advances at once through both replicas add up
    const [x, y] = await Promise.all([post(b!.urls.synqly, '/__admin/clock/advance', { duration: '2h' }), post(a!.urls.synqly, '/__admin/clock/advance', { ms: 3_600_000 })]);
    expect([x.status, y.status]).toEqual([200, 200]);
    for (const r of [a!, b!]) {
      const drift = (await nowOf(r)) - before - 3 * 3_600_000;
      expect(drift).toBeGreaterThanOrEqual(0);
      expect(drift).toBeLessThan(60_000);
    }

    const fault = await post(a!.urls.synqly, '/__admin/faults', { vendor: 'synqly', operationId: 'accounts_list', action: { type: 'status', status: 502, message: 'shared fault' }, times: 3 });
    expect(fault.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${(i % 2 ? a : b)!.urls.synqly}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(res.status);
    }
    // B answers first (i = 0): the fault set through A fires there
    expect(statuses.slice(0, 3)).toEqual([502, 502, 502]);
    expect(statuses.slice(3)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    const listed = (await (await fetch(`${b!.urls.synqly}/__admin/faults`)).json()) as { faults: unknown[] };
    expect(listed.faults).toEqual([]);

    // response stubs live in the store: one added through B answers on A, `times` counted once even under concurrent requests
    const stub = await post(b!.urls.synqly, '/__admin/stubs', { vendor: 'synqly', operationId: 'accounts_list', times: 5, response: { status: 200, body: [], envelope: true, headers: { 'x-stub': 'shared' } } });
    expect(stub.status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 ? a : b)!.urls.synqly}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } })));
    expect(answers.map((r) => r.status).every((st) => st === 200)).toBe(true);
    expect(answers.filter((r) => r.headers.get('x-stub') === 'shared')).toHaveLength(5);
    expect(((await (await fetch(`${a!.urls.synqly}/__admin/stubs`)).json()) as { stubs: unknown[] }).stubs).toEqual([]);

    // a rate limit set through A counts the credential's calls on both replicas together
    const limit = await post(a!.urls.synqly, '/__admin/rate-limits', { vendor: 'synqly', operationId: 'accounts_get', limit: 3, windowSeconds: 3600 });
    expect(limit.status).toBe(201);
    const limited: number[] = [];
    for (let i = 0; i < 8; i++) limited.push((await fetch(`${(i % 2 ? a : b)!.urls.synqly}/v1/accounts/nobody`, { headers: { authorization: `Bearer ${token}` } })).status);
    expect(limited).toEqual([404, 404, 404, 429, 429, 429, 429, 429]);
  });
  it('the journals are shared: a request answered by A is in B\'s request journal; a Connxio message accepted by A is in B\'s message journal, and clearing it through B clears it for A', async () => {
    const { list: [a, b] } = await replicas(2);
    const json = { 'content-type': 'application/json' };
    const { token } = await synqlyTenant(a!.urls.synqly);
    const created = await createAccount(a!.urls.synqly, token, 'journaled-on-a');
    expect(created.status).toBe(200);
    const requestsOf = async (base: string) =>
      ((await (await fetch(`${base}/__admin/requests?operationId=accounts_create&limit=50`)).json()) as { requests: Array<{ id: number; path: string; method: string; status: number; requestHeaders: Record<string, string>; requestBody: unknown }> }).requests;
    // A writes its journal entries in the background, a few milliseconds after answering
    await expect.poll(async () => (await requestsOf(b!.urls.synqly)).length, { timeout: 10_000 }).toBe(1);
    const seenByB = await requestsOf(b!.urls.synqly);
    expect(seenByB).toHaveLength(1);
    expect(seenByB[0]).toMatchObject({ method: 'POST', path: '/v1/accounts', status: 200, requestBody: { name: 'journaled-on-a' } });
    expect(seenByB[0]!.requestHeaders.authorization).toBe('[redacted]');
    // B's own answer lands in the same journal, after A's
    expect((await createAccount(b!.urls.synqly, token, 'journaled-on-b')).status).toBe(200);
    await expect.poll(async () => (await requestsOf(a!.urls.synqly)).length, { timeout: 10_000 }).toBe(2);
    const both = await requestsOf(a!.urls.synqly);
    expect(both.map((r) => (r.requestBody as { name: string }).name)).toEqual(['journaled-on-b', 'journaled-on-a']);
    expect(both[0]!.id).toBeGreaterThan(both[1]!.id);
    // clearing through B empties A's view
    expect((await fetch(`${b!.urls.synqly}/__admin/requests`, { method: 'DELETE', headers: { 'x-apitwin-client': 'test' } })).status).toBe(204);
    expect(await requestsOf(a!.urls.synqly)).toEqual([]);

    const tenant = await fetch(`${a!.urls.synqly}/__admin/tenants`, { method: 'POST', headers: json, body: JSON.stringify({ vendor: 'connxio' }) });
    expect(tenant.status).toBe(201);
    const c = ((await tenant.json()) as { credentials: { company_id: string; api_key: string; api_key_subscription_id: string; oauth: { client_id: string; client_secret: string } } }).credentials;
    const oauth = await fetch(`${a!.urls.connxio}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret, scope: 'api://connxio/.default' }),
    });
    expect(oauth.status).toBe(200);
    const auth = { 'connxio-api-key': c.api_key, authorization: `Bearer ${((await oauth.json()) as { access_token: string }).access_token}` };
    const integration = await fetch(`${a!.urls.connxio}/v2/integrations`, {
      method: 'POST',
      headers: { ...auth, ...json },
      body: JSON.stringify({
        description: 'journal-shared',
        transactionType: 'Order',
        sender: 'Webshop',
        receiver: 'ERP',
        messageInboundFormat: 'json',
        messageInboundEncoding: 'utf-8',
        subscriptionId: c.api_key_subscription_id,
        enabled: true,
        inboundConnection: { adapterType: 'Api', connectionProperties: null },
        subIntegrations: [
          {
            subIntegrationId: '6d3f0a52-8c1e-4b7a-9f2d-3e4c5b6a7d8e',
            subintegrationName: 'to-void',
            transformations: [],
            outboundConnections: [{ adapterType: 'Discard', adapterName: 'void', connectionProperties: null }],
            messageOutboundFormat: 'json',
            messageOutboundEncoding: 'utf-8',
            preDefinedUserProperties: {},
            enabled: true,
          },
        ],
      }),
    });
    expect(integration.status).toBe(201);
    const integrationId = ((await integration.json()) as { configCorrelationId: string }).configCorrelationId;
    const sent = await fetch(`${a!.urls.connxio}/v2/messages/${integrationId}?InterchangeId=ic-shared-1`, { method: 'POST', headers: { ...auth, ...json }, body: JSON.stringify({ orderId: 'SO-SHARED' }) });
    expect(sent.status).toBe(200);
    const messagesOf = async (base: string) =>
      ((await (await fetch(`${base}/__admin/connxio/messages?companyId=${c.company_id}`)).json()) as { messages: Array<{ id: number; interchangeId: string; integrationId: string; body: string }> }).messages;
    await expect.poll(async () => (await messagesOf(b!.urls.synqly)).length, { timeout: 10_000 }).toBe(1);
    const inB = await messagesOf(b!.urls.synqly);
    expect(inB).toHaveLength(1);
    expect(inB[0]).toMatchObject({ interchangeId: 'ic-shared-1', integrationId, body: '{"orderId":"SO-SHARED"}' });
    expect((await fetch(`${b!.urls.synqly}/__admin/connxio/messages?companyId=${c.company_id}`, { method: 'DELETE', headers: { 'x-apitwin-client': 'test' } })).status).toBe(204);
    expect(await messagesOf(a!.urls.synqly)).toEqual([]);
  });
});
