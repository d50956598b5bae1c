import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { jiraConfig, newAccount, newCredential, newIntegration, newIntegrationPoint } from '../support/synqly-resources.ts';
import { synqlyReadOnly, type ListedItem } from '../support/read-only.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

describe('integrations_create', () => {
  it('creates an integration with its own token pair; category comes from the provider', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const name = uniqueName('siem');
    const res = await s.post(`/v1/integrations/${account.id}`).send({ name, fullname: 'Acme SIEM', provider_config: { type: 'siem_mock_siem' } });
    expectOperation(res, 'integrations_create', 200);
    const { integration, token } = res.body.result;
    s.defer(() => s.delete(`/v1/integrations/${account.id}/${integration.id}`));
    expect(integration).toMatchObject({ name, fullname: 'Acme SIEM', account_id: account.id, category: 'siem', provider_type: 'siem_mock_siem' });
    expect(token.access.secret).toEqual(expect.any(String));
    expect(token.access.permissions).toMatchObject({ resource_id: integration.id, resource_type: 'integration' });
    // the integration token is for the Connector APIs, not the Management API
    const asIntegration = await target.synqly.get('/v1/accounts').set('authorization', `Bearer ${token.access.secret}`);
    expectProblem(asIntegration, 'accounts_list', 401);
  });

  it.runIf(twin)('(twin) stores inline secrets as Managed credentials of the integration and reports them', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const secret = uniqueName('pw');
    const res = await s.post(`/v1/integrations/${account.id}`).send({ name: uniqueName('jira'), provider_config: jiraConfig(secret) });
    expectOperation(res, 'integrations_create', 200);
    const { integration, credentials_created: created } = res.body.result;
    s.defer(() => s.delete(`/v1/integrations/${account.id}/${integration.id}`));
    expect(res.text).not.toContain(secret);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ owner_type: 'integration', integration_id: integration.id, managed: 'Managed', config: { type: 'basic' } });
    expect(integration.provider_config.credential).toEqual({ type: 'basic_id', value: created[0].id });
  });

  it.runIf(twin)('(twin) enforces the integration point allow-list for the account environment with 400', async () => {
    const s = await synqlySession(target);
    const prod = await newAccount(s, { environment: 'prod' });
    const test = await newAccount(s, { environment: 'test' });
    const point = await newIntegrationPoint(s, { connector: 'ticketing', environments: { test: ['ticketing_mock_ticketing'] } });
    const denied = await s.post(`/v1/integrations/${prod.id}`).send({ integration_point_id: point.id, provider_config: { type: 'ticketing_mock_ticketing' } });
    expectProblem(denied, 'integrations_create', 400);
    expect(denied.body.context.parameter).toMatchObject({ id: '/provider_config/type' });
    const allowed = await newIntegration(s, test.id, { integration_point_id: point.name });
    expect(allowed.integration.integration_point_id).toBe(point.id);
  });

  it('answers 400 without a provider config, 404 for an unknown account, 409 for a duplicate name', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.post(`/v1/integrations/${account.id}`).send({ name: uniqueName('x') }), 'integrations_create', 400);
    expectProblem(await s.post(`/v1/integrations/${uniqueName('ghost')}`).send({ provider_config: { type: 'ticketing_mock_ticketing' } }), 'integrations_create', 404);
    const first = await newIntegration(s, account.id);
    expectProblem(await s.post(`/v1/integrations/${account.id}`).send({ name: first.integration.name, provider_config: { type: 'ticketing_mock_ticketing' } }), 'integrations_create', 409);
  });

  it.runIf(twin)('(twin) answers 400 for an unknown provider and for a missing required provider field', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const unknown = await s.post(`/v1/integrations/${account.id}`).send({ provider_config: { type: 'weather_forecast' } });
    expectProblem(unknown, 'integrations_create', 400);
    const missing = await s.post(`/v1/integrations/${account.id}`).send({ provider_config: { type: 'ticketing_jira', credential: { type: 'basic', username: 'u', secret: 'x' } } });
    expectProblem(missing, 'integrations_create', 400);
    expect(missing.body.context.parameter).toMatchObject({ id: '/provider_config/url' });
  });
});

