import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';

const target = await useTarget();

describe('accounts_create', () => {
  it('creates an account, wrapped in result.account, with the documented defaults', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('acct');
    const res = await s.post('/v1/accounts').send({ name, labels: ['tier:gold'] });
    expectOperation(res, 'accounts_create', 200);
    const account = res.body.result.account;
    s.defer(() => s.delete(`/v1/accounts/${account.id}`));
    expect(account).toMatchObject({ name, fullname: name, environment: 'prod', labels: ['tier:gold'] });
    const listed = await s.get('/v1/accounts').query({ filter: `name[eq]${name}` });
    expectOperation(listed, 'accounts_list', 200);
    expect(listed.body.result.map((a: { id: string }) => a.id)).toEqual([account.id]);
  });

  it('derives the name from the fullname', async () => {
    const s = await synqlySession(target);
    const suffix = uniqueName('x').slice(-6);
    const res = await s.post('/v1/accounts').send({ fullname: `Demo Tenant ${suffix}` });
    expectOperation(res, 'accounts_create', 200);
    s.defer(() => s.delete(`/v1/accounts/${res.body.result.account.id}`));
    expect(res.body.result.account.name).toBe(`demo-tenant-${suffix}`);
  });

  it('answers 409 for a duplicate name, ignoring case, and stores nothing', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('dup');
    const first = await s.post('/v1/accounts').send({ name });
    expectOperation(first, 'accounts_create', 200);
    s.defer(() => s.delete(`/v1/accounts/${first.body.result.account.id}`));
    const again = await s.post('/v1/accounts').send({ name, fullname: 'Other' });
    expectProblem(again, 'accounts_create', 409);
    const listed = await s.get('/v1/accounts').query({ filter: `name[eq]${name}`, total: true });
    expect(listed.body.total).toBe(1);
  });

  it('answers 400 for a body that breaks the schema, naming the field', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/accounts').send({ name: uniqueName('bad'), environment: 'staging' });
    expectProblem(res, 'accounts_create', 400);
    expect(res.body.context.parameter).toMatchObject({ id: '/environment', location: 'body' });
  });

  it('answers 400 for malformed JSON', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/accounts').set('content-type', 'application/json').send('{"name": "x",');
    expectProblem(res, 'accounts_create', 400);
  });

  it('answers 401 without a bearer token', async () => {
    const res = await target.synqly.post('/v1/accounts').send({ name: uniqueName('anon') });
    expectProblem(res, 'accounts_create', 401);
  });
});

describe('accounts_list', () => {
  it('filters, orders, pages with start_after and counts with total', async () => {
    const s = await synqlySession(target);
    const stem = uniqueName('page');
    const names = ['c', 'a', 'b'].map((x) => `${stem}-${x}`);
    for (const name of names) {
      const res = await s.post('/v1/accounts').send({ name, environment: name.endsWith('b') ? 'test' : 'prod' });
      expectOperation(res, 'accounts_create', 200);
      s.defer(() => s.delete(`/v1/accounts/${res.body.result.account.id}`));
    }
    const all = await s.get('/v1/accounts').query({ filter: `name[like]${stem}-%`, order: 'name[desc]', total: 'true' });
    expectOperation(all, 'accounts_list', 200);
    expect(all.body.result.map((a: { name: string }) => a.name)).toEqual([`${stem}-c`, `${stem}-b`, `${stem}-a`]);
    expect(all.body.total).toBe(3);

    const page1 = await s.get('/v1/accounts').query({ filter: `name[like]${stem}-%`, limit: 2 });
    expect(page1.body.result.map((a: { name: string }) => a.name)).toEqual([`${stem}-a`, `${stem}-b`]);
    expect(page1.body.total).toBeUndefined();
    const page2 = await s.get('/v1/accounts').query({ filter: `name[like]${stem}-%`, limit: 2, start_after: `${stem}-b` });
    expect(page2.body.result.map((a: { name: string }) => a.name)).toEqual([`${stem}-c`]);

    const both = await s.get(`/v1/accounts?filter=name[like]${stem}-%25&filter=environment[eq]test`);
    expect(both.body.result.map((a: { name: string }) => a.name)).toEqual([`${stem}-b`]);
  });

  it('answers 400 for an unknown filter field or operator, and for a bad order', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/accounts').query({ filter: 'colour[eq]red' }), 'accounts_list', 400);
    expectProblem(await s.get('/v1/accounts').query({ filter: 'name[resembles]x' }), 'accounts_list', 400);
    expectProblem(await s.get('/v1/accounts').query({ order: 'name[sideways]' }), 'accounts_list', 400);
    expectProblem(await s.get('/v1/accounts').query({ limit: 0 }), 'accounts_list', 400);
  });

  it('answers 401 for a malformed header and for an unknown token', async () => {
    expectProblem(await target.synqly.get('/v1/accounts').set('authorization', 'Token abc'), 'accounts_list', 401);
    expectProblem(await target.synqly.get('/v1/accounts').set('authorization', 'Bearer not-a-real-token'), 'accounts_list', 401);
  });

  it.runIf(target.capabilities.admin)('sees only its own organization (tenants are isolated)', async () => {
    const a = await synqlySession(target);
    const b = await synqlySession(target);
    const created = await a.post('/v1/accounts').send({ name: uniqueName('mine') });
    expectOperation(created, 'accounts_create', 200);
    const seenByB = await b.get('/v1/accounts');
    expectOperation(seenByB, 'accounts_list', 200);
    expect(seenByB.body.result).toEqual([]);
  });
});
