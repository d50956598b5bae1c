import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession, type SynqlySession, synqlyAs } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { withClockAdvanced } from '../support/control.ts';
import { uniqueName } from '../support/resources.ts';
import { newAccount, newCredential, newIntegration, type Account } from '../support/synqly-resources.ts';

/**
 * Resource restrictions of ad-hoc tokens (contract §4.4-4.6; issue 4): a token restricted to some
 * accounts, integration categories, labels or environments sees and touches only those — in the
 * lists that span accounts (filtered before paging and `total`), in the bodies of creates and
 * verifies, and in what an update would make of a resource. Path resources are checked by the
 * authorization layer; the lists and bodies here are the handlers'.
 */

const target = await useTarget();
const twin = target.kind !== 'live';


/** an ad-hoc administrator token narrowed to `resources`, deleted after the test */
async function restrictedToken(s: SynqlySession, resources: Record<string, unknown>, permission_set = 'administrator') {
  const res = await s.post('/v1/tokens').send({ name: uniqueName('restricted'), permission_set, resources });
  expectOperation(res, 'tokens_create_token', 200);
  s.defer(() => s.delete(`/v1/tokens/${res.body.result.id}`));
  return synqlyAs(target, res.body.result.primary.access.secret as string);
}

const schedule = { operation: 'siem_query_events', enabled: true, frequency: { type: 'periodic', value: '1h' } };

/**
 * Accounts A (in the restriction) and B (outside), one scheduled SIEM integration each. B's
 * integration sorts first by name, so a filter applied after paging would hand back an empty page.
 */
async function twoAccounts() {
  const s = await synqlySession(target);
  const a = await newAccount(s, { labels: ['team-a'] });
  const b = await newAccount(s);
  const stem = uniqueName('i');
  const intB = (await newIntegration(s, b.id, { name: `${stem}-a-outside`, provider_config: { type: 'siem_mock_siem' }, scheduled_operations: [schedule] })).integration;
  const intA = (await newIntegration(s, a.id, { name: `${stem}-b-inside`, provider_config: { type: 'siem_mock_siem' }, scheduled_operations: [schedule] })).integration;
  const token = await restrictedToken(s, { accounts: { ids: [a.id] } });
  return { s, a, b, intA, intB, stem, token };
}

const idsOf = (res: { body: { result: Array<{ id?: string; integration_id?: string }> } }) => res.body.result.map((r) => r.id ?? r.integration_id);

