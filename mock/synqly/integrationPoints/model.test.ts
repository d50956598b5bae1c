import { describe, expect, it } from 'vitest';
import { createCredential } from '../credentials/model.ts';
import { createIntegration } from '../integrations/model.ts';
import { orgFixture, rejected } from '../model-testing.ts';
import {
  allowsProvider,
  createIntegrationPoint,
  deleteIntegrationPoint,
  getIntegrationPoint,
  listIntegrationPoints,
  patchIntegrationPoint,
  updateIntegrationPoint,
  type UpdateIntegrationPointRequest,
} from './model.ts';

const ticketing = { name: 'tix', fullname: 'Ticketing', connector: 'ticketing', environments: { test: ['ticketing_mock_ticketing'], prod: ['ticketing_jira'] } };
const noCheck = () => undefined;

describe('createIntegrationPoint', () => {
  it('stores the point with its allow-list and templates', async () => {
    const { write, env, org } = await orgFixture();
    const p = await write((o) =>
      createIntegrationPoint(o, { ...ticketing, scheduled_operations: [{ operation: 'ticketing_query_tickets', enabled: true, frequency: { type: 'periodic', value: '1h' } }] }, env),
    );
    expect(getIntegrationPoint(org(), 'tix')).toEqual(p);
    expect(p.environments).toEqual(ticketing.environments);
    expect(listIntegrationPoints(org(), { total: true }).total).toBe(1);
  });

  it('answers 400 for providers of another connector, a "*" connector, bad schedules; 409 for a taken name', async () => {
    const { write, env, store } = await orgFixture();
    const err = await rejected(store, () => write((o) => createIntegrationPoint(o, { ...ticketing, environments: { prod: ['ticketing_jira', 'siem_splunk'] } }, env)));
    expect(err.status).toBe(400);
    expect(err.details.parameter?.id).toBe('/environments/prod/1');
    expect((await rejected(store, () => write((o) => createIntegrationPoint(o, { ...ticketing, connector: '*' }, env)))).status).toBe(400);
    const tooOften = { operation: 'ticketing_query_tickets', enabled: true, frequency: { type: 'periodic', value: '1m' } };
    expect((await rejected(store, () => write((o) => createIntegrationPoint(o, { ...ticketing, scheduled_operations: [tooOften] }, env)))).details.parameter?.id).toBe(
      '/scheduled_operations/0/frequency/value',
    );
    const wrongConnector = { operation: 'siem_query_events', enabled: true, frequency: { type: 'periodic', value: '1h' } };
    expect((await rejected(store, () => write((o) => createIntegrationPoint(o, { ...ticketing, scheduled_operations: [wrongConnector] }, env)))).status).toBe(400);
    await write((o) => createIntegrationPoint(o, ticketing, env));
    expect((await rejected(store, () => write((o) => createIntegrationPoint(o, ticketing, env)))).status).toBe(409);
  });
});

describe('provider ids are ProviderConfigId values', () => {
  it('answers 400 with the pointer for a provider id not in the capabilities catalogue, in environments and templates; "*" passes', async () => {
    const { write, env, store } = await orgFixture();
    const unknown = await rejected(store, () => write((o) => createIntegrationPoint(o, { ...ticketing, connector: 'siem', environments: { test: ['siem_mock_siem', 'siem_nosuch'] } }, env)));
    expect(unknown).toMatchObject({ status: 400, details: { parameter: { id: '/environments/test/1', location: 'body', value: 'siem_nosuch' } } });
    expect(unknown.message).toMatch(/not a known provider/);
    const template = { mappings: [], operation_ids: ['ticketing_query_tickets'], providers: ['ticketing_jira', 'ticketing_nosuch'] };
    const inTemplate = await rejected(store, () => write((o) => createIntegrationPoint(o, { ...ticketing, mappings: [template] }, env)));
    expect(inTemplate.details.parameter?.id).toBe('/mappings/0/providers/1');
    const p = await write((o) => createIntegrationPoint(o, { ...ticketing, environments: { test: ['*'], prod: ['ticketing_jira'] } }, env));
    const replaced = await rejected(store, () =>
      write((o) => updateIntegrationPoint(o, 'tix', { ...(p as unknown as UpdateIntegrationPointRequest), environments: { prod: ['ticketing_jira2'] } }, env)),
    );
    expect(replaced.details.parameter?.id).toBe('/environments/prod/0');
  });
});

describe('allowsProvider', () => {
  it('reads the list of the account environment; missing or empty allows none; * allows all', async () => {
    const { write, env } = await orgFixture();
    const p = await write((o) => createIntegrationPoint(o, { name: 'p', connector: 'ticketing', environments: { test: ['*'], prod: [] } }, env));
    expect(allowsProvider(p, 'test', 'ticketing_jira')).toBe(true);
    expect(allowsProvider(p, 'prod', 'ticketing_jira')).toBe(false);
    const q = await write((o) => createIntegrationPoint(o, { name: 'q', connector: 'ticketing', environments: { prod: ['ticketing_jira'] } }, env));
    expect(allowsProvider(q, 'test', 'ticketing_jira')).toBe(false);
    expect(allowsProvider(q, 'prod', 'ticketing_jira')).toBe(true);
    expect(allowsProvider(q, 'prod', 'ticketing_servicenow')).toBe(false);
  });
});

describe('update, patch, delete', () => {
  it('PUT replaces the writable fields; the connector cannot change while integrations use the point (409)', async () => {
    const { write, env, prod, store } = await orgFixture();
    const p = await write((o) => createIntegrationPoint(o, ticketing, env));
    const body: UpdateIntegrationPointRequest = { ...p, description: 'Connect UI ticketing', environments: { prod: ['*'] } };
    const updated = await write((o) => updateIntegrationPoint(o, p.id, body, env));
    expect(updated).toMatchObject({ description: 'Connect UI ticketing', environments: { prod: ['*'] }, created_at: p.created_at });
    await write((o) => createIntegration(o, prod.id, { name: 'jira', integration_point_id: p.id, provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    const err = await rejected(store, () => write((o) => updateIntegrationPoint(o, p.id, { ...updated, connector: 'siem', environments: {} }, env)));
    expect(err.status).toBe(409);
  });

  it('PATCH goes through the same replace', async () => {
    const { write, env } = await orgFixture();
    const p = await write((o) => createIntegrationPoint(o, ticketing, env));
    const patched = await write((o) => patchIntegrationPoint(o, 'tix', [{ op: 'add', path: '/environments/test/-', value: 'ticketing_jira' }], noCheck, env));
    expect(patched.environments.test).toEqual(['ticketing_mock_ticketing', 'ticketing_jira']);
    expect(patched.id).toBe(p.id);
  });

  it('DELETE is refused (409) while integrations use the point, and takes its credentials along', async () => {
    const { write, env, prod, org, store } = await orgFixture();
    const p = await write((o) => createIntegrationPoint(o, { ...ticketing, environments: { prod: ['*'] } }, env));
    const cred = await write((o) => createCredential(o, p.id, { owner_type: 'integration_point', config: { type: 'token', secret: 's' } }, env));
    const i = await write((o) => createIntegration(o, prod.id, { name: 'jira', integration_point_id: 'tix', provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    expect((await rejected(store, () => write((o) => deleteIntegrationPoint(o, 'tix')))).status).toBe(409);
    await write((o) => o.integrations.delete(i.integration.id));
    await write((o) => deleteIntegrationPoint(o, 'tix'));
    expect(org().integrationPoints.get(p.id)).toBeUndefined();
    expect(org().credentials.get(cred.id)).toBeUndefined();
  });
});
