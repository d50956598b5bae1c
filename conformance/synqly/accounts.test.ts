import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newCredential, newIntegration } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

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
    // the JSON Pointer to the whole body is '' (RFC 6901)
    if (target.kind !== 'live') expect(res.body.context.parameter).toEqual({ id: '', location: 'body' });
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
    const limit = await s.get('/v1/accounts').query({ limit: 0 });
    expectProblem(limit, 'accounts_list', 400);
    if (target.kind !== 'live') expect(limit.body.context.parameter).toMatchObject({ id: 'limit', location: 'query' });
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

describe('accounts_get', () => {
  it('returns the account by id and by name', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { fullname: 'Acme Get' });
    for (const ref of [account.id, account.name]) {
      const res = await s.get(`/v1/accounts/${ref}`);
      expectOperation(res, 'accounts_get', 200);
      expect(res.body.result).toEqual(account);
    }
  });

  it('answers 404 for an unknown account', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/accounts/${uniqueName('ghost')}`), 'accounts_get', 404);
  });
});

describe('accounts_update', () => {
  it('replaces the writable fields and keeps the server-owned ones', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { labels: ['tier:gold'] });
    const name = uniqueName('renamed');
    const res = await s.put(`/v1/accounts/${account.id}`).send({ ...account, name, fullname: 'Renamed Account', environment: 'test', labels: ['tier:silver'] });
    expectOperation(res, 'accounts_update', 200);
    expect(res.body.result).toMatchObject({ id: account.id, name, fullname: 'Renamed Account', environment: 'test', labels: ['tier:silver'], organization_id: account.organization_id, created_at: account.created_at });
    const got = await s.get(`/v1/accounts/${name}`);
    expectOperation(got, 'accounts_get', 200);
    expect(got.body.result).toEqual(res.body.result);
  });

  it('answers 400 for a body missing required fields, and (twin) for an id other than the path\'s', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { fullname: _f, ...partial } = account;
    const missing = await s.put(`/v1/accounts/${account.id}`).send(partial);
    expectProblem(missing, 'accounts_update', 400);
    expect(missing.body.context.parameter).toMatchObject({ id: '/fullname', location: 'body' });
    if (target.kind !== 'live') {
      const other = await newAccount(s);
      const wrongId = await s.put(`/v1/accounts/${account.id}`).send({ ...account, id: other.id });
      expectProblem(wrongId, 'accounts_update', 400);
      expect(wrongId.body.context.parameter).toMatchObject({ id: '/id', location: 'body' });
      expectOperation(await s.get(`/v1/accounts/${account.id}`), 'accounts_get', 200);
    }
  });

  it('answers 409 for a name another account has, and 404 for an unknown account', async () => {
    const s = await synqlySession(target);
    const a = await newAccount(s);
    const b = await newAccount(s);
    expectProblem(await s.put(`/v1/accounts/${a.id}`).send({ ...a, name: b.name }), 'accounts_update', 409);
    expectProblem(await s.put(`/v1/accounts/${uniqueName('ghost')}`).send(a), 'accounts_update', 404);
  });
});

describe('accounts_patch', () => {
  it('applies a JSON Patch sent as application/json', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { labels: ['tier:gold'] });
    const res = await s.patch(`/v1/accounts/${account.id}`).send([
      { op: 'test', path: '/environment', value: 'prod' },
      { op: 'replace', path: '/fullname', value: 'Patched Account' },
      { op: 'add', path: '/labels/-', value: 'region:eu' },
    ]);
    expectOperation(res, 'accounts_patch', 200);
    expect(res.body.result).toMatchObject({ id: account.id, fullname: 'Patched Account', labels: ['tier:gold', 'region:eu'], created_at: account.created_at });
  });

  it.runIf(target.kind !== 'live')('answers 400 for read-only paths, 409 for a failing test, 400 for a result that breaks the schema; nothing stored', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    for (const path of ['/id', '/created_at', '/updated_at', '/organization_id']) {
      const res = await s.patch(`/v1/accounts/${account.id}`).send([{ op: 'replace', path, value: 'x' }]);
      expectProblem(res, 'accounts_patch', 400);
      expect(res.body.context.parameter).toMatchObject({ id: '/0/path', value: path });
    }
    const failedTest = await s.patch(`/v1/accounts/${account.id}`).send([{ op: 'replace', path: '/fullname', value: 'Changed' }, { op: 'test', path: '/environment', value: 'test' }]);
    expectProblem(failedTest, 'accounts_patch', 409);
    const invalid = await s.patch(`/v1/accounts/${account.id}`).send([{ op: 'replace', path: '/environment', value: 'staging' }]);
    expectProblem(invalid, 'accounts_patch', 400);
    expect(invalid.body.context.parameter).toMatchObject({ id: '/environment' });
    const removed = await s.patch(`/v1/accounts/${account.id}`).send([{ op: 'remove', path: '/fullname' }]);
    expectProblem(removed, 'accounts_patch', 400);
    // a body that is not a JSON Patch array: the pointer to the whole body is '' (RFC 6901)
    const notArray = await s.patch(`/v1/accounts/${account.id}`).send({ op: 'replace', path: '/fullname', value: 'x' });
    expectProblem(notArray, 'accounts_patch', 400);
    expect(notArray.body.context.parameter).toMatchObject({ id: '', location: 'body' });
    expect(notArray.body.cause[0].context.parameter).toMatchObject({ id: '', location: 'body' });
    const got = await s.get(`/v1/accounts/${account.id}`);
    expectOperation(got, 'accounts_get', 200);
    expect(got.body.result).toEqual(account);
  });

  it('answers 400 for a body that is not a patch document, and 404 for an unknown account', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.patch(`/v1/accounts/${account.id}`).send({ fullname: 'not a patch' }), 'accounts_patch', 400);
    expectProblem(await s.patch(`/v1/accounts/${uniqueName('ghost')}`).send([{ op: 'replace', path: '/fullname', value: 'x' }]), 'accounts_patch', 404);
  });
});

describe('accounts_delete', () => {
  it('deletes the account (204, empty body); it is gone afterwards', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const res = await s.delete(`/v1/accounts/${account.name}`);
    expectOperation(res, 'accounts_delete', 204);
    expect(res.text).toBe('');
    expectProblem(await s.get(`/v1/accounts/${account.id}`), 'accounts_get', 404);
    expectProblem(await s.delete(`/v1/accounts/${account.id}`), 'accounts_delete', 404);
  });

  it('takes the account\'s credentials and integrations along', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const credential = await newCredential(s, account.id);
    const { integration } = await newIntegration(s, account.id);
    expectOperation(await s.delete(`/v1/accounts/${account.id}`), 'accounts_delete', 204);
    expectProblem(await s.get(`/v1/credentials/lookup/${credential.id}`), 'credentials_lookup', 404);
    expectProblem(await s.get(`/v1/integrations/${account.id}/${integration.id}`), 'integrations_get', 404);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('accounts_list', () => {
  it('lists the accounts (the demo tenant has five), each valid against the spec', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/accounts').query({ total: 'true' });
    expectOperation(res, 'accounts_list', 200);
    expect(res.body.total).toBe(ro.items(res).length);
    if (ro.twin) expect(ro.items(res).length).toBe(5);
  });
});

describe('accounts_get', () => {
  it('reads the first listed account by id and by name', async (ctx) => {
    const s = await ro.session();
    const account = ro.firstOf(ctx, await ro.listAccounts(s), 'account', true);
    const byId = await s.get(`/v1/accounts/${account.id}`);
    expectOperation(byId, 'accounts_get', 200);
    expect(byId.body.result).toMatchObject({ id: account.id, name: account.name });
    const byName = await s.get(`/v1/accounts/${encodeURIComponent(account.name)}`);
    expectOperation(byName, 'accounts_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
