import { randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem, expectProblemOf } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { createIntegration, currentSubscriptionId, integrationBody } from '../support/connxio-management.ts';
import { portal } from '../support/connxio-portal.ts';
import { connxioReadOnly, type ListedItem } from '../support/read-only.ts';

/**
 * The legacy (v1) management API (contract §2.2): `/v1/management/subscription` and
 * `/v1/management/integration[/{id}[/subscription/{subscriptionId}]]`, each with an optional
 * `companyId` header. Same auth and the same IntegrationConfig documents as v2: what one version
 * writes the other reads. Choices the vendor leaves open (specs/decisions.yaml): the subscription
 * list is the company's, `subscriptionId` must be the key's own (404 otherwise), a `companyId` of
 * another company → 404, delete answers 204. Live-safe: integrations are uniquely described,
 * Discard-only and deleted afterwards; DECISIONS-only statuses are asserted exactly on twins.
 */

const target = await useTarget();
const twin = target.kind !== 'live';
const admin = target.capabilities.admin;

const ids = (res: Response) => (res.body as Array<{ id: string }>).map((x) => x.id);

/** the key's company: from the session on a twin, from `/v2/subscriptions/current` live */
async function companyIdOf(s: ConnxioSession): Promise<string> {
  if (s.companyId) return s.companyId;
  const res = await s.get('/v2/subscriptions/current');
  expectOperation(res, 'get_current_subscription', 200);
  return res.body.companyId as string;
}

/** another subscription of the company, if it has one (a twin tenant has two) */
async function otherSubscriptionOf(s: ConnxioSession): Promise<string | undefined> {
  if (s.otherSubscriptionId) return s.otherSubscriptionId;
  const own = await currentSubscriptionId(s);
  const res = await s.get('/v2/subscriptions');
  return ids(res).find((id) => id !== own);
}

/** a company the key does not belong to: a real one on a twin (another tenant), an unknown id live */
async function foreignCompanyId(): Promise<string> {
  if (!admin) return randomUUID();
  const stranger = await connxioSession(target);
  return stranger.companyId!;
}

/**
 * a refusal of a DECISIONS-only rule: exactly this status on a twin; live, some 4xx whose body
 * conforms to what the spec declares for that status
 */
function expectRefused(res: Response, operationId: string, status: number) {
  if (twin) expectProblem(res, operationId, status);
  else expectProblemOf(res, operationId);
}

/** a call with another key (of the company's other subscription) and the session's bearer */
function withKey(t: Test, key: string, s: ConnxioSession): Test {
  return t.set('connxio-api-key', key).set('authorization', `Bearer ${s.bearer}`);
}

/** POST /v1/management/integration expecting 201, deleted (through v2) after the test */
async function createV1(s: ConnxioSession, body: Record<string, unknown>, path = '/v1/management/integration') {
  const res = await s.post(path).send(body);
  expectOperation(res, 'upsert_integration_v1', 201);
  const id = res.body.id as string;
  s.defer(() => s.delete(`/v2/integrations/${id}`));
  expect(res.body.configCorrelationId).toBe(id);
  return res.body as Record<string, unknown> & { id: string; _etag: string; createdAtUtc: string };
}

