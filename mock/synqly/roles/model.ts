import { errors } from '../../core/errors.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import { PERMISSION_SETS, isPermissionSetName } from '../permissionset/sets.ts';
import { orgCollection, type OrgState, type Resources, type RoleRecord } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId } from '../updates.ts';
import type { components } from '../../generated/synqly.ts';
import { isOneOf } from '../../core/narrow.ts';

/**
 * Roles (contract §2.11, §4.6): a permission set plus an optional resource restriction. Members
 * refer to roles by name in `role_binding`, so a bound role can be neither deleted nor renamed.
 */

export const ROLE_FIELDS = ['id', 'name', 'fullname', 'description', 'permission_set', 'created_at', 'updated_at'] as const;
/** role names the built-in roles own (`role_binding` would be ambiguous) */
export const BUILTIN_ROLES = ['root_administrator', 'administrator', 'viewer', 'member'] as const;
const LABEL = /^[A-Za-z0-9_:.-]{1,48}$/;

export type CreateRoleRequest = components['schemas']['CreateRoleRequest'];

export type UpdateRoleRequest = components['schemas']['UpdateRoleRequest'];

const bad = (message: string, pointer: string, value?: unknown) => errors.badRequest(message, { parameter: { id: pointer, location: 'body', value } });

/**
 * Checks a resource restriction against the permission set and the organization's data, and
 * returns it with every account and organization named by id (contract §2.11: `ids` are
 * AccountId[] / OrganizationId[]; a name is accepted and resolved, so renaming the resource keeps
 * the restriction, and a new resource taking the name does not fall inside). Unknown ids or
 * names → 404. Organizations are the caller's own and its direct sub-organizations. Ids already
 * in `previous` (the stored restriction an update replaces) are kept as they are even when their
 * resource is gone, so a role stays editable after one of its accounts is deleted. Shared by
 * roles and ad-hoc tokens (`pointer` is where the restriction sits in the request body).
 */
export function resolveResources(org: OrgState, resources: Resources, permissionSet: string, pointer = '/resources', previous?: Resources): Resources {
  if (!isPermissionSetName(permissionSet)) throw bad(`permission set ${permissionSet} is unknown`, '/permission_set', permissionSet);
  const restrictable: readonly string[] = PERMISSION_SETS[permissionSet].resource_restrictions;
  for (const kind of ['accounts', 'integrations'] as const) {
    if (resources[kind] && !restrictable.includes(kind)) {
      throw bad(
        `the ${permissionSet} permission set cannot be restricted by ${kind}` + (restrictable.length ? ` (only by ${restrictable.join(', ')})` : ' (it takes no resource restriction)'),
        `${pointer}/${kind}`,
      );
    }
  }
  resources.accounts?.labels?.forEach((label, i) => {
    if (!LABEL.test(label)) throw bad(`label ${JSON.stringify(label)} is invalid: 1-48 letters, digits, '_', '-', ':' or '.'`, `${pointer}/accounts/labels/${i}`, label);
  });
  const resolveIds = (ids: readonly string[], kind: 'accounts' | 'organizations', find: (idOrName: string) => string | undefined): string[] => {
    const kept = new Set(previous?.[kind]?.ids ?? []);
    const out = ids.map((idOrName, i) => {
      if (idOrName === '*' || kept.has(idOrName)) return idOrName;
      const id = find(idOrName);
      if (id === undefined) {
        const what = kind === 'accounts' ? 'account' : 'organization (this organization or one of its sub-organizations)';
        throw errors.notFound(`${what} ${idOrName} not found`, { parameter: { id: `${pointer}/${kind}/ids/${i}`, location: 'body', value: idOrName } });
      }
      return id;
    });
    return [...new Set(out)];
  };
  const out: Resources = structuredClone(resources);
  if (out.accounts) out.accounts.ids = resolveIds(out.accounts.ids, 'accounts', (x) => findByIdOrName(org.accounts, x)?.id);
  if (out.organizations) {
    out.organizations.ids = resolveIds(out.organizations.ids, 'organizations', (x) => {
      const lower = x.toLowerCase();
      const own = org.organizations.get(org.orgId);
      if (x === org.orgId || own?.name.toLowerCase() === lower) return org.orgId;
      const sub = org.organizations.all().find((o) => o.parent_id === org.orgId && (o.id === x || o.name.toLowerCase() === lower));
      return sub?.id;
    });
  }
  return out;
}

