import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newIntegration, newIntegrationPoint } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();

const environments = { test: ['ticketing_mock_ticketing'], prod: ['ticketing_jira', 'ticketing_servicenow'] };

describe('integrationPoints_create', () => {
  it('creates a point with its allow-list and templates', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('point');
    const res = await s.post('/v1/integration-points').send({
      name,
      fullname: 'Ticketing',
      description: 'Ticketing providers offered in Connect UI',
      connector: 'ticketing',
      environments,
      scheduled_operations: [{ operation: 'ticketing_query_tickets', enabled: true, frequency: { type: 'periodic', value: '4h' } }],
    });
    expectOperation(res, 'integrationPoints_create', 200);
    s.defer(() => s.delete(`/v1/integration-points/${res.body.result.id}`));
    expect(res.body.result).toMatchObject({ name, connector: 'ticketing', environments });
  });

  it('defaults fullname to name (contract §1.5), also on a full replace without one', async () => {
    const s = await synqlySession(target);
    const point = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    expect(point.fullname).toBe(point.name);
    const got = await s.get(`/v1/integration-points/${point.id}`);
    expectOperation(got, 'integrationPoints_get', 200);
    expect(got.body.result.fullname).toBe(point.name);
    if (target.kind === 'live') return;
    // (twin) a PUT without fullname (not required by integrationPoints_update) applies the same default
    const renamed = uniqueName('point');
    const { fullname: _dropped, ...rest } = got.body.result;
    const replaced = await s.put(`/v1/integration-points/${point.id}`).send({ ...rest, name: renamed });
    expectOperation(replaced, 'integrationPoints_update', 200);
    expect(replaced.body.result).toMatchObject({ name: renamed, fullname: renamed });
  });

  it('answers 400 without the required connector or for an unknown connector, 409 for a taken name', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.post('/v1/integration-points').send({ name: uniqueName('p'), environments }), 'integrationPoints_create', 400);
    expectProblem(await s.post('/v1/integration-points').send({ name: uniqueName('p'), connector: 'weather', environments }), 'integrationPoints_create', 400);
    const point = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    expectProblem(await s.post('/v1/integration-points').send({ name: point.name, connector: 'ticketing', environments }), 'integrationPoints_create', 409);
  });

  it.runIf(target.kind !== 'live')('(twin) answers 400 for a provider of another connector in the allow-list', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/integration-points').send({ name: uniqueName('p'), connector: 'ticketing', environments: { prod: ['siem_splunk'] } });
    expectProblem(res, 'integrationPoints_create', 400);
    expect(res.body.context.parameter).toMatchObject({ id: '/environments/prod/0' });
  });
});

describe('integrationPoints provider ids (ProviderConfigId, contract §2.6)', () => {
  it('answers 400 for a provider id that is not a ProviderConfigId, nothing stored; "*" is accepted', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('p');
    const res = await s.post('/v1/integration-points').send({ name, connector: 'siem', environments: { test: ['siem_mock_siem', 'siem_nosuch'] } });
    expectProblem(res, 'integrationPoints_create', 400);
    if (target.kind !== 'live') expect(res.body.context.parameter).toMatchObject({ id: '/environments/test/1', location: 'body', value: 'siem_nosuch' });
    expectProblem(await s.get(`/v1/integration-points/${name}`), 'integrationPoints_get', 404);
    const point = await newIntegrationPoint(s, { connector: 'siem', environments: { test: ['*'], prod: ['siem_mock_siem'] } });
    const patched = await s.patch(`/v1/integration-points/${point.id}`).send([{ op: 'add', path: '/environments/prod/-', value: 'siem_nosuch' }]);
    expectProblem(patched, 'integrationPoints_patch', 400);
    if (target.kind !== 'live') expect(patched.body.context.parameter).toMatchObject({ id: '/environments/prod/1' });
    const template = { mappings: [], operation_ids: ['siem_query_events'], providers: ['siem_nosuch'] };
    const put = await s.put(`/v1/integration-points/${point.id}`).send({ ...point, mappings: [template] });
    expectProblem(put, 'integrationPoints_update', 400);
    if (target.kind !== 'live') expect(put.body.context.parameter).toMatchObject({ id: '/mappings/0/providers/0' });
    expect((await s.get(`/v1/integration-points/${point.id}`)).body.result).toEqual(point);
  });
});

describe('integrationPoints connector (CategoryId has no "*")', () => {
  it('answers 400 at /connector for "*" in create and update, nothing stored', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('p');
    const res = await s.post('/v1/integration-points').send({ name, connector: '*', environments: { test: ['*'] } });
    expectProblem(res, 'integrationPoints_create', 400);
    expect(res.body.context.parameter).toMatchObject({ id: '/connector', location: 'body' });
    expectProblem(await s.get(`/v1/integration-points/${name}`), 'integrationPoints_get', 404);
    const point = await newIntegrationPoint(s, { connector: 'siem', environments: { test: ['*'] } });
    const put = await s.put(`/v1/integration-points/${point.id}`).send({ ...point, connector: '*' });
    expectProblem(put, 'integrationPoints_update', 400);
    expect(put.body.context.parameter).toMatchObject({ id: '/connector', location: 'body' });
    expect((await s.get(`/v1/integration-points/${point.id}`)).body.result).toEqual(point);
  });
});

