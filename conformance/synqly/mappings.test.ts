import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';

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