describe('list_subscriptions_v1', () => {
  it('lists every subscription of the key\'s company, as /v2/subscriptions does, under /v1 and /api/v1', async () => {
    const s = await connxioSession(target);
    const v2 = await s.get('/v2/subscriptions');
    expectOperation(v2, 'list_subscriptions', 200);
    for (const path of ['/v1/management/subscription', '/api/v1/management/subscription']) {
      const res = await s.get(path);
      expectOperation(res, 'list_subscriptions_v1', 200);
      expect(ids(res)).toContain(await currentSubscriptionId(s));
      // what /v2/subscriptions holds for a key is itself open (contract §6.6): the same list is the twin's choice
      if (twin) expect(res.body).toEqual(v2.body);
    }
    if (s.otherSubscriptionId) expect(ids(v2)).toContain(s.otherSubscriptionId);
  });

  it('takes the key\'s own company in the companyId header (any case); another company → 404', async () => {
    const s = await connxioSession(target);
    const companyId = await companyIdOf(s);
    const own = await s.get('/v1/management/subscription').set('companyId', companyId.toUpperCase());
    expectOperation(own, 'list_subscriptions_v1', 200);
    expect(own.body.every((sub: { companyId: string }) => sub.companyId === companyId)).toBe(true);
    const foreign = await s.get('/v1/management/subscription').set('companyId', await foreignCompanyId());
    expectRefused(foreign, 'list_subscriptions_v1', 404);
    if (twin) expect(foreign.body.detail).toMatch(/Company .* was not found/);
  });

  it('needs the Management scope and a bearer, as the v2 management API', async () => {
    const s = await connxioSession(target);
    const noKey = await s.raw.get('/v1/management/subscription').set('authorization', `Bearer ${s.bearer}`);
    expectProblem(noKey, 'list_subscriptions_v1', 401);
    expect(noKey.headers['www-authenticate']).toBe('ApiKey');
    const noBearer = await s.raw.get('/v1/management/subscription').set('connxio-api-key', s.apiKey);
    expectProblem(noBearer, 'list_subscriptions_v1', 401);
    expect(noBearer.headers['www-authenticate']).toMatch(/^Bearer/);
    const byQuery = await s.raw.get('/v1/management/subscription').query({ 'Connxio-Api-Key': s.apiKey }).set('authorization', `Bearer ${s.bearer}`);
    expectOperation(byQuery, 'list_subscriptions_v1', 200);
    if (admin) {
      const messagingOnly = await portal(target, s).createKey(['Messaging']);
      const res = await s.raw.get('/v1/management/subscription').set('connxio-api-key', messagingOnly.key).set('authorization', `Bearer ${s.bearer}`);
      expectProblem(res, 'list_subscriptions_v1', 403);
    }
  });
});

describe('list_integrations_v1', () => {
  it('lists the key\'s subscription\'s integrations, the same documents as /v2/integrations, with or without subscriptionId', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const created = await createIntegration(s, integrationBody(subscriptionId));
    const v2 = await s.get('/v2/integrations');
    expectOperation(v2, 'list_integrations', 200);
    expect(ids(v2)).toContain(created.id);
    const bare = await s.get('/v1/management/integration');
    expectOperation(bare, 'list_integrations_v1', 200);
    expect(bare.body).toEqual(v2.body);
    for (const value of [subscriptionId, subscriptionId.toUpperCase(), '']) {
      const res = await s.get('/api/v1/management/integration').query({ subscriptionId: value });
      expectOperation(res, 'list_integrations_v1', 200);
      expect(res.body).toEqual(v2.body);
    }
    const own = await s.get('/v1/management/integration').set('companyId', await companyIdOf(s));
    expectOperation(own, 'list_integrations_v1', 200);
    expect(ids(own)).toContain(created.id);
  });

  it('answers 404 for another subscription of the company, an unknown one, or another company', async () => {
    const s = await connxioSession(target);
    const other = await otherSubscriptionOf(s);
    if (other) expectRefused(await s.get('/v1/management/integration').query({ subscriptionId: other }), 'list_integrations_v1', 404);
    const unknown = await s.get('/v1/management/integration').query({ subscriptionId: randomUUID() });
    expectRefused(unknown, 'list_integrations_v1', 404);
    if (twin) expect(unknown.body.detail).toMatch(/Subscription .* was not found/);
    expectRefused(await s.get('/v1/management/integration').set('companyId', await foreignCompanyId()), 'list_integrations_v1', 404);
  });

  it.runIf(admin)('does not show the other subscription\'s integrations, and that subscription\'s key sees them only there', async () => {
    const s = await connxioSession(target);
    const mine = await createIntegration(s, integrationBody(s.subscriptionId!));
    const otherKey = await portal(target, s).createKey(['Management'], { subscriptionId: s.otherSubscriptionId });
    const asOther = (t: Test) => withKey(t, otherKey.key, s);
    const theirs = await asOther(s.raw.post('/v1/management/integration')).send(integrationBody(s.otherSubscriptionId!));
    expectOperation(theirs, 'upsert_integration_v1', 201);
    s.defer(() => asOther(s.raw.delete(`/v2/integrations/${theirs.body.id}`)));
    const list = await s.get('/v1/management/integration');
    expectOperation(list, 'list_integrations_v1', 200);
    expect(ids(list)).toEqual([mine.id]);
    const otherList = await asOther(s.raw.get('/v1/management/integration')).query({ subscriptionId: s.otherSubscriptionId! });
    expectOperation(otherList, 'list_integrations_v1', 200);
    expect(ids(otherList)).toEqual([theirs.body.id]);
    expectProblem(await asOther(s.raw.get('/v1/management/integration')).query({ subscriptionId: s.subscriptionId! }), 'list_integrations_v1', 404);
  });
});

