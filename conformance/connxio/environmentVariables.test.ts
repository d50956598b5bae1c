import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { currentSubscriptionId } from '../support/connxio-management.ts';
import { connxioReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

async function createVariable(s: ConnxioSession, body: Record<string, unknown>, path = '/v2/environmentvariables') {
  const res = await s.put(path).send(body);
  expectOperation(res, 'create_environment_variable', 200);
  s.defer(() => s.delete(`/v2/environmentvariables/${res.body.id}`));
  return res.body as Record<string, unknown> & { id: string };
}

describe('create_environment_variable', () => {
  it('creates a company-level variable with per-subscription values (new id when none is given), and updates it by id', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const name = uniqueName('env');
    const created = await createVariable(s, { name, defaultValue: 'https://erp-test.example.test', subscriptionValues: { [subscriptionId]: 'https://erp.example.test' } });
    expect(created).toMatchObject({ name, defaultValue: 'https://erp-test.example.test', subscriptionValues: { [subscriptionId]: 'https://erp.example.test' } });
    expect(created.id).toEqual(expect.any(String));
    expect(typeof created.companyId).toBe('string');
    expect(typeof created.createdAtUtc).toBe('string');

    const updated = await s.put('/api/v2/environmentvariables').send({ id: created.id, name, defaultValue: 'changed', subscriptionValues: null });
    expectOperation(updated, 'create_environment_variable', 200);
    expect(updated.body).toMatchObject({ id: created.id, defaultValue: 'changed', createdAtUtc: created.createdAtUtc });
    const read = await s.get(`/v2/environmentvariables/${created.id}`);
    expectOperation(read, 'get_environment_variable', 200);
    expect(read.body.defaultValue).toBe('changed');
  });

  it('answers 400 for a schema violation, a missing name, or a value for a subscription of another company, and stores nothing', async () => {
    const s = await connxioSession(target);
    const notAString = await s.put('/v2/environmentvariables').send({ name: uniqueName('env'), defaultValue: 42 });
    expectProblem(notAString, 'create_environment_variable', 400);
    // System.Text.Json cannot read 42 as a string: ASP.NET keys that by the JSON path
    expect(Object.keys(notAString.body.errors)).toEqual(['$.defaultValue']);
    if (twin) expect(notAString.body.errors['$.defaultValue']).toEqual(['The JSON value could not be converted to System.String. Path: $.defaultValue | LineNumber: 0 | BytePositionInLine: 0.']);
    const id = randomUUID();
    const noName = await s.put('/v2/environmentvariables').send({ id, defaultValue: 'x' });
    expectProblem(noName, 'create_environment_variable', 400);
    if (twin) expect(noName.body.errors).toEqual({ Name: ['The Name field is required.'] });
    const foreign = await s.put('/v2/environmentvariables').send({ id, name: uniqueName('env'), subscriptionValues: { [randomUUID()]: 'x' } });
    expectProblem(foreign, 'create_environment_variable', 400);
    expectProblem(await s.get(`/v2/environmentvariables/${id}`), 'get_environment_variable', 400);
  });

  it.runIf(twin)('answers 400 for a name another variable of the company already has', async () => {
    const s = await connxioSession(target);
    const name = uniqueName('env');
    await createVariable(s, { name });
    const clash = await s.put('/v2/environmentvariables').send({ name: name.toUpperCase() });
    expectProblem(clash, 'create_environment_variable', 400);
    expect(clash.body.errors).toHaveProperty('Name');
  });
});

describe('get_environment_variable › ids in any letter case', () => {
  it.runIf(twin)('finds, updates and deletes a variable whatever the letter case of its id (kept lower case, as integration ids)', async () => {
    const s = await connxioSession(target);
    const id = randomUUID().toUpperCase();
    const name = uniqueName('UpperVar');
    const created = await createVariable(s, { id, name, defaultValue: 'a' });
    expect(created.id).toBe(id.toLowerCase());
    const read = await s.get(`/v2/environmentvariables/${id.toLowerCase()}`);
    expectOperation(read, 'get_environment_variable', 200);
    expect(read.body).toMatchObject({ id: id.toLowerCase(), name, defaultValue: 'a' });
    // an upsert naming the id in another case updates the same variable
    const updated = await s.put('/v2/environmentvariables').send({ id: id.toLowerCase(), name, defaultValue: 'b' });
    expectOperation(updated, 'create_environment_variable', 200);
    expect(updated.body).toMatchObject({ id: id.toLowerCase(), defaultValue: 'b', createdAtUtc: created.createdAtUtc });
    const list = await s.get('/v2/environmentvariables');
    expectOperation(list, 'list_environment_variables', 200);
    expect(list.body.filter((v: { name: string }) => v.name === name)).toHaveLength(1);
    expectOperation(await s.delete(`/v2/environmentvariables/${id}`), 'delete_environment_variable', 204);
    expectProblem(await s.get(`/v2/environmentvariables/${id.toLowerCase()}`), 'get_environment_variable', 400);
  });
});

