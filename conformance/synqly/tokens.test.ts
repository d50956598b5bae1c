import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession, synqlyAs } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { withClockAdvanced } from '../support/control.ts';
import { synqlyReadOnly } from '../support/read-only.ts';

const target = await useTarget();
/** DECISIONS-only behaviour (exact codes of the twin's choices) is asserted on twins only */
const twin = target.kind !== 'live';


interface Adhoc {
  id: string;
  access: string;
  refresh: string;
  body: Record<string, any>;
}

/** tokens_create_token with the session's (or `by`'s) token; the token is deleted afterwards */
async function adhoc(s: SynqlySession, request: Record<string, unknown>, by?: string): Promise<Adhoc> {
  const client = by ? synqlyAs(s.target, by) : s;
  const res = await client.post('/v1/tokens').send({ resources: {}, permission_set: 'administrator', ...request });
  expectOperation(res, 'tokens_create_token', 200);
  const r = res.body.result;
  s.defer(() => s.delete(`/v1/tokens/${r.id}`));
  return { id: r.id, access: r.primary.access.secret, refresh: r.primary.refresh.secret, body: r };
}

/** the caller's organization id (from the tenant on twins, from organization_get live) */
async function orgId(s: SynqlySession): Promise<string> {
  return s.organizationId ?? (await s.get('/v1/organization')).body.result.id;
}

async function account(s: SynqlySession, request: Record<string, unknown> = {}) {
  const res = await s.post('/v1/accounts').send({ name: uniqueName('acct'), ...request });
  expectOperation(res, 'accounts_create', 200);
  const a = res.body.result.account;
  s.defer(() => s.delete(`/v1/accounts/${a.id}`));
  return a as { id: string; name: string };
}

describe('tokens_create_token', () => {
  it('creates an ad-hoc token whose access secret works as a bearer and carries its adhoc_role', async () => {
    const s = await synqlySession(target);
    const name = uniqueName('tok');
    const t = await adhoc(s, { name, permission_set: 'viewer', token_ttl: '1h' });
    expect(t.body).toMatchObject({ name, token_type: 'adhoc', owner_type: 'organization', token_ttl: '1h' });
    expect(t.body.primary.access.permissions.adhoc_role).toEqual({ resources: {}, permission_set: 'viewer' });
    expect(t.access).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expectOperation(await synqlyAs(target, t.access).get('/v1/accounts'), 'accounts_list', 200);
  });

  it.runIf(twin)('a viewer token lists but may not create (403), and the store is unchanged', async () => {
    const s = await synqlySession(target);
    const viewer = await adhoc(s, { permission_set: 'viewer' });
    const denied = await synqlyAs(target, viewer.access).post('/v1/accounts').send({ name: uniqueName('nope') });
    expectProblem(denied, 'accounts_create', 403);
    expect(denied.body.message).toContain('accounts.create');
    const listed = await s.get('/v1/accounts');
    expect(listed.body.result).toEqual([]);
  });

  it.runIf(twin)('an ad-hoc token asking for more than its parent is refused with 403', async () => {
    const s = await synqlySession(target);
    const a = await account(s);
    const b = await account(s);
    const parent = await adhoc(s, { permission_set: 'administrator', resources: { accounts: { ids: [a.id] } } });
    // more accounts than the parent
    const wider = await synqlyAs(target, parent.access).post('/v1/tokens').send({ permission_set: 'viewer', resources: { accounts: { ids: [a.id, b.id] } } });
    expectProblem(wider, 'tokens_create_token', 403);
    // no restriction at all = every account
    const unrestricted = await synqlyAs(target, parent.access).post('/v1/tokens').send({ permission_set: 'administrator', resources: {} });
    expectProblem(unrestricted, 'tokens_create_token', 403);
    // a narrower set on the same account is fine
    const child = await adhoc(s, { permission_set: 'connect-ui', resources: { accounts: { ids: [a.id] } } }, parent.access);
    expect(child.body.primary.access.permissions.adhoc_role.permission_set).toBe('connect-ui');
    // and the child cannot widen its own set either
    const grandchild = await synqlyAs(target, child.access).post('/v1/tokens').send({ permission_set: 'viewer', resources: { accounts: { ids: [a.id] } } });
    expectProblem(grandchild, 'tokens_create_token', 403);
    const tokens = await s.get('/v1/tokens');
    // nothing was created by the refused requests
    const adhocIds = tokens.body.result.filter((t: { token_type: string }) => t.token_type === 'adhoc').map((t: { id: string }) => t.id);
    expect(adhocIds.sort()).toEqual([parent.id, child.id].sort());
  });

  it.runIf(twin)('caps the new token at the lifetime of the secret that created it', async () => {
    const s = await synqlySession(target);
    const parent = await adhoc(s, { token_ttl: '1h' });
    const child = await adhoc(s, { token_ttl: '48h' }, parent.access);
    expect(Date.parse(child.body.expires)).toBeLessThanOrEqual(Date.parse(parent.body.primary.access.expires));
  });

  it('answers 400 for an unknown permission set and for a bad ttl', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.post('/v1/tokens').send({ resources: {}, permission_set: 'superuser' }), 'tokens_create_token', 400);
    if (twin) expectProblem(await s.post('/v1/tokens').send({ resources: {}, permission_set: 'viewer', token_ttl: '0s' }), 'tokens_create_token', 400);
  });
});

