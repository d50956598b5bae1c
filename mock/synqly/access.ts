import { errors } from '../core/errors.ts';
import type { JsonRecord } from '../core/store/document.ts';
import type { Tx } from '../core/store/store.ts';
import { ALL_ACTIONS, permits } from './permissionset/sets.ts';
import { orgCollection, type RefreshTokenRecord, type Resources } from './state.ts';

/** a restriction on one kind of resource only */
function restrictionOf<K extends keyof Resources>(kind: K, restriction: Resources[K]): Resources {
  return { [kind]: restriction } as Resources; // a computed key is typed as an index signature
}

/**
 * Authorization of Management calls (contract §2.11, §4.4-4.6; DECISIONS "status mapping",
 * "permission sets", "ad-hoc tokens"). A token's rights are the grants of the roles in its
 * `role_binding` (built-in roles map to the permission set of the same name, custom roles are
 * read from the organization's `roles` collection), narrowed by every ad-hoc role it carries.
 * A call is allowed when one grant permits its action (`x-synqly-permission`) for the resource it
 * touches and every ad-hoc limit does too; otherwise 403.
 *
 * For handlers: `visibleAccounts`, `visibleIntegrations`, `visibleOrganizations` filter list
 * results; `assertAccountAllowed`, `assertIntegrationAllowed` check a resource that comes from a
 * request body (e.g. the account a create would make); `assertCanGrant` checks that rights handed
 * to someone else (ad-hoc tokens, role bindings) do not exceed the caller's.
 */

/** one role's worth of rights: a permission set, optionally restricted to resources */
export interface Grant {
  role: string;
  set: string;
  resources?: Resources;
}

export interface Access {
  organizationId: string;
  /** from the token's role_binding: a call needs one of them */
  grants: Grant[];
  /** ad-hoc roles of the token and of the tokens it derives from: a call needs all of them */
  limits: Grant[];
  /** when set, the only actions the token allows (an expired member's session) */
  only?: string[];
  memberId?: string;
  /** a member's logon session */
  session: boolean;
}

/** built-in roles and the permission set each one grants (unrestricted) */
export const BUILTIN_ROLES: Record<string, string> = {
  root_administrator: 'administrator',
  administrator: 'administrator',
  viewer: 'viewer',
  member: 'member',
};

/** actions a permission set grants only on the caller's own member */
const SELF_ONLY: Record<string, ReadonlySet<string>> = { member: new Set(['members.get']) };

/** actions every logon session may take on itself, whatever its roles */
const SESSION_SELF_SERVICE = new Set(['auth.change_password', 'auth.logoff']);

export interface AccountRef {
  id: string;
  name?: string;
  environment?: string;
  labels?: string[];
}

/** what a call touches; absent members are not checked */
export interface Target {
  organizationId?: string;
  account?: AccountRef;
  /** connector category of the integration touched */
  category?: string;
  /** the member touched (for self-only grants) */
  memberId?: string;
}

interface RoleLike extends JsonRecord {
  name: string;
  permission_set: string;
  resources?: Resources;
}

function customRoles(tx: Tx, orgId: string): RoleLike[] {
  return tx.values<RoleLike>(orgCollection(orgId, 'roles'));
}

/** The grants of a role binding; names that match no role grant nothing. */
export function roleGrants(tx: Tx, orgId: string, binding: readonly string[]): Grant[] {
  let roles: RoleLike[] | undefined; // read only when the binding names a custom role
  const grants: Grant[] = []; // a loop, not flatMap: every authenticated request resolves its token's grants
  for (const name of binding) {
    const builtin = BUILTIN_ROLES[name];
    if (builtin) {
      grants.push({ role: name, set: builtin });
      continue;
    }
    roles ??= customRoles(tx, orgId);
    const lower = name.toLowerCase();
    const role = roles.find((r) => r.name.toLowerCase() === lower);
    if (role) grants.push({ role: role.name, set: role.permission_set, ...(role.resources ? { resources: role.resources } : {}) });
  }
  return grants;
}

/** names in `binding` that are neither built-in nor a role of the organization */
export function unknownRoles(tx: Tx, orgId: string, binding: readonly string[]): string[] {
  const roles = customRoles(tx, orgId).map((r) => r.name.toLowerCase());
  return binding.filter((name) => !BUILTIN_ROLES[name] && !roles.includes(name.toLowerCase()));
}

