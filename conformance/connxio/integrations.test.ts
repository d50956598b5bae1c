import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem, expectProblemOf } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { createIntegration, currentSubscriptionId, integrationBody } from '../support/connxio-management.ts';
import { portal } from '../support/connxio-portal.ts';
import { connxioReadOnly } from '../support/read-only.ts';

const target = await useTarget();
/** DECISIONS-only behaviour (412 for a stale _etag, the twin's business rules) is asserted exactly on twins only */
const twin = target.kind !== 'live';

describe('create_integration', () => {
  it('creates with a server-generated id (201) under /v2 and reads it back under /api/v2', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const body = integrationBody(subscriptionId);
    const created = await createIntegration(s, body);
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created).toMatchObject({ subscriptionId, description: body.description, transactionType: 'Order', enabled: true, useApiKey: true, archived: false });
    expect(typeof created._etag).toBe('string');
    expect(typeof created.subscriptionName).toBe('string');
    expect(typeof created.companyId).toBe('string');
    const sub = (created.subIntegrations as Array<Record<string, unknown>>)[0]!;
    expect(sub.subIntegrationId).toBe(body.subIntegrations[0]!.subIntegrationId);
    expect((sub.transformations as Array<{ id: unknown }>)[0]!.id).toEqual(expect.any(String));

    const read = await s.get(`/api/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body).toEqual(created);
    const list = await s.get('/api/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    expect(list.body.map((i: { id: string }) => i.id)).toContain(created.id);
  });

  it('upserts by configCorrelationId: an unknown id is created with it (201), a known one replaced (200) with a new _etag', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const id = randomUUID();
    const created = await createIntegration(s, integrationBody(subscriptionId, { configCorrelationId: id }));
    expect(created.id).toBe(id);
    const again = await s.post('/v2/integrations').send(integrationBody(subscriptionId, { configCorrelationId: id, description: uniqueName('renamed'), _etag: created._etag }));
    expectOperation(again, 'create_integration', 200);
    expect(again.body.id).toBe(id);
    expect(again.body._etag).not.toBe(created._etag);
    expect(again.body.createdAtUtc).toBe(created.createdAtUtc);
    const list = await s.get('/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    expect(list.body.filter((i: { id: string }) => i.id === id)).toHaveLength(1);
  });

  it('refuses a stale _etag and keeps the stored integration', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const created = await createIntegration(s, integrationBody(subscriptionId));
    const first = await s.post('/v2/integrations').send(integrationBody(subscriptionId, { configCorrelationId: created.id, _etag: created._etag }));
    expectOperation(first, 'create_integration', 200);
    const stale = await s.post('/v2/integrations').send(integrationBody(subscriptionId, { configCorrelationId: created.id, _etag: created._etag, description: 'lost update' }));
    if (twin) expectProblem(stale, 'create_integration', 412);
    else expectProblemOf(stale, 'create_integration');
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body._etag).toBe(first.body._etag);
    expect(read.body.description).not.toBe('lost update');
  });

  it('answers 400 with errors per field for a body that breaks the schema, and stores nothing', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const body = integrationBody(subscriptionId, { configCorrelationId: randomUUID() });
    delete body.sender;
    body.subIntegrations[0]!.messageOutboundFormat = '';
    const res = await s.post('/api/v2/integrations').send(body);
    expectProblem(res, 'create_integration', 400);
    expect(Object.keys(res.body.errors)).toEqual(expect.arrayContaining(['Sender']));
    expect(res.body.title).toBe('One or more validation errors occurred.');
    const notStored = await s.get(`/v2/integrations/${body.configCorrelationId}`);
    expectProblem(notStored, 'get_integration', 404);
    const typo = await s.post('/v2/integrations').send({ ...integrationBody(subscriptionId), inboundConnection: { adapterType: 'Api', wrapperType: 'json' } });
    expectProblem(typo, 'create_integration', 400);
  });

  it('answers malformed JSON and an empty body as ASP.NET model binding does: ValidationProblemDetails under "$" and ""', async () => {
    const s = await connxioSession(target);
    const before = await s.get('/v2/integrations');
    expectOperation(before, 'list_integrations', 200);
    const malformed = await s.post('/v2/integrations').set('content-type', 'application/json').send('{"a":');
    expectProblem(malformed, 'create_integration', 400);
    expect(malformed.body.title).toBe('One or more validation errors occurred.');
    expect(Object.keys(malformed.body.errors)).toContain('$');
    expect(malformed.body.errors.$).toEqual([expect.any(String)]);
    const empty = await s.post('/v2/integrations').set('content-type', 'application/json; x-api-version=2.0');
    expectProblem(empty, 'create_integration', 400);
    expect(empty.body.title).toBe('One or more validation errors occurred.');
    if (twin) {
      expect(malformed.body.errors).toEqual({ $: [expect.stringMatching(/JSON|end/i)] });
      expect(empty.body.errors).toEqual({ '': ['A non-empty request body is required.'] });
      // invalid UTF-8 is a reader failure of the same kind (the bytes are sent as they are, not serialized as JSON)
      const asBytes = ((b: Buffer) => b) as unknown as (body: unknown) => string;
      const bytes = Buffer.concat([Buffer.from('{"description":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const notUtf8 = await s.post('/v2/integrations').set('content-type', 'application/json').serialize(asBytes).send(bytes);
      expectProblem(notUtf8, 'create_integration', 400);
      expect(Object.keys(notUtf8.body.errors)).toEqual(['$']);
    }
    // nothing was stored or changed: the same integrations (ids and _etags) as before, whatever the tenant already held
    const after = await s.get('/v2/integrations');
    expectOperation(after, 'list_integrations', 200);
    const versions = (res: typeof before) => (res.body as Array<{ id: string; _etag: string }>).map((i) => `${i.id} ${i._etag}`).sort();
    expect(versions(after)).toEqual(versions(before));
  });

  it('answers 400 for an integration that breaks the business rules (a Redirect without its target, properties not JSON), and stores nothing', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const body = integrationBody(subscriptionId, { configCorrelationId: randomUUID() });
    body.subIntegrations[0]!.outboundConnections = [{ adapterType: 'Redirect', connectionProperties: '{}' }];
    body.subIntegrations[0]!.transformations = [{ transformationType: 'InlineScript', properties: '{not json' }];
    const res = await s.post('/v2/integrations').send(body);
    expectProblem(res, 'create_integration', 400);
    if (twin) {
      expect(Object.keys(res.body.errors)).toEqual(['SubIntegrations[0].OutboundConnections[0].ConnectionProperties', 'SubIntegrations[0].Transformations[0].Properties']);
    }
    expectProblem(await s.get(`/v2/integrations/${body.configCorrelationId}`), 'get_integration', 404);
  });

  it('answers 400 at the field for the vendor\'s minimum lengths (no outbound connection, an empty transformationType), also through /novalidation; nothing stored', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const noOutbound = integrationBody(subscriptionId, { configCorrelationId: randomUUID() });
    noOutbound.subIntegrations[0]!.outboundConnections = [];
    const emptyType = integrationBody(subscriptionId, { configCorrelationId: randomUUID() });
    emptyType.subIntegrations[0]!.transformations = [{ transformationType: '', properties: '{}' }];
    for (const path of ['/v2/integrations', '/v2/integrations/novalidation']) {
      const op = path.endsWith('novalidation') ? 'create_integration_no_validation' : 'create_integration';
      const outbound = await s.post(path).send(noOutbound);
      expectProblem(outbound, op, 400);
      if (twin) expect(outbound.body.errors).toEqual({ 'SubIntegrations[0].OutboundConnections': ["The field OutboundConnections must be a string or array type with a minimum length of '1'."] });
      const type = await s.post(path).send(emptyType);
      expectProblem(type, op, 400);
      if (twin) expect(type.body.errors).toEqual({ 'SubIntegrations[0].Transformations[0].TransformationType': ['The TransformationType field is required.'] });
    }
    expectProblem(await s.get(`/v2/integrations/${noOutbound.configCorrelationId}`), 'get_integration', 404);
    expectProblem(await s.get(`/v2/integrations/${emptyType.configCorrelationId}`), 'get_integration', 404);
  });

  it.runIf(target.capabilities.admin)('answers 400 for a body naming another subscription than the key\'s', async () => {
    const s = await connxioSession(target);
    const res = await s.post('/v2/integrations').send(integrationBody(s.otherSubscriptionId!));
    expectProblem(res, 'create_integration', 400);
    expect(res.body.errors).toHaveProperty('SubscriptionId');
    const list = await s.get('/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    expect(list.body).toEqual([]);
  });

  it('answers 401 without a bearer token', async () => {
    const s = await connxioSession(target);
    const res = await s.raw.post('/v2/integrations').set('connxio-api-key', s.apiKey).send(integrationBody(await currentSubscriptionId(s)));
    expectProblem(res, 'create_integration', 401);
  });
});

describe('create_integration_no_validation', () => {
  it('stores an integration that breaks the business rules, disabled; a valid one keeps enabled', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const draft = integrationBody(subscriptionId);
    draft.subIntegrations[0]!.transformations = [{ transformationType: 'InlineScript', properties: '{not json' }];
    const stored = await createIntegration(s, draft, '/api/v2/integrations/novalidation');
    expect(stored.enabled).toBe(false);
    const read = await s.get(`/v2/integrations/${stored.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body.enabled).toBe(false);
    const valid = await createIntegration(s, integrationBody(subscriptionId), '/v2/integrations/novalidation');
    expect(valid.enabled).toBe(true);
    // an update through /novalidation answers 200
    const update = await s.post('/v2/integrations/novalidation').send(integrationBody(subscriptionId, { configCorrelationId: valid.id, description: uniqueName('draft') }));
    expectOperation(update, 'create_integration_no_validation', 200);
  });

  it('still answers 400 for a body that breaks the schema (a schema-required field missing), and stores nothing', async () => {
    const s = await connxioSession(target);
    const body = integrationBody(await currentSubscriptionId(s));
    delete body.inboundConnection;
    const res = await s.post('/v2/integrations/novalidation').send(body);
    expectProblem(res, 'create_integration_no_validation', 400);
    expect(res.body.errors).toHaveProperty('InboundConnection');
    // the vendor's schema requires sender: model binding refuses it before /novalidation's "store it disabled" applies
    const noSender = integrationBody(await currentSubscriptionId(s), { configCorrelationId: randomUUID() });
    delete noSender.sender;
    const refused = await s.post('/v2/integrations/novalidation').send(noSender);
    expectProblem(refused, 'create_integration_no_validation', 400);
    expect(refused.body.errors).toHaveProperty('Sender');
    expectProblem(await s.get(`/v2/integrations/${noSender.configCorrelationId}`), 'get_integration', 404);
  });
});