describe('resource restrictions', () => {
  it.runIf(twin)('a token restricted to one account sees and touches only that account', async () => {
    const s = await synqlySession(target);
    const a = await account(s, { environment: 'test' });
    const b = await account(s);
    const t = await adhoc(s, { permission_set: 'administrator', resources: { accounts: { ids: [a.id] } } });
    const client = synqlyAs(target, t.access);
    const listed = await client.get('/v1/accounts').query({ total: true });
    expectOperation(listed, 'accounts_list', 200);
    expect(listed.body.result.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect(listed.body.total).toBe(1);
    expectOperation(await client.get(`/v1/accounts/${a.name}`), 'accounts_get', 200);
    expectProblem(await client.get(`/v1/accounts/${b.id}`), 'accounts_get', 403);
    expectProblem(await client.post('/v1/accounts').send({ name: uniqueName('x') }), 'accounts_create', 403);
  });

  it.runIf(twin)('environments and labels narrow what an account restriction selects', async () => {
    const s = await synqlySession(target);
    const gold = await account(s, { environment: 'prod', labels: ['tier:gold'] });
    await account(s, { environment: 'prod', labels: ['tier:silver'] });
    const testGold = await account(s, { environment: 'test', labels: ['tier:gold'] });
    const t = await adhoc(s, { permission_set: 'viewer', resources: { accounts: { ids: ['*'], labels: ['tier:gold'], environments: ['prod'] } } });
    const listed = await synqlyAs(target, t.access).get('/v1/accounts');
    expect(listed.body.result.map((x: { id: string }) => x.id)).toEqual([gold.id]);
    expectProblem(await synqlyAs(target, t.access).get(`/v1/accounts/${testGold.id}`), 'accounts_get', 403);
  });
});

describe('tokens_refresh / tokens_remove_secondary', () => {
  it('after refresh the old primary works as the secondary until remove-secondary, then 401', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, { permission_set: 'viewer' });
    const refreshed = await synqlyAs(target, t.refresh).put(`/v1/tokens/${t.id}/refresh`);
    expectOperation(refreshed, 'tokens_refresh', 200);
    const next = refreshed.body.result;
    expect(next.id).toBe(t.id);
    expect(next.primary.access.secret).not.toBe(t.access);
    expect(next.secondary).toBeDefined();
    expectOperation(await synqlyAs(target, t.access).get('/v1/accounts'), 'accounts_list', 200);
    expectOperation(await synqlyAs(target, next.primary.access.secret).get('/v1/accounts'), 'accounts_list', 200);

    expectOperation(await s.delete(`/v1/tokens/${t.id}/secondary`), 'tokens_remove_secondary', 204);
    expectProblem(await synqlyAs(target, t.access).get('/v1/accounts'), 'accounts_list', 401);
    expectProblem(await synqlyAs(target, t.refresh).put(`/v1/tokens/${t.id}/refresh`), 'tokens_refresh', 401);
    expectOperation(await synqlyAs(target, next.primary.access.secret).get('/v1/accounts'), 'accounts_list', 200);
    const info = await s.get(`/v1/tokens/${t.id}/info`);
    expectOperation(info, 'tokens_get', 200);
    expect(info.body.result.secondary).toBeUndefined();
  });

  it.runIf(twin)('a refresh secret authorizes only the refresh of its own RefreshToken', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, { permission_set: 'viewer' });
    const other = await adhoc(s, { permission_set: 'viewer' });
    expectProblem(await synqlyAs(target, t.refresh).get('/v1/accounts'), 'accounts_list', 401);
    expectProblem(await synqlyAs(target, t.refresh).put(`/v1/tokens/${other.id}/refresh`), 'tokens_refresh', 403);
    // an access token needs tokens.refresh: a viewer has none
    expectProblem(await synqlyAs(target, t.access).put(`/v1/tokens/${t.id}/refresh`), 'tokens_refresh', 403);
    // the organization's administrator token has it
    expectOperation(await s.put(`/v1/tokens/${t.id}/refresh`), 'tokens_refresh', 200);
  });

  it.runIf(twin)('remove-secondary without a secondary answers 404', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, {});
    expectProblem(await s.delete(`/v1/tokens/${t.id}/secondary`), 'tokens_remove_secondary', 404);
  });
});

