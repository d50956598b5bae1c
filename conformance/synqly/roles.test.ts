import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, synqlyAs, type SynqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twinOnly = target.kind !== 'live';

async function createRole(s: SynqlySession, body: Record<string, unknown> = {}) {
  const res = await s.post('/v1/roles').send({ name: uniqueName('role'), permission_set: 'viewer', ...body });
  expectOperation(res, 'roles_create', 200);
  s.defer(() => s.delete(`/v1/roles/${res.body.result.id}`));
  return res.body.result as Record<string, unknown> & { id: string; name: string; created_at: string };
}

async function createAccount(s: SynqlySession, body: Record<string, unknown> = {}) {
  const res = await s.post('/v1/accounts').send({ name: uniqueName('acct'), ...body });
  expectOperation(res, 'accounts_create', 200);
  s.defer(() => s.delete(`/v1/accounts/${res.body.result.account.id}`));
  return res.body.result.account as { id: string; name: string };
}

describe('roles_create', () => {
  it('creates a role restricted to one account (the result is the role itself)', async () => {
    const s = await synqlySession(target);
    const account = await createAccount(s);
    const role = await createRole(s, { fullname: 'Prod admins', permission_set: 'administrator', description: 'admins of one account', resources: { accounts: { ids: [account.id] } } });
    expect(role).toMatchObject({ fullname: 'Prod admins', permission_set: 'administrator', description: 'admins of one account', resources: { accounts: { ids: [account.id] } } });
  });

  it('answers 400 for an unknown permission set and 409 for a duplicate name', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.post('/v1/roles').send({ name: uniqueName('role'), permission_set: 'superuser' }), 'roles_create', 400);
    const role = await createRole(s);
    expectProblem(await s.post('/v1/roles').send({ name: role.name, permission_set: 'viewer' }), 'roles_create', 409);
  });

  it.runIf(twinOnly)('checks the resource restriction against the permission set and the organization (twin rules)', async () => {
    const s = await synqlySession(target);
    const memberRestricted = await s.post('/v1/roles').send({ name: uniqueName('role'), permission_set: 'member', resources: { accounts: { ids: ['*'] } } });
    expectProblem(memberRestricted, 'roles_create', 400);
    expect(memberRestricted.body.context.parameter.id).toBe('/resources/accounts');
    const ghost = await s.post('/v1/roles').send({ name: uniqueName('role'), permission_set: 'viewer', resources: { accounts: { ids: ['no-such-account'] } } });
    expectProblem(ghost, 'roles_create', 404);
    expectProblem(await s.post('/v1/roles').send({ name: 'administrator', permission_set: 'viewer' }), 'roles_create', 409);
  });
});

describe('roles_create integration categories (RestrictionCategoryId)', () => {
  it('takes "*" or connector categories in resources.integrations.categories, and nothing else', async () => {
    const s = await synqlySession(target);
    const all = await createRole(s, { permission_set: 'viewer', resources: { integrations: { categories: ['*'] } } });
    expect(all.resources).toEqual({ integrations: { categories: ['*'] } });
    const some = await createRole(s, { permission_set: 'viewer', resources: { integrations: { categories: ['siem', 'ticketing'] } } });
    expect(some.resources).toEqual({ integrations: { categories: ['siem', 'ticketing'] } });
    const bad = await s.post('/v1/roles').send({ name: uniqueName('role'), permission_set: 'viewer', resources: { integrations: { categories: ['everything'] } } });
    expectProblem(bad, 'roles_create', 400);
    expect(bad.body.context.parameter).toMatchObject({ id: '/resources/integrations/categories/0', location: 'body' });
  });
});