/** The rights of a RefreshToken, resolved against the organization's current roles. */
export function accessOf(tx: Tx, orgId: string, token: RefreshTokenRecord): Access {
  const perm = token.primary.access.permissions;
  const limits: Grant[] = (token.adhoc_limits ?? []).map((l, i) => ({ role: `adhoc#${i}`, set: l.permission_set, resources: l.resources }));
  if (perm.adhoc_role) limits.push({ role: 'adhoc', set: perm.adhoc_role.permission_set, resources: perm.adhoc_role.resources });
  return {
    organizationId: orgId,
    grants: roleGrants(tx, orgId, perm.role_binding ?? []),
    limits,
    ...(token.only_actions ? { only: [...token.only_actions] } : {}),
    ...(token.member_id ? { memberId: token.member_id } : {}),
    session: token.token_type === 'logon',
  };
}

// ---- matching

const isAll = (list: readonly string[] | undefined) => list !== undefined && list.includes('*');

/**
 * Account restrictions hold account ids (names are resolved to ids when a role or token is
 * written), so an account is matched by its id alone: renaming it keeps it inside, and a new
 * account that takes an old name does not fall inside.
 */
function accountMatches(r: NonNullable<Resources['accounts']>, account: AccountRef): boolean {
  if (!isAll(r.ids) && !r.ids.includes(account.id)) return false;
  if (r.labels && r.labels.length > 0 && !isAll(r.labels) && !(account.labels ?? []).some((l) => r.labels!.includes(l))) return false;
  if (r.environments && r.environments.length > 0 && !r.environments.some((e) => e === account.environment)) return false;
  return true;
}

/** whether the target lies inside a resource restriction (organization labels are not matched: organizations carry none) */
export function withinResources(resources: Resources | undefined, target: Target): boolean {
  if (!resources) return true;
  const { organizations, accounts, integrations } = resources;
  if (organizations && target.organizationId !== undefined && !isAll(organizations.ids) && !organizations.ids.includes(target.organizationId)) return false;
  if (accounts && target.account && !accountMatches(accounts, target.account)) return false;
  if (integrations && target.category !== undefined && !isAll(integrations.categories) && !integrations.categories.includes(target.category)) return false;
  return true;
}

function selfOk(set: string, action: string, target: Target, access: Access): boolean {
  if (!SELF_ONLY[set]?.has(action)) return true;
  return access.memberId !== undefined && target.memberId === access.memberId;
}

export interface Denial {
  reason: 'action' | 'resource';
  message: string;
}

const listed = (values: readonly string[]) => values.join(', ');

/**
 * Which part of the target a restriction leaves out, worded for a 403: the organization, the
 * account (by id, labels or environment), the integration's category, or the member of a
 * self-only grant. Undefined when the restriction admits the target.
 */
function outsideOf(restriction: Grant, target: Target, action: string, access: Access): string | undefined {
  const { organizations, accounts, integrations } = restriction.resources ?? {};
  if (organizations && target.organizationId !== undefined && !isAll(organizations.ids) && !organizations.ids.includes(target.organizationId)) {
    return `organization ${target.organizationId} is outside the organizations restriction (${listed(organizations.ids)})`;
  }
  if (accounts && target.account && !accountMatches(accounts, target.account)) {
    const account = target.account;
    const label = `account ${account.name ?? account.id}`;
    if (!isAll(accounts.ids) && !accounts.ids.includes(account.id)) return `${label} is outside the accounts restriction (ids ${listed(accounts.ids)})`;
    if (accounts.environments && accounts.environments.length > 0 && !accounts.environments.some((e) => e === account.environment)) {
      return `${label} (environment ${account.environment ?? 'unknown'}) is outside the accounts restriction (environments ${listed(accounts.environments)})`;
    }
    return `${label} (labels ${listed(account.labels ?? []) || 'none'}) is outside the accounts restriction (labels ${listed(accounts.labels ?? [])})`;
  }
  if (integrations && target.category !== undefined && !isAll(integrations.categories) && !integrations.categories.includes(target.category)) {
    return `integration category ${target.category} is outside the integrations restriction (categories ${listed(integrations.categories)})`;
  }
  if (!selfOk(restriction.set, action, target, access)) return `member ${target.memberId ?? '(none)'} is not the token's own member (permission set ${restriction.set} allows ${action} only on it)`;
  return undefined;
}