describe('tokens_rotate / tokens_reset', () => {
  it('rotate keeps the previous primary as the secondary and drops the one before', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, {});
    const first = await s.put(`/v1/tokens/${await orgId(s)}/${t.id}/rotate`);
    expectOperation(first, 'tokens_rotate', 200);
    const second = await s.put(`/v1/tokens/${await orgId(s)}/${t.id}/rotate`);
    expectOperation(second, 'tokens_rotate', 200);
    expectProblem(await synqlyAs(target, t.access).get('/v1/accounts'), 'accounts_list', 401);
    expectOperation(await synqlyAs(target, first.body.result.primary.access.secret).get('/v1/accounts'), 'accounts_list', 200);
    expectOperation(await synqlyAs(target, second.body.result.primary.access.secret).get('/v1/accounts'), 'accounts_list', 200);
  });

  it('reset invalidates both pairs at once and starts the expiry over', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, { token_ttl: '2h' });
    const refreshed = await synqlyAs(target, t.refresh).put(`/v1/tokens/${t.id}/refresh`);
    expectOperation(refreshed, 'tokens_refresh', 200);
    const newer = refreshed.body.result.primary;
    const reset = await s.put(`/v1/tokens/${await orgId(s)}/${t.id}/reset`);
    expectOperation(reset, 'tokens_reset', 200);
    expect(reset.body.result.secondary).toBeUndefined();
    for (const secret of [t.access, newer.access.secret]) expectProblem(await synqlyAs(target, secret).get('/v1/accounts'), 'accounts_list', 401);
    for (const secret of [t.refresh, newer.refresh.secret]) expectProblem(await synqlyAs(target, secret).put(`/v1/tokens/${t.id}/refresh`), 'tokens_refresh', 401);
    expectOperation(await synqlyAs(target, reset.body.result.primary.access.secret).get('/v1/accounts'), 'accounts_list', 200);
    expect(Date.parse(reset.body.result.expires)).toBeGreaterThanOrEqual(Date.parse(t.body.expires));
  });

  it.runIf(twin)('the organization default token can be reset; its old secret stops working', async () => {
    const s = await synqlySession(target);
    const org = await s.get('/v1/organization');
    const tokenId = org.status === 200 ? org.body.result.refresh_token_id : (await s.get('/v1/tokens')).body.result.find((t: any) => t.token_type === 'default').id;
    const reset = await s.put(`/v1/tokens/${await orgId(s)}/${tokenId}/reset`);
    expectOperation(reset, 'tokens_reset', 200);
    expectProblem(await s.get('/v1/accounts'), 'accounts_list', 401);
    const fresh = reset.body.result.primary.access.secret;
    expectOperation(await synqlyAs(target, fresh).get('/v1/accounts'), 'accounts_list', 200);
    // the tenant is deleted through the control API afterwards, so nothing else to restore
  });

  it.runIf(twin)('an owner that does not own the token answers 404; a viewer may not rotate (403)', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, {});
    const a = await account(s);
    expectProblem(await s.put(`/v1/tokens/${a.id}/${t.id}/rotate`), 'tokens_rotate', 404);
    const viewer = await adhoc(s, { permission_set: 'viewer' });
    expectProblem(await synqlyAs(target, viewer.access).put(`/v1/tokens/${await orgId(s)}/${t.id}/rotate`), 'tokens_rotate', 403);
  });
});

describe('token expiry', () => {
  it.runIf(target.capabilities.admin)('advancing the clock past a token\'s expiry answers 401', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, { permission_set: 'viewer', token_ttl: '1m' });
    expectOperation(await synqlyAs(target, t.access).get('/v1/accounts'), 'accounts_list', 200);
    await withClockAdvanced(target, '2m', async () => {
      const res = await synqlyAs(target, t.access).get('/v1/accounts');
      expectProblem(res, 'accounts_list', 401);
      expect(res.body.message).toContain('expired');
      // the organization's own token still works
      expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
    });
  });
});

describe('tokens_list / tokens_get / tokens_delete', () => {
  it('lists the organization\'s tokens without secrets and deletes one (401 afterwards)', async () => {
    const s = await synqlySession(target);
    const t = await adhoc(s, { name: uniqueName('listed'), permission_set: 'viewer' });
    const listed = await s.get('/v1/tokens');
    expectOperation(listed, 'tokens_list', 200);
    const mine = listed.body.result.find((x: { id: string }) => x.id === t.id);
    expect(mine).toMatchObject({ name: t.body.name, token_type: 'adhoc' });
    expect(mine.primary.access.secret).not.toBe(t.access);
    const info = await s.get(`/v1/tokens/${t.id}/info`);
    expectOperation(info, 'tokens_get', 200);
    expect(info.body.result.id).toBe(t.id);
    expect(JSON.stringify(info.body)).not.toContain(t.access);

    expectOperation(await s.delete(`/v1/tokens/${t.id}`), 'tokens_delete', 204);
    expectProblem(await synqlyAs(target, t.access).get('/v1/accounts'), 'accounts_list', 401);
    expectProblem(await s.get(`/v1/tokens/${t.id}/info`), 'tokens_get', 404);
  });

  it.runIf(twin)('refuses to delete the organization default token (400) and keeps it working', async () => {
    const s = await synqlySession(target);
    const def = (await s.get('/v1/tokens')).body.result.find((t: any) => t.token_type === 'default');
    expectProblem(await s.delete(`/v1/tokens/${def.id}`), 'tokens_delete', 400);
    expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
  });
});