describe('get_integration_v1', () => {
  it('reads an integration created through v2, as v2 returns it, under /v1 and /api/v1', async () => {
    const s = await connxioSession(target);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s)));
    const v2 = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(v2, 'get_integration', 200);
    for (const path of [`/v1/management/integration/${created.id}`, `/api/v1/management/integration/${created.id.toUpperCase()}`]) {
      const res = await s.get(path);
      expectOperation(res, 'get_integration_v1', 200);
      expect(res.body).toEqual(v2.body);
    }
    const withCompany = await s.get(`/v1/management/integration/${created.id}`).set('companyId', await companyIdOf(s));
    expectOperation(withCompany, 'get_integration_v1', 200);
    expect(withCompany.body.id).toBe(created.id);
  });

  it('answers 404 for an unknown id, and for a known one with another company in the companyId header', async () => {
    const s = await connxioSession(target);
    const created = await createIntegration(s, integrationBody(await currentSubscriptionId(s)));
    const unknown = await s.get(`/v1/management/integration/${randomUUID()}`);
    expectProblem(unknown, 'get_integration_v1', 404);
    expectRefused(await s.get(`/v1/management/integration/${created.id}`).set('companyId', await foreignCompanyId()), 'get_integration_v1', 404);
  });

  it.runIf(admin)('answers 404 for an integration of the company\'s other subscription', async () => {
    const s = await connxioSession(target);
    const otherKey = await portal(target, s).createKey(['Management'], { subscriptionId: s.otherSubscriptionId });
    const theirs = await withKey(s.raw.post('/v2/integrations'), otherKey.key, s).send(integrationBody(s.otherSubscriptionId!));
    expectOperation(theirs, 'create_integration', 201);
    s.defer(() => withKey(s.raw.delete(`/v2/integrations/${theirs.body.id}`), otherKey.key, s));
    expectProblem(await s.get(`/v1/management/integration/${theirs.body.id}`), 'get_integration_v1', 404);
  });
});