/** Why the call would be refused, or undefined when it is allowed. */
export function evaluate(access: Access, action: string, target: Target): Denial | undefined {
  if (access.only && !access.only.includes(action)) {
    return { reason: 'action', message: `this token only allows ${access.only.join(', ')}; ${action} is not among them` };
  }
  if (access.session && SESSION_SELF_SERVICE.has(action)) return undefined;
  const applicable = access.grants.filter((g) => permits(g.set, action));
  const missingLimit = access.limits.find((l) => !permits(l.set, action));
  if (applicable.length === 0 || missingLimit) {
    const sets = missingLimit ? `ad-hoc permission set ${missingLimit.set}` : `roles ${access.grants.map((g) => g.role).join(', ') || '(none)'}`;
    return { reason: 'action', message: `the token lacks the permission ${action} (${sets})` };
  }
  const inScope = applicable.some((g) => outsideOf(g, target, action, access) === undefined);
  const refusingLimit = access.limits.find((l) => outsideOf(l, target, action, access) !== undefined);
  if (!inScope || refusingLimit) {
    // name the restriction that refuses: an ad-hoc limit, else the first applicable role
    const restriction = refusingLimit ?? applicable[0]!;
    const source = refusingLimit ? `the token's ad-hoc role (permission set ${refusingLimit.set})` : `role ${restriction.role}${applicable.length > 1 ? ' (and every other role allowing it)' : ''}`;
    return { reason: 'resource', message: `${outsideOf(restriction, target, action, access)} of ${source}, for ${action}` };
  }
  return undefined;
}

export function authorize(access: Access, action: string, target: Target): void {
  const denial = evaluate(access, action, target);
  if (denial) throw errors.forbidden(denial.message);
}

// ---- helpers for handlers

/** anything carrying resolved rights: the Synqly principal */
export interface HasAccess {
  access: Access;
}

/** The accounts the caller may see with `action` (default `accounts.list`); for list results. */
export function visibleAccounts<T extends AccountRef>(principal: HasAccess, accounts: readonly T[], action = 'accounts.list'): T[] {
  const { access } = principal;
  return accounts.filter((account) => !evaluate(access, action, { organizationId: access.organizationId, account }));
}

/**
 * Which accounts the caller may see with `action`, as a per-record check for lists; undefined when
 * the caller reaches every account (no check to run per record).
 */
export function accountVisibility<T extends AccountRef>(principal: HasAccess, action = 'accounts.list'): ((account: T) => boolean) | undefined {
  if (reachesAllAccounts(principal, action)) return undefined;
  const { access } = principal;
  return (account) => !evaluate(access, action, { organizationId: access.organizationId, account });
}

/** The integrations the caller may see with `action`; `accountOf` resolves an integration's account. */
export function visibleIntegrations<T extends { account_id: string; category: string }>(
  principal: HasAccess,
  integrations: readonly T[],
  accountOf: (accountId: string) => AccountRef | undefined,
  action = 'integrations.list',
): T[] {
  const { access } = principal;
  return integrations.filter((i) => !evaluate(access, action, { organizationId: access.organizationId, account: accountOf(i.account_id) ?? { id: i.account_id }, category: i.category }));
}

/** The (sub-)organizations the caller may see with `action` (default `suborgs.list`). */
export function visibleOrganizations<T extends { id: string }>(principal: HasAccess, organizations: readonly T[], action = 'suborgs.list'): T[] {
  return organizations.filter((o) => !evaluate(principal.access, action, { organizationId: o.id }));
}

/** an account restriction that selects every account (absent, or `*` without labels or environments) */
const allAccounts = (r: Resources | undefined) => {
  const a = r?.accounts;
  return !a || (isAll(a.ids) && !(a.labels && a.labels.length > 0 && !isAll(a.labels)) && !(a.environments && a.environments.length > 0));
};

/**
 * Whether `action` reaches every account of the caller's organization: the action is allowed at
 * organization level and no account restriction narrows it. Organization-level records that may
 * mention any account (audit events without an account) are for such callers only.
 */
export function reachesAllAccounts(principal: HasAccess, action: string): boolean {
  const { access } = principal;
  if (evaluate(access, action, { organizationId: access.organizationId })) return false;
  const grantOk = access.grants.some((g) => permits(g.set, action) && withinResources(g.resources, { organizationId: access.organizationId }) && allAccounts(g.resources));
  return grantOk && access.limits.every((l) => allAccounts(l.resources));
}

