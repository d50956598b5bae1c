import { describe, expect, it } from 'vitest';
import { ApiError } from '../core/errors.ts';
import { loadSpec, specPath } from '../core/spec.ts';
import { assertCanGrant, evaluate, exceedingAction, reachesAllAccounts, resourcesSubset, visibleIntegrations, withinResources, type Access, type AccountRef } from './access.ts';
import { ALL_ACTIONS, permits } from './permissionset/sets.ts';

const ORG = 'org-1';
const acctA: AccountRef = { id: 'a', name: 'acme-prod', environment: 'prod', labels: ['tier:gold'] };
const acctB: AccountRef = { id: 'b', name: 'acme-test', environment: 'test', labels: ['tier:silver'] };
const accounts = new Map([acctA, acctB].map((a) => [a.id, a]));
const byId = (id: string) => accounts.get(id);

const access = (partial: Partial<Access>): Access => ({ organizationId: ORG, grants: [], limits: [], session: false, ...partial });
const admin = access({ grants: [{ role: 'administrator', set: 'administrator' }] });

const forbidden = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
    return (err as ApiError).message;
  }
  throw new Error('expected a 403');
};

describe('permission sets', () => {
  it('name every action the spec checks', async () => {
    const spec = await loadSpec(specPath('synqly-management.yaml'));
    const used = spec.operations.map((op) => op.extensions['x-synqly-permission']).filter((a): a is string => typeof a === 'string');
    expect(used.length).toBe(106);
    for (const action of used) expect(ALL_ACTIONS).toContain(action);
  });

  it('grant what DECISIONS lists', () => {
    expect(permits('administrator', 'suborgs.delete')).toBe(true);
    expect(permits('viewer', 'accounts.list')).toBe(true);
    expect(permits('viewer', 'credentials.lookup')).toBe(true);
    expect(permits('viewer', 'accounts.create')).toBe(false);
    expect(permits('token-issuer', 'tokens.create_integration')).toBe(true);
    // the extra endpoints' areas (extra-endpoints contract §6): viewers read them, only administrators write
    expect(['billing.list', 'billing.get', 'customs.list', 'customs.get', 'idp.get'].every((a) => permits('viewer', a))).toBe(true);
    expect(['customs.create', 'idp.create', 'idp.update', 'idp.delete'].some((a) => permits('viewer', a))).toBe(false);
    expect(permits('administrator', 'idp.delete')).toBe(true);
    expect(ALL_ACTIONS.filter((a) => permits('token-issuer', a))).toEqual(['tokens.create_integration']);
    expect(permits('account-manager', 'bridges.delete')).toBe(true);
    expect(permits('account-manager', 'members.list')).toBe(false);
    expect(permits('connect-ui', 'integrations.update')).toBe(false);
    expect(permits('member', 'auth.logoff')).toBe(true);
    expect(permits('no-such-set', 'accounts.list')).toBe(false);
  });
});

describe('resource restrictions', () => {
  it('match accounts by id (never by name: restrictions hold ids), labels (any) and environments (all given must match)', () => {
    expect(withinResources({ accounts: { ids: ['a'] } }, { account: acctA })).toBe(true);
    expect(withinResources({ accounts: { ids: ['acme-prod'] } }, { account: acctA })).toBe(false);
    expect(withinResources({ accounts: { ids: ['a'] } }, { account: acctB })).toBe(false);
    expect(withinResources({ accounts: { ids: ['*'], labels: ['tier:gold', 'x'] } }, { account: acctA })).toBe(true);
    expect(withinResources({ accounts: { ids: ['*'], labels: ['tier:gold'], environments: ['test'] } }, { account: acctA })).toBe(false);
    // an organization-level call touches no account
    expect(withinResources({ accounts: { ids: ['a'] } }, { organizationId: ORG })).toBe(true);
  });

  it('match integration categories and organizations', () => {
    expect(withinResources({ integrations: { categories: ['siem'] } }, { category: 'siem' })).toBe(true);
    expect(withinResources({ integrations: { categories: ['siem'] } }, { category: 'ticketing' })).toBe(false);
    expect(withinResources({ integrations: { categories: ['*'] } }, { category: 'ticketing' })).toBe(true);
    expect(withinResources({ organizations: { ids: ['other'] } }, { organizationId: ORG })).toBe(false);
    expect(withinResources({ organizations: { ids: [ORG] } }, { organizationId: ORG })).toBe(true);
  });
});