describe('integrations_list', () => {
  it('lists integrations of every account, filtered, with account and point on expand', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { environment: 'test' });
    const point = await newIntegrationPoint(s, { connector: 'ticketing', environments: { test: ['*'] } });
    const { integration } = await newIntegration(s, account.id, { integration_point_id: point.id });
    const res = await s.get('/v1/integrations').query({ filter: `name[eq]${integration.name}`, expand: 'all', total: true });
    expectOperation(res, 'integrations_list', 200);
    expect(res.body.result).toHaveLength(1);
    expect(res.body.result[0]).toMatchObject({ id: integration.id, account: { id: account.id }, integration_point: { id: point.id } });
    expect(res.body.total).toBe(1);
    const plain = await s.get('/v1/integrations').query({ filter: `name[eq]${integration.name}` });
    expectOperation(plain, 'integrations_list', 200);
    expect(plain.body.result[0]).not.toHaveProperty('account');
  });

  it('answers 400 for an unknown expand value', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/integrations').query({ expand: 'everything' });
    expectProblem(res, 'integrations_list', 400);
    if (target.kind !== 'live') {
      // a query parameter is named, not pointed into (contract §1.7)
      expect(res.body.context.parameter).toEqual({ id: 'expand', location: 'query', value: 'everything' });
      expect(res.body.message).toMatch(/^invalid query parameter: expand must be one of /);
      const second = await s.get('/v1/integrations?expand=account&expand=nothing');
      expectProblem(second, 'integrations_list', 400);
      expect(second.body.context.parameter).toEqual({ id: 'expand', location: 'query', value: 'nothing' });
    }
  });
});

describe('integrations_list_account', () => {
  it("lists one account's integrations only", async () => {
    const s = await synqlySession(target);
    const a = await newAccount(s);
    const b = await newAccount(s);
    const mine = await newIntegration(s, a.id);
    await newIntegration(s, b.id);
    const res = await s.get(`/v1/integrations/${a.name}`).query({ expand: 'account' });
    expectOperation(res, 'integrations_list_account', 200);
    expect(res.body.result.map((i: { id: string }) => i.id)).toEqual([mine.integration.id]);
    expect(res.body.result[0].account.id).toBe(a.id);
  });

  it('answers 404 for an unknown account', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get(`/v1/integrations/${uniqueName('ghost')}`), 'integrations_list_account', 404);
  });
});

describe('integrations_get', () => {
  it('returns the integration by id and by name', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    for (const ref of [integration.id, integration.name]) {
      const res = await s.get(`/v1/integrations/${account.id}/${ref}`);
      expectOperation(res, 'integrations_get', 200);
      expect(res.body.result).toEqual(integration);
    }
  });

  it("answers 404 for an integration of another account", async () => {
    const s = await synqlySession(target);
    const a = await newAccount(s);
    const b = await newAccount(s);
    const { integration } = await newIntegration(s, a.id);
    expectProblem(await s.get(`/v1/integrations/${b.id}/${integration.id}`), 'integrations_get', 404);
  });
});

describe('integrations_update', () => {
  it('replaces the writable fields and keeps the server-owned ones', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    const res = await s.put(`/v1/integrations/${account.id}/${integration.id}`).send({ ...integration, fullname: 'Renamed', provider_config: { type: 'ticketing_mock_ticketing', name: 'primary' } });
    expectOperation(res, 'integrations_update', 200);
    expect(res.body.result).toMatchObject({ id: integration.id, fullname: 'Renamed', refresh_token_id: integration.refresh_token_id, account_id: account.id, created_at: integration.created_at });
    expect(res.body.result.provider_config).toEqual({ type: 'ticketing_mock_ticketing', name: 'primary' });
  });

  it.runIf(twin)('(twin) reports credentials created from a newly inlined secret', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    const res = await s.put(`/v1/integrations/${account.id}/${integration.id}`).send({ ...integration, provider_config: jiraConfig(uniqueName('pw')) });
    expectOperation(res, 'integrations_update', 200);
    expect(res.body.credentials_created).toHaveLength(1);
    expect(res.body.result).toMatchObject({ category: 'ticketing', provider_type: 'ticketing_jira', provider_fullname: 'Atlassian Jira' });
  });

  it('takes the expanded account and integration_point in the body (the vendor update type) and keeps the stored ones', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s, { environment: 'test' });
    const other = await newAccount(s, { environment: 'test' });
    const point = await newIntegrationPoint(s, { connector: 'ticketing', environments: { test: ['*'] } });
    const { integration } = await newIntegration(s, account.id, { integration_point_id: point.id });
    const expanded = await s.get('/v1/integrations').query({ filter: `name[eq]${integration.name}`, expand: 'all' });
    expectOperation(expanded, 'integrations_list', 200);
    const read = expanded.body.result[0];
    expect(read).toMatchObject({ account: { id: account.id }, integration_point: { id: point.id } });
    const res = await s.put(`/v1/integrations/${account.id}/${integration.id}`).send({ ...read, fullname: 'With expansions', account: { ...read.account, id: other.id } });
    expectOperation(res, 'integrations_update', 200);
    expect(res.body.result).toMatchObject({ fullname: 'With expansions', account_id: account.id, integration_point_id: point.id });
    expect(res.body.result).not.toHaveProperty('account');
    expect(res.body.result).not.toHaveProperty('integration_point');
  });

  it('answers 400 for a body missing required fields and 404 for an unknown integration', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    const { provider_config: _p, ...partial } = integration;
    expectProblem(await s.put(`/v1/integrations/${account.id}/${integration.id}`).send(partial), 'integrations_update', 400);
    expectProblem(await s.put(`/v1/integrations/${account.id}/${uniqueName('ghost')}`).send(integration), 'integrations_update', 404);
  });
});