/** 403 unless the caller may `action` on this account (e.g. the one accounts_create would make). */
export function assertAccountAllowed(principal: HasAccess, account: AccountRef, action: string): void {
  authorize(principal.access, action, { organizationId: principal.access.organizationId, account });
}

/** 403 unless the caller may `action` on an integration of this category in this account. */
export function assertIntegrationAllowed(principal: HasAccess, integration: { account?: AccountRef; category: string }, action: string): void {
  authorize(principal.access, action, { organizationId: principal.access.organizationId, account: integration.account, category: integration.category });
}

// ---- never more than the caller has (ad-hoc tokens, role bindings)

const idsSubset = (requested: readonly string[], allowed: readonly string[]) => isAll(allowed) || (!isAll(requested) && requested.every((id) => allowed.includes(id)));

/**
 * Whether restriction `requested` selects only resources that `allowed` selects. Explicit account
 * ids are checked one by one against `allowed` (through `accountById`); `*` with labels or
 * environments is compared structurally.
 */
export function resourcesSubset(requested: Resources | undefined, allowed: Resources | undefined, accountById: (id: string) => AccountRef | undefined): boolean {
  if (!allowed) return true;
  if (allowed.organizations) {
    if (!requested?.organizations || !idsSubset(requested.organizations.ids, allowed.organizations.ids)) return false;
  }
  if (allowed.integrations) {
    if (!requested?.integrations || !idsSubset(requested.integrations.categories, allowed.integrations.categories)) return false;
  }
  if (allowed.accounts) {
    const r = requested?.accounts;
    if (!r) return false;
    if (!isAll(r.ids)) {
      return r.ids.every((id) => {
        const account = accountById(id);
        return account !== undefined && accountMatches(allowed.accounts!, account);
      });
    }
    if (!isAll(allowed.accounts.ids)) return false;
    const a = allowed.accounts;
    if (a.labels && a.labels.length > 0 && !isAll(a.labels) && !(r.labels && r.labels.length > 0 && !isAll(r.labels) && r.labels.every((l) => a.labels!.includes(l)))) return false;
    if (a.environments && a.environments.length > 0 && !(r.environments && r.environments.length > 0 && r.environments.every((e) => a.environments!.includes(e)))) return false;
  }
  return true;
}

const RESOURCE_KINDS = ['organizations', 'accounts', 'integrations'] as const;

/**
 * Whether the intersection of `pieces` (a grant narrowed by ad-hoc limits) selects only what
 * `allowed` selects. Each resource kind is compared on its own: it is enough that one piece is
 * within `allowed` for that kind (an intersection is within whatever one of its parts is within).
 * Conservative: an intersection that only the combination of pieces would fit is refused.
 */
function regionWithin(pieces: ReadonlyArray<Resources | undefined>, allowed: Resources | undefined, accountById: (id: string) => AccountRef | undefined): boolean {
  if (!allowed) return true;
  return RESOURCE_KINDS.every((kind) => {
    if (!allowed[kind]) return true;
    const only = restrictionOf(kind, allowed[kind]);
    return pieces.some((p) => p?.[kind] !== undefined && resourcesSubset(restrictionOf(kind, p[kind]), only, accountById));
  });
}

const selfOnly = (set: string, action: string) => SELF_ONLY[set]?.has(action) ?? false;

/**
 * The first action `inner` allows beyond what `outer` allows (on some resource), or undefined
 * when everything `inner` may do `outer` may do too. Both are resolved rights (`accessOf`).
 * For every action `inner` allows, each of its grants narrowed by its ad-hoc limits must lie
 * within one grant of `outer` and within every ad-hoc limit of `outer`; `only` lists are honoured
 * on both sides. A self-only right (the member set's own profile) is within `outer` when `outer`
 * has it unrestricted or for the same member. With `sessionSelfService`, a logon session's
 * self-service (change its member's password, log off) counts as a right of `inner` that only a
 * session of the same member has.
 */