describe('list_integrations', () => {
  it('lists only integrations of the key\'s subscription, each readable by id (read-only)', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const res = await s.get('/v2/integrations');
    expectOperation(res, 'list_integrations', 200);
    for (const i of res.body) {
      expect(i.subscriptionId).toBe(subscriptionId);
      expect(i.configCorrelationId).toBe(i.id);
    }
    if (res.body.length > 0) {
      const first = await s.get(`/api/v2/integrations/${res.body[0].id}`);
      expectOperation(first, 'get_integration', 200);
      expect(first.body).toEqual(res.body[0]);
    }
  });

  it('lists the subscription\'s integrations, enabled or not, under /v2 and /api/v2', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const on = await createIntegration(s, integrationBody(subscriptionId));
    const off = await createIntegration(s, integrationBody(subscriptionId, { enabled: false, inboundConnection: { adapterType: 'TimeTrigger' }, intervalExpression: '0 0 * * * *' }));
    for (const path of ['/v2/integrations', '/api/v2/integrations']) {
      const res = await s.get(path);
      expectOperation(res, 'list_integrations', 200);
      const ids = res.body.map((i: { id: string }) => i.id);
      expect(ids).toEqual(expect.arrayContaining([on.id, off.id]));
      for (const i of res.body) expect(i.subscriptionId).toBe(subscriptionId);
    }
  });

  it.runIf(target.capabilities.admin)('does not show another company\'s integrations', async () => {
    const mine = await connxioSession(target);
    const theirs = await connxioSession(target);
    const created = await createIntegration(theirs, integrationBody(await currentSubscriptionId(theirs)));
    const res = await mine.get('/v2/integrations');
    expectOperation(res, 'list_integrations', 200);
    expect(res.body.map((i: { id: string }) => i.id)).not.toContain(created.id);
  });
});