describe('upsert_integration_v1', () => {
  it('creates (201) with a new id; v2 reads and lists it; the same id again replaces it (200) with a new _etag', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const body = integrationBody(subscriptionId);
    const created = await createV1(s, body);
    expect(created).toMatchObject({ subscriptionId, description: body.description, transactionType: 'Order', enabled: true, useApiKey: true });
    const v2 = await s.get(`/v2/integrations/${created.id}`);
    expectOperation(v2, 'get_integration', 200);
    expect(v2.body).toEqual(created);
    expect(ids(await s.get('/v2/integrations'))).toContain(created.id);

    const description = uniqueName('renamed');
    const again = await s
      .post('/api/v1/management/integration')
      .set('content-type', 'application/json; x-api-version=1.0')
      .send(JSON.stringify(integrationBody(subscriptionId, { configCorrelationId: created.id, description, _etag: created._etag })));
    expectOperation(again, 'upsert_integration_v1', 200);
    expect(again.body.id).toBe(created.id);
    expect(again.body._etag).not.toBe(created._etag);
    expect(again.body.createdAtUtc).toBe(created.createdAtUtc);
    const read = await s.get(`/v2/integrations/${created.id}`);
    expect(read.body.description).toBe(description);
    expect((await s.get('/v2/integrations')).body.filter((i: { id: string }) => i.id === created.id)).toHaveLength(1);
  });

  it('creates with the configCorrelationId it is given (201), then v2 updates it and v1 reads the update', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const id = randomUUID();
    const created = await createV1(s, integrationBody(subscriptionId, { configCorrelationId: id }));
    expect(created.id).toBe(id);
    const description = uniqueName('via-v2');
    const put = await s.put(`/v2/integrations/${id}`).send(integrationBody(subscriptionId, { configCorrelationId: id, description }));
    expectOperation(put, 'update_integration', 200);
    const read = await s.get(`/v1/management/integration/${id}`);
    expectOperation(read, 'get_integration_v1', 200);
    expect(read.body).toEqual(put.body);
    expect(read.body.description).toBe(description);
  });

  it('updates an integration created through v2 (200), and v2 sees the change', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const created = await createIntegration(s, integrationBody(subscriptionId));
    const res = await s.post('/v1/management/integration').set('companyId', await companyIdOf(s)).send(integrationBody(subscriptionId, { configCorrelationId: created.id, enabled: false }));
    expectOperation(res, 'upsert_integration_v1', 200);
    const v2 = await s.get(`/v2/integrations/${created.id}`);
    expect(v2.body.enabled).toBe(false);
    expect(v2.body._etag).toBe(res.body._etag);
  });

  it('answers 400 for a body that breaks the schema, and stores nothing', async () => {
    const s = await connxioSession(target);
    const body = integrationBody(await currentSubscriptionId(s), { configCorrelationId: randomUUID() });
    delete body.sender;
    const res = await s.post('/v1/management/integration').send(body);
    expectProblem(res, 'upsert_integration_v1', 400);
    expect(Object.keys(res.body.errors)).toContain('Sender');
    expectProblem(await s.get(`/v1/management/integration/${body.configCorrelationId}`), 'get_integration_v1', 404);
  });

  it('refuses another company in the companyId header (404) and a stale _etag (412); nothing changes', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const id = randomUUID();
    const foreign = await s.post('/v1/management/integration').set('companyId', await foreignCompanyId()).send(integrationBody(subscriptionId, { configCorrelationId: id }));
    s.defer(() => s.delete(`/v2/integrations/${id}`));
    expectRefused(foreign, 'upsert_integration_v1', 404);
    if (twin) expectProblem(await s.get(`/v2/integrations/${id}`), 'get_integration', 404);

    const created = await createV1(s, integrationBody(subscriptionId));
    const first = await s.post('/v1/management/integration').send(integrationBody(subscriptionId, { configCorrelationId: created.id, _etag: created._etag }));
    expectOperation(first, 'upsert_integration_v1', 200);
    const stale = await s.post('/v1/management/integration').send(integrationBody(subscriptionId, { configCorrelationId: created.id, _etag: created._etag, description: 'lost update' }));
    expectRefused(stale, 'upsert_integration_v1', 412);
    const read = await s.get(`/v1/management/integration/${created.id}`);
    expect(read.body._etag).toBe(first.body._etag);
    expect(read.body.description).not.toBe('lost update');
  });

  it.runIf(admin)('answers 400 for another subscription in the body and 404 for an id of the other subscription', async () => {
    const s = await connxioSession(target);
    const wrongSubscription = await s.post('/v1/management/integration').send(integrationBody(s.otherSubscriptionId!, { configCorrelationId: randomUUID() }));
    expectProblem(wrongSubscription, 'upsert_integration_v1', 400);
    expect(Object.keys(wrongSubscription.body.errors)).toEqual(['SubscriptionId']);
    const otherKey = await portal(target, s).createKey(['Management'], { subscriptionId: s.otherSubscriptionId });
    const theirs = await withKey(s.raw.post('/v2/integrations'), otherKey.key, s).send(integrationBody(s.otherSubscriptionId!));
    expectOperation(theirs, 'create_integration', 201);
    s.defer(() => withKey(s.raw.delete(`/v2/integrations/${theirs.body.id}`), otherKey.key, s));
    const reach = await s.post('/v1/management/integration').send(integrationBody(s.subscriptionId!, { configCorrelationId: theirs.body.id }));
    expectProblem(reach, 'upsert_integration_v1', 404);
    expect(ids(await s.get('/v2/integrations'))).toEqual([]);
  });
});

