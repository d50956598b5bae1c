import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createTwin } from '../../app.ts';
import { apiError } from '../model-testing.ts';
import type { CallRecord } from '../../core/pipeline.ts';
import { createRandom } from '../../core/random.ts';
import { Store } from '../../core/store/store.ts';
import { createAccount } from '../accounts/model.ts';
import { createOrganization } from '../organization/model.ts';
import { orgState } from '../state.ts';
import { createWebhookDispatcher, listDeliveries } from './delivery.ts';
import { eventFromCall, planDeliveries, signBody, withDeletionEvents, type OrganizationEvent } from './events.ts';
import { synqlyFacts } from '../index.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook, webhooksFor, type UpdateWebhookRequest, type WebhookFilter } from './model.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

async function setup(store?: Store) {
  const s = store ?? (await Store.open());
  const env = { nowMs: T0, random: createRandom(9) };
  const { organization } = await s.transact((tx) => createOrganization(tx, { name: `acme-${Math.random().toString(36).slice(2, 8)}` }, env));
  const org = () => orgState(s.reader, organization.id);
  const write = <R>(fn: (o: ReturnType<typeof orgState>) => R) => s.transact((tx) => fn(orgState(tx, organization.id)));
  return { store: s, env, organization, org, write };
}

const hook: { filters: WebhookFilter[]; url: string; secret: { value: string } } = { filters: ['all'], url: 'http://127.0.0.1:9/hook', secret: { value: 'whsec_test' } };

describe('organization webhooks (model)', () => {
  it('stores the secret as a Managed credential owned by the webhook, and nowhere else', async () => {
    const { write, env, org } = await setup();
    const w = await write((o) => createWebhook(o, { name: 'events', ...hook, filters: ['account_create'] }, env));
    expect(w).toMatchObject({ name: 'events', fullname: 'events', environment: 'prod', filters: ['account_create'], url: hook.url });
    expect(JSON.stringify(w)).not.toContain('whsec_test');
    const credential = org().credentials.get(w.credential_id)!;
    expect(credential).toMatchObject({ owner_type: 'organization_webhook', organization_webhook_id: w.id, owner_id: w.id, managed: 'Managed', config: { type: 'secret', secret: 'whsec_test' } });
    expect(listWebhooks(org(), {}).items.map((x) => x.id)).toEqual([w.id]);
  });

  it('validates url, filters and secret expiry (400) and names (409)', async () => {
    const { write, env, org } = await setup();
    await write((o) => createWebhook(o, { name: 'a', ...hook }, env));
    expect(apiError(() => createWebhook(org(), { name: 'b', ...hook, url: 'ftp://x/y' }, env)).details.parameter?.id).toBe('/url');
    expect(apiError(() => createWebhook(org(), { name: 'b', ...hook, url: 'http://u:p@x/y' }, env)).status).toBe(400);
    expect(apiError(() => createWebhook(org(), { name: 'b', ...hook, filters: [] }, env)).details.parameter?.id).toBe('/filters');
    expect(apiError(() => createWebhook(org(), { name: 'b', ...hook, secret: { value: 's', expires: '2020-01-01T00:00:00Z' } }, env)).status).toBe(400);
    expect(apiError(() => createWebhook(org(), { fullname: 'A', ...hook }, env)).status).toBe(409);
    expect(org().webhooks.count()).toBe(1);
    expect(org().credentials.count()).toBe(1);
  });

  it('updates fully; credential_id may name only a secret credential the webhook owns', async () => {
    const { write, env, org } = await setup();
    const w = await write((o) => createWebhook(o, { name: 'a', ...hook }, env));
    const w2 = await write((o) => createWebhook(o, { name: 'b', ...hook }, env));
    const body = (changes: Partial<UpdateWebhookRequest>): UpdateWebhookRequest => ({ ...(w as unknown as UpdateWebhookRequest), ...changes });
    const next = await write((o) => updateWebhook(o, 'a', body({ environment: 'test', filters: ['integration_create'], url: 'https://hooks.example/x' }), env));
    expect(next).toMatchObject({ environment: 'test', filters: ['integration_create'], url: 'https://hooks.example/x', created_at: w.created_at });
    expect(apiError(() => updateWebhook(org(), 'a', body({ credential_id: w2.credential_id }), env))).toMatchObject({ status: 400, details: { parameter: { id: '/credential_id' } } });
    expect(apiError(() => updateWebhook(org(), 'a', body({ id: w2.id }), env)).status).toBe(400);
    // a second credential of the webhook (as credentials_create would make) rotates the secret
    const rotated = { ...org().credentials.get(w.credential_id)!, id: 'cred-2', name: 'rotated', config: { type: 'secret' as const, secret: 'new-secret' } };
    await write((o) => o.credentials.put(rotated));
    expect((await write((o) => updateWebhook(o, 'a', body({ credential_id: 'cred-2' }), env))).credential_id).toBe('cred-2');
  });

  it('deletes the webhook with the credentials it owns', async () => {
    const { write, env, org } = await setup();
    const w = await write((o) => createWebhook(o, { name: 'a', ...hook }, env));
    const keep = await write((o) => createWebhook(o, { name: 'b', ...hook }, env));
    await write((o) => deleteWebhook(o, w.id));
    expect(apiError(() => getWebhook(org(), 'a')).status).toBe(404);
    expect(org().credentials.all().map((c) => c.id)).toEqual([keep.credential_id]);
  });

  it('routes events by environment and filter', async () => {
    const { write, env, org } = await setup();
    await write((o) => createWebhook(o, { name: 'prod-all', ...hook }, env));
    await write((o) => createWebhook(o, { name: 'prod-accounts', ...hook, filters: ['account_create', 'account_delete'] }, env));
    await write((o) => createWebhook(o, { name: 'test-all', ...hook, environment: 'test' }, env));
    const names = (event: Parameters<typeof webhooksFor>[1], environment: string) => webhooksFor(org(), event, environment).map((w) => w.name).sort();
    expect(names('account_create', 'prod')).toEqual(['prod-accounts', 'prod-all']);
    expect(names('account_update', 'prod')).toEqual(['prod-all']);
    expect(names('integration_delete', 'test')).toEqual(['test-all']);
  });
});