describe('tokens_create_mcp_token', () => {
  it('issues a single Token that the Management API refuses (401)', async () => {
    const s = await synqlySession(target);
    const a = await account(s);
    const res = await s.post('/v1/tokens/mcp').send({ scope: { type: 'integration-usage', account_id: a.id }, token_ttl: '30m' });
    expectOperation(res, 'tokens_create_mcp_token', 200);
    const token = res.body.result;
    expect(Date.parse(token.expires) - Date.now()).toBeLessThanOrEqual(31 * 60_000 + (twin ? 0 : 60_000));
    s.defer(() => s.delete(`/v1/tokens/${token.permissions.id}`));
    if (twin) expect(token.permissions.adhoc_role).toEqual({ resources: { accounts: { ids: [a.id] } }, permission_set: 'mcp-integrations-use-only' });
    expectProblem(await synqlyAs(target, token.secret).get('/v1/accounts'), 'accounts_list', 401);
  });

  it.runIf(twin)('answers 400 beyond 24h and 404 for an unknown account', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.post('/v1/tokens/mcp').send({ scope: { type: 'management' }, token_ttl: '25h' }), 'tokens_create_mcp_token', 400);
    expectProblem(await s.post('/v1/tokens/mcp').send({ scope: { type: 'developer', account_id: 'no-such-account' } }), 'tokens_create_mcp_token', 404);
  });

  it.runIf(twin)('a scope that breaks the schema is reported for the variant its type selects', async () => {
    const s = await synqlySession(target);
    const noAccount = await s.post('/v1/tokens/mcp').send({ scope: { type: 'developer' } });
    expectProblem(noAccount, 'tokens_create_mcp_token', 400);
    expect(noAccount.body.context.parameter).toMatchObject({ id: '/scope/account_id', location: 'body' });
    expect(noAccount.body.message).toContain('/scope/account_id is required');
    const unknownType = await s.post('/v1/tokens/mcp').send({ scope: { type: 'superuser', account_id: 'x' } });
    expectProblem(unknownType, 'tokens_create_mcp_token', 400);
    expect(unknownType.body.context.parameter).toMatchObject({ id: '/scope/type', location: 'body', value: 'superuser' });
    expect(unknownType.body.message).toMatch(/\/scope\/type must be one of .*"developer"/);
  });
});

describe('tokens_create_synqly_integrations_token', () => {
  it.runIf(twin)('returns the Synqly integrations account and a RefreshToken the Management API refuses', async () => {
    const s = await synqlySession(target);
    const res = await s.post('/v1/tokens/synqly-integrations').send({ token_ttl: '1h' });
    expectOperation(res, 'tokens_create_synqly_integrations_token', 200);
    const { account_id, token } = res.body.result;
    expectOperation(await s.get(`/v1/accounts/${account_id}`), 'accounts_get', 200);
    expect(token.token_ttl).toBe('1h');
    expectProblem(await synqlyAs(target, token.primary.access.secret).get('/v1/accounts'), 'accounts_list', 401);
    // a second call reuses the account
    const again = await s.post('/v1/tokens/synqly-integrations').send({});
    expect(again.body.result.account_id).toBe(account_id);
  });
});

