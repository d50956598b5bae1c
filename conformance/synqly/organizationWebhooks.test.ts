import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { withClockAdvanced } from '../support/control.ts';
import { newAccount, newIntegration } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
/** deliveries reach 127.0.0.1 only from a twin; live, only the CRUD contract is checked */
const twinOnly = target.kind !== 'live';
const SECRET = 'whsec_apitwin_conformance';

async function createWebhook(s: SynqlySession, body: Record<string, unknown> = {}) {
  const res = await s.post('/v1/organization/webhooks').send({
    name: uniqueName('hook'),
    filters: ['all'],
    url: 'https://hooks.example.com/apitwin',
    secret: { value: SECRET },
    ...body,
  });
  expectOperation(res, 'organizationWebhooks_create', 200);
  s.defer(() => s.delete(`/v1/organization/webhooks/${res.body.result.id}`));
  return res.body.result as { id: string; name: string; fullname: string; environment: string; filters: string[]; url: string; credential_id: string; created_at: string; updated_at: string };
}

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { event: string; account?: Record<string, unknown>; integration?: Record<string, unknown>; nonce: string };
}

/** a webhook receiver on 127.0.0.1:0 answering `statuses` in turn (the last repeats); closed after the test */
async function receiver(statuses: number[] = [200]) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  const waitFor = async (count: number, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    while (received.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return received;
  };
  return { url: `http://127.0.0.1:${port}/synqly-events`, received, waitFor };
}

function signatureValid(r: Received, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(r.raw).digest();
  const got = Buffer.from(String(r.headers['x-synqly-signature'] ?? ''), 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe('organizationWebhooks_create', () => {
  it('creates a webhook; the secret becomes a credential and is never returned', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('hook');
    const res = await s.post('/v1/organization/webhooks').send({ name, fullname: 'Events', filters: ['account_create', 'integration_create'], url: 'https://hooks.example.com/x', secret: { value: SECRET } });
    expectOperation(res, 'organizationWebhooks_create', 200);
    s.defer(() => s.delete(`/v1/organization/webhooks/${res.body.result.id}`));
    expect(res.body.result).toMatchObject({ name, fullname: 'Events', filters: ['account_create', 'integration_create'], url: 'https://hooks.example.com/x', environment: 'prod' });
    expect(res.body.result.credential_id).toEqual(expect.any(String));
    expect(res.text).not.toContain(SECRET);
    const credential = await s.get(`/v1/credentials/lookup/${res.body.result.credential_id}`);
    expectOperation(credential, 'credentials_lookup', 200);
    expect(credential.body.result).toMatchObject({ owner_type: 'organization_webhook', organization_webhook_id: res.body.result.id, config: { type: 'secret' } });
    expect(credential.text).not.toContain(SECRET);
  });

  it('answers 400 without a secret and 409 for a duplicate name', async () => {
    const s = await synqlySession(target);
    const noSecret = await s.post('/v1/organization/webhooks').send({ name: uniqueName('hook'), filters: ['all'], url: 'https://hooks.example.com/x' });
    expectProblem(noSecret, 'organizationWebhooks_create', 400);
    const hook = await createWebhook(s);
    expectProblem(await s.post('/v1/organization/webhooks').send({ name: hook.name, filters: ['all'], url: 'https://hooks.example.com/y', secret: { value: 's' } }), 'organizationWebhooks_create', 409);
  });

  it.runIf(twinOnly)('answers 400 for a URL that is not http(s), and records no secret in the request journal', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/organization/webhooks').send({ name: uniqueName('hook'), filters: ['all'], url: 'ftp://hooks.example.com/x', secret: { value: SECRET } });
    expectProblem(res, 'organizationWebhooks_create', 400);
    expect(res.body.context.parameter.id).toBe('/url');
    const journal = await target.admin.get('/__admin/requests').query({ operationId: 'organizationWebhooks_create', limit: 50 });
    expectOperation(journal, 'admin_requests_list', 200);
    expect(journal.body.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(journal.body)).not.toContain(SECRET);
  });
});