describe('list_environment_variables', () => {
  it('lists variables, each readable by id (read-only)', async () => {
    const s = await connxioSession(target);
    const res = await s.get('/v2/environmentvariables');
    expectOperation(res, 'list_environment_variables', 200);
    if (res.body.length === 0) return;
    const one = await s.get(`/api/v2/environmentvariables/${res.body[0].id}`);
    expectOperation(one, 'get_environment_variable', 200);
    expect(one.body).toEqual(res.body[0]);
  });

  it('lists the company\'s variables under /v2 and /api/v2', async () => {
    const s = await connxioSession(target);
    const a = await createVariable(s, { name: uniqueName('env'), defaultValue: 'a' });
    const b = await createVariable(s, { name: uniqueName('env'), defaultValue: 'b' });
    for (const path of ['/v2/environmentvariables', '/api/v2/environmentvariables']) {
      const res = await s.get(path);
      expectOperation(res, 'list_environment_variables', 200);
      expect(res.body.map((v: { id: string }) => v.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    }
  });

  it.runIf(target.capabilities.admin)('does not show another company\'s variables', async () => {
    const mine = await connxioSession(target);
    const theirs = await connxioSession(target);
    const v = await createVariable(theirs, { name: uniqueName('env') });
    const res = await mine.get('/v2/environmentvariables');
    expectOperation(res, 'list_environment_variables', 200);
    expect(res.body).toEqual([]);
    expectProblem(await mine.get(`/v2/environmentvariables/${v.id}`), 'get_environment_variable', 400);
  });
});

describe('get_environment_variable', () => {
  it('reads a variable under /api/v2 and answers 400 (not 404) for an unknown id', async () => {
    const s = await connxioSession(target);
    const v = await createVariable(s, { name: uniqueName('env'), defaultValue: 'x' });
    const res = await s.get(`/api/v2/environmentvariables/${v.id}`);
    expectOperation(res, 'get_environment_variable', 200);
    expect(res.body).toEqual(v);
    expectProblem(await s.get(`/v2/environmentvariables/${randomUUID()}`), 'get_environment_variable', 400);
  });
});

describe('delete_environment_variable', () => {
  it('deletes (204); afterwards get and delete answer 400', async () => {
    const s = await connxioSession(target);
    const v = await createVariable(s, { name: uniqueName('env') });
    const res = await s.delete(`/api/v2/environmentvariables/${v.id}`);
    expectOperation(res, 'delete_environment_variable', 204);
    expectProblem(await s.get(`/v2/environmentvariables/${v.id}`), 'get_environment_variable', 400);
    expectProblem(await s.delete(`/v2/environmentvariables/${v.id}`), 'delete_environment_variable', 400);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = connxioReadOnly(target);

describe('list_environment_variables', () => {
  it("lists the company's environment variables (the demo's ErpBaseUrl)", async () => {
    const s = await ro.session();
    const res = await s.get('/v2/environmentvariables');
    expectOperation(res, 'list_environment_variables', 200);
    if (ro.twin) expect(ro.listOf(res).map((v) => v.name)).toEqual(['ErpBaseUrl']);
  });
});

describe('get_environment_variable', () => {
  it('reads the first listed environment variable by id, the same as in the list', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v2/environmentvariables');
    expectOperation(list, 'list_environment_variables', 200);
    const variable = ro.firstOf(ctx, ro.listOf(list), 'environment variable');
    const res = await s.get(`/v2/environmentvariables/${variable.id}`);
    expectOperation(res, 'get_environment_variable', 200);
    expect(res.body).toEqual(variable);
  });
});