describe('integration tokens', () => {
  async function integration(s: SynqlySession) {
    const a = await account(s);
    const res = await s.post(`/v1/integrations/${a.id}`).send({ name: uniqueName('integ'), provider_config: { type: 'siem_mock_siem' } });
    expectOperation(res, 'integrations_create', 200);
    const i = res.body.result.integration;
    s.defer(() => s.delete(`/v1/integrations/${a.id}/${i.id}`));
    return { account: a, integration: i, token: res.body.result.token };
  }

  it('an administrator rotates an integration\'s token; a viewer may not', async () => {
    const s = await synqlySession(target);
    const { integration: i, token } = await integration(s);
    // the integration token authenticates the Connector APIs only
    expectProblem(await synqlyAs(target, token.access.secret).get('/v1/accounts'), 'accounts_list', 401);
    const before = await s.get(`/v1/tokens/${i.refresh_token_id}/info`);
    expectOperation(before, 'tokens_get', 200);
    expect(before.body.result).toMatchObject({ owner_id: i.id, owner_type: 'integration' });
    if (twin) {
      const viewer = await adhoc(s, { permission_set: 'viewer' });
      expectProblem(await synqlyAs(target, viewer.access).put(`/v1/tokens/${i.id}/${i.refresh_token_id}/rotate`), 'tokens_rotate', 403);
    }
    const rotated = await s.put(`/v1/tokens/${i.id}/${i.refresh_token_id}/rotate`);
    expectOperation(rotated, 'tokens_rotate', 200);
    expect(rotated.body.result.primary.access.secret).not.toBe(token.access.secret);
    expect(rotated.body.result.secondary).toBeDefined();
    expect(rotated.body.result.primary.access.permissions).toMatchObject({ resource_id: i.id, resource_type: 'integration' });
    // the old primary is now the secondary (same expiry), still valid; the new primary valid; both resolve to the
    // integration's token, which the Management API refuses as an integration token (not as unknown or revoked)
    if (twin) {
      expect(rotated.body.result.secondary.access.expires).toBe(token.access.expires);
      for (const secret of [token.access.secret, rotated.body.result.primary.access.secret]) {
        const res = await synqlyAs(target, secret).get('/v1/accounts');
        expectProblem(res, 'accounts_list', 401);
        expect(res.body.message).toBe('an integration token cannot call the Management API; use an organization token');
      }
    }
    // reset: both pairs invalid at once
    const reset = await s.put(`/v1/tokens/${i.name}/${i.refresh_token_id}/reset`);
    expectOperation(reset, 'tokens_reset', 200);
    expect(reset.body.result.secondary).toBeUndefined();
    if (twin) {
      for (const secret of [token.access.secret, rotated.body.result.primary.access.secret]) {
        const res = await synqlyAs(target, secret).get('/v1/accounts');
        expectProblem(res, 'accounts_list', 401);
        expect(res.body.message, 'a reset pair no longer resolves').toMatch(/^the token (is not valid|has been revoked)$/);
      }
    }
  });

  it('an integration\'s own refresh secret refreshes its RefreshToken, and authorizes nothing else', async () => {
    const s = await synqlySession(target);
    const { account: a, integration: i, token } = await integration(s);
    const refresh = synqlyAs(target, token.refresh.secret);
    const refreshed = await refresh.put(`/v1/tokens/${i.refresh_token_id}/refresh`);
    expectOperation(refreshed, 'tokens_refresh', 200);
    const next = refreshed.body.result;
    expect(next).toMatchObject({ id: i.refresh_token_id, owner_id: i.id, owner_type: 'integration' });
    expect(next.primary.access.secret).not.toBe(token.access.secret);
    expect(next.secondary).toBeDefined();
    if (twin) {
      // the refresh secret and the access secrets stay off the rest of the Management API
      const fresh = synqlyAs(target, next.primary.refresh.secret);
      expectProblem(await fresh.get('/v1/accounts'), 'accounts_list', 401);
      expectProblem(await fresh.get(`/v1/tokens/${i.refresh_token_id}/info`), 'tokens_get', 401);
      expectProblem(await fresh.put(`/v1/tokens/${i.id}/${i.refresh_token_id}/rotate`), 'tokens_rotate', 401);
      expectProblem(await fresh.put(`/v1/tokens/${i.id}/${i.refresh_token_id}/reset`), 'tokens_reset', 401);
      expectProblem(await fresh.delete(`/v1/tokens/${i.refresh_token_id}/secondary`), 'tokens_remove_secondary', 401);
      expectProblem(await fresh.get(`/v1/integrations/${a.id}/${i.id}`), 'integrations_get', 401);
      // … and refreshes no other RefreshToken
      const other = await adhoc(s, { permission_set: 'viewer' });
      expectProblem(await fresh.put(`/v1/tokens/${other.id}/refresh`), 'tokens_refresh', 401);
      // an integration access secret may not refresh, not even its own RefreshToken
      expectProblem(await synqlyAs(target, next.primary.access.secret).put(`/v1/tokens/${i.refresh_token_id}/refresh`), 'tokens_refresh', 401);
      // the refreshed RefreshToken is addressable by name too, and the superseded refresh secret is gone
      expectOperation(await fresh.put(`/v1/tokens/${next.name}/refresh`), 'tokens_refresh', 200);
      expectProblem(await refresh.put(`/v1/tokens/${i.refresh_token_id}/refresh`), 'tokens_refresh', 401);
    }
  });

  it('tokens_create_integration_token issues a single integration Token that is not listed with the organization\'s tokens', async () => {
    const s = await synqlySession(target);
    const { account: a, integration: i } = await integration(s);
    const res = await s.post(`/v1/tokens/${a.id}/${i.id}`).send({ token_ttl: '5m' });
    expectOperation(res, 'tokens_create_integration_token', 200);
    const t = res.body.result;
    expect(t.permissions).toMatchObject({ resource_id: i.id, resource_type: 'integration' });
    expect(Date.parse(t.expires)).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + (twin ? 1000 : 60_000));
    expectProblem(await synqlyAs(target, t.secret).get('/v1/accounts'), 'accounts_list', 401);
    if (twin) {
      const listed = (await s.get('/v1/tokens')).body.result as Array<{ id: string; owner_type: string }>;
      expect(listed.some((x) => x.id === t.permissions.id || x.owner_type === 'integration')).toBe(false);
      expectOperation(await s.get(`/v1/tokens/${t.permissions.id}/info`), 'tokens_get', 200);
      expectProblem(await s.post(`/v1/tokens/${a.id}/no-such-integration`).send({}), 'tokens_create_integration_token', 404);
      // a token restricted to another account may not issue tokens for this one
      const other = await account(s);
      const limited = await adhoc(s, { permission_set: 'account-manager', resources: { accounts: { ids: [other.id] } } });
      expectProblem(await synqlyAs(target, limited.access).post(`/v1/tokens/${a.id}/${i.id}`).send({}), 'tokens_create_integration_token', 403);
    }
  });

  it.runIf(twin)('an integration-category restriction keeps a token away from other connectors', async () => {
    const s = await synqlySession(target);
    const { account: a, integration: i } = await integration(s);
    const ticketingOnly = await adhoc(s, { permission_set: 'administrator', resources: { integrations: { categories: ['ticketing'] } } });
    expectProblem(await synqlyAs(target, ticketingOnly.access).post(`/v1/tokens/${a.id}/${i.id}`).send({}), 'tokens_create_integration_token', 403);
    const siem = await adhoc(s, { permission_set: 'administrator', resources: { integrations: { categories: ['siem'] } } });
    expectOperation(await synqlyAs(target, siem.access).post(`/v1/tokens/${a.id}/${i.id}`).send({}), 'tokens_create_integration_token', 200);
  });
});