describe('get_integration › media types', () => {
  it.runIf(twin)('answers JSON without the x-api-version parameter whatever Accept asks for (not negotiated)', async () => {
    const s = await connxioSession(target);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s)));
    for (const accept of ['application/json; x-api-version=2.0', 'application/xml; x-api-version=2.0', 'text/plain']) {
      const res = await s.get(`/v2/integrations/${created.id}`).set('accept', accept);
      expectOperation(res, 'get_integration', 200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body.id).toBe(created.id);
    }
    const missing = await s.get(`/v2/integrations/${randomUUID()}`).set('accept', 'application/xml');
    expectProblem(missing, 'get_integration', 404);
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });
});

describe('get_integration', () => {
  it('keeps {env:Name} placeholders, and with replaceVariables=true substitutes the subscription\'s value, else the default', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const withOverride = uniqueName('env');
    const withDefault = uniqueName('env');
    for (const [name, body] of [
      [withOverride, { name: withOverride, defaultValue: 'default-value', subscriptionValues: { [subscriptionId]: 'subscription-value' } }],
      [withDefault, { name: withDefault, defaultValue: 'https://erp.example.test' }],
    ] as const) {
      const res = await s.put('/v2/environmentvariables').send(body);
      expectOperation(res, 'create_environment_variable', 200);
      expect(res.body.name).toBe(name);
      s.defer(() => s.delete(`/v2/environmentvariables/${res.body.id}`));
    }
    const body = integrationBody(subscriptionId, { receiver: `{env:${withOverride}}` });
    body.subIntegrations[0]!.outboundConnections = [{ adapterType: 'Discard', connectionProperties: JSON.stringify({ endpointURL: `{env:${withDefault}}/orders` }) }];
    const created = await createIntegration(s, body);

    const raw = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(raw, 'get_integration', 200);
    expect(raw.body.receiver).toBe(`{env:${withOverride}}`);
    const replaced = await s.get(`/api/v2/integrations/${created.id}?replaceVariables=true`);
    expectOperation(replaced, 'get_integration', 200);
    expect(replaced.body.receiver).toBe('subscription-value');
    expect(JSON.parse(replaced.body.subIntegrations[0].outboundConnections[0].connectionProperties)).toEqual({ endpointURL: 'https://erp.example.test/orders' });
    const explicitFalse = await s.get(`/v2/integrations/${created.id}?replaceVariables=false`);
    expectOperation(explicitFalse, 'get_integration', 200);
    expect(explicitFalse.body.receiver).toBe(`{env:${withOverride}}`);
  });

  it('answers 404 for an unknown id and 400 for a replaceVariables that is not a boolean', async () => {
    const s = await connxioSession(target);
    const unknown = await s.get(`/v2/integrations/${randomUUID()}`);
    expectProblem(unknown, 'get_integration', 404);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s)));
    const bad = await s.get(`/v2/integrations/${created.id}?replaceVariables=yes`);
    expectProblem(bad, 'get_integration', 400);
  });

  it.runIf(target.capabilities.admin)('answers 404 for an integration of another company', async () => {
    const mine = await connxioSession(target);
    const theirs = await connxioSession(target);
    const created = await createIntegration(theirs, integrationBody(await currentSubscriptionId(theirs)));
    expectProblem(await mine.get(`/v2/integrations/${created.id}`), 'get_integration', 404);
    expectProblem(await mine.put(`/v2/integrations/${created.id}`).send(integrationBody(mine.subscriptionId!)), 'update_integration', 404);
    expectProblem(await mine.delete(`/v2/integrations/${created.id}`), 'delete_integration', 404);
    expectOperation(await theirs.get(`/v2/integrations/${created.id}`), 'get_integration', 200);
  });

  it.runIf(target.capabilities.admin)('answers 404 to a create or v1 upsert naming the configCorrelationId of another company\'s integration; ids stay unique across the twin', async () => {
    const mine = await connxioSession(target);
    const theirs = await connxioSession(target);
    const created = await createIntegration(theirs, integrationBody(await currentSubscriptionId(theirs)));
    const copy = integrationBody(await currentSubscriptionId(mine), { configCorrelationId: created.id });
    const res = await mine.post('/v2/integrations').send(copy);
    expectProblem(res, 'create_integration', 404);
    expectProblem(await mine.post('/v2/integrations').send({ ...copy, configCorrelationId: String(created.id).toUpperCase() }), 'create_integration', 404);
    expectProblem(await mine.post('/v1/management/integration').send(copy), 'upsert_integration_v1', 404);
    const list = await mine.get('/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    expect(list.body.map((i: { id: string }) => i.id)).not.toContain(created.id);
    const theirsRead = await theirs.get(`/v2/integrations/${created.id}`);
    expectOperation(theirsRead, 'get_integration', 200);
    expect(theirsRead.body.description).toBe(created.description);
  });

  it.runIf(target.capabilities.admin)('answers 404 for an integration of another subscription of the same company (demo data)', async () => {
    const s = await connxioSession(target, { profile: 'demo' });
    const snapshot = await target.admin.get('/__admin/snapshot');
    expectOperation(snapshot, 'admin_snapshot_export', 200);
    const stored = snapshot.body.collections[`connxio/company/${s.companyId}/integrations`] as Record<string, { id: string; subscriptionId: string }>;
    const foreign = Object.values(stored).find((i) => i.subscriptionId === s.otherSubscriptionId)!;
    expect(foreign).toBeDefined();
    expectProblem(await s.get(`/v2/integrations/${foreign.id}`), 'get_integration', 404);
    const hijack = await s.post('/v2/integrations').send(integrationBody(s.subscriptionId!, { configCorrelationId: foreign.id }));
    expectProblem(hijack, 'create_integration', 404);
    expectProblem(await s.delete(`/v2/integrations/${foreign.id}`), 'delete_integration', 404);
    const list = await s.get('/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    expect(list.body.map((i: { id: string }) => i.id)).not.toContain(foreign.id);
    expect(list.body.length).toBeGreaterThanOrEqual(2);
  });
});