describe('organizationWebhooks_list', () => {
  it('lists, filters and orders webhooks', async () => {
    const s = await synqlySession(target);
    const stem = uniqueName('wl');
    await createWebhook(s, { name: `${stem}-b`, environment: 'test' });
    await createWebhook(s, { name: `${stem}-a` });
    const all = await s.get('/v1/organization/webhooks').query({ filter: `name[like]${stem}-%` });
    expectOperation(all, 'organizationWebhooks_list', 200);
    expect(all.body.result.map((w: { name: string }) => w.name)).toEqual([`${stem}-a`, `${stem}-b`]);
    const test = await s.get(`/v1/organization/webhooks?filter=name[like]${stem}-%25&filter=environment[eq]test`);
    expectOperation(test, 'organizationWebhooks_list', 200);
    expect(test.body.result.map((w: { name: string }) => w.name)).toEqual([`${stem}-b`]);
  });

  it('answers 400 for a malformed order', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/organization/webhooks').query({ order: 'name[sideways]' }), 'organizationWebhooks_list', 400);
  });
});

describe('organizationWebhooks_get', () => {
  it('reads a webhook by id and by name', async () => {
    const s = await synqlySession(target);
    const hook = await createWebhook(s);
    const byId = await s.get(`/v1/organization/webhooks/${hook.id}`);
    expectOperation(byId, 'organizationWebhooks_get', 200);
    expect(byId.body.result).toEqual(hook);
    const byName = await s.get(`/v1/organization/webhooks/${hook.name}`);
    expectOperation(byName, 'organizationWebhooks_get', 200);
    expect(byName.body.result.id).toBe(hook.id);
  });

  it('answers 404 for an unknown webhook', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/organization/webhooks/${uniqueName('ghost')}`), 'organizationWebhooks_get', 404);
  });
});

describe('organizationWebhooks_update', () => {
  it('replaces the writable fields', async () => {
    const s = await synqlySession(target);
    const hook = await createWebhook(s);
    const res = await s.put(`/v1/organization/webhooks/${hook.id}`).send({ ...hook, fullname: 'Test events', environment: 'test', filters: ['integration_delete'], url: 'https://hooks.example.com/other' });
    expectOperation(res, 'organizationWebhooks_update', 200);
    expect(res.body.result).toMatchObject({ id: hook.id, fullname: 'Test events', environment: 'test', filters: ['integration_delete'], url: 'https://hooks.example.com/other', credential_id: hook.credential_id });
  });

  it('answers 400 without a url, 400 for a credential the webhook does not own, 404 for an unknown webhook', async () => {
    const s = await synqlySession(target);
    const hook = await createWebhook(s);
    const { url: _u, ...noUrl } = hook;
    expectProblem(await s.put(`/v1/organization/webhooks/${hook.id}`).send(noUrl), 'organizationWebhooks_update', 400);
    if (twinOnly) {
      const other = await createWebhook(s);
      const foreign = await s.put(`/v1/organization/webhooks/${hook.id}`).send({ ...hook, credential_id: other.credential_id });
      expectProblem(foreign, 'organizationWebhooks_update', 400);
      expect(foreign.body.context.parameter.id).toBe('/credential_id');
    }
    expectProblem(await s.put(`/v1/organization/webhooks/${uniqueName('ghost')}`).send(hook), 'organizationWebhooks_update', 404);
  });
});

describe('organizationWebhooks_patch', () => {
  it('applies a JSON Patch', async () => {
    const s = await synqlySession(target);
    const hook = await createWebhook(s);
    const res = await s.patch(`/v1/organization/webhooks/${hook.id}`).send([{ op: 'add', path: '/filters/-', value: 'account_delete' }, { op: 'replace', path: '/fullname', value: 'Patched' }]);
    expectOperation(res, 'organizationWebhooks_patch', 200);
    expect(res.body.result).toMatchObject({ fullname: 'Patched', filters: ['all', 'account_delete'] });
  });

  it('answers 400 for an unknown filter value and 409 for a failing test', async () => {
    const s = await synqlySession(target);
    const hook = await createWebhook(s);
    expectProblem(await s.patch(`/v1/organization/webhooks/${hook.id}`).send([{ op: 'add', path: '/filters/-', value: 'everything' }]), 'organizationWebhooks_patch', 400);
    expectProblem(await s.patch(`/v1/organization/webhooks/${hook.id}`).send([{ op: 'test', path: '/environment', value: 'test' }]), 'organizationWebhooks_patch', 409);
    const after = await s.get(`/v1/organization/webhooks/${hook.id}`);
    expect(after.body.result.filters).toEqual(['all']);
  });
});

describe('organizationWebhooks_delete', () => {
  it('deletes a webhook and its signing credential', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/organization/webhooks').send({ name: uniqueName('hook'), filters: ['all'], url: 'https://hooks.example.com/x', secret: { value: SECRET } });
    expectOperation(res, 'organizationWebhooks_create', 200);
    expectOperation(await s.delete(`/v1/organization/webhooks/${res.body.result.id}`), 'organizationWebhooks_delete', 204);
    expectProblem(await s.get(`/v1/organization/webhooks/${res.body.result.id}`), 'organizationWebhooks_get', 404);
    if (twinOnly) expectProblem(await s.get(`/v1/credentials/lookup/${res.body.result.credential_id}`), 'credentials_lookup', 404);
  });

  it('answers 404 for an unknown webhook', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.delete(`/v1/organization/webhooks/${uniqueName('ghost')}`), 'organizationWebhooks_delete', 404);
  });
});

describe('webhook delivery', () => {
  it.runIf(twinOnly)('POSTs signed account events of the webhook environment, logged in the delivery log and the request journal', async () => {
    const s = await synqlySession(target);
    const rx = await receiver([200]);
    const hook = await createWebhook(s, { url: rx.url, filters: ['account_create', 'account_update', 'account_delete'] });

    const prod = await s.post('/v1/accounts').send({ name: uniqueName('acct'), environment: 'prod' });
    expectOperation(prod, 'accounts_create', 200);
    const account = prod.body.result.account;
    const ignored = await s.post('/v1/accounts').send({ name: uniqueName('acct'), environment: 'test' });
    expectOperation(ignored, 'accounts_create', 200);
    s.defer(() => s.delete(`/v1/accounts/${ignored.body.result.account.id}`));

    const [created] = await rx.waitFor(1);
    expect(created!.body).toMatchObject({ event: 'account_create', account: { id: account.id, name: account.name, environment: 'prod' } });
    expect(created!.body.nonce).toEqual(expect.any(String));
    expect(created!.headers['content-type']).toBe('application/json');
    expect(signatureValid(created!, SECRET)).toBe(true);
    expect(signatureValid(created!, 'another-secret')).toBe(false);

    const patched = await s.patch(`/v1/accounts/${account.id}`).send([{ op: 'replace', path: '/fullname', value: 'Renamed' }]);
    expectOperation(patched, 'accounts_patch', 200);
    const deleted = await s.delete(`/v1/accounts/${account.id}`);
    expectOperation(deleted, 'accounts_delete', 204);
    const all = await rx.waitFor(3);
    expect(all.map((r) => r.body.event)).toEqual(['account_create', 'account_update', 'account_delete']);
    expect(all[1]!.body.account).toMatchObject({ id: account.id, fullname: 'Renamed' });
    expect(all[2]!.body.account).toMatchObject({ id: account.id, name: account.name });
    expect(new Set(all.map((r) => r.body.nonce)).size).toBe(3);
    expect(all.every((r) => signatureValid(r, SECRET))).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.received).toHaveLength(3);

    const log = await target.admin.get('/__admin/synqly/webhook-deliveries').query({ webhook_id: hook.id });
    expectOperation(log, 'admin_synqly_webhook_deliveries_list', 200);
    expect(log.body.deliveries.map((d: { event: string }) => d.event).sort()).toEqual(['account_create', 'account_delete', 'account_update']);
    for (const d of log.body.deliveries) expect(d).toMatchObject({ state: 'delivered', url: rx.url, attempts: [{ attempt: 1, status: 200 }] });
    const journal = await target.admin.get('/__admin/requests').query({ operationId: 'webhook_delivery', path: rx.url });
    expectOperation(journal, 'admin_requests_list', 200);
    expect(journal.body.requests).toHaveLength(3);
    expect(JSON.stringify(journal.body)).not.toContain(SECRET);
  });

  it.runIf(twinOnly)('sends integration events with the integration and its account', async () => {
    const s = await synqlySession(target);
    const rx = await receiver([200]);
    await createWebhook(s, { url: rx.url, filters: ['integration_create', 'integration_delete'] });
    const acct = await s.post('/v1/accounts').send({ name: uniqueName('acct') });
    expectOperation(acct, 'accounts_create', 200);
    const accountId = acct.body.result.account.id;
    s.defer(() => s.delete(`/v1/accounts/${accountId}`));
    const created = await s.post(`/v1/integrations/${accountId}`).send({ name: uniqueName('int'), provider_config: { type: 'siem_mock_siem' } });
    expectOperation(created, 'integrations_create', 200);
    const integration = created.body.result.integration;
    expectOperation(await s.delete(`/v1/integrations/${accountId}/${integration.id}`), 'integrations_delete', 204);
    const got = await rx.waitFor(2);
    expect(got.map((r) => r.body.event)).toEqual(['integration_create', 'integration_delete']);
    for (const r of got) {
      expect(r.body.integration).toMatchObject({ id: integration.id, account_id: accountId });
      expect(r.body.account).toMatchObject({ id: accountId });
      expect(signatureValid(r, SECRET)).toBe(true);
    }
  });

  it.runIf(twinOnly)('deleting an account sends integration_delete for each integration it removes, then account_delete', async () => {
    const s = await synqlySession(target);
    const rx = await receiver([200]);
    await createWebhook(s, { url: rx.url, filters: ['integration_delete', 'account_delete'] });
    const acct = await s.post('/v1/accounts').send({ name: uniqueName('acct') });
    expectOperation(acct, 'accounts_create', 200);
    const accountId = acct.body.result.account.id;
    const other = await s.post('/v1/accounts').send({ name: uniqueName('acct') });
    expectOperation(other, 'accounts_create', 200);
    s.defer(() => s.delete(`/v1/accounts/${other.body.result.account.id}`));
    const ids: string[] = [];
    for (const owner of [accountId, accountId, other.body.result.account.id]) {
      const created = await s.post(`/v1/integrations/${owner}`).send({ name: uniqueName('int'), provider_config: { type: 'siem_mock_siem' } });
      expectOperation(created, 'integrations_create', 200);
      ids.push(created.body.result.integration.id);
    }
    expectOperation(await s.delete(`/v1/accounts/${accountId}`), 'accounts_delete', 204);
    const got = await rx.waitFor(3);
    expect(got.map((r) => r.body.event)).toEqual(['integration_delete', 'integration_delete', 'account_delete']);
    expect(got.slice(0, 2).map((r) => r.body.integration!.id).sort()).toEqual(ids.slice(0, 2).sort());
    for (const r of got) expect(r.body.account).toMatchObject({ id: accountId });
    expect(got.every((r) => signatureValid(r, SECRET))).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.received).toHaveLength(3);
  });

  it.runIf(twinOnly && target.capabilities.admin)('sends operation_complete for each scheduled run that completes as the clock passes it', async () => {
    const s = await synqlySession(target);
    const rx = await receiver([200]);
    const other = await receiver([200]);
    await createWebhook(s, { url: rx.url, filters: ['operation_complete'] });
    await createWebhook(s, { url: other.url, filters: ['account_delete', 'integration_update'] });
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id, {
      provider_config: { type: 'siem_mock_siem' },
      scheduled_operations: [{ operation: 'siem_query_events', enabled: true, frequency: { type: 'periodic', value: '1h' } }],
    });
    // runs start within a minute of creation and then every hour: three of them complete in three hours
    const { events, runs } = await withClockAdvanced(target, '3h', async () => {
      const got = await rx.waitFor(3);
      await new Promise((r) => setTimeout(r, 200));
      const history = await s.get('/v1/jobs/history').query({ filter: `integration_id[eq]${integration.id}` });
      expectOperation(history, 'operations_list_execution_history', 200);
      return { events: [...got], runs: history.body.result as unknown[] };
    });
    expect(runs).toHaveLength(3);
    expect(events).toHaveLength(3);
    for (const r of events) {
      expect(r.body).toMatchObject({ event: 'operation_complete', integration: { id: integration.id, account_id: account.id }, account: { id: account.id } });
      expect(signatureValid(r, SECRET)).toBe(true);
    }
    expect(new Set(events.map((r) => r.body.nonce)).size).toBe(3);
    expect(other.received).toHaveLength(0);
  });

  it.runIf(twinOnly)('retries a failed delivery with backoff, resending the same signed body', async () => {
    const s = await synqlySession(target);
    const rx = await receiver([503, 200]);
    const hook = await createWebhook(s, { url: rx.url, filters: ['all'] });
    const acct = await s.post('/v1/accounts').send({ name: uniqueName('acct') });
    expectOperation(acct, 'accounts_create', 200);
    s.defer(() => s.delete(`/v1/accounts/${acct.body.result.account.id}`));
    const got = await rx.waitFor(2, 15_000);
    expect(got).toHaveLength(2);
    expect(got[1]!.raw).toBe(got[0]!.raw);
    expect(got.map((r) => r.headers['x-apitwin-attempt'])).toEqual(['1', '2']);
    let delivery: { state: string; attempts: Array<{ status: number; at: string }> } | undefined;
    for (let i = 0; i < 50 && delivery?.state !== 'delivered'; i++) {
      const log = await target.admin.get('/__admin/synqly/webhook-deliveries').query({ webhook_id: hook.id });
      expectOperation(log, 'admin_synqly_webhook_deliveries_list', 200);
      delivery = log.body.deliveries[0];
      if (delivery?.state !== 'delivered') await new Promise((r) => setTimeout(r, 50));
    }
    expect(delivery).toMatchObject({ state: 'delivered', attempts: [{ status: 503 }, { status: 200 }] });
  });

  it.runIf(twinOnly)('the delivery log answers 400 for an unknown state filter', async () => {
    const res = await target.admin.get('/__admin/synqly/webhook-deliveries').query({ state: 'lost' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('organizationWebhooks_list', () => {
  it("lists the organization's webhooks", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/organization/webhooks');
    expectOperation(res, 'organizationWebhooks_list', 200);
    if (ro.twin) expect(ro.items(res)).toEqual([]);
  });
});

describe('organizationWebhooks_get', () => {
  it('reads the first listed webhook by id and by name', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/organization/webhooks');
    expectOperation(list, 'organizationWebhooks_list', 200);
    // the demo tenant has no webhook (see fixtures/synqly-demo.ts)
    const hook = ro.firstOf(ctx, ro.items(list), 'organization webhook', false);
    const byId = await s.get(`/v1/organization/webhooks/${hook.id}`);
    expectOperation(byId, 'organizationWebhooks_get', 200);
    expect(byId.body.result).toMatchObject({ id: hook.id, name: hook.name });
    const byName = await s.get(`/v1/organization/webhooks/${encodeURIComponent(hook.name)}`);
    expectOperation(byName, 'organizationWebhooks_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