export function exceedingAction(
  inner: Access,
  outer: Access,
  accountById: (id: string) => AccountRef | undefined,
  options: { sessionSelfService?: boolean } = {},
): string | undefined {
  for (const action of ALL_ACTIONS) {
    if (inner.only && !inner.only.includes(action)) continue;
    const outerOnlyOk = !outer.only || outer.only.includes(action);
    if (options.sessionSelfService && inner.session && SESSION_SELF_SERVICE.has(action)) {
      if (!(outer.session && outer.memberId === inner.memberId && outerOnlyOk)) return action;
      continue;
    }
    if (inner.limits.some((l) => !permits(l.set, action))) continue;
    const grants = inner.grants.filter((g) => permits(g.set, action));
    if (grants.length === 0) continue;
    if (!outerOnlyOk) return action;
    const limitsSelfOnly = inner.limits.some((l) => selfOnly(l.set, action));
    for (const g of grants) {
      const pieces = [g.resources, ...inner.limits.map((l) => l.resources)];
      const innerSelfOnly = limitsSelfOnly || selfOnly(g.set, action);
      const covers = (o: Grant) =>
        permits(o.set, action) && regionWithin(pieces, o.resources, accountById) && (!selfOnly(o.set, action) || (innerSelfOnly && inner.memberId === outer.memberId));
      if (!outer.grants.some(covers) || !outer.limits.every(covers)) return action;
    }
  }
  return undefined;
}

/** the rights of one permission set (restricted to `resources`), held as the caller's own member would hold them */
function singleGrant(access: Access, role: string, set: string, resources: Resources | undefined): Access {
  return {
    organizationId: access.organizationId,
    grants: [{ role, set, ...(resources ? { resources } : {}) }],
    limits: [],
    ...(access.memberId !== undefined ? { memberId: access.memberId } : {}),
    session: false,
  };
}

/**
 * 403 unless every action of permission set `set`, restricted to `resources`, is something the
 * caller may do itself ("tokens can only be reduced in scope, never expanded"). What is granted
 * goes to the caller's own member (ad-hoc tokens) or is compared as such (role bindings).
 */
export function assertCanGrant(access: Access, requested: { set: string; resources?: Resources }, accountById: (id: string) => AccountRef | undefined): void {
  const action = exceedingAction(singleGrant(access, 'requested', requested.set, requested.resources), access, accountById);
  if (action) {
    throw errors.forbidden(
      `cannot grant permission set ${requested.set}${requested.resources ? ' with these resources' : ''}: it allows ${action}, which the calling token may not do${
        requested.resources ? ' on those resources' : ''
      }; tokens can only be reduced in scope, never expanded`,
    );
  }
}

/** 403 unless every role in `binding` grants only what the caller may do itself (no escalation through role bindings). */
export function assertCanBind(access: Access, tx: Tx, orgId: string, binding: readonly string[], accountById: (id: string) => AccountRef | undefined): void {
  for (const grant of roleGrants(tx, orgId, binding)) {
    try {
      assertCanGrant(access, { set: grant.set, resources: grant.resources }, accountById);
    } catch {
      throw errors.forbidden(`cannot bind role ${grant.role}: it grants more than the calling token has (permission set ${grant.set})`);
    }
  }
}

/**
 * 403 unless role `role` grants only what the caller may do itself: a role the caller writes
 * (roles_create, the result of roles_update/patch) and a role the caller changes or deletes (it
 * is bound to members whose rights the change would alter). `doing` words the refusal.
 */
export function assertRoleWithin(
  access: Access,
  role: { name: string; permission_set: string; resources?: Resources },
  accountById: (id: string) => AccountRef | undefined,
  doing: string,
): void {
  const action = exceedingAction(singleGrant(access, role.name, role.permission_set, role.resources), access, accountById);
  if (action) {
    throw errors.forbidden(
      `cannot ${doing} role ${role.name}: it grants more than the calling token has (permission set ${role.permission_set}${role.resources ? ' with its resources' : ''} allows ${action}, which the calling token may not do${role.resources ? ' on those resources' : ''})`,
    );
  }
}

/**
 * 403 unless the rights of member binding `binding` are within the caller's: a member the caller
 * changes or deletes (a restricted administrator may not disable, rename, rebind or delete a
 * member who holds more than it does).
 */
export function assertMemberWithin(access: Access, tx: Tx, orgId: string, member: { name: string; role_binding: readonly string[] }, accountById: (id: string) => AccountRef | undefined, doing: string): void {
  for (const grant of roleGrants(tx, orgId, member.role_binding)) {
    try {
      assertCanGrant(access, { set: grant.set, resources: grant.resources }, accountById);
    } catch {
      throw errors.forbidden(`cannot ${doing} member ${member.name}: its role ${grant.role} grants more than the calling token has (permission set ${grant.set})`);
    }
  }
}