describe('no escalation through another RefreshToken (tokens_refresh, tokens_rotate, tokens_reset, tokens_remove_secondary, tokens_delete)', () => {
  const SECRET = 'c0rrect-h0rse-battery';

  /** the organization's default RefreshToken */
  async function defaultToken(s: SynqlySession): Promise<string> {
    const org = await s.get('/v1/organization');
    return org.status === 200 ? org.body.result.refresh_token_id : (await s.get('/v1/tokens')).body.result.find((t: any) => t.token_type === 'default').id;
  }

  /** a member bound to `roleBinding`, logged on: its session's secrets and RefreshToken id */
  /** a session whose organization token a scenario reset: its clean-up uses the new secret */
  const renewedToken = new WeakMap<SynqlySession, string>();
  async function session(s: SynqlySession, roleBinding: string[]) {
    const res = await s.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: SECRET, role_binding: roleBinding });
    expectOperation(res, 'members_create', 200);
    const m = res.body.result.member;
    s.defer(() => {
      const renewed = renewedToken.get(s);
      return (renewed ? synqlyAs(target, renewed) : s).delete(`/v1/members/${m.id}`);
    });
    const logon = await target.synqly.post(`/v1/auth/logon/${await orgId(s)}`).send({ name: m.name, secret: SECRET });
    expectOperation(logon, 'auth_logon', 200);
    const r = logon.body.result;
    return { member: m, refreshTokenId: r.refresh_token_id as string, access: r.token.access.secret as string, refresh: r.token.refresh.secret as string };
  }

  it.runIf(twin)('a token restricted to one account may not rotate, reset or refresh the organization\'s token (403, nothing changed)', async () => {
    const s = await synqlySession(target);
    const a1 = await account(s);
    const a2 = await account(s);
    const restricted = await adhoc(s, { permission_set: 'administrator', resources: { accounts: { ids: [a1.id] } }, token_ttl: '1h' });
    const client = synqlyAs(target, restricted.access);
    expectProblem(await client.get(`/v1/accounts/${a2.id}`), 'accounts_get', 403);
    const org = await orgId(s);
    const rt = await defaultToken(s);
    const before = (await s.get(`/v1/tokens/${rt}/info`)).body.result;

    const rotated = await client.put(`/v1/tokens/${org}/${rt}/rotate`);
    expectProblem(rotated, 'tokens_rotate', 403);
    expect(rotated.body.message).toContain('within its own');
    expectProblem(await client.put(`/v1/tokens/${org}/${rt}/reset`), 'tokens_reset', 403);
    expectProblem(await client.put(`/v1/tokens/${rt}/refresh`), 'tokens_refresh', 403);
    expect(JSON.stringify(rotated.body)).not.toMatch(/"secret"/);

    // the organization's token is untouched: same pair, no secondary, still working
    const after = await s.get(`/v1/tokens/${rt}/info`);
    expect(after.body.result).toEqual(before);
    expectOperation(await s.get(`/v1/accounts/${a2.id}`), 'accounts_get', 200);
    // and the restricted token still reaches only its account
    expectProblem(await client.get(`/v1/accounts/${a2.id}`), 'accounts_get', 403);
  });

  it.runIf(twin)('a restricted token may rotate and refresh itself and the narrower tokens it made, but not revoke wider ones', async () => {
    const s = await synqlySession(target);
    const a1 = await account(s);
    const org = await orgId(s);
    const restricted = await adhoc(s, { permission_set: 'administrator', resources: { accounts: { ids: [a1.id] } } });
    const client = synqlyAs(target, restricted.access);
    // its own RefreshToken: access secret (tokens.refresh) and its own owner-addressed rotate
    const own = await client.put(`/v1/tokens/${restricted.id}/refresh`);
    expectOperation(own, 'tokens_refresh', 200);
    const next = synqlyAs(target, own.body.result.primary.access.secret);
    expectOperation(await next.put(`/v1/tokens/${org}/${restricted.id}/rotate`), 'tokens_rotate', 200);
    // a narrower child
    const child = await adhoc(s, { permission_set: 'viewer', resources: { accounts: { ids: [a1.id] } } }, own.body.result.primary.access.secret);
    const rotatedChild = await next.put(`/v1/tokens/${org}/${child.id}/rotate`);
    expectOperation(rotatedChild, 'tokens_rotate', 200);
    expectOperation(await next.delete(`/v1/tokens/${child.id}/secondary`), 'tokens_remove_secondary', 204);
    expectOperation(await next.delete(`/v1/tokens/${child.id}`), 'tokens_delete', 204);

    // a wider token (administrator on every account) is not its to revoke either
    const wide = await adhoc(s, { permission_set: 'administrator' });
    expectOperation(await s.put(`/v1/tokens/${org}/${wide.id}/rotate`), 'tokens_rotate', 200);
    expectProblem(await next.delete(`/v1/tokens/${wide.id}/secondary`), 'tokens_remove_secondary', 403);
    expectProblem(await next.delete(`/v1/tokens/${wide.id}`), 'tokens_delete', 403);
    const info = await s.get(`/v1/tokens/${wide.id}/info`);
    expectOperation(info, 'tokens_get', 200);
    expect(info.body.result.secondary).toBeDefined();
  });

  it.runIf(twin)('a logon session of a role restricted to one account may not take over the organization\'s token', async () => {
    const s = await synqlySession(target);
    const a1 = await account(s);
    const a2 = await account(s);
    const role = await s.post('/v1/roles').send({ name: uniqueName('adm-one'), permission_set: 'administrator', resources: { accounts: { ids: [a1.id] } } });
    expectOperation(role, 'roles_create', 200);
    s.defer(() => s.delete(`/v1/roles/${role.body.result.id}`));
    const session1 = await session(s, [role.body.result.name]);
    const client = synqlyAs(target, session1.access);
    const org = await orgId(s);
    const rt = await defaultToken(s);
    expectProblem(await client.put(`/v1/tokens/${org}/${rt}/rotate`), 'tokens_rotate', 403);
    expectProblem(await client.put(`/v1/tokens/${org}/${rt}/reset`), 'tokens_reset', 403);
    expectProblem(await client.put(`/v1/tokens/${rt}/refresh`), 'tokens_refresh', 403);
    expectProblem(await client.get(`/v1/accounts/${a2.id}`), 'accounts_get', 403);
    expectOperation(await s.get('/v1/accounts'), 'accounts_list', 200);
    // its own session it may refresh, with either secret
    expectOperation(await client.put(`/v1/tokens/${session1.refreshTokenId}/refresh`), 'tokens_refresh', 200);
  });

  it.runIf(twin)('an administrator\'s session resets the organization token (the init-script flow), but another member\'s session is not handed out', async () => {
    const s = await synqlySession(target);
    const admin = await session(s, ['administrator']);
    const other = await session(s, ['viewer']);
    const org = await orgId(s);
    // another member's session: its secrets would act as that member (change its password) → 403, from any token
    expectProblem(await synqlyAs(target, admin.access).put(`/v1/tokens/${org}/${other.refreshTokenId}/rotate`), 'tokens_rotate', 403);
    expectProblem(await s.put(`/v1/tokens/${org}/${other.refreshTokenId}/reset`), 'tokens_reset', 403);
    expectProblem(await s.put(`/v1/tokens/${other.refreshTokenId}/refresh`), 'tokens_refresh', 403);
    expectOperation(await synqlyAs(target, other.access).get('/v1/accounts'), 'accounts_list', 200);
    // … but an administrator may end it
    expectOperation(await s.delete(`/v1/tokens/${other.refreshTokenId}`), 'tokens_delete', 204);
    expectProblem(await synqlyAs(target, other.access).get('/v1/accounts'), 'accounts_list', 401);

    const reset = await synqlyAs(target, admin.access).put(`/v1/tokens/${org}/${await defaultToken(s)}/reset`);
    expectOperation(reset, 'tokens_reset', 200);
    expectOperation(await synqlyAs(target, reset.body.result.primary.access.secret).get('/v1/accounts'), 'accounts_list', 200);
    // the session's own token is the one reset: its clean-up steps go with the new one
    renewedToken.set(s, reset.body.result.primary.access.secret);
  });
});

