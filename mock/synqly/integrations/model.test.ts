import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredential } from '../credentials/model.ts';
import { createIntegrationPoint } from '../integrationPoints/model.ts';
import { apiError, orgFixture, rejected, T0 } from '../model-testing.ts';
import { resolveBearer } from '../tokens/model.ts';
import {
  INTEGRATION_ACCESS_TTL_MS,
  createIntegration,
  deleteIntegration,
  getIntegration,
  integrationView,
  listIntegrations,
  patchIntegration,
  updateIntegration,
  verifyIntegration,
  type UpdateIntegrationRequest,
} from './model.ts';

/** how a secret field is kept at rest */
const sealed = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('hex')}`;

const jira = (credential: Record<string, unknown>) => ({ type: 'ticketing_jira', url: 'https://acme.atlassian.net', credential, default_project: 'SEC' });
const noCheck = () => undefined;

describe('createIntegration', () => {
  it('stores the integration, issues its own integration token and derives category and provider fields', async () => {
    const { write, env, prod, org, store } = await orgFixture();
    const res = await write((o) => createIntegration(o, 'acme-prod', { fullname: 'Acme Mock', provider_config: { type: 'siem_mock_siem' } }, { tokenId: 'caller', memberId: 'm1' }, env));
    const i = res.integration;
    expect(i).toMatchObject({ name: 'acme-mock', account_id: prod.id, category: 'siem', provider_type: 'siem_mock_siem', provider_fullname: 'Synqly mock in-memory SIEM' });
    const token = org().refreshTokens.get(i.refresh_token_id)!;
    expect(token).toMatchObject({ owner_id: i.id, owner_type: 'integration', kind: 'integration', token_type: 'default' });
    expect(res.token.access.permissions).toMatchObject({ resource_id: i.id, resource_type: 'integration', parent_id: 'caller', member_id: 'm1' });
    expect(Date.parse(res.token.access.expires)).toBe(T0 + INTEGRATION_ACCESS_TTL_MS);
    const bearer = resolveBearer(store.reader, res.token.access.secret, env.nowMs);
    expect(bearer.ok && bearer.token.id).toBe(i.refresh_token_id);
    expect(org().statuses.get(i.id)).toMatchObject({ status: 'idle', requests: 0 });
    expect(res.credentials_created).toEqual([]);
  });

  it('turns inline secrets into Managed credentials owned by the integration and stores references', async () => {
    const { write, env, org } = await orgFixture();
    const res = await write((o) => createIntegration(o, 'acme-prod', { name: 'jira', provider_config: jira({ type: 'basic', username: 'svc', secret: 'hunter2' }) }, {}, env));
    expect(res.credentials_created).toHaveLength(1);
    const created = res.credentials_created[0]!;
    expect(created).toMatchObject({ owner_type: 'integration', integration_id: res.integration.id, managed: 'Managed', config: { type: 'basic' } });
    expect(res.integration.provider_config.credential).toEqual({ type: 'basic_id', value: created.id });
    expect(org().credentials.get(created.id)?.config).toEqual({ type: 'basic', username: 'svc', secret: sealed('hunter2') });
    expect(JSON.stringify(org().integrations.get(res.integration.id))).not.toContain('hunter2');
  });

  it('accepts references to credentials of its account or integration point, refuses others', async () => {
    const { write, env, store } = await orgFixture();
    const mine = await write((o) => createCredential(o, 'acme-prod', { name: 'mine', config: { type: 'basic', username: 'u', secret: 't' } }, env));
    const theirs = await write((o) => createCredential(o, 'acme-test', { name: 'theirs', config: { type: 'basic', username: 'u', secret: 't' } }, env));
    const ok = await write((o) => createIntegration(o, 'acme-prod', { name: 'a', provider_config: jira({ type: 'basic_id', value: mine.id }) }, {}, env));
    expect(ok.integration.provider_config.credential).toEqual({ type: 'basic_id', value: mine.id });
    const other = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { name: 'b', provider_config: jira({ type: 'basic_id', value: theirs.id }) }, {}, env)));
    expect(other.status).toBe(400);
    expect(other.details.parameter?.id).toBe('/provider_config/credential/value');
    expect((await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { name: 'c', provider_config: jira({ type: 'basic_id', value: 'missing' }) }, {}, env)))).status).toBe(404);
    // a stored credential of another kind than the reference names
    const token = await write((o) => createCredential(o, 'acme-prod', { name: 'tok', config: { type: 'token', secret: 't' } }, env));
    expect((await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { name: 'd', provider_config: jira({ type: 'basic_id', value: token.id }) }, {}, env)))).status).toBe(400);
  });

  it('checks provider ids and the vendor variant\'s required fields and credential kinds; an id outside the catalogue is a 400', async () => {
    const { write, env, store } = await orgFixture();
    const unknown = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { provider_config: { type: 'weather_forecast' } }, {}, env)));
    expect(unknown.details.parameter?.id).toBe('/provider_config/type');
    const missing = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { provider_config: { type: 'ticketing_jira', credential: { type: 'basic', username: 'u', secret: 'x' } } }, {}, env)));
    expect(missing.details.parameter?.id).toBe('/provider_config/url');
    const incomplete = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { provider_config: jira({ type: 'basic', username: 'u' }) }, {}, env)));
    expect(incomplete.details.parameter?.id).toBe('/provider_config/credential/secret');
    const wrongKind = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { provider_config: jira({ type: 'aws', access_key_id: 'a', secret_access_key: 'b' }) }, {}, env)));
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.details.parameter?.id).toBe('/provider_config/credential/type');
    const uncatalogued = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { provider_config: { type: 'ticketing_acme_tracker' } }, {}, env)));
    expect(uncatalogued.details.parameter).toMatchObject({ id: '/provider_config/type', value: 'ticketing_acme_tracker' });
  });

  it('enforces the integration point allow-list for the account environment and copies its templates', async () => {
    const { write, env, store, test } = await orgFixture();
    await write((o) =>
      createIntegrationPoint(
        o,
        {
          name: 'tix',
          connector: 'ticketing',
          environments: { test: ['ticketing_mock_ticketing'] },
          scheduled_operations: [{ operation: 'ticketing_query_tickets', enabled: true, frequency: { type: 'periodic', value: '1h' } }],
          additional_mappings: [
            { resource: 'tickets', actions: ['query'], source: 'a', destination: 'b', data_type: 'string', providers: ['ticketing_mock_ticketing'] },
            { resource: 'tickets', actions: ['query'], source: 'c', destination: 'd', data_type: 'string', providers: ['ticketing_jira'] },
          ],
        },
        env,
      ),
    );
    const denied = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { integration_point_id: 'tix', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env)));
    expect(denied.status).toBe(400);
    expect(denied.message).toContain('prod');
    const notListed = await rejected(store, () => write((o) => createIntegration(o, 'acme-test', { integration_point_id: 'tix', provider_config: jira({ type: 'basic', username: 'u', secret: 's' }) }, {}, env)));
    expect(notListed.status).toBe(400);
    expect((await rejected(store, () => write((o) => createIntegration(o, 'acme-test', { integration_point_id: 'nope', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env)))).status).toBe(404);
    const res = await write((o) => createIntegration(o, test.id, { integration_point_id: 'tix', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    expect(res.integration.scheduled_operations).toHaveLength(1);
    expect(res.integration.additional_mappings).toEqual([{ resource: 'tickets', actions: ['query'], source: 'a', destination: 'b', data_type: 'string' }]);
  });

  it('refuses a duplicate name in the account (409), fills integrator keys, checks bridge ids', async () => {
    const { write, env, store } = await orgFixture();
    const res = await write((o) =>
      createIntegration(o, 'acme-prod', { name: 'm', provider_config: { type: 'ticketing_mock_ticketing' }, webhook_config: { items: [{ webhook_url: 'https://hooks.example.com/x' }] } }, {}, env),
    );
    expect((res.integration.webhook_config as { items: Array<{ integrator_key: string }> }).items[0]!.integrator_key.length).toBeGreaterThanOrEqual(24);
    expect((await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { name: 'm', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env)))).status).toBe(409);
    await write((o) => createIntegration(o, 'acme-test', { name: 'm', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    const bridge = await rejected(store, () => write((o) => createIntegration(o, 'acme-prod', { bridge_selector: { type: 'id', value: 'nope' }, provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env)));
    expect(bridge.details.parameter?.id).toBe('/bridge_selector/value');
  });
});

describe('lists and expand', () => {
  it('lists all or per account, with account and integration point on request', async () => {
    const { write, env, org, prod } = await orgFixture();
    await write((o) => createIntegrationPoint(o, { name: 'tix', connector: 'ticketing', environments: { prod: ['*'] } }, env));
    const a = await write((o) => createIntegration(o, 'acme-prod', { name: 'a', integration_point_id: 'tix', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    await write((o) => createIntegration(o, 'acme-test', { name: 'b', provider_config: { type: 'siem_mock_siem' } }, {}, env));
    expect(listIntegrations(org(), { total: true }).total).toBe(2);
    const mine = listIntegrations(org(), { expand: ['all'] }, 'acme-prod');
    expect(mine.items.map((i) => i.id)).toEqual([a.integration.id]);
    expect(mine.items[0]!.account?.id).toBe(prod.id);
    expect(mine.items[0]!.integration_point?.name).toBe('tix');
    expect(listIntegrations(org(), { filter: 'category[eq]siem' }).items.map((i) => i.name)).toEqual(['b']);
    expect(integrationView(a.integration)).not.toHaveProperty('account');
  });
});

describe('update and patch', () => {
  it('PUT reuses the Managed credential a field referred to, creates new ones, deletes unreferenced ones', async () => {
    const { write, env, org } = await orgFixture();
    const res = await write((o) =>
      createIntegration(
        o,
        'acme-prod',
        {
          name: 'splunk',
          provider_config: { type: 'siem_splunk', search_service_url: 'https://splunk:8089', search_service_credential: { type: 'token', secret: 's1' }, hec_credential: { type: 'token', secret: 'h1' } },
        },
        {},
        env,
      ),
    );
    const [search, hec] = res.credentials_created;
    const stored = res.integration;
    const body = {
      ...stored,
      provider_config: { type: 'siem_splunk', search_service_url: 'https://splunk:8089', search_service_credential: { type: 'token', secret: 's2' }, hec_url: 'https://splunk:8088', index: 'main' },
    } as unknown as UpdateIntegrationRequest;
    const updated = await write((o) => updateIntegration(o, 'acme-prod', 'splunk', body, env));
    expect(updated.credentials_created).toEqual([]);
    expect(updated.integration.provider_config.search_service_credential).toEqual({ type: 'token_id', value: search!.id });
    expect(org().credentials.get(search!.id)?.config).toEqual({ type: 'token', secret: sealed('s2') });
    expect(org().credentials.get(hec!.id)).toBeUndefined();
    const again = await write((o) =>
      updateIntegration(o, 'acme-prod', 'splunk', { ...(updated.integration as unknown as UpdateIntegrationRequest), provider_config: { ...updated.integration.provider_config, hec_credential: { type: 'token', secret: 'h2' } } }, env),
    );
    expect(again.credentials_created).toHaveLength(1);
  });

  it('PUT keeps id, account, token and created_at; answers 400 for another id', async () => {
    const { write, env, store } = await orgFixture();
    const res = await write((o) => createIntegration(o, 'acme-prod', { name: 'm', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    const body = { ...res.integration, refresh_token_id: 'forged', account_id: 'forged', category: 'siem', fullname: 'Renamed' } as unknown as UpdateIntegrationRequest;
    const updated = await write((o) => updateIntegration(o, 'acme-prod', 'm', body, { ...env, nowMs: env.nowMs + 1000 }));
    expect(updated.integration).toMatchObject({ refresh_token_id: res.integration.refresh_token_id, account_id: res.integration.account_id, category: 'ticketing', fullname: 'Renamed' });
    expect(updated.integration.updated_at).not.toBe(res.integration.updated_at);
    expect((await rejected(store, () => write((o) => updateIntegration(o, 'acme-prod', 'm', { ...body, id: 'other' }, env)))).status).toBe(400);
  });

  it('an allow-list narrowed later blocks a provider change, not an update that keeps the provider', async () => {
    const { write, env, store } = await orgFixture();
    await write((o) => createIntegrationPoint(o, { name: 'tix', connector: 'ticketing', environments: { prod: ['*'] } }, env));
    const res = await write((o) => createIntegration(o, 'acme-prod', { name: 'm', integration_point_id: 'tix', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    await write((o) => o.integrationPoints.put({ ...o.integrationPoints.get(res.integration.integration_point_id!)!, environments: { prod: ['ticketing_jira'] } }));
    const renamed = await write((o) => updateIntegration(o, 'acme-prod', 'm', { ...(res.integration as unknown as UpdateIntegrationRequest), fullname: 'Still mock' }, env));
    expect(renamed.integration.fullname).toBe('Still mock');
    const body = { ...(renamed.integration as unknown as UpdateIntegrationRequest), provider_config: { type: 'ticketing_servicenow', url: 'https://x.service-now.com', credential: { type: 'basic', username: 'u', secret: 's' } } };
    expect((await rejected(store, () => write((o) => updateIntegration(o, 'acme-prod', 'm', body, env)))).status).toBe(400);
  });

  it('PATCH refuses the server-kept paths and clears schedules when asked', async () => {
    const { write, env, org } = await orgFixture();
    await write((o) =>
      createIntegration(
        o,
        'acme-prod',
        { name: 'm', provider_config: { type: 'siem_mock_siem' }, scheduled_operations: [{ operation: 'siem_query_events', enabled: true, frequency: { type: 'periodic', value: '1h' } }] },
        {},
        env,
      ),
    );
    for (const path of ['/refresh_token_id', '/account_id', '/id']) {
      const err = apiError(() => patchIntegration(org(), 'acme-prod', 'm', [{ op: 'replace', path, value: 'x' }], noCheck, env));
      expect(err.status).toBe(400);
      expect(err.details.parameter).toMatchObject({ id: '/0/path', value: path });
    }
    const cleared = await write((o) => patchIntegration(o, 'acme-prod', 'm', [{ op: 'remove', path: '/scheduled_operations' }], noCheck, env));
    expect(cleared.integration).not.toHaveProperty('scheduled_operations');
  });
});

describe('deleteIntegration', () => {
  it('removes the integration, its tokens, its credentials and its status', async () => {
    const { write, env, org, store } = await orgFixture();
    const res = await write((o) => createIntegration(o, 'acme-prod', { name: 'jira', provider_config: jira({ type: 'basic', username: 'u', secret: 't' }) }, {}, env));
    await write((o) => deleteIntegration(o, 'acme-prod', 'jira'));
    expect(apiError(() => getIntegration(org(), 'acme-prod', 'jira')).status).toBe(404);
    expect(org().credentials.get(res.credentials_created[0]!.id)).toBeUndefined();
    expect(org().refreshTokens.get(res.integration.refresh_token_id)).toBeUndefined();
    expect(org().statuses.get(res.integration.id)).toBeUndefined();
    expect(resolveBearer(store.reader, res.token.access.secret, env.nowMs).ok).toBe(false);
  });
});

describe('verifyIntegration', () => {
  it('answers what create would, as errors or warnings, and stores nothing', async () => {
    const { env, org, store, write } = await orgFixture();
    const before = JSON.stringify(store.exportDocument().collections);
    expect(verifyIntegration(org(), 'acme-prod', { integration: { provider_config: jira({ type: 'basic', username: 'u', secret: 't' }) } }, env.nowMs)).toEqual([]);
    expect(apiError(() => verifyIntegration(org(), 'acme-prod', { integration: { provider_config: { type: 'ticketing_jira' } } }, env.nowMs)).status).toBe(400);
    expect(apiError(() => verifyIntegration(org(), 'ghost', { integration: { provider_config: { type: 'ticketing_jira' } } }, env.nowMs)).status).toBe(404);
    const expired = await write((o) => createCredential(o, 'acme-prod', { name: 'old', config: { type: 'basic', username: 'u', secret: 't' }, expires: '2026-01-01T00:00:00Z' }, env));
    const after = JSON.stringify(store.exportDocument().collections);
    const warnings = verifyIntegration(org(), 'acme-prod', { integration: { provider_config: jira({ type: 'basic_id', value: expired.id }), bridge_selector: { type: 'labels', value: ['dc'] } } }, env.nowMs);
    expect(warnings.map((w) => w.pointer)).toEqual(['/integration/provider_config/credential/value', '/integration/bridge_selector/value']);
    expect(JSON.stringify(store.exportDocument().collections)).toBe(after);
    expect(after).not.toBe(before);
  });

  it('points its errors into the verify request body, where the integration sits under /integration', async () => {
    const { env, org } = await orgFixture();
    const missing = apiError(() => verifyIntegration(org(), 'acme-prod', { integration: { provider_config: { type: 'siem_splunk' } } }, env.nowMs));
    expect(missing.status).toBe(400);
    expect(missing.details.parameter).toMatchObject({ id: '/integration/provider_config/search_service_credential', location: 'body' });
    const unknown = apiError(() => verifyIntegration(org(), 'acme-prod', { integration: { provider_config: jira({ type: 'basic_id', value: 'no-such-credential' }) } }, env.nowMs));
    expect(unknown.status).toBe(404);
    expect(unknown.details.parameter).toMatchObject({ id: '/integration/provider_config/credential/value', location: 'body', value: 'no-such-credential' });
    // the same configuration given to create points at the create body
    expect(apiError(() => createIntegration(org(), 'acme-prod', { provider_config: { type: 'siem_splunk' } }, {}, env)).details.parameter?.id).toBe('/provider_config/search_service_credential');
  });
});