describe('integrations_patch', () => {
  it('patches the integration', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    const res = await s.patch(`/v1/integrations/${account.id}/${integration.id}`).send([{ op: 'replace', path: '/fullname', value: 'Patched' }]);
    expectOperation(res, 'integrations_patch', 200);
    expect(res.body.result).toMatchObject({ id: integration.id, fullname: 'Patched' });
  });

  it.runIf(twin)('(twin) rotates an inline secret in place and refuses server-owned paths', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const created = await newIntegration(s, account.id, { provider_config: jiraConfig(uniqueName('pw')) });
    const credentialId = created.credentials_created![0]!.id;
    const rotated = await s.patch(`/v1/integrations/${account.id}/${created.integration.id}`).send([{ op: 'replace', path: '/provider_config/credential', value: { type: 'basic', username: 'svc@example.com', secret: uniqueName('pw') } }]);
    expectOperation(rotated, 'integrations_patch', 200);
    expect(rotated.body.credentials_created).toBeUndefined();
    expect(rotated.body.result.provider_config.credential).toEqual({ type: 'basic_id', value: credentialId });
    const looked = await s.get(`/v1/credentials/lookup/${credentialId}`);
    expectOperation(looked, 'credentials_lookup', 200);
    expect(looked.body.result.config).toMatchObject({ type: 'basic' });
    for (const path of ['/id', '/refresh_token_id', '/account_id']) {
      expectProblem(await s.patch(`/v1/integrations/${account.id}/${created.integration.id}`).send([{ op: 'replace', path, value: 'x' }]), 'integrations_patch', 400);
    }
    expectProblem(await s.patch(`/v1/integrations/${account.id}/${created.integration.id}`).send([{ op: 'test', path: '/category', value: 'siem' }]), 'integrations_patch', 409);
  });

  it('answers 404 for an unknown integration', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.patch(`/v1/integrations/${account.id}/${uniqueName('ghost')}`).send([{ op: 'replace', path: '/fullname', value: 'x' }]), 'integrations_patch', 404);
  });
});

describe('integrations_delete', () => {
  it('deletes the integration (204)', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    const res = await s.delete(`/v1/integrations/${account.id}/${integration.id}`);
    expectOperation(res, 'integrations_delete', 204);
    expectProblem(await s.get(`/v1/integrations/${account.id}/${integration.id}`), 'integrations_get', 404);
  });

  it.runIf(twin)('(twin) takes its Managed credentials and its token along', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const created = await newIntegration(s, account.id, { provider_config: jiraConfig(uniqueName('pw')) });
    const before = await s.get('/v1/accounts').set('authorization', `Bearer ${created.token.access.secret}`);
    expectProblem(before, 'accounts_list', 401);
    expect(before.body.message).toContain('integration token');
    expectOperation(await s.delete(`/v1/integrations/${account.id}/${created.integration.id}`), 'integrations_delete', 204);
    expectProblem(await s.get(`/v1/credentials/lookup/${created.credentials_created![0]!.id}`), 'credentials_lookup', 404);
    const after = await s.get('/v1/accounts').set('authorization', `Bearer ${created.token.access.secret}`);
    expectProblem(after, 'accounts_list', 401);
    expect(after.body.message).toBe('the token is not valid');
  });

  it('answers 404 for an unknown integration', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.delete(`/v1/integrations/${account.id}/${uniqueName('ghost')}`), 'integrations_delete', 404);
  });
});

