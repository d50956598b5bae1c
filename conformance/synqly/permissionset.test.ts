import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
const twinOnly = target.kind !== 'live';
const SETS = ['administrator', 'viewer', 'member', 'account-manager', 'connect-ui', 'token-issuer', 'mcp-integrations-use-only', 'mcp-management'];

describe('permissionset_list', () => {
  it('lists the 8 permission sets with their ApiPermissionMaps', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/permissionsets');
    expectOperation(res, 'permissionset_list', 200);
    const names = res.body.result.map((p: { name: string }) => p.name);
    expect([...names].sort()).toEqual([...SETS].sort());
    for (const set of res.body.result) expect(Object.keys(set.permissions).length).toBeGreaterThan(0);
    if (twinOnly) {
      const admin = res.body.result.find((p: { name: string }) => p.name === 'administrator');
      expect(admin.permissions).toEqual({ all: { actions: ['*'] } });
    }
  });

  it('answers 401 for an unknown token', async () => {
    expectProblem(await target.synqly.get('/v1/permissionsets').set('authorization', 'Bearer nope'), 'permissionset_list', 401);
  });
});

describe('permissionset_get', () => {
  it('reads one permission set by name', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/permissionsets/account-manager');
    expectOperation(res, 'permissionset_get', 200);
    expect(res.body.result.name).toBe('account-manager');
    expect(res.body.result.permissions.accounts.actions).toEqual(expect.any(Array));
    if (twinOnly) {
      expect(res.body.result).toMatchObject({
        resource_restrictions: ['accounts', 'integrations'],
        permissions: { accounts: { actions: ['*'] }, integrations: { actions: ['*'] }, credentials: { actions: ['*'] }, bridges: { actions: ['*'] }, tokens: { actions: ['create_integration'] } },
      });
    }
  });

  it('answers 404 for a name that is no permission set', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/permissionsets/superuser'), 'permissionset_get', 404);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('permissionset_list', () => {
  it('lists the built-in permission sets', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/permissionsets');
    expectOperation(res, 'permissionset_list', 200);
    expect((res.body.result as Array<{ name: string }>).map((p) => p.name)).toEqual(expect.arrayContaining(['administrator', 'viewer']));
  });
});

describe('permissionset_get', () => {
  it('reads the first listed permission set by name (permission sets have no id)', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/permissionsets');
    expectOperation(list, 'permissionset_list', 200);
    const set = ro.firstOf(ctx, list.body.result as Array<{ name: string }>, 'permission set', true);
    const res = await s.get(`/v1/permissionsets/${encodeURIComponent(set.name)}`);
    expectOperation(res, 'permissionset_get', 200);
    expect(res.body.result).toEqual(set);
  });
});
