import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

const DEFINITION = 'name: assets\nendpoints:\n  default:\n    url: https://assets.example.com\n';

async function createCustom(s: SynqlySession, body: Record<string, unknown> = {}) {
  const res = await s.post('/v1/customs').send({ name: uniqueName('custom'), data: DEFINITION, ...body });
  expectOperation(res, 'customs_create', 200);
  const custom = res.body.result.custom;
  s.defer(() => s.delete(`/v1/customs/${custom.id}`));
  return custom as { id: string; name: string; fullname: string; data: string; organization_id: string; created_at: string; updated_at: string };
}

describe('customs_create', () => {
  it('creates a definition, wrapped in result.custom', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('custom');
    const custom = await createCustom(s, { name, fullname: 'Asset inventory' });
    expect(custom).toMatchObject({ name, fullname: 'Asset inventory', data: DEFINITION });
    if (s.organizationId) expect(custom.organization_id).toBe(s.organizationId);
  });

  it('answers 400 without data, 409 for a duplicate name', async () => {
    const s = await synqlySession(target);
    const noData = await s.post('/v1/customs').send({ name: uniqueName('custom') });
    expectProblem(noData, 'customs_create', 400);
    expect(noData.body.context.parameter.location).toBe('body');
    const custom = await createCustom(s);
    expectProblem(await s.post('/v1/customs').send({ name: custom.name, data: DEFINITION }), 'customs_create', 409);
  });

  it.runIf(twin)('(twin) answers 400 at /data for a definition that is not a YAML mapping, nothing stored', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('custom');
    const res = await s.post('/v1/customs').send({ name, data: '- just\n- a list' });
    expectProblem(res, 'customs_create', 400);
    expect(res.body.context.parameter.id).toBe('/data');
    expectProblem(await s.get(`/v1/customs/${name}`), 'customs_get', 404);
  });
});

describe('customs_list', () => {
  it('lists definitions without their data, with total', async () => {
    const s = await synqlySession(target);
    const stem = uniqueName('cl');
    await createCustom(s, { name: `${stem}-b` });
    await createCustom(s, { name: `${stem}-a` });
    const res = await s.get('/v1/customs').query({ filter: `name[like]${stem}-%`, total: true });
    expectOperation(res, 'customs_list', 200);
    expect(res.body.result.map((c: { name: string }) => c.name)).toEqual([`${stem}-a`, `${stem}-b`]);
    expect(res.body.total).toBe(2);
    for (const c of res.body.result) expect(c).not.toHaveProperty('data');
  });

  it('answers 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/customs').query({ filter: 'colour[eq]red' }), 'customs_list', 400);
  });
});

describe('customs_get', () => {
  it('reads a definition with its data, by id and by name', async () => {
    const s = await synqlySession(target);
    const custom = await createCustom(s);
    const byId = await s.get(`/v1/customs/${custom.id}`);
    expectOperation(byId, 'customs_get', 200);
    expect(byId.body.result).toEqual(custom);
    const byName = await s.get(`/v1/customs/${custom.name}`);
    expectOperation(byName, 'customs_get', 200);
    expect(byName.body.result.id).toBe(custom.id);
  });

  it('answers 404 for an unknown definition', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/customs/${uniqueName('ghost')}`), 'customs_get', 404);
  });
});

describe('customs_update', () => {
  it('replaces name, fullname and data and keeps the server-owned fields', async () => {
    const s = await synqlySession(target);
    const custom = await createCustom(s);
    const data = `${DEFINITION}tags:\n  - region\n`;
    const res = await s.put(`/v1/customs/${custom.id}`).send({ ...custom, fullname: 'Renamed', data, created_at: '2020-01-01T00:00:00Z' });
    expectOperation(res, 'customs_update', 200);
    expect(res.body.result).toMatchObject({ id: custom.id, fullname: 'Renamed', data, created_at: custom.created_at, organization_id: custom.organization_id });
  });

  it('answers 400 for a body missing data or naming another id, 404 for an unknown definition', async () => {
    const s = await synqlySession(target);
    const custom = await createCustom(s);
    const { data: _d, ...noData } = custom;
    expectProblem(await s.put(`/v1/customs/${custom.id}`).send(noData), 'customs_update', 400);
    expectProblem(await s.put(`/v1/customs/${custom.id}`).send({ ...custom, id: uniqueName('other') }), 'customs_update', 400);
    expectProblem(await s.put(`/v1/customs/${uniqueName('ghost')}`).send(custom), 'customs_update', 404);
  });
});

describe('customs_patch', () => {
  it('applies a JSON Patch; read-only paths are refused and a failing test is a 409', async () => {
    const s = await synqlySession(target);
    const custom = await createCustom(s);
    const res = await s.patch(`/v1/customs/${custom.id}`).send([{ op: 'replace', path: '/fullname', value: 'Patched' }]);
    expectOperation(res, 'customs_patch', 200);
    expect(res.body.result).toMatchObject({ id: custom.id, fullname: 'Patched', data: DEFINITION });
    expectProblem(await s.patch(`/v1/customs/${custom.id}`).send([{ op: 'replace', path: '/organization_id', value: 'elsewhere' }]), 'customs_patch', 400);
    expectProblem(await s.patch(`/v1/customs/${custom.id}`).send([{ op: 'test', path: '/fullname', value: 'not it' }]), 'customs_patch', 409);
    expectProblem(await s.patch(`/v1/customs/${uniqueName('ghost')}`).send([]), 'customs_patch', 404);
  });
});

describe('customs_delete', () => {
  it('deletes the definition (204), then it is gone', async () => {
    const s = await synqlySession(target);
    const custom = await createCustom(s);
    const res = await s.delete(`/v1/customs/${custom.id}`);
    expectOperation(res, 'customs_delete', 204);
    expectProblem(await s.get(`/v1/customs/${custom.id}`), 'customs_get', 404);
    expectProblem(await s.delete(`/v1/customs/${custom.id}`), 'customs_delete', 404);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('customs_list', () => {
  it("lists the organization's custom provider definitions", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/customs');
    expectOperation(res, 'customs_list', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('customs_get', () => {
  it('reads the first listed custom provider definition by id and by name', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/customs');
    expectOperation(list, 'customs_list', 200);
    const first = ro.firstOf(ctx, ro.items(list), 'custom provider definition', false);
    for (const ref of [first.id, first.name]) {
      const res = await s.get(`/v1/customs/${encodeURIComponent(ref)}`);
      expectOperation(res, 'customs_get', 200);
      expect(res.body.result.id).toBe(first.id);
    }
  });
});