describe('evaluate', () => {
  it('separates a missing action from a resource outside the restriction', () => {
    const viewer = access({ grants: [{ role: 'viewer', set: 'viewer' }] });
    expect(evaluate(viewer, 'accounts.create', { organizationId: ORG })?.reason).toBe('action');
    const restricted = access({ grants: [{ role: 'r', set: 'administrator', resources: { accounts: { ids: ['a'] } } }] });
    expect(evaluate(restricted, 'accounts.get', { organizationId: ORG, account: acctA })).toBeUndefined();
    expect(evaluate(restricted, 'accounts.get', { organizationId: ORG, account: acctB })?.reason).toBe('resource');
  });

  it('one role suffices, but every ad-hoc limit must agree', () => {
    const twoRoles = access({ grants: [{ role: 'v', set: 'viewer', resources: { accounts: { ids: ['a'] } } }, { role: 'w', set: 'viewer', resources: { accounts: { ids: ['b'] } } }] });
    expect(evaluate(twoRoles, 'accounts.get', { account: acctB })).toBeUndefined();
    const limited = access({ grants: [{ role: 'administrator', set: 'administrator' }], limits: [{ role: 'adhoc', set: 'viewer', resources: { accounts: { ids: ['a'] } } }] });
    expect(evaluate(limited, 'accounts.get', { account: acctA })).toBeUndefined();
    expect(evaluate(limited, 'accounts.get', { account: acctB })?.reason).toBe('resource');
    expect(evaluate(limited, 'accounts.delete', { account: acctA })?.reason).toBe('action');
  });

  it('the member set reads only its own member; sessions always change their password and log off', () => {
    const m = access({ grants: [{ role: 'member', set: 'member' }], memberId: 'm1', session: true });
    expect(evaluate(m, 'members.get', { memberId: 'm1' })).toBeUndefined();
    expect(evaluate(m, 'members.get', { memberId: 'm2' })?.reason).toBe('resource');
    const viewerSession = access({ grants: [{ role: 'viewer', set: 'viewer' }], memberId: 'm1', session: true });
    expect(evaluate(viewerSession, 'auth.logoff', {})).toBeUndefined();
    expect(evaluate({ ...viewerSession, session: false }, 'auth.logoff', {})?.reason).toBe('action');
  });

  it('a change-password-only token allows nothing else', () => {
    const expired = access({ grants: [{ role: 'administrator', set: 'administrator' }], only: ['auth.change_password'], session: true });
    expect(evaluate(expired, 'auth.change_password', {})).toBeUndefined();
    expect(evaluate(expired, 'accounts.list', {})?.reason).toBe('action');
    expect(evaluate(expired, 'auth.logoff', {})?.reason).toBe('action');
  });
});

describe('list helpers', () => {
  it('reachesAllAccounts: only without an account restriction narrowing the action', () => {
    expect(reachesAllAccounts({ access: admin }, 'audit.list')).toBe(true);
    const wildcard = access({ grants: [{ role: 'r', set: 'administrator', resources: { accounts: { ids: ['*'] } } }] });
    expect(reachesAllAccounts({ access: wildcard }, 'audit.list')).toBe(true);
    const categories = access({ grants: [{ role: 'r', set: 'administrator' }], limits: [{ role: 'adhoc', set: 'administrator', resources: { integrations: { categories: ['siem'] } } }] });
    expect(reachesAllAccounts({ access: categories }, 'audit.list')).toBe(true);
    for (const accounts of [{ ids: ['a'] }, { ids: ['*'], labels: ['tier:gold'] }, { ids: ['*'], environments: ['prod' as const] }]) {
      const limited = access({ grants: [{ role: 'r', set: 'administrator' }], limits: [{ role: 'adhoc', set: 'administrator', resources: { accounts } }] });
      expect(reachesAllAccounts({ access: limited }, 'audit.list')).toBe(false);
      const byRole = access({ grants: [{ role: 'r', set: 'administrator', resources: { accounts } }] });
      expect(reachesAllAccounts({ access: byRole }, 'audit.list')).toBe(false);
    }
    // one unrestricted role among restricted ones suffices; an action the token lacks never reaches anything
    const mixed = access({ grants: [{ role: 'r', set: 'administrator', resources: { accounts: { ids: ['a'] } } }, { role: 'viewer', set: 'viewer' }] });
    expect(reachesAllAccounts({ access: mixed }, 'audit.list')).toBe(true);
    expect(reachesAllAccounts({ access: access({ grants: [{ role: 'token-issuer', set: 'token-issuer' }] }) }, 'audit.list')).toBe(false);
  });

  it('visibleIntegrations: by account and category; an unknown account is matched by id alone', () => {
    const integrations = [
      { id: '1', account_id: 'a', category: 'siem' },
      { id: '2', account_id: 'b', category: 'siem' },
      { id: '3', account_id: 'a', category: 'ticketing' },
      { id: '4', account_id: 'gone', category: 'siem' },
    ];
    const only = (resources: Parameters<typeof withinResources>[0]) =>
      visibleIntegrations({ access: access({ grants: [{ role: 'r', set: 'administrator', resources }] }) }, integrations, byId).map((i) => i.id);
    expect(only(undefined)).toEqual(['1', '2', '3', '4']);
    expect(only({ accounts: { ids: ['a'] } })).toEqual(['1', '3']);
    expect(only({ accounts: { ids: ['*'], labels: ['tier:gold'] } })).toEqual(['1', '3']);
    expect(only({ integrations: { categories: ['siem'] } })).toEqual(['1', '2', '4']);
    expect(only({ accounts: { ids: ['a', 'gone'] }, integrations: { categories: ['siem'] } })).toEqual(['1', '4']);
  });
});

