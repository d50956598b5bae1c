import type { Response } from 'supertest';
import { describe, expect, it, type TestContext } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession } from '../support/sessions.ts';
import { expectOperation } from '../support/contract.ts';

/**
 * Read-only scenarios: every list and get of the Management API, with GETs only, so they run on
 * every target — a twin (a fresh `demo` tenant: accounts, an integration point, integrations,
 * credentials, a bridge group, a role, a member, a mapping) and a live tenant without
 * `--allow-writes` (whatever the tenant holds). Each list is checked against the spec; the first
 * item (if any) is read back by id and, where the contract takes names, by name. Parent ids come
 * from the parent's list. An empty list is fine live (the get is skipped, saying why); on a twin
 * the demo tenant has the item, so an empty list there fails.
 */

const target = await useTarget();
const twin = target.kind !== 'live';

interface Item {
  id: string;
  name: string;
  [key: string]: unknown;
}

const session = () => synqlySession(target, { profile: 'demo' });
const items = (res: Response) => res.body.result as Item[];

/**
 * The first item, or: a failure on a twin when the demo tenant holds one (`seeded`), else the
 * test is skipped with the reason.
 */
function firstOf<T>(ctx: TestContext, list: T[], what: string, seeded: boolean): T {
  const item = list[0];
  if (item !== undefined) return item;
  if (twin && seeded) expect.fail(`the demo tenant should hold ${what}`);
  ctx.skip(`the tenant holds no ${what} to read`);
  throw new Error(`no ${what}`);
}

async function listAccounts(s: SynqlySession): Promise<Item[]> {
  const res = await s.get('/v1/accounts');
  expectOperation(res, 'accounts_list', 200);
  return items(res);
}

/** the first owner (of `owners`) whose list at `path(owner)` is not empty, with that list */
async function firstNonEmpty(s: SynqlySession, owners: Item[], path: (owner: Item) => string, operationId: 'credentials_list' | 'bridges_list') {
  for (const owner of owners.slice(0, 20)) {
    const res = await s.get(path(owner));
    if (operationId === 'credentials_list') expectOperation(res, 'credentials_list', 200);
    else expectOperation(res, 'bridges_list', 200);
    if (items(res).length) return { owner, list: items(res) };
  }
  return { owner: undefined, list: [] as Item[] };
}

describe('accounts_list', () => {
  it('lists the accounts (the demo tenant has five), each valid against the spec', async () => {
    const s = await session();
    const res = await s.get('/v1/accounts').query({ total: 'true' });
    expectOperation(res, 'accounts_list', 200);
    expect(res.body.total).toBe(items(res).length);
    if (twin) expect(items(res).length).toBe(5);
  });
});

