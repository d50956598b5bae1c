import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { createIntegration, currentSubscriptionId, integrationBody } from '../support/connxio-management.ts';
import { connxioReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

function basicAuth(overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    name: uniqueName('security'),
    isGlobal: true,
    securityType: 0,
    globalSecurityProperties: { authenticationType: 'Basic', userName: 'svc-apitwin', password: `pw-${randomUUID()}` },
    securityProperties: null,
    ...overrides,
  };
}

async function createConfig(s: ConnxioSession, body: Record<string, unknown>, path = '/v2/securityconfigs') {
  const res = await s.put(path).send(body);
  expectOperation(res, 'create_security_config', 200);
  s.defer(() => s.delete(`/v2/securityconfigs/${body.id}`));
  return res;
}

describe('create_security_config', () => {
  it('stores a global configuration; the secret is never returned', async () => {
    const s = await connxioSession(target);
    const body = basicAuth();
    const res = await createConfig(s, body, '/api/v2/securityconfigs');
    expect(res.body).toMatchObject({ id: body.id, name: body.name, isGlobal: true, securityType: 0 });
    expect(res.body.globalSecurityProperties.userName).toBe('svc-apitwin');
    expect(res.text).not.toContain(body.globalSecurityProperties.password);
    if (twin) expect(res.body.globalSecurityProperties.password).toMatchObject({ decryptedValue: null, version: '1' });
    const read = await s.get(`/v2/securityconfigs/${body.id}`);
    expectOperation(read, 'get_security_config', 200);
    expect(read.text).not.toContain(body.globalSecurityProperties.password);
  });

  it('accepts eTagSetter (write-only in the vendor\'s type) and never returns it; the eTag stays the server\'s', async () => {
    const s = await connxioSession(target);
    const body = basicAuth({ eTagSetter: 'client-chosen-etag' });
    const res = await createConfig(s, body);
    expect(res.body).not.toHaveProperty('eTagSetter');
    expect(res.body.eTag).not.toBe('client-chosen-etag');
    const read = await s.get(`/v2/securityconfigs/${body.id}`);
    expectOperation(read, 'get_security_config', 200);
    expect(read.body).not.toHaveProperty('eTagSetter');
    expect(read.text).not.toContain('client-chosen-etag');
    const list = await s.get('/v2/securityconfigs');
    expectOperation(list, 'list_security_configs', 200);
    expect(list.body.every((c: Record<string, unknown>) => !('eTagSetter' in c))).toBe(true);
  });

  it('updates by id (upsert), with a new eTag, and keeps the secret when its reference is sent back', async () => {
    const s = await connxioSession(target);
    const body = basicAuth();
    const first = await createConfig(s, body);
    const roundTrip = { ...first.body, name: uniqueName('renamed') };
    const second = await s.put('/v2/securityconfigs').send(roundTrip);
    expectOperation(second, 'create_security_config', 200);
    expect(second.body.name).toBe(roundTrip.name);
    expect(second.body.createdAtUtc).toBe(first.body.createdAtUtc);
    if (twin) {
      expect(second.body.eTag).not.toBe(first.body.eTag);
      expect(second.body.globalSecurityProperties.password).toEqual(first.body.globalSecurityProperties.password);
    }
    const list = await s.get('/v2/securityconfigs');
    expectOperation(list, 'list_security_configs', 200);
    expect(list.body.filter((c: { id: string }) => c.id === body.id)).toHaveLength(1);
  });

  it('stores per-subscription values for a configuration that is not global', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const body = basicAuth({ isGlobal: false, securityType: 2, globalSecurityProperties: {}, securityProperties: { [subscriptionId]: { host: 'sftp.example.test', userName: 'u' } } });
    const res = await createConfig(s, body);
    expect(res.body.isGlobal).toBe(false);
    expect(res.body.securityProperties[subscriptionId]).toMatchObject({ host: 'sftp.example.test', userName: 'u' });
  });

  it('answers 400 at an empty id or name (the vendor\'s minLength 1), and stores nothing', async () => {
    const s = await connxioSession(target);
    const before = await s.get('/v2/securityconfigs');
    expectOperation(before, 'list_security_configs', 200);
    const both = await s.put('/v2/securityconfigs').send(basicAuth({ id: '', name: '' }));
    expectProblem(both, 'create_security_config', 400);
    if (twin) expect(both.body.errors).toEqual({ Id: ['The Id field is required.'], Name: ['The Name field is required.'] });
    const body = basicAuth({ name: '' });
    const name = await s.put('/v2/securityconfigs').send(body);
    expectProblem(name, 'create_security_config', 400);
    if (twin) expect(Object.keys(name.body.errors)).toEqual(['Name']);
    expectProblem(await s.get(`/v2/securityconfigs/${body.id}`), 'get_security_config', 400);
    expect((await s.get('/v2/securityconfigs')).body).toHaveLength(before.body.length);
  });

  it('answers 400 for a schema violation, an out-of-range securityType, or a foreign subscription, and stores nothing', async () => {
    const s = await connxioSession(target);
    const { isGlobal: _omitted, ...noFlag } = basicAuth();
    const missing = await s.put('/v2/securityconfigs').send(noFlag);
    expectProblem(missing, 'create_security_config', 400);
    expect(missing.body.errors).toHaveProperty('IsGlobal');
    const range = basicAuth({ securityType: 9 });
    expectProblem(await s.put('/v2/securityconfigs').send(range), 'create_security_config', 400);
    const foreign = basicAuth({ isGlobal: false, securityProperties: { [randomUUID()]: { userName: 'x' } } });
    const res = await s.put('/v2/securityconfigs').send(foreign);
    expectProblem(res, 'create_security_config', 400);
    for (const id of [noFlag.id, range.id, foreign.id]) expectProblem(await s.get(`/v2/securityconfigs/${id}`), 'get_security_config', 400);
  });
});