describe('never more than the caller has', () => {
  it('compares restrictions: explicit ids one by one, wildcards structurally', () => {
    expect(resourcesSubset({ accounts: { ids: ['a'] } }, { accounts: { ids: ['*'], labels: ['tier:gold'] } }, byId)).toBe(true);
    expect(resourcesSubset({ accounts: { ids: ['b'] } }, { accounts: { ids: ['*'], labels: ['tier:gold'] } }, byId)).toBe(false);
    expect(resourcesSubset({ accounts: { ids: ['*'] } }, { accounts: { ids: ['a', 'b'] } }, byId)).toBe(false);
    expect(resourcesSubset({ accounts: { ids: ['*'], labels: ['tier:gold'] } }, { accounts: { ids: ['*'], labels: ['tier:gold', 'x'] } }, byId)).toBe(true);
    expect(resourcesSubset({ accounts: { ids: ['*'], environments: ['prod', 'test'] } }, { accounts: { ids: ['*'], environments: ['prod'] } }, byId)).toBe(false);
    expect(resourcesSubset({}, { integrations: { categories: ['siem'] } }, byId)).toBe(false);
    expect(resourcesSubset({ integrations: { categories: ['siem'] } }, { integrations: { categories: ['*'] } }, byId)).toBe(true);
    expect(resourcesSubset(undefined, undefined, byId)).toBe(true);
    expect(resourcesSubset({ accounts: { ids: ['missing'] } }, { accounts: { ids: ['a'] } }, byId)).toBe(false);
  });

  it('an administrator grants anything; narrower callers only subsets', () => {
    expect(() => assertCanGrant(admin, { set: 'viewer', resources: { accounts: { ids: ['a'] } } }, byId)).not.toThrow();
    const viewer = access({ grants: [{ role: 'viewer', set: 'viewer' }] });
    expect(forbidden(() => assertCanGrant(viewer, { set: 'connect-ui' }, byId))).toMatch(/allows (credentials|integrations)\.create/);
    expect(() => assertCanGrant(viewer, { set: 'mcp-integrations-use-only' }, byId)).not.toThrow();
    const restricted = access({ grants: [{ role: 'administrator', set: 'administrator' }], limits: [{ role: 'adhoc', set: 'administrator', resources: { accounts: { ids: ['a'] } } }] });
    expect(() => assertCanGrant(restricted, { set: 'connect-ui', resources: { accounts: { ids: ['a'] } } }, byId)).not.toThrow();
    forbidden(() => assertCanGrant(restricted, { set: 'connect-ui', resources: { accounts: { ids: ['a', 'b'] } } }, byId));
    forbidden(() => assertCanGrant(restricted, { set: 'viewer' }, byId));
    // a member may hand on its own-profile right, but not a viewer's read of every member
    const m = access({ grants: [{ role: 'member', set: 'member' }], memberId: 'm1' });
    expect(() => assertCanGrant(m, { set: 'member' }, byId)).not.toThrow();
    forbidden(() => assertCanGrant(m, { set: 'viewer' }, byId));
  });
});

