import { afterEach, describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';

/**
 * Response stubs through the control API (twin only): matching by operation and each predicate
 * kind, times, priority, envelopes, the spec check, near misses, the journal, auth before stubs.
 * Stubs are global to a twin: every test clears them; most name their session's tenant.
 */

const target = await useTarget();
const admin = target.admin;

async function addStub(stub: Record<string, unknown>): Promise<{ id: string; operationId: string; matched: number; times?: number; seq: number }> {
  const res = await admin.post('/__admin/stubs').send(stub);
  expectOperation(res, 'admin_stubs_create', 201);
  return res.body;
}

async function accountOf(s: SynqlySession, fullname: string): Promise<Record<string, unknown>> {
  const res = await s.post('/v1/accounts').send({ fullname });
  expectOperation(res, 'accounts_create', 200);
  const account = res.body.result.account as Record<string, unknown>;
  s.defer(() => s.delete(`/v1/accounts/${String(account.id)}`));
  return account;
}

describe.runIf(target.capabilities.admin)('stubs', () => {
  afterEach(async () => {
    await admin.delete('/__admin/stubs');
  });

  it('answers a matching request instead of the handler, wrapped in the Synqly envelope; the journal names the stub; no state changes', async () => {
    const s = await synqlySession(target);
    const account = await accountOf(s, 'Real Name');
    const stub = await addStub({
      name: 'renamed account',
      vendor: 'synqly',
      operationId: 'accounts_get',
      tenant: s.organizationId,
      request: { params: { accountId: { equals: account.id } } },
      response: { status: 200, body: { ...account, fullname: 'Stubbed Name' }, envelope: true },
    });
    const res = await s.get(`/v1/accounts/${String(account.id)}`);
    expectOperation(res, 'accounts_get', 200);
    expect(res.body.result.fullname).toBe('Stubbed Name');
    const journal = await admin.get('/__admin/requests').query({ operationId: 'accounts_get', limit: 1 });
    expect(journal.body.requests[0].stub).toEqual({ id: stub.id, name: 'renamed account' });
    // the stored account is untouched: the list (not stubbed) still says the real name
    const list = await s.get('/v1/accounts');
    expect(list.body.result.map((a: { fullname: string }) => a.fullname)).toEqual(['Real Name']);
    const got = await admin.get(`/__admin/stubs/${stub.id}`);
    expectOperation(got, 'admin_stubs_get', 200);
    expect(got.body.matched).toBe(1);
  });

  it('a request no predicate admits reaches the handler, and its near misses say which predicate failed', async () => {
    const s = await synqlySession(target);
    const a = await accountOf(s, 'First');
    const b = await accountOf(s, 'Second');
    const stub = await addStub({ vendor: 'synqly', operationId: 'accounts_get', tenant: s.organizationId, request: { params: { accountId: { equals: a.id } } }, response: { status: 200, body: { ...a, fullname: 'Stubbed' }, envelope: true } });
    const res = await s.get(`/v1/accounts/${String(b.id)}`);
    expectOperation(res, 'accounts_get', 200);
    expect(res.body.result.fullname).toBe('Second');
    const misses = await admin.get('/__admin/stubs/near-misses').query({ operationId: 'accounts_get' });
    expectOperation(misses, 'admin_stubs_near_misses', 200);
    expect(misses.body.nearMisses[0]).toMatchObject({ operationId: 'accounts_get', path: `/v1/accounts/${String(b.id)}`, misses: [{ stubId: stub.id, failed: [`params.accountId equals ${JSON.stringify(a.id)}`] }] });
  });

  it('matches query, headers and the body: equals, regex, partial, JSONPath, presence', async () => {
    const s = await synqlySession(target);
    const list = (body: unknown) => ({ status: 200, body, envelope: true, headers: { 'x-stub': 'yes' } });
    const q = await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, request: { query: { limit: { equals: 5 }, filter: { matches: '^fullname\\[eq\\]' } } }, response: list([]) });
    expect((await s.get('/v1/accounts').query({ limit: 5 })).headers['x-stub']).toBeUndefined();
    expect((await s.get('/v1/accounts').query({ limit: 5, filter: 'fullname[eq]x' })).headers['x-stub']).toBe('yes');
    await admin.delete(`/__admin/stubs/${q.id}`).expect(204);

    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, request: { headers: { 'X-Trace': { present: true } } }, response: list([]) });
    expect((await s.get('/v1/accounts')).headers['x-stub']).toBeUndefined();
    expect((await s.get('/v1/accounts').set('x-trace', '1')).headers['x-stub']).toBe('yes');
    await admin.delete('/__admin/stubs').expect(204);

    const created = { status: 200, envelope: true, body: { stubbed: true } };
    await addStub({ vendor: 'synqly', operationId: 'accounts_create', tenant: s.organizationId, priority: 3, unchecked: true, request: { body: [{ equals: { fullname: 'Exact' } }] }, response: { ...created, body: { rule: 'equals' } } });
    await addStub({ vendor: 'synqly', operationId: 'accounts_create', tenant: s.organizationId, priority: 2, unchecked: true, request: { body: [{ partial: { labels: ['gold'] } }] }, response: { ...created, body: { rule: 'partial' } } });
    await addStub({ vendor: 'synqly', operationId: 'accounts_create', tenant: s.organizationId, priority: 1, unchecked: true, request: { body: [{ path: '$.fullname', matches: '^Acme ' }] }, response: { ...created, body: { rule: 'jsonpath' } } });
    const create = (body: object) => s.post('/v1/accounts').send(body);
    expect((await create({ fullname: 'Exact' })).body).toEqual({ result: { rule: 'equals' } });
    expect((await create({ fullname: 'Other', labels: ['silver', 'gold'] })).body).toEqual({ result: { rule: 'partial' } });
    expect((await create({ fullname: 'Acme Corp' })).body).toEqual({ result: { rule: 'jsonpath' } });
    const real = await create({ fullname: 'Nobody Matches' });
    expectOperation(real, 'accounts_create', 200);
    expect(real.body.result.account.fullname).toBe('Nobody Matches');
  });

  it('times: used up, then the twin answers again; priority beats age, age breaks ties', async () => {
    const s = await synqlySession(target);
    const answer = (tag: string) => ({ status: 200, body: [], envelope: true, headers: { 'x-stub': tag } });
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, times: 2, response: answer('twice') });
    expect((await s.get('/v1/accounts')).headers['x-stub']).toBe('twice');
    expect((await s.get('/v1/accounts')).headers['x-stub']).toBe('twice');
    expect((await s.get('/v1/accounts')).headers['x-stub']).toBeUndefined();
    expect((await admin.get('/__admin/stubs')).body.stubs).toEqual([]);

    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, priority: 5, response: answer('high') });
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, response: answer('low-newer') });
    expect((await s.get('/v1/accounts')).headers['x-stub']).toBe('high');
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, priority: 5, response: answer('high-newer') });
    expect((await s.get('/v1/accounts')).headers['x-stub']).toBe('high-newer');
    const listed = await admin.get('/__admin/stubs');
    expectOperation(listed, 'admin_stubs_list', 200);
    expect(listed.body.stubs.map((x: { response: { headers: Record<string, string> } }) => x.response.headers['x-stub'])).toEqual(['high-newer', 'high', 'low-newer']);
  });

  it('error envelopes: a Synqly Problem and a Connxio ProblemDetails with the stub message', async () => {
    const s = await synqlySession(target);
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, response: { status: 403, body: 'stubbed refusal', envelope: true } });
    const res = await s.get('/v1/accounts');
    expectProblem(res, 'accounts_list', 403);
    expect(res.body.message).toBe('stubbed refusal');

    const c = await connxioSession(target);
    await addStub({ vendor: 'connxio', operationId: 'get_current_subscription', tenant: c.companyId, response: { status: 403, body: { message: 'stubbed: no access' }, envelope: true } });
    const cres = await c.get('/v2/subscriptions/current');
    expectProblem(cres, 'get_current_subscription', 403);
    expect(cres.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('a stub for one tenant leaves the others alone', async () => {
    const mine = await synqlySession(target);
    const other = await synqlySession(target);
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: mine.organizationId, response: { status: 200, body: [], envelope: true, headers: { 'x-stub': 'mine' } } });
    expect((await mine.get('/v1/accounts')).headers['x-stub']).toBe('mine');
    expect((await other.get('/v1/accounts')).headers['x-stub']).toBeUndefined();
  });

  it('never lets an unauthenticated request through, unless created to match before auth', async () => {
    const s = await synqlySession(target);
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', response: { status: 200, body: [], envelope: true } });
    expectProblem(await s.raw.get('/v1/accounts'), 'accounts_list', 401);
    expectProblem(await s.raw.get('/v1/accounts').set('authorization', 'Bearer not-a-token'), 'accounts_list', 401);
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', beforeAuth: true, request: { headers: { 'x-open': { equals: 'yes' } } }, response: { status: 200, body: [], envelope: true } });
    expectProblem(await s.raw.get('/v1/accounts'), 'accounts_list', 401);
    const open = await s.raw.get('/v1/accounts').set('x-open', 'yes');
    expectOperation(open, 'accounts_list', 200);
    expect(open.body).toEqual({ result: [] });
  });

  it('refuses a stub whose body violates the spec (listing the violations) unless it is unchecked', async () => {
    const bad = await admin.post('/__admin/stubs').send({ vendor: 'synqly', operationId: 'accounts_get', response: { status: 200, body: { fullname: 42 }, envelope: true } });
    expectProblem(bad, 'admin_stubs_create', 400);
    expect(bad.body.detail).toMatch(/not what accounts_get answers with status 200/);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/response/body/result/fullname', '/response/body/result/id']));
    const undeclared = await admin.post('/__admin/stubs').send({ vendor: 'synqly', operationId: 'accounts_get', response: { status: 302 } });
    expectProblem(undeclared, 'admin_stubs_create', 400);
    await addStub({ vendor: 'synqly', operationId: 'accounts_get', unchecked: true, response: { status: 200, body: { fullname: 42 }, envelope: true } });
  });

  it('refuses an unknown operationId with close matches, an unknown path template, a bad regex or JSONPath', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ vendor: 'synqly', operationId: 'acounts_get', response: { status: 200 } }, /unknown synqly operationId acounts_get \(did you mean accounts_get/],
      [{ vendor: 'connxio', method: 'GET', path: '/v2/subscription/current', response: { status: 200 } }, /no connxio operation GET \/v2\/subscription\/current \(spec paths close to it: \/v2\/subscriptions\/current/],
      [{ vendor: 'synqly', response: { status: 200 } }, /names an operationId, or a method and a path template/],
      [{ vendor: 'synqly', operationId: 'accounts_list', unchecked: true, request: { query: { limit: { matches: '(' } } }, response: { status: 200 } }, /limit: matches is not a valid regular expression/],
      [{ vendor: 'synqly', operationId: 'accounts_list', unchecked: true, request: { body: [{ path: 'fullname', equals: 1 }] }, response: { status: 200 } }, /a JSONPath starts with \$/],
      [{ vendor: 'synqly', operationId: 'accounts_get', unchecked: true, request: { params: { account: { equals: 1 } } }, response: { status: 200 } }, /accounts_get has no path parameter account \(it has: accountId\)/],
      [{ vendor: 'synqly', operationId: 'accounts_get', beforeAuth: true, tenant: 'x', unchecked: true, response: { status: 200 } }, /before auth cannot name a tenant/],
    ];
    for (const [stub, says] of cases) {
      const res = await admin.post('/__admin/stubs').send(stub);
      expectProblem(res, 'admin_stubs_create', 400);
      expect(res.body.detail).toMatch(says);
    }
    expect((await admin.get('/__admin/stubs')).body.stubs).toEqual([]);
  });

  it('a method and path template target the operation they name', async () => {
    const c = await connxioSession(target);
    const stub = await addStub({ vendor: 'connxio', method: 'get', path: '/v2/subscriptions/current', tenant: c.companyId, unchecked: true, response: { status: 200, body: { stubbed: true } } });
    expect(stub.operationId).toBe('get_current_subscription');
    const res = await c.get('/api/v2/subscriptions/current');
    expect(res.body).toEqual({ stubbed: true });
  });

  it('a tenant reset removes its stubs; delete and clear remove them too', async () => {
    const s = await synqlySession(target);
    const kept = await addStub({ vendor: 'synqly', operationId: 'accounts_list', response: { status: 200, body: [], envelope: true } });
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', tenant: s.organizationId, response: { status: 200, body: [], envelope: true } });
    expect((await admin.post(`/__admin/tenants/${s.tenantId}/reset`)).status).toBe(200);
    expect((await admin.get('/__admin/stubs')).body.stubs.map((x: { id: string }) => x.id)).toEqual([kept.id]);
    expectOperation(await admin.delete(`/__admin/stubs/${kept.id}`), 'admin_stubs_delete', 204);
    expectProblem(await admin.get(`/__admin/stubs/${kept.id}`), 'admin_stubs_get', 404);
    await addStub({ vendor: 'synqly', operationId: 'accounts_list', response: { status: 200, body: [], envelope: true } });
    expectOperation(await admin.delete('/__admin/stubs'), 'admin_stubs_clear', 204);
    expect((await admin.get('/__admin/stubs')).body.stubs).toEqual([]);
  });
});
