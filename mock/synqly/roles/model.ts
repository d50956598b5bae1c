import { errors } from '../../core/errors.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import { PERMISSION_SETS, isPermissionSetName } from '../permissionset/sets.ts';
import { orgCollection, type OrgState, type RoleRecord } from '../state.ts';
import { iso, type ModelEnv } from '../tokens/model.ts';
import { assertSameId } from '../updates.ts';

/**
 * Roles (contract §2.11, §4.6): a permission set plus an optional resource restriction. Members
 * refer to roles by name in `role_binding`, so a bound role can be neither deleted nor renamed.
 */

export const ROLE_FIELDS = ['id', 'name', 'fullname', 'description', 'permission_set', 'created_at', 'updated_at'] as const;
/** role names the built-in roles own (`role_binding` would be ambiguous) */
export const BUILTIN_ROLES = ['root_administrator', 'administrator', 'viewer', 'member'] as const;
const LABEL = /^[A-Za-z0-9_:.-]{1,48}$/;

export interface Resources {
  organizations?: { ids: string[]; labels?: string[] };
  accounts?: { ids: string[]; labels?: string[]; environments?: Array<'test' | 'prod'> };
  integrations?: { categories: string[] };
}

export interface CreateRoleRequest {
  name?: string;
  fullname?: string;
  description?: string;
  resources?: Resources;
  permission_set: string;
}

export interface UpdateRoleRequest extends CreateRoleRequest {
  id: string;
  name: string;
  fullname: string;
  created_at: string;
  updated_at: string;
}

const bad = (message: string, pointer: string, value?: unknown) => errors.badRequest(message, { parameter: { id: pointer, location: 'body', value } });

/** Checks a resource restriction against the permission set and the organization's data. */
export function assertResources(org: OrgState, resources: Resources | undefined, permissionSet: string): void {
  if (!resources) return;
  if (!isPermissionSetName(permissionSet)) throw bad(`permission set ${permissionSet} is unknown`, '/permission_set', permissionSet);
  const restrictable: readonly string[] = PERMISSION_SETS[permissionSet].resource_restrictions;
  for (const kind of ['accounts', 'integrations'] as const) {
    if (resources[kind] && !restrictable.includes(kind)) {
      throw bad(
        `the ${permissionSet} permission set cannot be restricted by ${kind}` + (restrictable.length ? ` (only by ${restrictable.join(', ')})` : ' (it takes no resource restriction)'),
        `/resources/${kind}`,
      );
    }
  }
  resources.accounts?.ids.forEach((id, i) => {
    if (id !== '*' && !findByIdOrName(org.accounts, id)) {
      throw errors.notFound(`account ${id} not found`, { parameter: { id: `/resources/accounts/ids/${i}`, location: 'body', value: id } });
    }
  });
  resources.accounts?.labels?.forEach((label, i) => {
    if (!LABEL.test(label)) throw bad(`label ${JSON.stringify(label)} is invalid: 1-48 letters, digits, '_', '-', ':' or '.'`, `/resources/accounts/labels/${i}`, label);
  });
  resources.organizations?.ids.forEach((id, i) => {
    const sub = org.organizations.get(id) ?? org.organizations.all().find((o) => o.name.toLowerCase() === id.toLowerCase());
    if (id !== '*' && (!sub || sub.parent_id !== org.orgId)) {
      throw errors.notFound(`sub-organization ${id} not found`, { parameter: { id: `/resources/organizations/ids/${i}`, location: 'body', value: id } });
    }
  });
}

function assertNameUsable(org: OrgState, name: string, exceptId?: string): void {
  if ((BUILTIN_ROLES as readonly string[]).includes(name.toLowerCase())) {
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

function roleFields(input: CreateRoleRequest): Pick<RoleRecord, 'description' | 'resources' | 'permission_set'> {
  return {
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.resources !== undefined ? { resources: structuredClone(input.resources) as JsonRecord } : {}),
    permission_set: input.permission_set,
  };
}

export function createRole(org: OrgState, input: CreateRoleRequest, env: ModelEnv): RoleRecord {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameUsable(org, name);
  assertResources(org, input.resources, input.permission_set);
  const now = iso(env.nowMs);
  const role: RoleRecord = { id, name, fullname: input.fullname ?? name, ...roleFields(input), created_at: now, updated_at: now };
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
  assertResources(org, body.resources, body.permission_set);
  const next: RoleRecord = { id: role.id, name: body.name, fullname: body.fullname, ...roleFields(body), created_at: role.created_at, updated_at: iso(env.nowMs) };
  org.roles.put(next);
  return next;
}

export function deleteRole(org: OrgState, idOrName: string): void {
  const role = getRole(org, idOrName);
  assertUnbound(org, role, 'deleted');
  org.roles.delete(role.id);
}
