import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.ts';
import { loadSpec, specPath } from '../../core/spec.ts';
import { createValidator } from '../../core/validation.ts';
import { allowedActions, getPermissionSet, listPermissionSets, permits } from './model.ts';
import { ALL_ACTIONS, PERMISSION_SET_NAMES } from './sets.ts';

const spec = await loadSpec(specPath('synqly-management.yaml'));
/** every operation's action, with whether the operation only reads (GET) */
const specActions = spec.operations
  .filter((op) => typeof op.extensions['x-synqly-permission'] === 'string')
  .map((op) => ({ action: op.extensions['x-synqly-permission'] as string, read: op.method === 'GET', operationId: op.operationId }));

const sorted = (xs: string[]) => [...xs].sort();

describe('the permission-set data', () => {
  it('holds the 8 sets of the Permissions enum, in the documented order', () => {
    expect(PERMISSION_SET_NAMES).toEqual([
      'administrator',
      'viewer',
      'member',
      'account-manager',
      'connect-ui',
      'token-issuer',
      'mcp-integrations-use-only',
      'mcp-management',
    ]);
  });

  it('names only actions of the ApiPermissionMap, and the catalogue covers every operation of the spec', () => {
    for (const { action } of specActions) expect(ALL_ACTIONS, action).toContain(action);
    for (const set of listPermissionSets()) {
      for (const [area, { actions }] of Object.entries(set.permissions)) {
        for (const verb of actions) {
          if (area === 'all') expect(['read', '*']).toContain(verb);
          else if (verb !== '*') expect(ALL_ACTIONS, `${set.name}: ${area}.${verb}`).toContain(`${area}.${verb}`);
        }
      }
    }
  });

  it('serves views that satisfy the spec schema (permissionset_list and _get)', () => {
    const validator = createValidator();
    const listOp = spec.byId.get('permissionset_list')!;
    expect(validator.validateResponse(listOp, 200, 'application/json', { result: listPermissionSets() })).toEqual([]);
    const getOp = spec.byId.get('permissionset_get')!;
    for (const name of PERMISSION_SET_NAMES) {
      expect(validator.validateResponse(getOp, 200, 'application/json', { result: getPermissionSet(name) })).toEqual([]);
    }
  });

  it('answers 404 for a name that is no permission set', () => {
    let err: unknown;
    try {
      getPermissionSet('superuser');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, details: { parameter: { id: 'permissionsetId', location: 'path' } } });
  });
});

describe('permits / allowedActions (DECISIONS "permission sets")', () => {
  it('administrator: every action', () => {
    expect(sorted(allowedActions('administrator'))).toEqual(sorted([...ALL_ACTIONS]));
  });

  it('viewer: exactly the actions of the read (GET) operations of the spec', () => {
    for (const { action, read, operationId } of specActions) expect(permits('viewer', action), `${operationId} ${action}`).toBe(read);
  });

  it('account-manager: accounts, integrations, credentials and bridges, plus integration tokens', () => {
    const allowed = allowedActions('account-manager');
    for (const area of ['accounts', 'integrations', 'credentials', 'bridges']) {
      expect(allowed.filter((a) => a.startsWith(`${area}.`))).toEqual(ALL_ACTIONS.filter((a) => a.startsWith(`${area}.`)));
    }
    expect(allowed).toContain('tokens.create_integration');
    expect(allowed).not.toContain('tokens.create');
    expect(allowed).not.toContain('members.list');
    expect(allowed).not.toContain('roles.create');
  });

  it('member: auth, the own member get, status list and get', () => {
    expect(sorted(allowedActions('member'))).toEqual(sorted(['auth.logon', 'auth.change_password', 'auth.logoff', 'members.get', 'status.list', 'status.get']));
  });

  it('connect-ui: what the Connect UI needs and nothing to manage accounts', () => {
    expect(sorted(allowedActions('connect-ui'))).toEqual(
      sorted([
        'accounts.get',
        'integration_points.list',
        'integration_points.get',
        'integrations.list',
        'integrations.list_account',
        'integrations.get',
        'integrations.create',
        'integrations.delete',
        'integrations.verify',
        'credentials.list',
        'credentials.create',
        'credentials.get',
        'credentials.update',
        'credentials.patch',
        'credentials.delete',
      ]),
    );
  });

  it('token-issuer: only integration tokens', () => {
    expect(allowedActions('token-issuer')).toEqual(['tokens.create_integration']);
  });

  it('mcp sets: read-only use versus integration management', () => {
    expect(sorted(allowedActions('mcp-integrations-use-only'))).toEqual(
      sorted(['accounts.list', 'accounts.get', 'integrations.list', 'integrations.list_account', 'integrations.get']),
    );
    const management = allowedActions('mcp-management');
    expect(management).toEqual(expect.arrayContaining(['integrations.create', 'integrations.update', 'integrations.patch', 'integrations.delete', 'accounts.get']));
    expect(management).not.toContain('integrations.verify');
    expect(management).not.toContain('accounts.create');
  });

  it('an unknown set permits nothing', () => {
    expect(allowedActions('superuser')).toEqual([]);
    expect(permits('superuser', 'accounts.list')).toBe(false);
  });
});
