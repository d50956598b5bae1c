import { describe, expect, it } from 'vitest';
import { apiError } from '../model-testing.ts';
import { createRandom } from '../../core/random.ts';
import { Store } from '../../core/store/store.ts';
import { createAccount } from '../accounts/model.ts';
import { createMember } from '../members/model.ts';
import { createOrganization } from '../organization/model.ts';
import { orgState, type RoleRecord } from '../state.ts';
import { createRole, deleteRole, getRole, listRoles, membersBoundTo, updateRole, type UpdateRoleRequest } from './model.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

async function setup() {
  const store = await Store.open();
  const env = { nowMs: T0, random: createRandom(7) };
  const { organization } = await store.transact((tx) => createOrganization(tx, { name: 'acme' }, env));
  const org = () => orgState(store.reader, organization.id);
  const write = <R>(fn: (o: ReturnType<typeof orgState>) => R) => store.transact((tx) => fn(orgState(tx, organization.id)));
  const account = await write((o) => createAccount(o, { name: 'acme-prod', environment: 'prod' }, env));
  return { store, env, organization, org, write, account };
}

const putBody = (role: RoleRecord, changes: Partial<UpdateRoleRequest> = {}): UpdateRoleRequest => ({ ...(role as unknown as UpdateRoleRequest), ...changes });

describe('createRole', () => {
  it('stores a permission set with a resource restriction; the name comes from the fullname', async () => {
    const { write, env, account, org } = await setup();
    const role = await write((o) =>
      createRole(o, { fullname: 'Prod Admins', permission_set: 'administrator', resources: { accounts: { ids: [account.id], environments: ['prod'] } } }, env),
    );
    expect(role).toMatchObject({ name: 'prod-admins', fullname: 'Prod Admins', permission_set: 'administrator', resources: { accounts: { ids: [account.id] } } });
    expect(getRole(org(), 'PROD-ADMINS').id).toBe(role.id);
  });

  it('refuses built-in role names and duplicates (409)', async () => {
    const { write, env, org } = await setup();
    await write((o) => createRole(o, { name: 'ops', permission_set: 'viewer' }, env));
    expect(apiError(() => createRole(org(), { name: 'administrator', permission_set: 'viewer' }, env))).toMatchObject({ status: 409 });
    expect(apiError(() => createRole(org(), { fullname: 'OPS', permission_set: 'viewer' }, env))).toMatchObject({ status: 409 });
  });

  it('checks the restriction: kinds the set cannot be restricted by → 400, unknown account or sub-org → 404, bad label → 400', async () => {
    const { env, org } = await setup();
    const kind = apiError(() => createRole(org(), { name: 'r1', permission_set: 'member', resources: { accounts: { ids: ['*'] } } }, env));
    expect(kind).toMatchObject({ status: 400, details: { parameter: { id: '/resources/accounts' } } });
    const unknownAccount = apiError(() => createRole(org(), { name: 'r2', permission_set: 'viewer', resources: { accounts: { ids: ['*', 'ghost'] } } }, env));
    expect(unknownAccount).toMatchObject({ status: 404, details: { parameter: { id: '/resources/accounts/ids/1' } } });
    const unknownOrg = apiError(() => createRole(org(), { name: 'r3', permission_set: 'viewer', resources: { organizations: { ids: ['elsewhere'] } } }, env));
    expect(unknownOrg).toMatchObject({ status: 404, details: { parameter: { id: '/resources/organizations/ids/0' } } });
    const label = apiError(() => createRole(org(), { name: 'r4', permission_set: 'viewer', resources: { accounts: { ids: ['*'], labels: ['has space'] } } }, env));
    expect(label).toMatchObject({ status: 400, details: { parameter: { id: '/resources/accounts/labels/0' } } });
    expect(org().roles.count()).toBe(0);
  });

  it('accepts sub-organizations of the caller in organizations.ids', async () => {
    const { store, write, env, organization } = await setup();
    const sub = await store.transact((tx) => createOrganization(tx, { name: 'acme-emea', parent_id: organization.id }, env));
    const role = await write((o) => createRole(o, { name: 'emea', permission_set: 'viewer', resources: { organizations: { ids: [sub.organization.id] } } }, env));
    expect(role.resources).toEqual({ organizations: { ids: [sub.organization.id] } });
  });
});

describe('listRoles', () => {
  it('lists with filters and order', async () => {
    const { write, env, org } = await setup();
    for (const [name, set] of [['b-role', 'viewer'], ['a-role', 'administrator'], ['c-role', 'viewer']] as const) {
      await write((o) => createRole(o, { name, permission_set: set }, env));
    }
    expect(listRoles(org(), {}).items.map((r) => r.name)).toEqual(['a-role', 'b-role', 'c-role']);
    expect(listRoles(org(), { filter: 'permission_set[eq]viewer', order: 'name[desc]' }).items.map((r) => r.name)).toEqual(['c-role', 'b-role']);
  });
});

describe('updateRole', () => {
  it('replaces the writable fields and keeps created_at', async () => {
    const { write, env } = await setup();
    const role = await write((o) => createRole(o, { name: 'ops', description: 'x', permission_set: 'viewer' }, env));
    const later = { nowMs: T0 + 1000, random: env.random };
    const next = await write((o) => updateRole(o, 'ops', putBody(role, { permission_set: 'account-manager', description: undefined, created_at: '2000-01-01T00:00:00Z' }), later));
    expect(next).toMatchObject({ permission_set: 'account-manager', created_at: role.created_at, updated_at: new Date(T0 + 1000).toISOString() });
    expect(next).not.toHaveProperty('description');
  });

  it('answers 400 for another id and 404 for an unknown role', async () => {
    const { write, env, org } = await setup();
    const role = await write((o) => createRole(o, { name: 'ops', permission_set: 'viewer' }, env));
    expect(apiError(() => updateRole(org(), 'ops', putBody(role, { id: 'x' }), env)).status).toBe(400);
    expect(apiError(() => updateRole(org(), 'nope', putBody(role), env)).status).toBe(404);
  });
});

describe('bindings', () => {
  it('refuses to delete or rename a role a member is bound to (409), allows it once unbound', async () => {
    const { write, env, org } = await setup();
    const role = await write((o) => createRole(o, { name: 'ops', permission_set: 'viewer' }, env));
    const member = await write((o) => createMember(o, { name: 'carol@acme.com', secret: 'l1ghthouse-m0rning-tea', role_binding: ['ops'] }, env));
    expect(membersBoundTo(org(), 'OPS')).toEqual(['carol@acme.com']);
    expect(apiError(() => deleteRole(org(), 'ops'))).toMatchObject({ status: 409 });
    expect(apiError(() => updateRole(org(), 'ops', putBody(role, { name: 'ops2' }), env))).toMatchObject({ status: 409 });
    // changing other fields of a bound role is fine
    await write((o) => updateRole(o, 'ops', putBody(role, { fullname: 'Operations' }), env));
    await write((o) => o.members.put({ ...member, role_binding: ['member'] }));
    await write((o) => deleteRole(o, 'ops'));
    expect(org().roles.count()).toBe(0);
  });
});