describe('integrationPoints_list', () => {
  it('lists points, filtered by connector, with total', async () => {
    const s = await synqlySession(target);
    const t = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    await newIntegrationPoint(s, { connector: 'siem', environments: { test: ['*'] } });
    const res = await s.get('/v1/integration-points').query({ filter: [`name[eq]${t.name}`, 'connector[eq]ticketing'], total: true });
    expectOperation(res, 'integrationPoints_list', 200);
    expect(res.body.result.map((p: { id: string }) => p.id)).toEqual([t.id]);
    expect(res.body.total).toBe(1);
  });

  it('answers 400 for a bad order', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/integration-points').query({ order: 'colour' }), 'integrationPoints_list', 400);
  });
});

describe('integrationPoints_get', () => {
  it('returns the point by id and by name', async () => {
    const s = await synqlySession(target);
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    for (const ref of [p.id, p.name]) {
      const res = await s.get(`/v1/integration-points/${ref}`);
      expectOperation(res, 'integrationPoints_get', 200);
      expect(res.body.result).toEqual(p);
    }
  });

  it('answers 404 for an unknown point', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/integration-points/${uniqueName('ghost')}`), 'integrationPoints_get', 404);
  });
});

describe('integrationPoints_update', () => {
  it('replaces the writable fields', async () => {
    const s = await synqlySession(target);
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments, description: 'old' });
    const res = await s.put(`/v1/integration-points/${p.id}`).send({ ...p, description: 'new', environments: { test: ['*'], prod: ['*'] } });
    expectOperation(res, 'integrationPoints_update', 200);
    expect(res.body.result).toMatchObject({ id: p.id, description: 'new', environments: { test: ['*'], prod: ['*'] }, created_at: p.created_at });
  });

  it('answers 400 without environments and 404 for an unknown point', async () => {
    const s = await synqlySession(target);
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    const { environments: _e, ...partial } = p;
    expectProblem(await s.put(`/v1/integration-points/${p.id}`).send(partial), 'integrationPoints_update', 400);
    expectProblem(await s.put(`/v1/integration-points/${uniqueName('ghost')}`).send(p), 'integrationPoints_update', 404);
  });

  it.runIf(target.kind !== 'live')('(twin) answers 409 for a connector change while integrations use the point', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { environment: 'test' });
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    await newIntegration(s, account.id, { integration_point_id: p.id });
    expectProblem(await s.put(`/v1/integration-points/${p.id}`).send({ ...p, connector: 'siem', environments: {} }), 'integrationPoints_update', 409);
  });
});

describe('integrationPoints_patch', () => {
  it('adds a provider to an environment', async () => {
    const s = await synqlySession(target);
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    const res = await s.patch(`/v1/integration-points/${p.name}`).send([{ op: 'add', path: '/environments/test/-', value: 'ticketing_jira' }]);
    expectOperation(res, 'integrationPoints_patch', 200);
    expect(res.body.result.environments.test).toEqual(['ticketing_mock_ticketing', 'ticketing_jira']);
  });

  it.runIf(target.kind !== 'live')('answers 400 when the result breaks the schema (connector removed), nothing stored', async () => {
    const s = await synqlySession(target);
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    const res = await s.patch(`/v1/integration-points/${p.id}`).send([{ op: 'remove', path: '/connector' }]);
    expectProblem(res, 'integrationPoints_patch', 400);
    expect(res.body.context.parameter).toMatchObject({ id: '/connector' });
    const got = await s.get(`/v1/integration-points/${p.id}`);
    expectOperation(got, 'integrationPoints_get', 200);
    expect(got.body.result).toEqual(p);
  });
});

describe('integrationPoints_delete', () => {
  it('deletes an unused point (204)', async () => {
    const s = await synqlySession(target);
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    expectOperation(await s.delete(`/v1/integration-points/${p.id}`), 'integrationPoints_delete', 204);
    expectProblem(await s.get(`/v1/integration-points/${p.id}`), 'integrationPoints_get', 404);
  });

  it.runIf(target.kind !== 'live')('answers 409 while integrations use the point', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { environment: 'test' });
    const p = await newIntegrationPoint(s, { connector: 'ticketing', environments });
    const { integration } = await newIntegration(s, account.id, { integration_point_id: p.id });
    const res = await s.delete(`/v1/integration-points/${p.id}`);
    expectProblem(res, 'integrationPoints_delete', 409);
    expect(res.body.message).toContain(integration.name);
  });

  it('answers 404 for an unknown point', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.delete(`/v1/integration-points/${uniqueName('ghost')}`), 'integrationPoints_delete', 404);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('integrationPoints_list', () => {
  it('lists the integration points (the demo tenant has one)', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/integration-points').query({ total: 'true' });
    expectOperation(res, 'integrationPoints_list', 200);
    expect(res.body.total).toBe(ro.items(res).length);
    if (ro.twin) expect(ro.items(res).map((p) => p.name)).toEqual(['siem']);
  });
});

describe('integrationPoints_get', () => {
  it('reads the first listed integration point by id and by name', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/integration-points');
    expectOperation(list, 'integrationPoints_list', 200);
    const point = ro.firstOf(ctx, ro.items(list), 'integration point', true);
    const byId = await s.get(`/v1/integration-points/${point.id}`);
    expectOperation(byId, 'integrationPoints_get', 200);
    expect(byId.body.result).toMatchObject({ id: point.id, name: point.name });
    const byName = await s.get(`/v1/integration-points/${encodeURIComponent(point.name)}`);
    expectOperation(byName, 'integrationPoints_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