describe('a token restricted to one account', () => {
  it('lists only the integrations of that account, before paging and total (integrations_list, integrations_list_account)', async () => {
    const { s, a, b, intA, intB, stem, token } = await twoAccounts();
    const mine = await token.get('/v1/integrations').query({ filter: `name[like]${stem}-%`, total: true });
    expectOperation(mine, 'integrations_list', 200);
    expect(idsOf(mine)).toEqual([intA.id]);
    expect(mine.body.total).toBe(1);
    const firstPage = await token.get('/v1/integrations').query({ filter: `name[like]${stem}-%`, order: 'name', limit: 1 });
    expectOperation(firstPage, 'integrations_list', 200);
    expect(idsOf(firstPage)).toEqual([intA.id]);
    // the unrestricted token sees both, B's first
    const all = await s.get('/v1/integrations').query({ filter: `name[like]${stem}-%`, order: 'name', total: true });
    expect(idsOf(all)).toEqual([intB.id, intA.id]);
    expect(all.body.total).toBe(2);

    const inA = await token.get(`/v1/integrations/${a.id}`).query({ total: true });
    expectOperation(inA, 'integrations_list_account', 200);
    expect(idsOf(inA)).toEqual([intA.id]);
    expectProblem(await token.get(`/v1/integrations/${b.id}`), 'integrations_list_account', 403);
    expectProblem(await token.get(`/v1/integrations/${b.id}/${intB.id}`), 'integrations_get', 403);
  });

  it('lists only the status of its integrations (status_list)', async () => {
    const { s, intA, intB, token } = await twoAccounts();
    const filter = `integration_id[in]${intA.id},${intB.id}`;
    const mine = await token.get('/v1/status').query({ filter });
    expectOperation(mine, 'status_list', 200);
    expect(idsOf(mine)).toEqual([intA.id]);
    expect(idsOf(await s.get('/v1/status').query({ filter })).sort()).toEqual([intA.id, intB.id].sort());
  });

  it.runIf(target.capabilities.admin)('(twin) sums only its integrations into the organization timeseries (status_get_timeseries)', async () => {
    const { s, a, b, intA, intB, token } = await twoAccounts();
    const inject = async (accountId: string, integrationId: string, count: number) => {
      const res = await target.admin.post(`/__admin/synqly/organizations/${s.organizationId}/integration-calls`).send({ account_id: accountId, integration_id: integrationId, count, in_bytes: 10 });
      expectOperation(res, 'admin_synqly_integration_calls_create', 201);
    };
    await inject(a.id, intA.id, 2);
    await inject(b.id, intB.id, 3);
    const sum = (res: { body: { result: { series: Array<{ succeeded: number; in_bytes: number }> } } }) =>
      res.body.result.series.reduce((acc, x) => ({ succeeded: acc.succeeded + x.succeeded, in_bytes: acc.in_bytes + x.in_bytes }), { succeeded: 0, in_bytes: 0 });
    const mine = await token.get('/v1/status/timeseries');
    expectOperation(mine, 'status_get_timeseries', 200);
    expect(sum(mine)).toEqual({ succeeded: 2, in_bytes: 20 });
    expect(sum(await s.get('/v1/status/timeseries'))).toEqual({ succeeded: 5, in_bytes: 50 });
  });

  it('lists only the jobs of its integrations (operations_list)', async () => {
    const { s, intA, intB, token } = await twoAccounts();
    const filter = `integration_id[in]${intA.id},${intB.id}`;
    const mine = await token.get('/v1/jobs').query({ filter });
    expectOperation(mine, 'operations_list', 200);
    expect(mine.body.result.map((j: { integration_id: string }) => j.integration_id)).toEqual([intA.id]);
    expect((await s.get('/v1/jobs').query({ filter })).body.result.map((j: { integration_id: string }) => j.integration_id).sort()).toEqual([intA.id, intB.id].sort());
  });

  it.runIf(target.capabilities.admin)('(twin) lists only the runs of its integrations (operations_list_execution_history)', async () => {
    const { s, intA, intB, token } = await twoAccounts();
    const filter = `integration_id[in]${intA.id},${intB.id}`;
    const [mine, all] = await withClockAdvanced(target, '2h', async () => [
      await token.get('/v1/jobs/history').query({ filter, limit: 500 }),
      await s.get('/v1/jobs/history').query({ filter, limit: 500 }),
    ]);
    expectOperation(mine!, 'operations_list_execution_history', 200);
    const integrations = (res: typeof mine) => new Set(res!.body.result.map((e: { integration_id: string }) => e.integration_id));
    expect(mine!.body.result.length).toBeGreaterThanOrEqual(2);
    expect([...integrations(mine)]).toEqual([intA.id]);
    expect([...integrations(all)].sort()).toEqual([intA.id, intB.id].sort());
  });

  it('sees only the audit events of its account (audit_list)', async () => {
    const { s, a, b, token } = await twoAccounts();
    expectOperation(await s.get(`/v1/accounts/${b.id}`), 'accounts_get', 200);
    expectOperation(await s.get(`/v1/accounts/${a.id}`), 'accounts_get', 200);
    const mine = await token.get('/v1/audit/organizations').query({ limit: 500 });
    expectOperation(mine, 'audit_list', 200);
    const events = mine.body.result as Array<{ method: string; path: string; account_id?: string }>;
    expect(events.some((e) => e.method === 'GET' && e.path === `/v1/accounts/${a.id}`)).toBe(true);
    expect(events.some((e) => e.account_id === b.id)).toBe(false);
    if (twin) {
      // the twin's choice: organization-level events (no account) are for account-unrestricted tokens only
      expect(events.every((e) => e.account_id === a.id)).toBe(true);
      // the unrestricted token sees B's events and the organization-level ones (token creation) too
      const all = (await s.get('/v1/audit/organizations').query({ limit: 500 })).body.result as typeof events;
      expect(all.some((e) => e.account_id === b.id)).toBe(true);
      expect(all.some((e) => e.account_id === undefined && e.path === '/v1/tokens')).toBe(true);
    }
  });

  it('reads credentials and bridge groups of its account only (credentials_list, bridges_list)', async () => {
    const { s, a, b, intB, token } = await twoAccounts();
    const credA = await newCredential(s, a.id);
    await newCredential(s, b.id);
    const mine = await token.get(`/v1/credentials/${a.id}`);
    expectOperation(mine, 'credentials_list', 200);
    expect(idsOf(mine)).toEqual([credA.id]);
    expectProblem(await token.get(`/v1/credentials/${b.id}`), 'credentials_list', 403);
    expectProblem(await token.get(`/v1/credentials/${intB.id}`), 'credentials_list', 403);
    expectOperation(await token.get(`/v1/bridges/${a.id}`), 'bridges_list', 200);
    expectProblem(await token.get(`/v1/bridges/${b.id}`), 'bridges_list', 403);
  });

  it('cannot create or verify an integration in another account (403, nothing stored)', async () => {
    const { s, a, b, intB, token } = await twoAccounts();
    const body = { name: uniqueName('sneak'), provider_config: { type: 'siem_mock_siem' } };
    expectProblem(await token.post(`/v1/integrations/${b.id}`).send(body), 'integrations_create', 403);
    expectProblem(await token.post(`/v1/integrations/${b.id}/verify`).send({ integration: body }), 'integrations_verify', 403);
    expect(idsOf(await s.get(`/v1/integrations/${b.id}`))).toEqual([intB.id]);
    // in its own account it may
    const created = await token.post(`/v1/integrations/${a.id}`).send(body);
    expectOperation(created, 'integrations_create', 200);
    s.defer(() => s.delete(`/v1/integrations/${a.id}/${created.body.result.integration.id}`));
  });

  it('cannot move its account out of the restriction by label or environment (accounts_update, accounts_patch)', async () => {
    const s = await synqlySession(target);
    const a: Account = await newAccount(s, { labels: ['team-a'], environment: 'prod' });
    const byLabel = await restrictedToken(s, { accounts: { ids: ['*'], labels: ['team-a'] } });
    const byEnvironment = await restrictedToken(s, { accounts: { ids: ['*'], environments: ['prod'] } });
    const before = (await s.get(`/v1/accounts/${a.id}`)).body.result;

    expectProblem(await byLabel.patch(`/v1/accounts/${a.id}`).send([{ op: 'replace', path: '/labels', value: ['team-b'] }]), 'accounts_patch', 403);
    expectProblem(await byLabel.put(`/v1/accounts/${a.id}`).send({ ...before, labels: [] }), 'accounts_update', 403);
    expectProblem(await byEnvironment.patch(`/v1/accounts/${a.id}`).send([{ op: 'replace', path: '/environment', value: 'test' }]), 'accounts_patch', 403);
    expectProblem(await byEnvironment.put(`/v1/accounts/${a.id}`).send({ ...before, environment: 'test' }), 'accounts_update', 403);
    const after = await s.get(`/v1/accounts/${a.id}`);
    expect(after.body.result).toEqual(before);

    // changes that keep the account inside are fine
    const renamed = await byLabel.patch(`/v1/accounts/${a.id}`).send([{ op: 'replace', path: '/fullname', value: 'Still team A' }]);
    expectOperation(renamed, 'accounts_patch', 200);
    expect(renamed.body.result).toMatchObject({ fullname: 'Still team A', labels: ['team-a'], environment: 'prod' });
  });
});

