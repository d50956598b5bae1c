import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newIntegration, newIntegrationPoint } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
/** the mapping language (JSONata) is the twin's choice: program semantics are asserted on twins only */
const twinOnly = target.kind !== 'live';

const PICK = '{"sprint": fields.customfield_10020, "title": fields.summary}';

async function createMapping(s: SynqlySession, body: Record<string, unknown> = {}) {
  const res = await s.post('/v1/mappings').send({ name: uniqueName('map'), data: PICK, ...body });
  expectOperation(res, 'mappings_create', 200);
  const mapping = res.body.result.mapping;
  s.defer(() => s.delete(`/v1/mappings/${mapping.id}`));
  return mapping as { id: string; name: string; fullname: string; data: string; organization_id: string; created_at: string; updated_at: string };
}

describe('mappings_create', () => {
  it('creates a mapping, wrapped in result.mapping', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('map');
    const mapping = await createMapping(s, { name, fullname: 'Jira sprint field' });
    expect(mapping).toMatchObject({ name, fullname: 'Jira sprint field', data: PICK });
    if (s.organizationId) expect(mapping.organization_id).toBe(s.organizationId);
  });

  it('answers 400 without data and 409 for a duplicate name', async () => {
    const s = await synqlySession(target);
    const noData = await s.post('/v1/mappings').send({ name: uniqueName('map') });
    expectProblem(noData, 'mappings_create', 400);
    expect(noData.body.context.parameter.location).toBe('body');
    const mapping = await createMapping(s);
    expectProblem(await s.post('/v1/mappings').send({ name: mapping.name, data: PICK }), 'mappings_create', 409);
  });

  it.runIf(twinOnly)('answers 400 for a program that does not parse', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/mappings').send({ name: uniqueName('map'), data: '{"a": fields.' });
    expectProblem(res, 'mappings_create', 400);
    expect(res.body.context.parameter.id).toBe('/data');
  });
});

describe('mappings_list', () => {
  it('lists mappings without their data, with total', async () => {
    const s = await synqlySession(target);
    const stem = uniqueName('ml');
    await createMapping(s, { name: `${stem}-b` });
    await createMapping(s, { name: `${stem}-a` });
    const res = await s.get('/v1/mappings').query({ filter: `name[like]${stem}-%`, total: true });
    expectOperation(res, 'mappings_list', 200);
    expect(res.body.result.map((m: { name: string }) => m.name)).toEqual([`${stem}-a`, `${stem}-b`]);
    expect(res.body.total).toBe(2);
    for (const m of res.body.result) expect(m).not.toHaveProperty('data');
  });

  it('answers 400 for a limit below 1', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/mappings').query({ limit: 0 }), 'mappings_list', 400);
  });
});

