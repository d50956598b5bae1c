import { describe, expect, it } from 'vitest';
import { apiError } from '../model-testing.ts';
import { CONNECTORS, PROVIDERS, connectorOf } from './catalogue.ts';
import { displayNameOf, getProvider, listConnectors, listProviders } from './model.ts';

const CATEGORIES = [
  'appsec', 'assets', 'chat', 'cloudsecurity', 'custom', 'edr', 'emailsecurity', 'endpointmanagement', 'identity',
  'incidentresponse', 'networksecurity', 'notifications', 'siem', 'sink', 'storage', 'ticketing', 'vulnerabilities',
];
const CONTRACT_PROVIDERS = [
  'ticketing_jira', 'ticketing_servicenow', 'ticketing_mock_ticketing', 'siem_splunk', 'siem_mock_siem', 'edr_crowdstrike',
  'identity_okta', 'notifications_slack', 'vulnerabilities_tenable_cloud', 'assets_servicenow', 'sink_mock_sink', 'storage_mock_storage',
];

describe('the catalogue', () => {
  it('has the 17 connectors, each with providers, and the providers the contract names', () => {
    expect(CONNECTORS.map((c) => c.id).sort()).toEqual(CATEGORIES);
    for (const c of listConnectors()) expect(c.provider_ids.length, c.id).toBeGreaterThan(0);
    const ids = PROVIDERS.map((p) => p.id);
    for (const id of CONTRACT_PROVIDERS) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(connectorOf(id), id).toBe(id.split('_')[0]);
  });

  it('lists connectors with provider summaries only on expand=providers', () => {
    const plain = listConnectors().find((c) => c.id === 'ticketing')!;
    expect(plain).not.toHaveProperty('providers');
    expect(plain.provider_ids).toContain('ticketing_jira');
    const expanded = listConnectors(['providers']).find((c) => c.id === 'ticketing')!;
    expect(expanded.providers?.map((p) => p.id)).toEqual(plain.provider_ids);
  });
});

describe('providers', () => {
  it('returns the connector id by default and the object, operations, config schema on expand', () => {
    const plain = getProvider('ticketing_jira');
    expect(plain).toMatchObject({ id: 'ticketing_jira', name: 'jira', connector_id: 'ticketing', connector: 'ticketing', vendor: 'Atlassian' });
    expect(plain).not.toHaveProperty('operations');
    const full = getProvider('ticketing_jira', ['connector', 'operations', 'provider_config', 'request_body']);
    expect(full.connector).toMatchObject({ id: 'ticketing' });
    const create = full.operations!.find((o) => o.id === 'ticketing_create_ticket')!;
    expect(create).toMatchObject({ supported: true, request_method: 'POST', request_body: { required: true } });
    expect(full.provider_config).toMatchObject({ type: 'object', required: ['type', 'url', 'credential'] });
    const withoutBody = getProvider('ticketing_jira', ['operations']).operations!.find((o) => o.id === 'ticketing_create_ticket')!;
    expect(withoutBody).not.toHaveProperty('request_body');
  });

  it('lists every provider and 404s an unknown one', () => {
    expect(listProviders().length).toBe(PROVIDERS.length);
    expect(apiError(() => getProvider('ticketing_nope')).status).toBe(404);
  });

  it('names uncatalogued providers from their id', () => {
    expect(displayNameOf('siem_sumo_logic')).toBe('Sumo Logic');
    expect(displayNameOf('ticketing_linear_app')).toBe('Linear App');
  });
});