describe('roles_list', () => {
  it('lists, filters and orders roles', async () => {
    const s = await synqlySession(target);
    const stem = uniqueName('rl');
    await createRole(s, { name: `${stem}-b`, permission_set: 'viewer' });
    await createRole(s, { name: `${stem}-a`, permission_set: 'account-manager' });
    const all = await s.get('/v1/roles').query({ filter: `name[like]${stem}-%`, order: 'name[desc]' });
    expectOperation(all, 'roles_list', 200);
    expect(all.body.result.map((r: { name: string }) => r.name)).toEqual([`${stem}-b`, `${stem}-a`]);
    const managers = await s.get(`/v1/roles?filter=name[like]${stem}-%25&filter=permission_set[eq]account-manager`);
    expectOperation(managers, 'roles_list', 200);
    expect(managers.body.result.map((r: { name: string }) => r.name)).toEqual([`${stem}-a`]);
  });

  it('answers 400 for an unknown filter field', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/roles').query({ filter: 'colour[eq]red' }), 'roles_list', 400);
  });
});

describe('roles_get', () => {
  it('reads a role by id and by name', async () => {
    const s = await synqlySession(target);
    const role = await createRole(s);
    const byId = await s.get(`/v1/roles/${role.id}`);
    expectOperation(byId, 'roles_get', 200);
    expect(byId.body.result).toEqual(role);
    const byName = await s.get(`/v1/roles/${role.name}`);
    expectOperation(byName, 'roles_get', 200);
    expect(byName.body.result.id).toBe(role.id);
  });

  it('answers 404 for an unknown role', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/roles/${uniqueName('ghost')}`), 'roles_get', 404);
  });
});

describe('roles_update', () => {
  it('replaces the writable fields', async () => {
    const s = await synqlySession(target);
    const role = await createRole(s, { description: 'before' });
    const { description: _d, ...rest } = role;
    const res = await s.put(`/v1/roles/${role.id}`).send({ ...rest, fullname: 'Renamed', permission_set: 'account-manager', resources: { integrations: { categories: ['siem'] } } });
    expectOperation(res, 'roles_update', 200);
    expect(res.body.result).toMatchObject({ id: role.id, fullname: 'Renamed', permission_set: 'account-manager', resources: { integrations: { categories: ['siem'] } } });
    expect(res.body.result).not.toHaveProperty('description');
    if (twinOnly) expect(res.body.result.created_at).toBe(role.created_at);
  });

  it('answers 400 for a body without permission_set and 404 for an unknown role', async () => {
    const s = await synqlySession(target);
    const role = await createRole(s);
    const { permission_set: _p, ...rest } = role;
    expectProblem(await s.put(`/v1/roles/${role.id}`).send(rest), 'roles_update', 400);
    expectProblem(await s.put(`/v1/roles/${uniqueName('ghost')}`).send(role), 'roles_update', 404);
  });
});

describe('roles_patch', () => {
  it('applies a JSON Patch', async () => {
    const s = await synqlySession(target);
    const role = await createRole(s);
    const res = await s.patch(`/v1/roles/${role.name}`).send([
      { op: 'replace', path: '/permission_set', value: 'connect-ui' },
      { op: 'add', path: '/description', value: 'Connect UI sessions' },
    ]);
    expectOperation(res, 'roles_patch', 200);
    expect(res.body.result).toMatchObject({ id: role.id, permission_set: 'connect-ui', description: 'Connect UI sessions' });
  });

  it('answers 400 when the result breaks the schema, and 409 for a failing test', async () => {
    const s = await synqlySession(target);
    const role = await createRole(s);
    expectProblem(await s.patch(`/v1/roles/${role.id}`).send([{ op: 'replace', path: '/permission_set', value: 'root' }]), 'roles_patch', 400);
    expectProblem(await s.patch(`/v1/roles/${role.id}`).send([{ op: 'test', path: '/permission_set', value: 'administrator' }]), 'roles_patch', 409);
    const after = await s.get(`/v1/roles/${role.id}`);
    expect(after.body.result.permission_set).toBe('viewer');
  });
});

describe('roles_delete', () => {
  it('deletes a role', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/roles').send({ name: uniqueName('role'), permission_set: 'viewer' });
    expectOperation(res, 'roles_create', 200);
    expectOperation(await s.delete(`/v1/roles/${res.body.result.id}`), 'roles_delete', 204);
    expectProblem(await s.get(`/v1/roles/${res.body.result.id}`), 'roles_get', 404);
  });

  it('answers 404 for an unknown role', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.delete(`/v1/roles/${uniqueName('ghost')}`), 'roles_delete', 404);
  });

  it.runIf(twinOnly)('answers 409 while a member is bound to the role, and deletes it once unbound', async () => {
    const s = await synqlySession(target);
    const role = await createRole(s);
    const member = await s.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: 'l1ghthouse-m0rning-tea', role_binding: [role.name] });
    expectOperation(member, 'members_create', 200);
    const m = member.body.result.member;
    s.defer(() => s.delete(`/v1/members/${m.id}`));
    const refused = await s.delete(`/v1/roles/${role.id}`);
    expectProblem(refused, 'roles_delete', 409);
    expectOperation(await s.get(`/v1/roles/${role.id}`), 'roles_get', 200);
    const unbound = await s.patch(`/v1/members/${m.id}`).send([{ op: 'replace', path: '/role_binding', value: ['member'] }]);
    expectOperation(unbound, 'members_patch', 200);
    expectOperation(await s.delete(`/v1/roles/${role.id}`), 'roles_delete', 204);
  });
});

describe('a restricted administrator may not widen roles (roles_create, roles_update, roles_patch, roles_delete)', () => {
  const SECRET = 'c0rrect-h0rse-battery';

  /** a member of role adm-<acme> (administrator limited to account acme), logged on */
  async function restrictedAdmin() {
    const s = await synqlySession(target);
    const acme = await createAccount(s);
    const other = await createAccount(s);
    const role = await createRole(s, { permission_set: 'administrator', resources: { accounts: { ids: [acme.id] } } });
    const m = await s.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: SECRET, role_binding: [role.name] });
    expectOperation(m, 'members_create', 200);
    s.defer(() => s.delete(`/v1/members/${m.body.result.member.id}`));
    const org = s.organizationId ?? (await s.get('/v1/organization')).body.result.id;
    const logon = await target.synqly.post(`/v1/auth/logon/${org}`).send({ name: m.body.result.member.name, secret: SECRET });
    expectOperation(logon, 'auth_logon', 200);
    return { s, acme, other, role, member: m.body.result.member, admin: synqlyAs(target, logon.body.result.token.access.secret) };
  }

  it.runIf(twinOnly)('may not lift its own role\'s restriction (roles_patch, roles_update: 403, role unchanged)', async () => {
    const { s, other, role, admin } = await restrictedAdmin();
    expectProblem(await admin.get(`/v1/accounts/${other.id}`), 'accounts_get', 403);
    const lifted = await admin.patch(`/v1/roles/${role.name}`).send([{ op: 'remove', path: '/resources' }]);
    expectProblem(lifted, 'roles_patch', 403);
    expect(lifted.body.message).toContain('grants more than the calling token has');
    expectProblem(await admin.patch(`/v1/roles/${role.name}`).send([{ op: 'add', path: '/resources/accounts/ids/-', value: other.id }]), 'roles_patch', 403);
    expectProblem(await admin.put(`/v1/roles/${role.id}`).send({ ...role, resources: { accounts: { ids: ['*'] } } }), 'roles_update', 403);
    expect((await s.get(`/v1/roles/${role.id}`)).body.result).toEqual(role);
    expectProblem(await admin.get(`/v1/accounts/${other.id}`), 'accounts_get', 403);
    // a change that keeps the role within its rights is fine
    const described = await admin.patch(`/v1/roles/${role.name}`).send([{ op: 'add', path: '/description', value: 'acme admins' }]);
    expectOperation(described, 'roles_patch', 200);
    expect(described.body.result.resources).toEqual(role.resources);
  });

  it.runIf(twinOnly)('may create only roles within its rights, and may not change or delete wider ones', async () => {
    const { s, acme, admin } = await restrictedAdmin();
    const stem = uniqueName('esc');
    const wide = await admin.post('/v1/roles').send({ name: `${stem}-role`, permission_set: 'administrator' });
    expectProblem(wide, 'roles_create', 403);
    expectProblem(await admin.post('/v1/roles').send({ name: `${stem}-viewer`, permission_set: 'viewer' }), 'roles_create', 403);
    expect((await s.get('/v1/roles').query({ filter: `name[like]${stem}-%` })).body.result).toEqual([]);
    const narrow = await admin.post('/v1/roles').send({ name: `${stem}-acme-viewer`, permission_set: 'viewer', resources: { accounts: { ids: [acme.id] } } });
    expectOperation(narrow, 'roles_create', 200);
    s.defer(() => s.delete(`/v1/roles/${narrow.body.result.id}`));

    const global = await createRole(s, { permission_set: 'viewer' });
    expectProblem(await admin.patch(`/v1/roles/${global.id}`).send([{ op: 'add', path: '/resources', value: { accounts: { ids: [acme.id] } } }]), 'roles_patch', 403);
    expectProblem(await admin.delete(`/v1/roles/${global.id}`), 'roles_delete', 403);
    expect((await s.get(`/v1/roles/${global.id}`)).body.result).toEqual(global);
  });
});

describe('role resources name accounts and organizations by id', () => {
  it.runIf(twinOnly)('resolves an account name to its id, so renaming the account keeps the restriction', async () => {
    const s = await synqlySession(target);
    const acme = await createAccount(s);
    const role = await createRole(s, { permission_set: 'viewer', resources: { accounts: { ids: [acme.name] } } });
    expect(role.resources).toEqual({ accounts: { ids: [acme.id] } });
    expectOperation(await s.patch(`/v1/accounts/${acme.id}`).send([{ op: 'replace', path: '/name', value: `${acme.name}-2` }]), 'accounts_patch', 200);
    expect((await s.get(`/v1/roles/${role.id}`)).body.result.resources).toEqual({ accounts: { ids: [acme.id] } });
    // updates resolve too; an unknown name is 404 and nothing changes
    const other = await createAccount(s);
    const patched = await s.patch(`/v1/roles/${role.id}`).send([{ op: 'add', path: '/resources/accounts/ids/-', value: other.name }]);
    expectOperation(patched, 'roles_patch', 200);
    expect(patched.body.result.resources).toEqual({ accounts: { ids: [acme.id, other.id] } });
    expectProblem(await s.patch(`/v1/roles/${role.id}`).send([{ op: 'add', path: '/resources/accounts/ids/-', value: 'nosuch' }]), 'roles_patch', 404);
    // the organization itself, by name
    const org = (await s.get('/v1/organization')).body.result;
    const orgRole = await createRole(s, { permission_set: 'viewer', resources: { organizations: { ids: [org.name] } } });
    expect(orgRole.resources).toEqual({ organizations: { ids: [org.id] } });
  });

  it.runIf(twinOnly)('a role stays editable after one of its accounts is deleted', async () => {
    const s = await synqlySession(target);
    const gone = await s.post('/v1/accounts').send({ name: uniqueName('gone') });
    const goneId = gone.body.result.account.id;
    const role = await createRole(s, { permission_set: 'viewer', resources: { accounts: { ids: [goneId] } } });
    expectOperation(await s.delete(`/v1/accounts/${goneId}`), 'accounts_delete', 204);
    const edited = await s.patch(`/v1/roles/${role.id}`).send([{ op: 'add', path: '/description', value: 'still here' }]);
    expectOperation(edited, 'roles_patch', 200);
    expect(edited.body.result.resources).toEqual({ accounts: { ids: [goneId] } });
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('roles_list', () => {
  it('lists the roles (the demo tenant has a viewer role on its test account)', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/roles');
    expectOperation(res, 'roles_list', 200);
    if (ro.twin) expect(ro.items(res).some((r) => r.name.endsWith('-test-viewer'))).toBe(true);
  });
});

describe('roles_get', () => {
  it('reads the first listed role by id and by name', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/roles');
    expectOperation(list, 'roles_list', 200);
    const role = ro.firstOf(ctx, ro.items(list), 'role', true);
    const byId = await s.get(`/v1/roles/${role.id}`);
    expectOperation(byId, 'roles_get', 200);
    expect(byId.body.result).toMatchObject({ id: role.id, name: role.name });
    const byName = await s.get(`/v1/roles/${encodeURIComponent(role.name)}`);
    expectOperation(byName, 'roles_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
