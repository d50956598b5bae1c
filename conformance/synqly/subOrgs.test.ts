import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twinOnly = target.kind !== 'live';

async function createSubOrg(s: SynqlySession, body: Record<string, unknown> = {}) {
  const res = await s.post('/v1/suborgs').send({ name: uniqueName('sub'), ...body });
  expectOperation(res, 'subOrgs_create', 200);
  s.defer(() => s.delete(`/v1/suborgs/${res.body.result.organization.id}`));
  return res.body.result as { organization: { id: string; name: string }; token: { access: { secret: string } }; member?: { id: string; name: string } };
}

describe('subOrgs_create', () => {
  it('creates an isolated organization with its own token', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('sub');
    const created = await createSubOrg(s, { name, fullname: 'Acme EMEA', contact: 'emea@example.com' });
    expect(created.organization).toMatchObject({ name, fullname: 'Acme EMEA', contact: 'emea@example.com' });
    if (twinOnly) expect(created.organization).toMatchObject({ organization_type: 'standard' });
    const own = await target.synqly.get('/v1/organization').set('authorization', `Bearer ${created.token.access.secret}`);
    expectOperation(own, 'organization_get', 200);
    expect(own.body.result.id).toBe(created.organization.id);
    // isolation: an account made in the sub-organization is not the parent's
    const acct = await target.synqly.post('/v1/accounts').set('authorization', `Bearer ${created.token.access.secret}`).send({ name: uniqueName('acct') });
    expectOperation(acct, 'accounts_create', 200);
    const parentAccounts = await s.get('/v1/accounts').query({ filter: `name[eq]${acct.body.result.account.name}` });
    expectOperation(parentAccounts, 'accounts_list', 200);
    expect(parentAccounts.body.result).toEqual([]);
  });

  it('creates the first member with a members_create body', async () => {
    const s = await synqlySession(target);
    const email = `${uniqueName('m')}@example.com`;
    const created = await createSubOrg(s, { member: { name: email, secret: 'l1ghthouse-m0rning-tea', role_binding: ['administrator'] } });
    expect(created.member).toMatchObject({ name: email, role_binding: ['administrator'] });
    expect(created.member).not.toHaveProperty('secret');
    const members = await target.synqly.get('/v1/members').set('authorization', `Bearer ${created.token.access.secret}`);
    expectOperation(members, 'members_list', 200);
    expect(members.body.result.map((m: { name: string }) => m.name)).toContain(email);
  });

  it('answers 409 for a name in use and 400 for an invalid member, creating nothing', async () => {
    const s = await synqlySession(target);
    const first = await createSubOrg(s);
    expectProblem(await s.post('/v1/suborgs').send({ name: first.organization.name }), 'subOrgs_create', 409);
    const name = uniqueName('sub');
    const badMember = await s.post('/v1/suborgs').send({ name, member: { name: 'not-an-email', secret: 'l1ghthouse-m0rning-tea' } });
    expectProblem(badMember, 'subOrgs_create', 400);
    if (twinOnly) expect(badMember.body.context.parameter.id).toBe('/member/name');
    const list = await s.get('/v1/suborgs');
    expectOperation(list, 'subOrgs_list', 200);
    expect(list.body.result.map((o: { name: string }) => o.name)).not.toContain(name);
  });
});

describe('subOrgs_create by a restricted caller', () => {
  it('answers 403, creating nothing: the new organization\'s administrator token would exceed the caller\'s rights', async () => {
    const s = await synqlySession(target);
    const acct = await s.post('/v1/accounts').send({ name: uniqueName('acct') });
    expectOperation(acct, 'accounts_create', 200);
    s.defer(() => s.delete(`/v1/accounts/${acct.body.result.account.id}`));
    const restricted = await s.post('/v1/tokens').send({ name: uniqueName('tok'), permission_set: 'administrator', resources: { accounts: { ids: [acct.body.result.account.id] } }, token_ttl: '1h' });
    expectOperation(restricted, 'tokens_create_token', 200);
    s.defer(() => s.delete(`/v1/tokens/${restricted.body.result.id}`));
    const name = uniqueName('sub');
    const refused = await target.synqly.post('/v1/suborgs').set('authorization', `Bearer ${restricted.body.result.primary.access.secret}`).send({ name });
    expectProblem(refused, 'subOrgs_create', 403);
    const list = await s.get('/v1/suborgs');
    expectOperation(list, 'subOrgs_list', 200);
    expect(list.body.result.map((o: { name: string }) => o.name)).not.toContain(name);
  });
});