describe('integrations_verify', () => {
  it('verifies a configuration without storing it', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const name = uniqueName('verify');
    const res = await s.post(`/v1/integrations/${account.id}/verify`).send({ integration: { name, provider_config: { type: 'ticketing_mock_ticketing' } } });
    expectOperation(res, 'integrations_verify', 200);
    expect(res.body).not.toHaveProperty('result');
    const listed = await s.get(`/v1/integrations/${account.id}`).query({ filter: `name[eq]${name}` });
    expectOperation(listed, 'integrations_list_account', 200);
    expect(listed.body.result).toEqual([]);
  });

  it.runIf(twin)('(twin) returns warnings as messages.problems and what create would refuse as the same error', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const expired = await newCredential(s, account.id, { config: { type: 'basic', username: 'svc@example.com', secret: uniqueName('secret') }, expires: '2020-01-01T00:00:00Z' });
    const warned = await s.post(`/v1/integrations/${account.id}/verify`).send({ integration: { provider_config: jiraConfig('', { type: 'basic_id', value: expired.id }) } });
    expectOperation(warned, 'integrations_verify', 200);
    expect(warned.body.messages.problems).toHaveLength(1);
    expect(warned.body.messages.problems[0].message).toContain('expired');
    const refused = await s.post(`/v1/integrations/${account.id}/verify`).send({ integration: { provider_config: { type: 'ticketing_jira' } } });
    expectProblem(refused, 'integrations_verify', 400);
    // pointers are into the verify body, where the integration sits under /integration
    expect(refused.body.context.parameter).toMatchObject({ id: '/integration/provider_config/credential', location: 'body' });
    expect(warned.body.messages.problems[0].context.parameter).toMatchObject({ id: '/integration/provider_config/credential/value', location: 'body' });
    const dangling = await s.post(`/v1/integrations/${account.id}/verify`).send({ integration: { provider_config: jiraConfig('', { type: 'basic_id', value: uniqueName('ghost') }) } });
    expectProblem(dangling, 'integrations_verify', 404);
    expect(dangling.body.context.parameter).toMatchObject({ id: '/integration/provider_config/credential/value', location: 'body' });
    const listed = await s.get(`/v1/credentials/${account.id}`);
    expectOperation(listed, 'credentials_list', 200);
    expect(listed.body.result).toHaveLength(1);
  });

  it('answers 400 without the integration member and 404 for an unknown account', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.post(`/v1/integrations/${account.id}/verify`).send({ provider_config: { type: 'ticketing_mock_ticketing' } }), 'integrations_verify', 400);
    expectProblem(await s.post(`/v1/integrations/${uniqueName('ghost')}/verify`).send({ integration: { provider_config: { type: 'ticketing_mock_ticketing' } } }), 'integrations_verify', 404);
  });
});