describe('resources name accounts and organizations by id (tokens_create_token)', () => {
  it.runIf(twin)('resolves account names to ids, and answers 404 for an unknown account (nothing stored)', async () => {
    const s = await synqlySession(target);
    const a = await account(s);
    const byName = await adhoc(s, { permission_set: 'viewer', resources: { accounts: { ids: [a.name] } } });
    expect(byName.body.primary.access.permissions.adhoc_role.resources).toEqual({ accounts: { ids: [a.id] } });
    // renaming the account keeps it inside the restriction
    const renamed = `${a.name}-renamed`;
    expectOperation(await s.patch(`/v1/accounts/${a.id}`).send([{ op: 'replace', path: '/name', value: renamed }]), 'accounts_patch', 200);
    expectOperation(await synqlyAs(target, byName.access).get(`/v1/accounts/${a.id}`), 'accounts_get', 200);
    // a new account taking the old name is not
    const squatter = await account(s, { name: a.name });
    expectProblem(await synqlyAs(target, byName.access).get(`/v1/accounts/${squatter.id}`), 'accounts_get', 403);

    const before = (await s.get('/v1/tokens')).body.result.length;
    const ghost = await s.post('/v1/tokens').send({ permission_set: 'viewer', resources: { accounts: { ids: ['nosuch'] } } });
    expectProblem(ghost, 'tokens_create_token', 404);
    expect(ghost.body.context.parameter).toMatchObject({ id: '/resources/accounts/ids/0', location: 'body', value: 'nosuch' });
    const ghostOrg = await s.post('/v1/tokens').send({ permission_set: 'viewer', resources: { organizations: { ids: ['no-such-org'] } } });
    expectProblem(ghostOrg, 'tokens_create_token', 404);
    expect((await s.get('/v1/tokens')).body.result.length).toBe(before);
  });

  it.runIf(twin)('resolves the organization\'s own name to its id', async () => {
    const s = await synqlySession(target);
    const org = (await s.get('/v1/organization')).body.result;
    const t = await adhoc(s, { permission_set: 'viewer', resources: { organizations: { ids: [org.name] } } });
    expect(t.body.primary.access.permissions.adhoc_role.resources).toEqual({ organizations: { ids: [org.id] } });
    expectOperation(await synqlyAs(target, t.access).get('/v1/accounts'), 'accounts_list', 200);
  });
});