describe('mappings_get', () => {
  it('reads a mapping with its data, by id and by name', async () => {
    const s = await synqlySession(target);
    const mapping = await createMapping(s);
    const byId = await s.get(`/v1/mappings/${mapping.id}`);
    expectOperation(byId, 'mappings_get', 200);
    expect(byId.body.result).toEqual(mapping);
    const byName = await s.get(`/v1/mappings/${mapping.name}`);
    expectOperation(byName, 'mappings_get', 200);
    expect(byName.body.result.id).toBe(mapping.id);
  });

  it('answers 404 for an unknown mapping', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/mappings/${uniqueName('ghost')}`), 'mappings_get', 404);
  });
});

describe('mappings_update', () => {
  it('replaces name, fullname and data', async () => {
    const s = await synqlySession(target);
    const mapping = await createMapping(s);
    const res = await s.put(`/v1/mappings/${mapping.id}`).send({ ...mapping, fullname: 'Only the sprint', data: '{"sprint": fields.customfield_10020}' });
    expectOperation(res, 'mappings_update', 200);
    expect(res.body.result).toMatchObject({ id: mapping.id, fullname: 'Only the sprint', data: '{"sprint": fields.customfield_10020}' });
  });

  it('answers 400 for a mismatched id and 404 for an unknown mapping', async () => {
    const s = await synqlySession(target);
    const mapping = await createMapping(s);
    const other = await createMapping(s);
    expectProblem(await s.put(`/v1/mappings/${mapping.id}`).send({ ...mapping, id: other.id }), 'mappings_update', 400);
    expectProblem(await s.put(`/v1/mappings/${uniqueName('ghost')}`).send(mapping), 'mappings_update', 404);
  });
});

describe('mappings_patch', () => {
  it('applies a JSON Patch', async () => {
    const s = await synqlySession(target);
    const mapping = await createMapping(s);
    const res = await s.patch(`/v1/mappings/${mapping.id}`).send([{ op: 'replace', path: '/fullname', value: 'Patched' }]);
    expectOperation(res, 'mappings_patch', 200);
    expect(res.body.result).toMatchObject({ id: mapping.id, fullname: 'Patched', data: PICK });
  });

  it('answers 400 for a read-only path and when data is removed', async () => {
    const s = await synqlySession(target);
    const mapping = await createMapping(s);
    expectProblem(await s.patch(`/v1/mappings/${mapping.id}`).send([{ op: 'replace', path: '/organization_id', value: 'x' }]), 'mappings_patch', 400);
    expectProblem(await s.patch(`/v1/mappings/${mapping.id}`).send([{ op: 'remove', path: '/data' }]), 'mappings_patch', 400);
    const after = await s.get(`/v1/mappings/${mapping.id}`);
    expect(after.body.result.data).toBe(PICK);
  });
});

describe('mappings_delete', () => {
  it('deletes a mapping', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/mappings').send({ name: uniqueName('map'), data: PICK });
    expectOperation(res, 'mappings_create', 200);
    expectOperation(await s.delete(`/v1/mappings/${res.body.result.mapping.id}`), 'mappings_delete', 204);
    expectProblem(await s.get(`/v1/mappings/${res.body.result.mapping.id}`), 'mappings_get', 404);
  });

  it('answers 404 for an unknown mapping', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.delete(`/v1/mappings/${uniqueName('ghost')}`), 'mappings_delete', 404);
  });
});

describe('mappings_apply', () => {
  it('applies the listed mappings in order over the input', async () => {
    const s = await synqlySession(target);
    const pick = await createMapping(s);
    const upper = await createMapping(s, { data: '$merge([$, {"title": $uppercase(title)}])' });
    const res = await s.post('/v1/mappings/apply').send({ mappings: [pick.name, upper.id], data: { fields: { customfield_10020: 'Sprint 42', summary: 'fix login' } } });
    expectOperation(res, 'mappings_apply', 200);
    if (twinOnly) expect(res.body.result.mapping).toEqual({ sprint: 'Sprint 42', title: 'FIX LOGIN' });
  });

  it.runIf(twinOnly)('adds the raw input with include_raw_data=true', async () => {
    const s = await synqlySession(target);
    const pick = await createMapping(s);
    const data = { fields: { customfield_10020: 'Sprint 7', summary: 's' } };
    const res = await s.post('/v1/mappings/apply').query({ include_raw_data: true }).send({ mappings: [pick.id], data });
    expectOperation(res, 'mappings_apply', 200);
    expect(res.body.result.mapping).toEqual({ sprint: 'Sprint 7', title: 's', raw_data: JSON.stringify(data) });
  });

  it('answers 404 for an unknown mapping and 400 for a missing data object', async () => {
    const s = await synqlySession(target);
    const unknown = await s.post('/v1/mappings/apply').send({ mappings: [uniqueName('ghost')], data: {} });
    expectProblem(unknown, 'mappings_apply', 404);
    expectProblem(await s.post('/v1/mappings/apply').send({ mappings: [] }), 'mappings_apply', 400);
  });

  it.runIf(twinOnly)('answers 400 when a mapping yields no object', async () => {
    const s = await synqlySession(target);
    const scalar = await createMapping(s, { data: 'fields.summary' });
    const res = await s.post('/v1/mappings/apply').send({ mappings: [scalar.name], data: { fields: { summary: 'x' } } });
    expectProblem(res, 'mappings_apply', 400);
    expect(res.body.context.parameter.id).toBe('/mappings/0');
  });
});

describe('mapping versions and chains ({mapping_id}:{version})', () => {
  it.runIf(twinOnly)('(twin) a mapping is version 1, each change of data adds one, and mappings_apply runs any version; no response carries the version', async () => {
    const s = await synqlySession(target);
    const mapping = await createMapping(s, { data: '{"v": "one"}' });
    expect(mapping).not.toHaveProperty('version');
    const renamed = await s.put(`/v1/mappings/${mapping.id}`).send({ ...mapping, fullname: 'Renamed' });
    expectOperation(renamed, 'mappings_update', 200);
    expect(renamed.body.result).not.toHaveProperty('version');
    const changed = await s.patch(`/v1/mappings/${mapping.id}`).send([{ op: 'replace', path: '/data', value: '{"v": "two"}' }]);
    expectOperation(changed, 'mappings_patch', 200);
    expect(changed.body.result).not.toHaveProperty('version');
    expectProblem(await s.patch(`/v1/mappings/${mapping.id}`).send([{ op: 'add', path: '/version', value: 7 }]), 'mappings_patch', 400);
    const listed = await s.get('/v1/mappings').query({ filter: `name[eq]${mapping.name}` });
    expect(listed.body.result[0]).not.toHaveProperty('version');
    expect((await s.get(`/v1/mappings/${mapping.id}`)).body.result).not.toHaveProperty('version');
    const apply = (ref: string) => s.post('/v1/mappings/apply').send({ mappings: [ref], data: {} });
    for (const [ref, v] of [[mapping.id, 'two'], [mapping.name, 'two'], [`${mapping.id}:1`, 'one'], [`${mapping.name}:2`, 'two']] as const) {
      const res = await apply(ref);
      expectOperation(res, 'mappings_apply', 200);
      expect(res.body.result.mapping).toEqual({ v });
    }
    const missing = await apply(`${mapping.id}:3`);
    expectProblem(missing, 'mappings_apply', 404);
    expect(missing.body.context.parameter).toMatchObject({ id: '/mappings/0', location: 'body' });
    expectProblem(await apply(`${mapping.id}:latest`), 'mappings_apply', 400);
  });

  it.runIf(twinOnly)('(twin) integration chains must name an existing mapping version and operations of the connector', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const mapping = await createMapping(s);
    const create = (mappings: string[], operation_ids = ['siem_query_events']) =>
      s.post(`/v1/integrations/${account.id}`).send({ name: uniqueName('integ'), provider_config: { type: 'siem_mock_siem' }, mappings: [{ mappings, operation_ids }] });
    const cases: Array<[string[], string[], number, string]> = [
      [['nosuch:1'], ['siem_query_events'], 404, '/mappings/0/mappings/0'],
      [[mapping.id], ['siem_query_events'], 400, '/mappings/0/mappings/0'],
      [[`${mapping.id}:latest`], ['siem_query_events'], 400, '/mappings/0/mappings/0'],
      [[`${mapping.id}:1`, `${mapping.id}:99`], ['siem_query_events'], 404, '/mappings/0/mappings/1'],
      [[`${mapping.id}:1`], ['nosuch_op'], 400, '/mappings/0/operation_ids/0'],
      [[`${mapping.id}:1`], ['ticketing_create_ticket'], 400, '/mappings/0/operation_ids/0'],
    ];
    for (const [mappings, ops, status, pointer] of cases) {
      const res = await create(mappings, ops);
      expectProblem(res, 'integrations_create', status);
      expect(res.body.context.parameter).toMatchObject({ id: pointer, location: 'body' });
    }
    expect((await s.get(`/v1/integrations/${account.id}`)).body.result).toEqual([]);

    const created = await newIntegration(s, account.id, { provider_config: { type: 'siem_mock_siem' }, mappings: [{ mappings: [`${mapping.name}:1`], operation_ids: ['siem_query_events'] }] });
    expect(created.integration.mappings).toEqual([{ mappings: [`${mapping.id}:1`], operation_ids: ['siem_query_events'] }]);
    const verify = await s.post(`/v1/integrations/${account.id}/verify`).send({ integration: { provider_config: { type: 'siem_mock_siem' }, mappings: [{ mappings: ['nosuch:1'], operation_ids: ['siem_query_events'] }] } });
    expectProblem(verify, 'integrations_verify', 404);
    expect(verify.body.context.parameter.id).toBe('/integration/mappings/0/mappings/0');

    // in use: the mapping cannot be deleted until no chain names it
    const refused = await s.delete(`/v1/mappings/${mapping.id}`);
    expectProblem(refused, 'mappings_delete', 409);
    expect(refused.body.message).toContain(created.integration.name);
    expectOperation(await s.patch(`/v1/integrations/${account.id}/${created.integration.id}`).send([{ op: 'remove', path: '/mappings' }]), 'integrations_patch', 200);
    expectOperation(await s.delete(`/v1/mappings/${mapping.id}`), 'mappings_delete', 204);
  });

  it.runIf(twinOnly)('(twin) integration point chain templates are checked the same way and copied onto new integrations', async () => {
    const s = await synqlySession(target);
    const mapping = await createMapping(s);
    const template = (mappings: string[]) => ({ mappings, operation_ids: ['siem_query_events'], providers: ['*'] });
    const bad = await s.post('/v1/integration-points').send({ name: uniqueName('point'), connector: 'siem', environments: { prod: ['*'] }, mappings: [template(['nosuch:1'])] });
    expectProblem(bad, 'integrationPoints_create', 404);
    expect(bad.body.context.parameter.id).toBe('/mappings/0/mappings/0');
    const point = await newIntegrationPoint(s, { connector: 'siem', environments: { prod: ['*'] }, mappings: [template([`${mapping.name}:1`])] });
    expect(point.mappings).toEqual([template([`${mapping.id}:1`])]);
    const account = await newAccount(s);
    const created = await newIntegration(s, account.id, { provider_config: { type: 'siem_mock_siem' }, integration_point_id: point.id });
    expect(created.integration.mappings).toEqual([{ mappings: [`${mapping.id}:1`], operation_ids: ['siem_query_events'] }]);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('mappings_list', () => {
  it('lists the mappings (the demo tenant has severity-to-priority)', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/mappings').query({ total: 'true' });
    expectOperation(res, 'mappings_list', 200);
    expect(res.body.total).toBe(ro.items(res).length);
    if (ro.twin) expect(ro.items(res).map((m) => m.name)).toEqual(['severity-to-priority']);
  });
});

describe('mappings_get', () => {
  it('reads the first listed mapping by id and by name', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/mappings');
    expectOperation(list, 'mappings_list', 200);
    const mapping = ro.firstOf(ctx, ro.items(list), 'mapping', true);
    const byId = await s.get(`/v1/mappings/${mapping.id}`);
    expectOperation(byId, 'mappings_get', 200);
    expect(byId.body.result).toMatchObject({ id: mapping.id, name: mapping.name });
    const byName = await s.get(`/v1/mappings/${encodeURIComponent(mapping.name)}`);
    expectOperation(byName, 'mappings_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