describe('get_security_config › ids in any letter case', () => {
  it.runIf(twin)('finds, updates and deletes a configuration whatever the letter case of its id (kept lower case, as integration ids)', async () => {
    const s = await connxioSession(target);
    const body = basicAuth({ id: randomUUID().toUpperCase() });
    const created = await createConfig(s, body);
    expect(created.body.id).toBe(body.id.toLowerCase());
    const read = await s.get(`/v2/securityconfigs/${body.id.toLowerCase()}`);
    expectOperation(read, 'get_security_config', 200);
    expect(read.body).toMatchObject({ id: body.id.toLowerCase(), name: body.name });
    const updated = await s.put('/v2/securityconfigs').send({ ...body, id: body.id.toLowerCase(), name: `${body.name}-2` });
    expectOperation(updated, 'create_security_config', 200);
    expect(updated.body).toMatchObject({ id: body.id.toLowerCase(), name: `${body.name}-2`, createdAtUtc: created.body.createdAtUtc, correlationId: created.body.correlationId });
    const list = await s.get('/v2/securityconfigs');
    expectOperation(list, 'list_security_configs', 200);
    expect(list.body.filter((c: { id: string }) => c.id.toLowerCase() === body.id.toLowerCase())).toHaveLength(1);
    // an integration may reference it in any case
    const integration = integrationBody(await currentSubscriptionId(s));
    integration.subIntegrations[0]!.outboundConnections = [
      { adapterType: 'REST', adapterName: 'erp', connectionProperties: JSON.stringify({ endpointURL: 'https://erp.example.test', httpVerb: 'POST', webhookConnectionId: body.id }) },
    ];
    await createIntegration(s, integration);
  });
});

describe('list_security_configs', () => {
  it('lists configurations, each readable by id (read-only)', async () => {
    const s = await connxioSession(target);
    const res = await s.get('/api/v2/securityconfigs');
    expectOperation(res, 'list_security_configs', 200);
    if (res.body.length === 0) return;
    const one = await s.get(`/v2/securityconfigs/${res.body[0].id}`);
    expectOperation(one, 'get_security_config', 200);
    expect(one.body.id).toBe(res.body[0].id);
    expect(one.body.name).toBe(res.body[0].name);
  });

  it('lists the company\'s configurations under /v2 and /api/v2, without secrets', async () => {
    const s = await connxioSession(target);
    const body = basicAuth();
    await createConfig(s, body);
    for (const path of ['/v2/securityconfigs', '/api/v2/securityconfigs']) {
      const res = await s.get(path);
      expectOperation(res, 'list_security_configs', 200);
      expect(res.body.map((c: { id: string }) => c.id)).toContain(body.id);
      expect(res.text).not.toContain(body.globalSecurityProperties.password);
    }
  });
});

describe('get_security_config', () => {
  it('answers 400 (not 404) for an unknown id', async () => {
    const s = await connxioSession(target);
    expectProblem(await s.get(`/api/v2/securityconfigs/${randomUUID()}`), 'get_security_config', 400);
  });

  it.runIf(target.capabilities.admin)('answers 400 for a configuration of another company', async () => {
    const mine = await connxioSession(target);
    const theirs = await connxioSession(target);
    const body = basicAuth();
    await createConfig(theirs, body);
    expectProblem(await mine.get(`/v2/securityconfigs/${body.id}`), 'get_security_config', 400);
  });
});

describe('delete_security_config', () => {
  it('deletes (204); afterwards get and delete answer 400, and integrations can no longer reference it', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const body = basicAuth();
    await createConfig(s, body);
    const referencing = integrationBody(subscriptionId, { loggingWebhooks: [{ endpointURL: 'https://log.example.test/connxio', httpVerb: 'POST', webhookConnectionId: body.id, enabled: false }] });
    await createIntegration(s, referencing);
    const res = await s.delete(`/api/v2/securityconfigs/${body.id}`);
    expectOperation(res, 'delete_security_config', 204);
    expectProblem(await s.get(`/v2/securityconfigs/${body.id}`), 'get_security_config', 400);
    expectProblem(await s.delete(`/v2/securityconfigs/${body.id}`), 'delete_security_config', 400);
    if (twin) {
      const dangling = await s.post('/v2/integrations').send(integrationBody(subscriptionId, { loggingWebhooks: referencing.loggingWebhooks }));
      expectProblem(dangling, 'create_integration', 400);
      expect(dangling.body.errors).toHaveProperty(['LoggingWebhooks[0].WebhookConnectionId']);
    }
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = connxioReadOnly(target);

describe('list_security_configs', () => {
  it("lists the company's security configurations (one in the demo company)", async () => {
    const s = await ro.session();
    const res = await s.get('/v2/securityconfigs');
    expectOperation(res, 'list_security_configs', 200);
    if (ro.twin) expect(ro.listOf(res)).toHaveLength(1);
  });
});

describe('get_security_config', () => {
  it('reads the first listed security configuration by id', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v2/securityconfigs');
    expectOperation(list, 'list_security_configs', 200);
    const config = ro.firstOf(ctx, ro.listOf(list), 'security configuration');
    const res = await s.get(`/v2/securityconfigs/${config.id}`);
    expectOperation(res, 'get_security_config', 200);
    expect(res.body).toMatchObject({ id: config.id, name: config.name, securityType: config.securityType });
  });
});