describe('update_integration', () => {
  it('replaces the integration from a GET → edit → PUT round trip, keeping step ids and stored-only fields; a step\'s members outside the vendor\'s TransformationAction are accepted and ignored', async () => {
    const s = await connxioSession(target);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s)));
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    const edited = structuredClone(read.body);
    edited.description = uniqueName('edited');
    expect(Object.keys(read.body.subIntegrations[0].transformations[0]).sort()).toEqual(['id', 'properties', 'transformationName', 'transformationType']);
    Object.assign(edited.subIntegrations[0].transformations[0], { condition: { enabled: true, expression: "'{file:type}' == 'order'" }, enabled: false, continuousBatchOptions: { useContinuousBatch: true } });
    const res = await s.put(`/api/v2/integrations/${created.id}`).send(edited);
    expectOperation(res, 'update_integration', 200);
    expect(res.body.description).toBe(edited.description);
    expect(res.body._etag).not.toBe(read.body._etag);
    expect(res.body.subIntegrations[0].transformations[0].id).toBe(read.body.subIntegrations[0].transformations[0].id);
    expect(res.body.subIntegrations[0].transformations[0]).toEqual(read.body.subIntegrations[0].transformations[0]);
    expect(res.body.createdAtUtc).toBe(read.body.createdAtUtc);
    const again = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(again, 'get_integration', 200);
    expect(again.body).toEqual(res.body);
  });

  it.runIf(target.capabilities.admin)('never returns tags or extra transformation members that older versions stored (snapshot with a legacy document): get, list, v1 get, and the next write stores it clean', async () => {
    const s = await connxioSession(target);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s)));
    const snapshot = await target.admin.get('/__admin/snapshot');
    expectOperation(snapshot, 'admin_snapshot_export', 200);
    const document = snapshot.body;
    const stored = document.collections[`connxio/company/${s.companyId}/integrations`][created.id];
    stored.tags = ['erp', 'orders'];
    Object.assign(stored.subIntegrations[0].transformations[0], { enabled: true, condition: null, continuousBatchOptions: { useContinuousBatch: false } });
    expectOperation(await target.admin.put('/__admin/snapshot').send(document), 'admin_snapshot_restore', 204);
    const clean = (body: { tags?: unknown; subIntegrations: Array<{ transformations: object[] }> }) => {
      expect(body).not.toHaveProperty('tags');
      expect(Object.keys(body.subIntegrations[0]!.transformations[0]!).sort()).toEqual(['id', 'properties', 'transformationName', 'transformationType']);
    };
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    clean(read.body);
    const list = await s.get('/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    clean(list.body.find((i: { id: string }) => i.id === created.id));
    const v1 = await s.get(`/v1/management/integration/${created.id}`);
    expectOperation(v1, 'get_integration_v1', 200);
    clean(v1.body);
    expectOperation(await s.put(`/v2/integrations/${created.id}`).send(read.body), 'update_integration', 200);
    const after = await target.admin.get('/__admin/snapshot');
    const rewritten = after.body.collections[`connxio/company/${s.companyId}/integrations`][created.id];
    clean(rewritten);
  });

  it.runIf(target.capabilities.admin)('sets updatedBy to the writing key on every write, whatever the body says; accepts tags (not in the vendor\'s IntegrationConfig) and ignores them: never stored or returned', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const created = await createIntegration(s, integrationBody(subscriptionId, { tags: ['erp', 'orders'], updatedBy: 'not me' }));
    const creator = created.createdBy as string;
    expect(typeof creator).toBe('string');
    expect(created.updatedBy).toBe(creator);
    expect(created).not.toHaveProperty('tags');
    // another key of the subscription: GET → edit → PUT carries the previous writer in the body
    const writer = uniqueName('second-writer');
    const { key } = await portal(target, s).createKey(['Management'], { name: writer });
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body).not.toHaveProperty('tags');
    const edited = { ...read.body, description: uniqueName('edited'), tags: ['erp'] };
    const res = await target.connxio.put(`/v2/integrations/${created.id}`).set('connxio-api-key', key).set('authorization', `Bearer ${s.bearer}`).send(edited);
    expectOperation(res, 'update_integration', 200);
    expect(res.body).toMatchObject({ updatedBy: writer, createdBy: creator });
    expect(res.body).not.toHaveProperty('tags');
    // the session's own key writes again (POST upsert), naming somebody else in the body
    const upsert = await s.post('/v2/integrations').send({ ...res.body, updatedBy: writer, tags: null });
    expectOperation(upsert, 'create_integration', 200);
    expect(upsert.body).toMatchObject({ updatedBy: creator, createdBy: creator });
    expect(upsert.body).not.toHaveProperty('tags');
    const again = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(again, 'get_integration', 200);
    expect(again.body).toEqual(upsert.body);
    // an unknown member of any type is ignored, as ASP.NET does
    const ignored = await s.put(`/v2/integrations/${created.id}`).send({ ...upsert.body, tags: [1] });
    expectOperation(ignored, 'update_integration', 200);
    expect(ignored.body).not.toHaveProperty('tags');
  });

  it('answers 404 for an unknown id, 400 for a body naming another id, and refuses a stale _etag', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const unknown = await s.put(`/v2/integrations/${randomUUID()}`).send(integrationBody(subscriptionId));
    expectProblem(unknown, 'update_integration', 404);
    const created = await createIntegration(s, integrationBody(subscriptionId));
    const mismatch = await s.put(`/v2/integrations/${created.id}`).send(integrationBody(subscriptionId, { configCorrelationId: randomUUID() }));
    expectProblem(mismatch, 'update_integration', 400);
    const fresh = await s.put(`/v2/integrations/${created.id}`).send(integrationBody(subscriptionId, { _etag: created._etag }));
    expectOperation(fresh, 'update_integration', 200);
    const stale = await s.put(`/v2/integrations/${created.id}`).send(integrationBody(subscriptionId, { _etag: created._etag }));
    if (twin) expectProblem(stale, 'update_integration', 412);
    else expectProblemOf(stale, 'update_integration');
    const schema = await s.put(`/v2/integrations/${created.id}`).send({ ...integrationBody(subscriptionId), subIntegrations: [] });
    expectProblem(schema, 'update_integration', 400);
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body._etag).toBe(fresh.body._etag);
  });
});