describe('whether one token\'s rights are within another\'s (exceedingAction)', () => {
  const restricted = access({ grants: [{ role: 'administrator', set: 'administrator' }], limits: [{ role: 'adhoc', set: 'administrator', resources: { accounts: { ids: ['a'] } } }] });

  it('an unrestricted administrator token exceeds a restricted one; a narrower child does not', () => {
    expect(exceedingAction(admin, restricted, byId)).toBeDefined();
    expect(exceedingAction(restricted, admin, byId)).toBeUndefined();
    expect(exceedingAction(restricted, restricted, byId)).toBeUndefined();
    // the child: the parent's role binding, the parent's limit and its own ad-hoc role
    const child = { ...restricted, limits: [...restricted.limits, { role: 'adhoc', set: 'viewer', resources: { accounts: { ids: ['a'] } } }] };
    expect(exceedingAction(child, restricted, byId)).toBeUndefined();
    // a role restricted to the same account is within, one restricted to another is not
    const roleA = access({ grants: [{ role: 'r', set: 'viewer', resources: { accounts: { ids: ['a'] } } }] });
    const roleB = access({ grants: [{ role: 'r', set: 'viewer', resources: { accounts: { ids: ['b'] } } }] });
    expect(exceedingAction(roleA, restricted, byId)).toBeUndefined();
    expect(exceedingAction(roleB, restricted, byId)).toBe('accounts.list');
  });

  it('a category restriction is a restriction too; only lists are honoured on both sides', () => {
    const siem = access({ grants: [{ role: 'administrator', set: 'administrator' }], limits: [{ role: 'adhoc', set: 'administrator', resources: { integrations: { categories: ['siem'] } } }] });
    expect(exceedingAction(admin, siem, byId)).toBeDefined();
    expect(exceedingAction(siem, admin, byId)).toBeUndefined();
    const passwordOnly = { ...admin, only: ['auth.change_password'] };
    expect(exceedingAction(passwordOnly, access({ grants: [{ role: 'member', set: 'member' }] }), byId)).toBeUndefined();
    expect(exceedingAction(admin, passwordOnly, byId)).toBeDefined();
  });

  it('a session\'s self-service belongs to its member, when secrets are handed out', () => {
    const session = access({ grants: [{ role: 'viewer', set: 'viewer' }], memberId: 'm1', session: true });
    expect(exceedingAction(session, admin, byId)).toBeUndefined();
    expect(exceedingAction(session, admin, byId, { sessionSelfService: true })).toBe('auth.change_password');
    expect(exceedingAction(session, { ...admin, memberId: 'm1', session: true }, byId, { sessionSelfService: true })).toBeUndefined();
    expect(exceedingAction(session, { ...admin, memberId: 'm2', session: true }, byId, { sessionSelfService: true })).toBe('auth.change_password');
  });

  it('the member set\'s own-profile right is within another token of the same member only', () => {
    const m1 = access({ grants: [{ role: 'member', set: 'member' }], memberId: 'm1' });
    expect(exceedingAction(m1, { ...m1 }, byId)).toBeUndefined();
    expect(exceedingAction(m1, access({ grants: [{ role: 'member', set: 'member' }], memberId: 'm2' }), byId)).toBe('members.get');
    expect(exceedingAction(m1, admin, byId)).toBeUndefined();
  });
});

describe('403 messages name the restriction that refuses', () => {
  it('an integration category, an account, an organization', () => {
    const tickets = access({ grants: [{ role: 'tickets', set: 'administrator', resources: { integrations: { categories: ['ticketing'] } } }] });
    const byCategory = evaluate(tickets, 'integrations.get', { organizationId: ORG, account: acctA, category: 'siem' });
    expect(byCategory?.message).toBe('integration category siem is outside the integrations restriction (categories ticketing) of role tickets, for integrations.get');
    const onlyA = access({ grants: [{ role: 'administrator', set: 'administrator' }], limits: [{ role: 'adhoc', set: 'administrator', resources: { accounts: { ids: ['a'] } } }] });
    expect(evaluate(onlyA, 'accounts.get', { organizationId: ORG, account: acctB })?.message).toContain('account acme-test is outside the accounts restriction (ids a) of the token\'s ad-hoc role');
    const gold = access({ grants: [{ role: 'gold', set: 'viewer', resources: { accounts: { ids: ['*'], labels: ['tier:gold'] } } }] });
    expect(evaluate(gold, 'accounts.get', { organizationId: ORG, account: acctB })?.message).toContain('(labels tier:silver) is outside the accounts restriction (labels tier:gold)');
    const elsewhere = access({ grants: [{ role: 'sub', set: 'viewer', resources: { organizations: { ids: ['sub-1'] } } }] });
    expect(evaluate(elsewhere, 'accounts.list', { organizationId: ORG })?.message).toContain(`organization ${ORG} is outside the organizations restriction (sub-1)`);
  });
});