describe('events', () => {
  const principal = (id: string) => ({ organization: { id } });
  const call = (operationId: string, status: number, responseBody: unknown, orgId: string) =>
    ({ operation: { operationId }, request: {}, principal: principal(orgId), status, requestBody: undefined, responseBody }) as unknown as CallRecord<{ organization: { id: string } }>;

  it('maps successful account and integration calls to events, with the integration account', async () => {
    const { write, env, store, organization } = await setup();
    const account = await write((o) => createAccount(o, { name: 'acme-prod' }, env));
    expect(eventFromCall(call('accounts_create', 200, { result: { account } }, organization.id), store.reader, synqlyFacts)).toEqual({ organizationId: organization.id, event: 'account_create', account });
    expect(eventFromCall(call('accounts_patch', 200, { result: account }, organization.id), store.reader, synqlyFacts)?.event).toBe('account_update');
    const integration = { id: 'i1', account_id: account.id, name: 'jira' };
    expect(eventFromCall(call('integrations_create', 200, { result: { integration, token: {} } }, organization.id), store.reader, synqlyFacts)).toEqual({
      organizationId: organization.id,
      event: 'integration_create',
      integration,
      account,
    });
    expect(eventFromCall(call('accounts_create', 409, { status: 409 }, organization.id), store.reader, synqlyFacts)).toBeUndefined();
    expect(eventFromCall(call('accounts_list', 200, { result: [] }, organization.id), store.reader, synqlyFacts)).toBeUndefined();
  });

  it('plans one signed delivery per matching webhook, skipping expired secrets', async () => {
    const { write, env, org, organization } = await setup();
    const account = await write((o) => createAccount(o, { name: 'acme-prod' }, env));
    await write((o) => createWebhook(o, { name: 'a', ...hook }, env));
    await write((o) => createWebhook(o, { name: 'expiring', ...hook, secret: { value: 'old', expires: new Date(T0 + 1000).toISOString() } }, env));
    await write((o) => createWebhook(o, { name: 'test-env', ...hook, environment: 'test' }, env));
    const ev: OrganizationEvent = { organizationId: organization.id, event: 'account_create', account };
    const now = planDeliveries(org(), ev, env);
    expect(now).toHaveLength(2);
    const later = planDeliveries(org(), ev, { nowMs: T0 + 2000, random: env.random });
    expect(later).toHaveLength(1);
    const [d] = later;
    const payload = JSON.parse(d!.body);
    expect(payload).toEqual({ event: 'account_create', account, nonce: d!.record.nonce });
    expect(d!.signature).toBe(signBody(d!.body, 'whsec_test'));
    expect(now[0]!.record.nonce).not.toBe(now[1]!.record.nonce);
  });

  it('reports a delete with the resource as it was, only when the delete succeeded', async () => {
    const seen: OrganizationEvent[] = [];
    const account = { id: 'a1', name: 'acme-prod', environment: 'prod' };
    const handlers = withDeletionEvents<{ organization: { id: string } }>(
      { accounts_delete: (ctx) => (ctx.params.accountId === 'a1' ? { status: 204 } : { status: 404, body: {} }) },
      (ev) => seen.push(ev),
      { accounts_delete: { deleteEvent: { event: 'account_delete', read: (_tx, _org, p) => (p.accountId === 'a1' || p.accountId === 'a2' ? account : undefined) } } },
    );
    const ctx = (accountId: string) => ({ params: { accountId }, principal: { organization: { id: 'o1' } }, env: { store: { reader: {} } } }) as never;
    await handlers.accounts_delete!(ctx('a1'));
    await handlers.accounts_delete!(ctx('a2'));
    await handlers.accounts_delete!(ctx('zz'));
    expect(seen).toEqual([{ organizationId: 'o1', event: 'account_delete', account }]);
    expect(handlers.integrations_delete).toBeUndefined();
  });

  it('reads delete pre-images from the account and integration families', async () => {
    const { write, env, store, organization } = await setup();
    const account = await write((o) => createAccount(o, { name: 'acme-prod' }, env));
    expect(synqlyFacts.accounts_delete!.deleteEvent!.read(store.reader, organization.id, { accountId: 'ACME-PROD' })).toEqual(account);
    expect(synqlyFacts.accounts_delete!.deleteEvent!.read(store.reader, organization.id, { accountId: 'ghost' })).toBeUndefined();
    expect(synqlyFacts.integrations_delete!.deleteEvent!.read(store.reader, organization.id, { accountId: account.id, integrationId: 'ghost' })).toBeUndefined();
  });
});