describe('nullable fields of the vendor\'s IntegrationConfig', () => {
  it('accepts null logMessageContent and logMetaData in internalLoggingOptions (stored as their defaults, as when absent); a non-boolean is a 400', async () => {
    const s = await connxioSession(target);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s), { internalLoggingOptions: { logLevel: 3, logMessageContent: null, logMetaData: null } }));
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body.internalLoggingOptions.logLevel).toBe(3);
    if (twin) expect(read.body.internalLoggingOptions).toEqual({ logLevel: 3, logMessageContent: false, logMetaData: true });
    const wrong = integrationBody(s.subscriptionId!, { internalLoggingOptions: { logLevel: 2, logMessageContent: 'yes' } });
    expectProblem(await s.post('/v2/integrations').send(wrong), 'create_integration', 400);
  });
});

describe('typed members of the vendor\'s IntegrationConfig', () => {
  it('types a sub-integration\'s internalProperties as InternalProperties: three booleans (missing → false, other members ignored), a wrong type → 400 at the field, nothing stored', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const withFlags = (internalProperties: unknown) => {
      const body = integrationBody(subscriptionId);
      (body.subIntegrations as Array<Record<string, unknown>>)[0]!.internalProperties = internalProperties;
      return body;
    };
    const created = await createIntegration(s, withFlags({ redirectInboundToRetry: true, somethingElse: 'ignored' }));
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    if (twin) expect(read.body.subIntegrations[0].internalProperties).toEqual({ redirectInboundToRetry: true, redirectBatchingToRetry: false, redirectSplittingToRetry: false });
    const before = (await s.get('/v2/integrations')).body.length;
    for (const [flags, field] of [
      [{ redirectInboundToRetry: 'yes' }, '$.subIntegrations[0].internalProperties.redirectInboundToRetry'],
      [{ redirectSplittingToRetry: 1 }, '$.subIntegrations[0].internalProperties.redirectSplittingToRetry'],
      ['flags', '$.subIntegrations[0].internalProperties'],
    ] as const) {
      const res = await s.post('/v2/integrations').send(withFlags(flags));
      expectProblem(res, 'create_integration', 400);
      if (twin) expect(Object.keys(res.body.errors)).toEqual([field]);
    }
    expect((await s.get('/v2/integrations')).body.length).toBe(before);
  });

  it('types restConnectionPropertiesSecondary as RestConnectionProperties (the fallback endpoint of a logging webhook\'s external content service): accepted and returned when it fits, 400 at the field otherwise', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const secondary = { endpointURL: 'https://fallback.example.test/content', httpVerb: 'POST', headers: { 'x-tenant': 'nordic' }, usePaging: false, restConnectionPropertiesSecondary: null };
    const withContentService = (restConnectionPropertiesSecondary: unknown) =>
      integrationBody(subscriptionId, {
        loggingWebhooks: [
          {
            contract: 0,
            endpointURL: 'https://monitoring.example.test/log',
            httpVerb: 'POST',
            adapterType: 3,
            type: 0,
            logLevel: 2,
            useExternalContentService: true,
            externalContentServiceWebhook: { endpointURL: 'https://content.example.test/primary', httpVerb: 'POST', restConnectionPropertiesSecondary },
          },
        ],
      });
    const created = await createIntegration(s, withContentService(secondary));
    const read = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(read, 'get_integration', 200);
    expect(read.body.loggingWebhooks[0].externalContentServiceWebhook.restConnectionPropertiesSecondary).toMatchObject(secondary);
    const before = (await s.get('/v2/integrations')).body.length;
    for (const [value, field] of [
      [{ endpointURL: 42 }, '$.loggingWebhooks[0].externalContentServiceWebhook.restConnectionPropertiesSecondary.endpointURL'],
      [{ headers: { a: 1 } }, '$.loggingWebhooks[0].externalContentServiceWebhook.restConnectionPropertiesSecondary.headers.a'],
      [{ usePaging: 'no' }, '$.loggingWebhooks[0].externalContentServiceWebhook.restConnectionPropertiesSecondary.usePaging'],
      ['https://fallback.example.test', '$.loggingWebhooks[0].externalContentServiceWebhook.restConnectionPropertiesSecondary'],
    ] as const) {
      const res = await s.post('/v2/integrations').send(withContentService(value));
      expectProblem(res, 'create_integration', 400);
      if (twin) expect(Object.keys(res.body.errors)).toEqual([field]);
    }
    expect((await s.get('/v2/integrations')).body.length).toBe(before);
  });
});