function assertNameUsable(org: OrgState, name: string, exceptId?: string): void {
  if (isOneOf(BUILTIN_ROLES, name.toLowerCase())) {
    throw errors.conflict(`role name ${name} belongs to a built-in role`, { parameter: { id: '/name', location: 'body', value: name } });
  }
  assertNameFree(org.roles.all(), name, 'role', exceptId);
}

/** names of the members whose `role_binding` names the role */
export function membersBoundTo(org: OrgState, roleName: string): string[] {
  const lower = roleName.toLowerCase();
  return org.tx
    .values<{ name?: string; role_binding?: unknown }>(orgCollection(org.orgId, 'members'))
    .filter((m) => Array.isArray(m.role_binding) && m.role_binding.some((r) => typeof r === 'string' && r.toLowerCase() === lower))
    .map((m) => String(m.name));
}

function assertUnbound(org: OrgState, role: RoleRecord, doing: string): void {
  const bound = membersBoundTo(org, role.name);
  if (bound.length > 0) {
    throw errors.conflict(`role ${role.name} cannot be ${doing}: members are bound to it (${bound.slice(0, 5).join(', ')}${bound.length > 5 ? ', …' : ''})`, {
      remediation: 'remove the role from those members\' role_binding first',
    });
  }
}

function roleFields(input: CreateRoleRequest, resources: Resources | undefined): Pick<RoleRecord, 'description' | 'resources' | 'permission_set'> {
  return {
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(resources !== undefined ? { resources } : {}),
    permission_set: input.permission_set,
  };
}

export function createRole(org: OrgState, input: CreateRoleRequest, env: ModelEnv): RoleRecord {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameUsable(org, name);
  const resources = input.resources && resolveResources(org, input.resources, input.permission_set);
  const now = iso(env.nowMs);
  const role: RoleRecord = { id, name, fullname: input.fullname ?? name, ...roleFields(input, resources), created_at: now, updated_at: now };
  org.roles.put(role);
  return role;
}

export function listRoles(org: OrgState, query: ListQuery): ListPage<RoleRecord> {
  return listRecords(org.roles.all(), query, { fields: ROLE_FIELDS });
}

export function getRole(org: OrgState, idOrName: string): RoleRecord {
  const role = findByIdOrName(org.roles, idOrName);
  if (!role) throw errors.notFound(`role ${idOrName} not found`, { parameter: { id: 'roleId', location: 'path', value: idOrName } });
  return role;
}

/** roles_update (and roles_patch through it): full replace of the writable fields */
export function updateRole(org: OrgState, idOrName: string, body: UpdateRoleRequest, env: ModelEnv): RoleRecord {
  const role = getRole(org, idOrName);
  assertSameId(body.id, role.id, 'role');
  assertNameUsable(org, body.name, role.id);
  if (body.name.toLowerCase() !== role.name.toLowerCase()) assertUnbound(org, role, 'renamed');
  const resources = body.resources && resolveResources(org, body.resources, body.permission_set, '/resources', role.resources);
  const next: RoleRecord = { id: role.id, name: body.name, fullname: body.fullname, ...roleFields(body, resources), created_at: role.created_at, updated_at: iso(env.nowMs) };
  org.roles.put(next);
  return next;
}

export function deleteRole(org: OrgState, idOrName: string): void {
  const role = getRole(org, idOrName);
  assertUnbound(org, role, 'deleted');
  org.roles.delete(role.id);
}