describe('a token restricted to one integration category', () => {
  async function siemOnly() {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const siem = (await newIntegration(s, account.id, { provider_config: { type: 'siem_mock_siem' } })).integration;
    const ticketing = (await newIntegration(s, account.id, { provider_config: { type: 'ticketing_mock_ticketing' } })).integration;
    const token = await restrictedToken(s, { integrations: { categories: ['siem'] } });
    return { s, account, siem, ticketing, token };
  }

  it('cannot create or verify a ticketing integration (403, nothing stored); a SIEM one it can', async () => {
    const { s, account, siem, ticketing, token } = await siemOnly();
    const body = { name: uniqueName('tix'), provider_config: { type: 'ticketing_mock_ticketing' } };
    expectProblem(await token.post(`/v1/integrations/${account.id}`).send(body), 'integrations_create', 403);
    expectProblem(await token.post(`/v1/integrations/${account.id}/verify`).send({ integration: body }), 'integrations_verify', 403);
    expect(idsOf(await s.get(`/v1/integrations/${account.id}`)).sort()).toEqual([siem.id, ticketing.id].sort());
    const created = await token.post(`/v1/integrations/${account.id}`).send({ name: uniqueName('siem'), provider_config: { type: 'siem_mock_siem' } });
    expectOperation(created, 'integrations_create', 200);
    s.defer(() => s.delete(`/v1/integrations/${account.id}/${created.body.result.integration.id}`));
  });

  it('sees only SIEM integrations and their status (integrations_list, integrations_list_account, status_list)', async () => {
    const { s, account, siem, ticketing, token } = await siemOnly();
    const listed = await token.get(`/v1/integrations/${account.id}`).query({ total: true });
    expectOperation(listed, 'integrations_list_account', 200);
    expect(idsOf(listed)).toEqual([siem.id]);
    expect(listed.body.total).toBe(1);
    const everywhere = await token.get('/v1/integrations').query({ filter: `account_id[eq]${account.id}` });
    expect(idsOf(everywhere)).toEqual([siem.id]);
    const status = await token.get('/v1/status').query({ filter: `account_id[eq]${account.id}` });
    expect(idsOf(status)).toEqual([siem.id]);
    expect(idsOf(await s.get(`/v1/integrations/${account.id}`)).sort()).toEqual([siem.id, ticketing.id].sort());
    expectProblem(await token.get(`/v1/integrations/${account.id}/${ticketing.id}`), 'integrations_get', 403);
  });

  it.runIf(twin)('(twin) a 403 names the restriction that refuses: the integration\'s category, not its account', async () => {
    const { account, ticketing, token } = await siemOnly();
    const res = await token.get(`/v1/integrations/${account.id}/${ticketing.id}`);
    expectProblem(res, 'integrations_get', 403);
    expect(res.body.message).toContain('integration category ticketing is outside the integrations restriction (categories siem)');
    expect(res.body.message).not.toContain(`account ${account.name}`);
    // an account restriction names the account
    const { b, token: accountToken } = await twoAccounts();
    const outside = await accountToken.get(`/v1/accounts/${b.id}`);
    expectProblem(outside, 'accounts_get', 403);
    expect(outside.body.message).toContain(`account ${b.name} is outside the accounts restriction`);
  });

  it('cannot turn its SIEM integration into a ticketing one (integrations_update, integrations_patch)', async () => {
    const { s, account, siem, token } = await siemOnly();
    const path = `/v1/integrations/${account.id}/${siem.id}`;
    const before = (await s.get(path)).body.result;
    expectProblem(await token.patch(path).send([{ op: 'replace', path: '/provider_config', value: { type: 'ticketing_mock_ticketing' } }]), 'integrations_patch', 403);
    expectProblem(await token.put(path).send({ ...before, provider_config: { type: 'ticketing_mock_ticketing' } }), 'integrations_update', 403);
    const after = await s.get(path);
    expect(after.body.result).toMatchObject({ category: 'siem', provider_config: { type: 'siem_mock_siem' }, updated_at: before.updated_at });
  });
});

describe('a token restricted to some sub-organizations', () => {
  it.runIf(target.capabilities.admin)('(twin) lists only those (subOrgs_list)', async () => {
    const s = await synqlySession(target);
    const make = async () => {
      const res = await s.post('/v1/suborgs').send({ name: uniqueName('sub') });
      expectOperation(res, 'subOrgs_create', 200);
      const id = res.body.result.organization.id as string;
      s.defer(() => s.delete(`/v1/suborgs/${id}`));
      return id;
    };
    const inside = await make();
    const outside = await make();
    const token = await restrictedToken(s, { organizations: { ids: [s.organizationId!, inside] } });
    const mine = await token.get('/v1/suborgs');
    expectOperation(mine, 'subOrgs_list', 200);
    expect(idsOf(mine)).toEqual([inside]);
    expect(idsOf(await s.get('/v1/suborgs')).sort()).toEqual([inside, outside].sort());
  });
});