describe('delete_integration', () => {
  it('deletes (204) under /api/v2; afterwards get answers 404 and delete 400 (the vendor lists no 404 for this DELETE)', async () => {
    const s = await connxioSession(target);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s)));
    const res = await s.delete(`/api/v2/integrations/${created.id}`);
    expectOperation(res, 'delete_integration', 204);
    expect(res.text).toBe('');
    expectProblem(await s.get(`/v2/integrations/${created.id}`), 'get_integration', 404);
    expectProblem(await s.delete(`/v2/integrations/${created.id}`), 'delete_integration', 400);
    expectProblem(await s.delete(`/v2/integrations/${randomUUID()}`), 'delete_integration', 400);
    expectProblem(await s.delete(`/v1/management/integration/${randomUUID()}/subscription/${s.subscriptionId}`), 'delete_integration_v1', 400);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = connxioReadOnly(target);

describe('list_integrations', () => {
  it("lists the key's subscription's integrations (two in the demo company)", async () => {
    const s = await ro.session();
    const res = await s.get('/v2/integrations');
    expectOperation(res, 'list_integrations', 200);
    const subscriptionId = await currentSubscriptionId(s);
    for (const i of ro.listOf(res)) expect(i.subscriptionId).toBe(subscriptionId);
    if (ro.twin) expect(ro.listOf(res)).toHaveLength(2);
  });
});

describe('get_integration', () => {
  it('reads the first listed integration by id, the same document as in the list', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v2/integrations');
    expectOperation(list, 'list_integrations', 200);
    const integration = ro.firstOf(ctx, ro.listOf(list), 'integration');
    const res = await s.get(`/v2/integrations/${integration.id}`);
    expectOperation(res, 'get_integration', 200);
    expect(res.body).toEqual(integration);
  });
});