// ---- real delivery to a local receiver

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** when it arrived (ms) */
  at: number;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** a receiver on 127.0.0.1:0 answering the given statuses in turn (the last one repeats); 'hang' never answers */
async function receiver(statuses: Array<number | 'hang'>): Promise<{ url: string; received: Received[]; hungUp: () => number }> {
  const received: Received[] = [];
  let hungUp = 0;
  const server = createServer((req, res) => {
    // the sender gave up before an answer (a timeout, or a dispatcher that closed)
    res.on('close', () => {
      if (!res.writableEnded) hungUp++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status}`);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/synqly`, received, hungUp: () => hungUp };
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('delivery', () => {
  async function twinWithHook(url: string, filters: string[] = ['all'], store?: Store) {
    const twin = await createTwin(store ? { store } : {});
    const t = await setup(twin.env.store);
    const account = await t.write((o) => createAccount(o, { name: 'acme-prod' }, t.env));
    const webhook = await t.write((o) => createWebhook(o, { name: 'hook', filters: filters as never, url, secret: { value: 'whsec_live' } }, t.env));
    return { twin, ...t, account, webhook };
  }

  it('POSTs the signed payload, records the attempt in the delivery log and the request journal', async () => {
    const rx = await receiver([200]);
    const { twin, account, organization, webhook } = await twinWithHook(rx.url);
    const dispatcher = createWebhookDispatcher(twin.env, { retryDelaysMs: [20], timeoutMs: 1000 });
    dispatcher.emit({ organizationId: organization.id, event: 'account_create', account });
    await dispatcher.idle();
    expect(rx.received).toHaveLength(1);
    const [got] = rx.received;
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-synqly-signature']).toBe(signBody(got!.body, 'whsec_live'));
    const payload = JSON.parse(got!.body);
    expect(payload).toMatchObject({ event: 'account_create', account: { id: account.id, name: 'acme-prod' } });
    const [delivery] = listDeliveries(twin.env.store.reader, { organization_id: organization.id });
    expect(delivery).toMatchObject({ webhook_id: webhook.id, state: 'delivered', nonce: payload.nonce, url: rx.url, attempts: [{ attempt: 1, status: 200 }] });
    const journal = twin.env.requests.query({ operationId: 'webhook_delivery' });
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ method: 'POST', path: rx.url, status: 200, vendor: 'synqly', listener: 'webhooks' });
    expect(JSON.stringify(journal[0])).not.toContain('whsec_live');
    await twin.close();
  });

  it('retries with backoff until the receiver accepts, resending the same bytes', async () => {
    const rx = await receiver([500, 503, 204]);
    const { twin, account, organization } = await twinWithHook(rx.url);
    const dispatcher = createWebhookDispatcher(twin.env, { retryDelaysMs: [30, 60, 60], timeoutMs: 1000 });
    dispatcher.emit({ organizationId: organization.id, event: 'account_update', account });
    await dispatcher.idle();
    expect(rx.received.map((r) => r.body)).toEqual([rx.received[0]!.body, rx.received[0]!.body, rx.received[0]!.body]);
    expect(rx.received.map((r) => r.headers['x-apitwin-attempt'])).toEqual(['1', '2', '3']);
    const [delivery] = listDeliveries(twin.env.store.reader, { organization_id: organization.id });
    expect(delivery!.state).toBe('delivered');
    expect(delivery!.attempts.map((a) => a.status)).toEqual([500, 503, 204]);
    const gap = Date.parse(delivery!.attempts[1]!.at) - Date.parse(delivery!.attempts[0]!.at);
    expect(gap).toBeGreaterThanOrEqual(25);
    expect(twin.env.requests.query({ operationId: 'webhook_delivery' })).toHaveLength(3);
    await twin.close();
  });

  it('gives up after the last attempt, and times out a receiver that never answers', async () => {
    const rx = await receiver(['hang']);
    const { twin, account, organization } = await twinWithHook(rx.url);
    const dispatcher = createWebhookDispatcher(twin.env, { retryDelaysMs: [10], timeoutMs: 150 });
    const started = Date.now();
    dispatcher.emit({ organizationId: organization.id, event: 'account_delete', account });
    await dispatcher.idle();
    expect(Date.now() - started).toBeLessThan(5000);
    const [delivery] = listDeliveries(twin.env.store.reader, { organization_id: organization.id });
    expect(delivery).toMatchObject({ state: 'failed', attempts: [{ status: 0 }, { status: 0 }] });
    expect(delivery!.attempts[0]!.error).toMatch(/timed out/);
    expect(delivery!.error).toMatch(/gave up after 2/);
    await twin.close();
  });

  it('fails a connection that is refused, and stops when the webhook is deleted', async () => {
    const rx = await receiver([500]);
    const { twin, account, organization, write, webhook } = await twinWithHook(rx.url);
    const dispatcher = createWebhookDispatcher(twin.env, { retryDelaysMs: [80, 80], timeoutMs: 500 });
    dispatcher.emit({ organizationId: organization.id, event: 'account_create', account });
    await new Promise((r) => setTimeout(r, 40));
    await write((o) => deleteWebhook(o, webhook.id));
    await dispatcher.idle();
    expect(rx.received).toHaveLength(1);
    const [delivery] = listDeliveries(twin.env.store.reader, { organization_id: organization.id });
    expect(delivery).toMatchObject({ state: 'failed', error: 'the webhook was deleted' });

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await twinWithHook(`http://127.0.0.1:${freePort}/nothing-listens`);
    const d2 = createWebhookDispatcher(refused.twin.env, { retryDelaysMs: [], timeoutMs: 500 });
    d2.emit({ organizationId: refused.organization.id, event: 'account_create', account: refused.account });
    await d2.idle();
    const [failed] = listDeliveries(refused.twin.env.store.reader, { organization_id: refused.organization.id });
    expect(failed).toMatchObject({ state: 'failed', attempts: [{ status: 0, error: 'ECONNREFUSED' }] });
    await twin.close();
    await refused.twin.close();
  });

  it('close() aborts the attempt in flight, records it as failed and resolves promptly', async () => {
    const rx = await receiver(['hang']);
    const { twin, account, organization } = await twinWithHook(rx.url);
    const dispatcher = createWebhookDispatcher(twin.env, { retryDelaysMs: [60_000], timeoutMs: 30_000 });
    dispatcher.emit({ organizationId: organization.id, event: 'account_create', account });
    await until(() => rx.received.length === 1);
    const started = Date.now();
    await dispatcher.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await until(() => rx.hungUp() === 1);
    const [delivery] = listDeliveries(twin.env.store.reader, { organization_id: organization.id });
    expect(delivery).toMatchObject({ state: 'failed', attempts: [{ attempt: 1, status: 0, error: 'the twin stopped' }] });
    expect(delivery).not.toHaveProperty('next_attempt_at');
    await twin.close();
  });

  it('close() drops waiting retries (no further attempt) and ignores later events', async () => {
    const rx = await receiver([500]);
    const { twin, account, organization } = await twinWithHook(rx.url);
    const dispatcher = createWebhookDispatcher(twin.env, { retryDelaysMs: [150], timeoutMs: 1000 });
    dispatcher.emit({ organizationId: organization.id, event: 'account_create', account });
    await until(() => listDeliveries(twin.env.store.reader, { organization_id: organization.id })[0]?.attempts.length === 1);
    await dispatcher.close();
    dispatcher.emit({ organizationId: organization.id, event: 'account_update', account });
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received).toHaveLength(1);
    const deliveries = listDeliveries(twin.env.store.reader, { organization_id: organization.id });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ state: 'pending', attempts: [{ attempt: 1, status: 500 }] });
    await twin.close();
  });

  it('a twin started on a store resumes the deliveries a stopped twin left pending: same bytes, next attempt, when due', async () => {
    const rx = await receiver([500, 200]);
    const file = join(mkdtempSync(join(tmpdir(), 'apitwin-webhooks-')), 'db.json');
    const first = await twinWithHook(rx.url, ['all'], await Store.open({ file }));
    const dispatcher = createWebhookDispatcher(first.twin.env, { retryDelaysMs: [400], timeoutMs: 1000 });
    dispatcher.emit({ organizationId: first.organization.id, event: 'account_create', account: first.account });
    await until(() => listDeliveries(first.twin.env.store.reader, { organization_id: first.organization.id })[0]?.attempts.length === 1);
    await dispatcher.close();
    await first.twin.close();

    const second = await createTwin({ store: await Store.open({ file }) });
    const [left] = listDeliveries(second.env.store.reader, { organization_id: first.organization.id });
    expect(left).toMatchObject({ state: 'pending', attempts: [{ attempt: 1, status: 500 }] });
    await until(() => rx.received.length === 2, 5000);
    expect(rx.received[1]!.body).toBe(rx.received[0]!.body);
    expect(rx.received[1]!.headers['x-apitwin-attempt']).toBe('2');
    expect(rx.received[1]!.headers['x-synqly-signature']).toBe(signBody(rx.received[0]!.body, 'whsec_live'));
    expect(rx.received[1]!.at - rx.received[0]!.at).toBeGreaterThanOrEqual(350);
    await until(() => listDeliveries(second.env.store.reader, { organization_id: first.organization.id })[0]?.state === 'delivered');
    const [delivery] = listDeliveries(second.env.store.reader, { organization_id: first.organization.id });
    expect(delivery!.attempts.map((a) => a.status)).toEqual([500, 200]);
    await second.close();
  });

  it('Twin.close stops the Synqly deliveries before closing the store', async () => {
    const rx = await receiver(['hang']);
    const twin = await createTwin();
    const env = { nowMs: Date.now(), random: createRandom(11) };
    const { organization, token } = await twin.env.store.transact((tx) => createOrganization(tx, { name: 'closing' }, env));
    await twin.env.store.transact((tx) => createWebhook(orgState(tx, organization.id), { name: 'hook', filters: ['all'], url: rx.url, secret: { value: 'whsec_x' } }, env));
    const res = await supertest(twin.apps.synqly).post('/v1/accounts').set('authorization', `Bearer ${token.access.secret}`).send({ name: 'acme-prod' });
    expect(res.status).toBe(200);
    await until(() => rx.received.length === 1);
    const started = Date.now();
    await twin.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await until(() => rx.hungUp() === 1);
    const [delivery] = listDeliveries(twin.env.store.reader, { organization_id: organization.id });
    expect(delivery).toMatchObject({ event: 'account_create', state: 'failed', attempts: [{ error: 'the twin stopped' }] });
  });

  it('ignores events no webhook takes', async () => {
    const rx = await receiver([200]);
    const { twin, account, organization } = await twinWithHook(rx.url, ['integration_create']);
    const dispatcher = createWebhookDispatcher(twin.env, { retryDelaysMs: [], timeoutMs: 500 });
    dispatcher.emit({ organizationId: organization.id, event: 'account_create', account });
    dispatcher.emit({ organizationId: organization.id, event: 'integration_create', account: { ...account, environment: 'test' } });
    await dispatcher.idle();
    expect(rx.received).toHaveLength(0);
    expect(listDeliveries(twin.env.store.reader, { organization_id: organization.id })).toEqual([]);
    await twin.close();
  });
});