describe('accounts_get', () => {
  it('reads the first listed account by id and by name', async (ctx) => {
    const s = await session();
    const account = firstOf(ctx, await listAccounts(s), 'account', true);
    const byId = await s.get(`/v1/accounts/${account.id}`);
    expectOperation(byId, 'accounts_get', 200);
    expect(byId.body.result).toMatchObject({ id: account.id, name: account.name });
    const byName = await s.get(`/v1/accounts/${encodeURIComponent(account.name)}`);
    expectOperation(byName, 'accounts_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('integrations_list', () => {
  it('lists the integrations of every account, with account and integration point on expand', async () => {
    const s = await session();
    const res = await s.get('/v1/integrations').query({ expand: 'account', total: 'true' });
    expectOperation(res, 'integrations_list', 200);
    expect(res.body.total).toBe(items(res).length);
    for (const i of items(res)) expect((i.account as Item).id).toBe(i.account_id);
    if (twin) expect(items(res).length).toBe(2);
  });
});

describe('integrations_list_account', () => {
  it("lists one account's integrations, by the account's id and by its name", async (ctx) => {
    const s = await session();
    const all = await s.get('/v1/integrations');
    expectOperation(all, 'integrations_list', 200);
    const first = items(all)[0];
    const accounts = await listAccounts(s);
    const account = first ? accounts.find((a) => a.id === first.account_id) : accounts[0];
    const owner = firstOf(ctx, account ? [account] : [], 'account', true);
    const byId = await s.get(`/v1/integrations/${owner.id}`);
    expectOperation(byId, 'integrations_list_account', 200);
    for (const i of items(byId)) expect(i.account_id).toBe(owner.id);
    expect(items(byId).map((i) => i.id)).toEqual(items(all).filter((i) => i.account_id === owner.id).map((i) => i.id));
    const byName = await s.get(`/v1/integrations/${encodeURIComponent(owner.name)}`);
    expectOperation(byName, 'integrations_list_account', 200);
    expect(items(byName).map((i) => i.id)).toEqual(items(byId).map((i) => i.id));
  });
});

describe('integrations_get', () => {
  it('reads the first listed integration by ids and by account and integration names', async (ctx) => {
    const s = await session();
    const all = await s.get('/v1/integrations').query({ expand: 'account' });
    expectOperation(all, 'integrations_list', 200);
    const integration = firstOf(ctx, items(all), 'integration', true);
    const byId = await s.get(`/v1/integrations/${integration.account_id}/${integration.id}`);
    expectOperation(byId, 'integrations_get', 200);
    expect(byId.body.result).toMatchObject({ id: integration.id, name: integration.name, account_id: integration.account_id });
    const accountName = (integration.account as Item).name;
    const byName = await s.get(`/v1/integrations/${encodeURIComponent(accountName)}/${encodeURIComponent(integration.name)}`);
    expectOperation(byName, 'integrations_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('integrationPoints_list', () => {
  it('lists the integration points (the demo tenant has one)', async () => {
    const s = await session();
    const res = await s.get('/v1/integration-points').query({ total: 'true' });
    expectOperation(res, 'integrationPoints_list', 200);
    expect(res.body.total).toBe(items(res).length);
    if (twin) expect(items(res).map((p) => p.name)).toEqual(['siem']);
  });
});

describe('integrationPoints_get', () => {
  it('reads the first listed integration point by id and by name', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/integration-points');
    expectOperation(list, 'integrationPoints_list', 200);
    const point = firstOf(ctx, items(list), 'integration point', true);
    const byId = await s.get(`/v1/integration-points/${point.id}`);
    expectOperation(byId, 'integrationPoints_get', 200);
    expect(byId.body.result).toMatchObject({ id: point.id, name: point.name });
    const byName = await s.get(`/v1/integration-points/${encodeURIComponent(point.name)}`);
    expectOperation(byName, 'integrationPoints_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('credentials_list', () => {
  it("lists an account's credentials (the demo test account owns one)", async (ctx) => {
    const s = await session();
    const { owner, list } = await firstNonEmpty(s, await listAccounts(s), (a) => `/v1/credentials/${a.id}`, 'credentials_list');
    const account = firstOf(ctx, owner ? [owner] : [], 'account with credentials', true);
    for (const c of list) expect(c.account_id).toBe(account.id);
    const byName = await s.get(`/v1/credentials/${encodeURIComponent(account.name)}`);
    expectOperation(byName, 'credentials_list', 200);
    expect(items(byName).map((c) => c.id)).toEqual(list.map((c) => c.id));
  });
});

describe('credentials_get', () => {
  it("reads the first credential of the first account that has one, by ids and by names, and looks it up", async (ctx) => {
    const s = await session();
    const { owner, list } = await firstNonEmpty(s, await listAccounts(s), (a) => `/v1/credentials/${a.id}`, 'credentials_list');
    const credential = firstOf(ctx, list, 'account credential', true);
    const byId = await s.get(`/v1/credentials/${owner!.id}/${credential.id}`);
    expectOperation(byId, 'credentials_get', 200);
    expect(byId.body.result).toMatchObject({ id: credential.id, name: credential.name, account_id: owner!.id, owner_type: 'account' });
    const byName = await s.get(`/v1/credentials/${encodeURIComponent(owner!.name)}/${encodeURIComponent(credential.name)}`);
    expectOperation(byName, 'credentials_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
    const lookup = await s.get(`/v1/credentials/lookup/${credential.id}`);
    expectOperation(lookup, 'credentials_lookup', 200);
    expect(lookup.body.result).toEqual(byId.body.result);
  });
});

describe('members_list', () => {
  it('lists the members (the demo tenant has the service member ci-pipeline)', async () => {
    const s = await session();
    const res = await s.get('/v1/members');
    expectOperation(res, 'members_list', 200);
    if (twin) expect(items(res).map((m) => m.name)).toContain('ci-pipeline');
  });
});

describe('members_get', () => {
  it('reads the first listed member by id and by name', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/members');
    expectOperation(list, 'members_list', 200);
    const member = firstOf(ctx, items(list), 'member', true);
    const byId = await s.get(`/v1/members/${member.id}`);
    expectOperation(byId, 'members_get', 200);
    expect(byId.body.result).toMatchObject({ id: member.id, name: member.name });
    const byName = await s.get(`/v1/members/${encodeURIComponent(member.name)}`);
    expectOperation(byName, 'members_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('roles_list', () => {
  it('lists the roles (the demo tenant has a viewer role on its test account)', async () => {
    const s = await session();
    const res = await s.get('/v1/roles');
    expectOperation(res, 'roles_list', 200);
    if (twin) expect(items(res).some((r) => r.name.endsWith('-test-viewer'))).toBe(true);
  });
});

describe('roles_get', () => {
  it('reads the first listed role by id and by name', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/roles');
    expectOperation(list, 'roles_list', 200);
    const role = firstOf(ctx, items(list), 'role', true);
    const byId = await s.get(`/v1/roles/${role.id}`);
    expectOperation(byId, 'roles_get', 200);
    expect(byId.body.result).toMatchObject({ id: role.id, name: role.name });
    const byName = await s.get(`/v1/roles/${encodeURIComponent(role.name)}`);
    expectOperation(byName, 'roles_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('permissionset_list', () => {
  it('lists the built-in permission sets', async () => {
    const s = await session();
    const res = await s.get('/v1/permissionsets');
    expectOperation(res, 'permissionset_list', 200);
    expect((res.body.result as Array<{ name: string }>).map((p) => p.name)).toEqual(expect.arrayContaining(['administrator', 'viewer']));
  });
});

describe('permissionset_get', () => {
  it('reads the first listed permission set by name (permission sets have no id)', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/permissionsets');
    expectOperation(list, 'permissionset_list', 200);
    const set = firstOf(ctx, list.body.result as Array<{ name: string }>, 'permission set', true);
    const res = await s.get(`/v1/permissionsets/${encodeURIComponent(set.name)}`);
    expectOperation(res, 'permissionset_get', 200);
    expect(res.body.result).toEqual(set);
  });
});

describe('tokens_list', () => {
  it("lists the organization's refresh tokens (a twin tenant's administrator token among them)", async () => {
    const s = await session();
    const res = await s.get('/v1/tokens');
    expectOperation(res, 'tokens_list', 200);
    if (twin) expect(items(res).length).toBeGreaterThanOrEqual(1);
    // listing never hands out secrets
    for (const t of items(res)) expect(JSON.stringify(t)).not.toContain(s.token);
  });
});

describe('tokens_get', () => {
  it('reads the info of the first listed refresh token', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/tokens');
    expectOperation(list, 'tokens_list', 200);
    const token = firstOf(ctx, items(list), 'refresh token', true);
    const res = await s.get(`/v1/tokens/${token.id}/info`);
    expectOperation(res, 'tokens_get', 200);
    expect(res.body.result).toMatchObject({ id: token.id, name: token.name, owner_id: token.owner_id });
    expect(JSON.stringify(res.body)).not.toContain(s.token);
  });
});

describe('organization_get', () => {
  it("reads the caller's organization", async () => {
    const s = await session();
    const res = await s.get('/v1/organization');
    expectOperation(res, 'organization_get', 200);
    if (s.organizationId) expect(res.body.result.id).toBe(s.organizationId);
  });
});

describe('subOrgs_list', () => {
  it('lists the sub-organizations', async () => {
    const s = await session();
    const res = await s.get('/v1/suborgs');
    expectOperation(res, 'subOrgs_list', 200);
    if (twin) expect(items(res)).toEqual([]);
  });
});

describe('subOrgs_get', () => {
  it('reads the first listed sub-organization by id and by name', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/suborgs');
    expectOperation(list, 'subOrgs_list', 200);
    // the demo tenant has no sub-organization (making one needs a write)
    const org = firstOf(ctx, items(list), 'sub-organization', false);
    const byId = await s.get(`/v1/suborgs/${org.id}`);
    expectOperation(byId, 'subOrgs_get', 200);
    expect(byId.body.result).toMatchObject({ id: org.id, name: org.name });
    const byName = await s.get(`/v1/suborgs/${encodeURIComponent(org.name)}`);
    expectOperation(byName, 'subOrgs_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('organizationWebhooks_list', () => {
  it("lists the organization's webhooks", async () => {
    const s = await session();
    const res = await s.get('/v1/organization/webhooks');
    expectOperation(res, 'organizationWebhooks_list', 200);
    if (twin) expect(items(res)).toEqual([]);
  });
});

describe('organizationWebhooks_get', () => {
  it('reads the first listed webhook by id and by name', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/organization/webhooks');
    expectOperation(list, 'organizationWebhooks_list', 200);
    // the demo tenant has no webhook (see fixtures/synqly-demo.ts)
    const hook = firstOf(ctx, items(list), 'organization webhook', false);
    const byId = await s.get(`/v1/organization/webhooks/${hook.id}`);
    expectOperation(byId, 'organizationWebhooks_get', 200);
    expect(byId.body.result).toMatchObject({ id: hook.id, name: hook.name });
    const byName = await s.get(`/v1/organization/webhooks/${encodeURIComponent(hook.name)}`);
    expectOperation(byName, 'organizationWebhooks_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('mappings_list', () => {
  it('lists the mappings (the demo tenant has severity-to-priority)', async () => {
    const s = await session();
    const res = await s.get('/v1/mappings').query({ total: 'true' });
    expectOperation(res, 'mappings_list', 200);
    expect(res.body.total).toBe(items(res).length);
    if (twin) expect(items(res).map((m) => m.name)).toEqual(['severity-to-priority']);
  });
});

describe('mappings_get', () => {
  it('reads the first listed mapping by id and by name', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/mappings');
    expectOperation(list, 'mappings_list', 200);
    const mapping = firstOf(ctx, items(list), 'mapping', true);
    const byId = await s.get(`/v1/mappings/${mapping.id}`);
    expectOperation(byId, 'mappings_get', 200);
    expect(byId.body.result).toMatchObject({ id: mapping.id, name: mapping.name });
    const byName = await s.get(`/v1/mappings/${encodeURIComponent(mapping.name)}`);
    expectOperation(byName, 'mappings_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});

describe('bridges_list', () => {
  it("lists an account's bridge groups, by account id and by name (the demo prod account has one)", async (ctx) => {
    const s = await session();
    const accounts = await listAccounts(s);
    const { owner, list } = await firstNonEmpty(s, accounts, (a) => `/v1/bridges/${a.id}`, 'bridges_list');
    const account = firstOf(ctx, owner ? [owner] : [], 'account with a bridge group', true);
    const byName = await s.get(`/v1/bridges/${encodeURIComponent(account.name)}`);
    expectOperation(byName, 'bridges_list', 200);
    expect(items(byName).map((b) => b.id)).toEqual(list.map((b) => b.id));
  });
});

describe('bridges_get', () => {
  it('reads the first bridge group of the first account that has one, by ids and by names, and its status', async (ctx) => {
    const s = await session();
    const { owner, list } = await firstNonEmpty(s, await listAccounts(s), (a) => `/v1/bridges/${a.id}`, 'bridges_list');
    const bridge = firstOf(ctx, list, 'bridge group', true);
    const byId = await s.get(`/v1/bridges/${owner!.id}/${bridge.id}`);
    expectOperation(byId, 'bridges_get', 200);
    expect(byId.body.result).toMatchObject({ id: bridge.id, name: bridge.name });
    const byName = await s.get(`/v1/bridges/${encodeURIComponent(owner!.name)}/${encodeURIComponent(bridge.name)}`);
    expectOperation(byName, 'bridges_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
    const status = await s.get(`/v1/bridges/${owner!.id}/${bridge.id}/status`);
    expectOperation(status, 'bridges_get_status', 200);
    expect(Array.isArray(status.body.result)).toBe(true);
  });
});

describe('status_list', () => {
  it("lists the integrations' status, one per integration, with account and integration on expand", async () => {
    const s = await session();
    const res = await s.get('/v1/status').query({ expand: 'all' });
    expectOperation(res, 'status_list', 200);
    for (const st of items(res)) expect(st).toMatchObject({ account: { id: st.account_id }, integration: { id: st.integration_id } });
    const integrations = await s.get('/v1/integrations');
    expectOperation(integrations, 'integrations_list', 200);
    if (twin) expect(items(res).map((st) => st.integration_id).sort()).toEqual(items(integrations).map((i) => i.id).sort());
  });
});

describe('status_get', () => {
  it("reads the first listed integration's status by ids and by names, its events and its timeseries", async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/status').query({ expand: 'all' });
    expectOperation(list, 'status_list', 200);
    const st = firstOf(ctx, items(list), 'integration status', true);
    const path = `/v1/status/${st.account_id}/${st.integration_id}`;
    const byId = await s.get(path);
    expectOperation(byId, 'status_get', 200);
    expect(byId.body.result).toMatchObject({ account_id: st.account_id, integration_id: st.integration_id });
    const names = `/v1/status/${encodeURIComponent((st.account as Item).name)}/${encodeURIComponent((st.integration as Item).name)}`;
    const byName = await s.get(names);
    expectOperation(byName, 'status_get', 200);
    expect(byName.body.result).toMatchObject({ account_id: st.account_id, integration_id: st.integration_id });
    const events = await s.get(`${path}/events`);
    expectOperation(events, 'status_list_events', 200);
    const series = await s.get(`${path}/timeseries`);
    expectOperation(series, 'status_get_integration_timeseries', 200);
    expect(series.body.result.interval).toBe('hour');
  });
});

describe('status_get_timeseries', () => {
  it("reads the organization's timeseries", async () => {
    const s = await session();
    const res = await s.get('/v1/status/timeseries');
    expectOperation(res, 'status_get_timeseries', 200);
    expect(Array.isArray(res.body.result.series)).toBe(true);
  });
});

describe('audit_list', () => {
  it("lists the organization's audit events, newest last by default", async () => {
    const s = await session();
    const res = await s.get('/v1/audit/organizations').query({ limit: 50 });
    expectOperation(res, 'audit_list', 200);
    const times = (res.body.result as Array<{ created_at: string }>).map((e) => e.created_at);
    expect(times).toEqual([...times].sort());
  });
});

describe('capabilities_list_connectors', () => {
  it('lists the connectors, with their providers on expand', async () => {
    const s = await session();
    const res = await s.get('/v1/capabilities/connectors').query({ expand: 'providers' });
    expectOperation(res, 'capabilities_list_connectors', 200);
    expect(items(res).map((c) => c.id)).toContain('siem');
  });
});

describe('capabilities_list_providers', () => {
  it('lists the providers', async () => {
    const s = await session();
    const res = await s.get('/v1/capabilities/providers');
    expectOperation(res, 'capabilities_list_providers', 200);
    expect(items(res).length).toBeGreaterThan(0);
  });
});

describe('capabilities_get_provider', () => {
  it('reads the first listed provider, with its connector, operations and config description expanded', async () => {
    const s = await session();
    const list = await s.get('/v1/capabilities/providers');
    expectOperation(list, 'capabilities_list_providers', 200);
    const provider = items(list)[0]!;
    const res = await s.get(`/v1/capabilities/providers/${provider.id}?expand=connector&expand=operations&expand=provider_config`);
    expectOperation(res, 'capabilities_get_provider', 200);
    expect(res.body.result).toMatchObject({ id: provider.id, connector_id: provider.connector_id });
  });
});

describe('operations_list', () => {
  it("lists the organization's asynchronous operations", async () => {
    const s = await session();
    const res = await s.get('/v1/jobs');
    expectOperation(res, 'operations_list', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('operations_list_execution_history', () => {
  it("lists the operations' execution history", async () => {
    const s = await session();
    const res = await s.get('/v1/jobs/history');
    expectOperation(res, 'operations_list_execution_history', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('meta_managementOpenapiSpec', () => {
  it("serves the Management API's OpenAPI document", async () => {
    const s = await session();
    const res = await s.get('/v1/meta/openapi/management');
    expectOperation(res, 'meta_managementOpenapiSpec', 200);
    expect(res.body.openapi).toMatch(/^3\./);
  });
});

describe('meta_engineOpenapiSpec', () => {
  it("serves the connector (engine) API's OpenAPI document", async () => {
    const s = await session();
    const res = await s.get('/v1/meta/openapi/engine');
    expectOperation(res, 'meta_engineOpenapiSpec', 200);
    expect(res.body.openapi).toMatch(/^3\./);
  });
});

describe('auth_list_sso', () => {
  it("lists the organization's SSO configurations", async () => {
    const s = await session();
    const res = await s.get('/v1/auth/sso');
    expectOperation(res, 'auth_list_sso', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('auth_get_sso', () => {
  it('reads the first listed SSO configuration by id', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/auth/sso');
    expectOperation(list, 'auth_list_sso', 200);
    const first = firstOf(ctx, items(list), 'SSO configuration', false);
    const res = await s.get(`/v1/auth/sso/${encodeURIComponent(first.id)}`);
    expectOperation(res, 'auth_get_sso', 200);
    expect(res.body.result.id).toBe(first.id);
  });
});

describe('auth_get_sso_metadata', () => {
  it("reads the service-provider values for the organization's identity providers", async () => {
    const s = await session();
    expectOperation(await s.get('/v1/auth/meta'), 'auth_get_sso_metadata', 200);
  });
});

describe('billing_list', () => {
  it("lists the organization's billing reports", async () => {
    const s = await session();
    const res = await s.get('/v1/billing');
    expectOperation(res, 'billing_list', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('billing_get', () => {
  it("reads the month-to-date report of the caller's organization", async () => {
    const s = await session();
    const org = await s.get('/v1/organization');
    expectOperation(org, 'organization_get', 200);
    const res = await s.get(`/v1/billing/${encodeURIComponent(org.body.result.id)}/partial`);
    expectOperation(res, 'billing_get', 200);
    expect(res.body.result.organization_id).toBe(org.body.result.id);
  });
});

describe('customs_list', () => {
  it("lists the organization's custom provider definitions", async () => {
    const s = await session();
    const res = await s.get('/v1/customs');
    expectOperation(res, 'customs_list', 200);
    expect(Array.isArray(res.body.result)).toBe(true);
  });
});

describe('customs_get', () => {
  it('reads the first listed custom provider definition by id and by name', async (ctx) => {
    const s = await session();
    const list = await s.get('/v1/customs');
    expectOperation(list, 'customs_list', 200);
    const first = firstOf(ctx, items(list), 'custom provider definition', false);
    for (const ref of [first.id, first.name]) {
      const res = await s.get(`/v1/customs/${encodeURIComponent(ref)}`);
      expectOperation(res, 'customs_get', 200);
      expect(res.body.result.id).toBe(first.id);
    }
  });
});