describe('integrations_verify_existing', () => {
  it('verifies the stored integration without a body, and a proposed update with one; nothing changes', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    const plain = await s.post(`/v1/integrations/${account.id}/${integration.id}/verify`);
    expectOperation(plain, 'integrations_verify_existing', 200);
    expect(plain.body).not.toHaveProperty('result');
    const proposed = await s.post(`/v1/integrations/${account.id}/${integration.id}/verify`).send({ ...integration, fullname: 'Proposed', provider_config: { type: 'ticketing_mock_ticketing', name: 'other' } });
    expectOperation(proposed, 'integrations_verify_existing', 200);
    const stored = await s.get(`/v1/integrations/${account.id}/${integration.id}`);
    expectOperation(stored, 'integrations_get', 200);
    expect(stored.body.result).toEqual(integration);
  });

  it.runIf(twin)('(twin) reports findings as messages.problems, refuses what an update would refuse, and creates no credential', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const { integration } = await newIntegration(s, account.id);
    const expired = await newCredential(s, account.id, { config: { type: 'basic', username: 'svc@example.com', secret: uniqueName('secret') }, expires: '2020-01-01T00:00:00Z' });
    const warned = await s.post(`/v1/integrations/${account.id}/${integration.id}/verify`).send({ ...integration, provider_config: jiraConfig('', { type: 'basic_id', value: expired.id }) });
    expectOperation(warned, 'integrations_verify_existing', 200);
    expect(warned.body.messages.problems[0].message).toContain('expired');
    expect(warned.body.messages.problems[0].context.parameter).toMatchObject({ id: '/provider_config/credential/value', location: 'body' });
    const inline = await s.post(`/v1/integrations/${account.id}/${integration.id}/verify`).send({ ...integration, provider_config: jiraConfig(uniqueName('pw')) });
    expectOperation(inline, 'integrations_verify_existing', 200);
    const refused = await s.post(`/v1/integrations/${account.id}/${integration.id}/verify`).send({ ...integration, provider_config: { type: 'ticketing_jira' } });
    expectProblem(refused, 'integrations_verify_existing', 400);
    expect(refused.body.context.parameter).toMatchObject({ id: '/provider_config/credential', location: 'body' });
    const otherAccount = await s.post(`/v1/integrations/${account.id}/${integration.id}/verify`).send({ ...integration, account_id: uniqueName('elsewhere') });
    expectProblem(otherAccount, 'integrations_verify_existing', 400);
    expect(otherAccount.body.context.parameter).toMatchObject({ id: '/account_id' });
    const credentials = await s.get(`/v1/credentials/${account.id}`);
    expectOperation(credentials, 'credentials_list', 200);
    expect(credentials.body.result.map((c: { id: string }) => c.id)).toEqual([expired.id]);
  });

  it('answers 404 for an unknown integration or account', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    expectProblem(await s.post(`/v1/integrations/${account.id}/${uniqueName('ghost')}/verify`), 'integrations_verify_existing', 404);
    expectProblem(await s.post(`/v1/integrations/${uniqueName('ghost')}/${uniqueName('ghost')}/verify`), 'integrations_verify_existing', 404);
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('integrations_list', () => {
  it('lists the integrations of every account, with account and integration point on expand', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/integrations').query({ expand: 'account', total: 'true' });
    expectOperation(res, 'integrations_list', 200);
    expect(res.body.total).toBe(ro.items(res).length);
    for (const i of ro.items(res)) expect((i.account as ListedItem).id).toBe(i.account_id);
    if (ro.twin) expect(ro.items(res).length).toBe(2);
  });
});

describe('integrations_list_account', () => {
  it("lists one account's integrations, by the account's id and by its name", async (ctx) => {
    const s = await ro.session();
    const all = await s.get('/v1/integrations');
    expectOperation(all, 'integrations_list', 200);
    const first = ro.items(all)[0];
    const accounts = await ro.listAccounts(s);
    const account = first ? accounts.find((a) => a.id === first.account_id) : accounts[0];
    const owner = ro.firstOf(ctx, account ? [account] : [], 'account', true);
    const byId = await s.get(`/v1/integrations/${owner.id}`);
    expectOperation(byId, 'integrations_list_account', 200);
    for (const i of ro.items(byId)) expect(i.account_id).toBe(owner.id);
    expect(ro.items(byId).map((i) => i.id)).toEqual(ro.items(all).filter((i) => i.account_id === owner.id).map((i) => i.id));
    const byName = await s.get(`/v1/integrations/${encodeURIComponent(owner.name)}`);
    expectOperation(byName, 'integrations_list_account', 200);
    expect(ro.items(byName).map((i) => i.id)).toEqual(ro.items(byId).map((i) => i.id));
  });
});

describe('integrations_get', () => {
  it('reads the first listed integration by ids and by account and integration names', async (ctx) => {
    const s = await ro.session();
    const all = await s.get('/v1/integrations').query({ expand: 'account' });
    expectOperation(all, 'integrations_list', 200);
    const integration = ro.firstOf(ctx, ro.items(all), 'integration', true);
    const byId = await s.get(`/v1/integrations/${integration.account_id}/${integration.id}`);
    expectOperation(byId, 'integrations_get', 200);
    expect(byId.body.result).toMatchObject({ id: integration.id, name: integration.name, account_id: integration.account_id });
    const accountName = (integration.account as ListedItem).name;
    const byName = await s.get(`/v1/integrations/${encodeURIComponent(accountName)}/${encodeURIComponent(integration.name)}`);
    expectOperation(byName, 'integrations_get', 200);
    expect(byName.body.result).toEqual(byId.body.result);
  });
});