describe('token_ttl of a capped token', () => {
  const exact = /^(?=.)(\d+h)?([1-5]?\dm)?([1-5]?\ds)?$/;

  it.runIf(twin)('is written in hours, minutes and whole seconds, and matches the lifetime exactly', async () => {
    const s = await synqlySession(target);
    const long = await adhoc(s, { permission_set: 'viewer', token_ttl: '100000h' });
    const ttl = long.body.token_ttl as string;
    expect(ttl).toMatch(exact);
    const { parseDuration } = await import('../../mock/core/durations.ts');
    expect(Date.parse(long.body.expires) - Date.parse(long.body.created_at)).toBe(parseDuration(ttl));
    expect(parseDuration(ttl)! % 1000).toBe(0);
    expect(parseDuration(ttl)!).toBeLessThan(100000 * 3_600_000);

    // from a 1h logon session: at most 1h, never a bare count of seconds
    const m = await s.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: 'c0rrect-h0rse-battery', role_binding: ['administrator'] });
    expectOperation(m, 'members_create', 200);
    s.defer(() => s.delete(`/v1/members/${m.body.result.member.id}`));
    const logon = await target.synqly.post(`/v1/auth/logon/${await orgId(s)}`).send({ name: m.body.result.member.name, secret: 'c0rrect-h0rse-battery' });
    const child = await adhoc(s, { permission_set: 'viewer' }, logon.body.result.token.access.secret);
    expect(child.body.token_ttl).toMatch(exact);
    expect(parseDuration(child.body.token_ttl)).toBeLessThanOrEqual(3_600_000);
    expect(Date.parse(child.body.expires)).toBeLessThanOrEqual(Date.parse(logon.body.result.token.access.expires));
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('tokens_list', () => {
  it("lists the organization's refresh tokens (a twin tenant's administrator token among them)", async () => {
    const s = await ro.session();
    const res = await s.get('/v1/tokens');
    expectOperation(res, 'tokens_list', 200);
    if (ro.twin) expect(ro.items(res).length).toBeGreaterThanOrEqual(1);
    // listing never hands out secrets
    for (const t of ro.items(res)) expect(JSON.stringify(t)).not.toContain(s.token);
  });
});

describe('tokens_get', () => {
  it('reads the info of the first listed refresh token', async (ctx) => {
    const s = await ro.session();
    const list = await s.get('/v1/tokens');
    expectOperation(list, 'tokens_list', 200);
    const token = ro.firstOf(ctx, ro.items(list), 'refresh token', true);
    const res = await s.get(`/v1/tokens/${token.id}/info`);
    expectOperation(res, 'tokens_get', 200);
    expect(res.body.result).toMatchObject({ id: token.id, name: token.name, owner_id: token.owner_id });
    expect(JSON.stringify(res.body)).not.toContain(s.token);
  });
});