describe('subOrgs_list', () => {
  it('lists the sub-organizations of the caller only', async () => {
    const s = await synqlySession(target);
    const a = await createSubOrg(s);
    const b = await createSubOrg(s);
    const list = await s.get('/v1/suborgs');
    expectOperation(list, 'subOrgs_list', 200);
    const ids = list.body.result.map((o: { id: string }) => o.id);
    expect(ids).toEqual(expect.arrayContaining([a.organization.id, b.organization.id]));
    // the sub-organization sees none of its siblings
    const fromA = await target.synqly.get('/v1/suborgs').set('authorization', `Bearer ${a.token.access.secret}`);
    expectOperation(fromA, 'subOrgs_list', 200);
    expect(fromA.body.result).toEqual([]);
  });

  it('answers 401 without a token', async () => {
    expectProblem(await target.synqly.get('/v1/suborgs'), 'subOrgs_list', 401);
  });
});

describe('subOrgs_get', () => {
  it('reads a sub-organization by id and by name', async () => {
    const s = await synqlySession(target);
    const created = await createSubOrg(s);
    const byId = await s.get(`/v1/suborgs/${created.organization.id}`);
    expectOperation(byId, 'subOrgs_get', 200);
    expect(byId.body.result.name).toBe(created.organization.name);
    const byName = await s.get(`/v1/suborgs/${created.organization.name}`);
    expectOperation(byName, 'subOrgs_get', 200);
    expect(byName.body.result.id).toBe(created.organization.id);
  });

  it('answers 404 for an unknown id and for an organization that is not a sub-organization of the caller', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/suborgs/00000000-0000-4000-8000-000000000000'), 'subOrgs_get', 404);
    const created = await createSubOrg(s);
    // the sub-organization cannot read its parent, nor itself, as a sub-organization
    const parentId = (await s.get('/v1/organization')).body.result.id as string;
    const up = await target.synqly.get(`/v1/suborgs/${parentId}`).set('authorization', `Bearer ${created.token.access.secret}`);
    expectProblem(up, 'subOrgs_get', 404);
  });

  it.runIf(target.capabilities.admin)('is invisible to another organization', async () => {
    const a = await synqlySession(target);
    const b = await synqlySession(target);
    const created = await createSubOrg(a);
    expectProblem(await b.get(`/v1/suborgs/${created.organization.id}`), 'subOrgs_get', 404);
    expectProblem(await b.delete(`/v1/suborgs/${created.organization.id}`), 'subOrgs_delete', 404);
  });
});

describe('subOrgs_delete', () => {
  it('deletes the whole sub-organization: it is gone and its token stops working', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/suborgs').send({ name: uniqueName('sub') });
    expectOperation(res, 'subOrgs_create', 200);
    const { organization, token } = res.body.result;
    const del = await s.delete(`/v1/suborgs/${organization.id}`);
    expectOperation(del, 'subOrgs_delete', 204);
    expectProblem(await s.get(`/v1/suborgs/${organization.id}`), 'subOrgs_get', 404);
    expectProblem(await target.synqly.get('/v1/organization').set('authorization', `Bearer ${token.access.secret}`), 'organization_get', 401);
  });

  it('answers 404 for an unknown sub-organization', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.delete(`/v1/suborgs/${uniqueName('ghost')}`), 'subOrgs_delete', 404);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('subOrgs_list', () => {
  it('lists the sub-organizations', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/suborgs');
    expectOperation(res, 'subOrgs_list', 200);
    if (ro.twin) expect(ro.items(res)).toEqual([]);
  });
});

describe('subOrgs_get', () => {
  it('reads the first listed sub-organization by id and by name', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/suborgs');
    expectOperation(list, 'subOrgs_list', 200);
    // the demo tenant has no sub-organization (making one needs a write)
    const org = ro.firstOf(ctx, ro.items(list), 'sub-organization', false);
    const byId = await s.get(`/v1/suborgs/${org.id}`);
    expectOperation(byId, 'subOrgs_get', 200);
    expect(byId.body.result).toMatchObject({ id: org.id, name: org.name });
    const byName = await s.get(`/v1/suborgs/${encodeURIComponent(org.name)}`);
    expectOperation(byName, 'subOrgs_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