describe('delete_integration_v1', () => {
  it('deletes an integration created through v2 (204); v1 and v2 then answer 404, and a second delete 400 (no one holds the id)', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const created = await createIntegration(s, integrationBody(subscriptionId));
    const res = await s.delete(`/v1/management/integration/${created.id}/subscription/${subscriptionId}`);
    expectOperation(res, 'delete_integration_v1', 204);
    expectProblem(await s.get(`/v2/integrations/${created.id}`), 'get_integration', 404);
    expectProblem(await s.get(`/v1/management/integration/${created.id}`), 'get_integration_v1', 404);
    expect(ids(await s.get('/v1/management/integration'))).not.toContain(created.id);
    expectProblem(await s.delete(`/api/v1/management/integration/${created.id}/subscription/${subscriptionId}`), 'delete_integration_v1', 400);
  });

  it('an integration created through v1 is deleted through v2, and one created through v2 through /api/v1 with the companyId header', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const viaV1 = await createV1(s, integrationBody(subscriptionId));
    expectOperation(await s.delete(`/v2/integrations/${viaV1.id}`), 'delete_integration', 204);
    expectProblem(await s.get(`/v1/management/integration/${viaV1.id}`), 'get_integration_v1', 404);
    const viaV2 = await createIntegration(s, integrationBody(subscriptionId));
    const res = await s.delete(`/api/v1/management/integration/${viaV2.id}/subscription/${subscriptionId.toUpperCase()}`).set('companyId', await companyIdOf(s));
    expectOperation(res, 'delete_integration_v1', 204);
    expectProblem(await s.get(`/v2/integrations/${viaV2.id}`), 'get_integration', 404);
  });

  it('answers 404 for another subscription in the path or another company, 400 for an id no one holds, and deletes nothing', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const created = await createIntegration(s, integrationBody(subscriptionId));
    const other = await otherSubscriptionOf(s);
    if (other) expectRefused(await s.delete(`/v1/management/integration/${created.id}/subscription/${other}`), 'delete_integration_v1', 404);
    const unknownSubscription = await s.delete(`/v1/management/integration/${created.id}/subscription/${randomUUID()}`);
    expectRefused(unknownSubscription, 'delete_integration_v1', 404);
    if (twin) expect(unknownSubscription.body.detail).toMatch(/Subscription .* was not found/);
    expectProblem(await s.delete(`/v1/management/integration/${randomUUID()}/subscription/${subscriptionId}`), 'delete_integration_v1', 400);
    expectRefused(
      await s.delete(`/v1/management/integration/${created.id}/subscription/${subscriptionId}`).set('companyId', await foreignCompanyId()),
      'delete_integration_v1',
      404,
    );
    const still = await s.get(`/v1/management/integration/${created.id}`);
    expectOperation(still, 'get_integration_v1', 200);
    expect(still.body._etag).toBe(created._etag);
  });

  it.runIf(admin)('answers 404 for the other subscription\'s integration, named with its own subscription, and leaves it there', async () => {
    const s = await connxioSession(target);
    const otherKey = await portal(target, s).createKey(['Management'], { subscriptionId: s.otherSubscriptionId });
    const asOther = (t: Test) => withKey(t, otherKey.key, s);
    const theirs = await asOther(s.raw.post('/v2/integrations')).send(integrationBody(s.otherSubscriptionId!));
    expectOperation(theirs, 'create_integration', 201);
    s.defer(() => asOther(s.raw.delete(`/v2/integrations/${theirs.body.id}`)));
    expectProblem(await s.delete(`/v1/management/integration/${theirs.body.id}/subscription/${s.otherSubscriptionId}`), 'delete_integration_v1', 404);
    expectProblem(await s.delete(`/v1/management/integration/${theirs.body.id}/subscription/${s.subscriptionId}`), 'delete_integration_v1', 404);
    expectOperation(await asOther(s.raw.get(`/v1/management/integration/${theirs.body.id}`)), 'get_integration_v1', 200);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = connxioReadOnly(target);

describe('list_subscriptions_v1', () => {
  it("lists the company's subscriptions under the legacy v1 management API", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/management/subscription');
    expectOperation(res, 'list_subscriptions_v1', 200);
    expect(ro.listOf(res).map((x) => x.id)).toContain(await currentSubscriptionId(s));
  });
});

describe('list_integrations_v1', () => {
  it("lists the key's subscription's integrations under v1, the same documents as v2", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/management/integration');
    expectOperation(res, 'list_integrations_v1', 200);
    const v2 = await s.get('/v2/integrations');
    expectOperation(v2, 'list_integrations', 200);
    const byId = (list: ListedItem[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(ro.listOf(res))).toEqual(byId(ro.listOf(v2)));
  });
});

describe('get_integration_v1', () => {
  it('reads the first listed integration by id under v1, the same document as v2', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/management/integration');
    expectOperation(list, 'list_integrations_v1', 200);
    const integration = ro.firstOf(ctx, ro.listOf(list), 'integration');
    const res = await s.get(`/v1/management/integration/${integration.id}`);
    expectOperation(res, 'get_integration_v1', 200);
    expect(res.body).toEqual(integration);
    const v2 = await s.get(`/v2/integrations/${integration.id}`);
    expectOperation(v2, 'get_integration', 200);
    expect(res.body).toEqual(v2.body);
  });
});
