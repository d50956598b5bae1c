import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { INLINE_REQUIRED, isInlineKind } from '../credentials/kinds.ts';
import { createCustom } from '../customs/model.ts';
import { createIntegrationPoint } from '../integrationPoints/model.ts';
import { verifyIntegration } from '../integrations/model.ts';
import { apiError, orgFixture, T0 } from '../model-testing.ts';
import { CONNECTORS, CONNECTOR_BY_ID, connectorOf, providerById, providers, type ProviderDef } from './catalogue.ts';
import { getProvider, listConnectors, listProviders } from './model.ts';
import { checkProviderConfig, providerConfigs, type FieldDescriptor } from './provider-configs.ts';

const CATEGORIES = [
  'appsec', 'assets', 'chat', 'cloudsecurity', 'custom', 'edr', 'emailsecurity', 'endpointmanagement', 'identity',
  'incidentresponse', 'networksecurity', 'notifications', 'siem', 'sink', 'storage', 'ticketing', 'vulnerabilities',
];
const CONTRACT_PROVIDERS = [
  'ticketing_jira', 'ticketing_servicenow', 'ticketing_mock_ticketing', 'siem_splunk', 'siem_mock_siem', 'edr_crowdstrike',
  'identity_okta', 'notifications_slack', 'vulnerabilities_tenable_cloud', 'assets_servicenow', 'sink_mock_sink', 'storage_mock_storage',
];
/** contract §6: the sample table's display names */
const CONTRACT_DISPLAY: Record<string, string> = {
  ticketing_jira: 'Atlassian Jira',
  ticketing_servicenow: 'ServiceNow ITSM',
  ticketing_mock_ticketing: 'Synqly mock in-memory ticketing',
  siem_splunk: 'Splunk Enterprise Security',
  siem_mock_siem: 'Synqly mock in-memory SIEM',
  edr_crowdstrike: 'CrowdStrike Falcon Insight EDR',
  identity_okta: 'Okta Identity',
  notifications_slack: 'Slack',
  vulnerabilities_tenable_cloud: 'Tenable Vulnerability Management',
  assets_servicenow: 'ServiceNow CMDB',
  sink_mock_sink: 'Synqly mock in-memory Sink',
  storage_mock_storage: 'Synqly mock in-memory storage',
};
/** contract §6: ProviderConfigId has 169 ids (+ "*"), counted per connector */
const CONTRACT_COUNTS: Record<string, number> = {
  assets: 24, vulnerabilities: 21, sink: 20, ticketing: 18, identity: 13, siem: 13, appsec: 12, edr: 12, cloudsecurity: 9,
  emailsecurity: 5, notifications: 5, endpointmanagement: 4, storage: 4, chat: 3, networksecurity: 3, incidentresponse: 2, custom: 1,
};

/** the vendor's data file as read from disk (provider-configs.ts imports it) */
const CONTRACT = JSON.parse(readFileSync(new URL('../../../specs/synqly-provider-configs.json', import.meta.url), 'utf8')) as { provider_ids: string[]; categories: string[] };

/** a value for a field descriptor: required nested fields filled, inline credentials of the first inline kind */
function sample(d: FieldDescriptor): unknown {
  switch (d.type) {
    case 'credential': {
      const kind = d.credential_kinds!.find(isInlineKind) ?? d.credential_kinds![0]!;
      return isInlineKind(kind) ? { type: kind, ...Object.fromEntries(INLINE_REQUIRED[kind][0]!.map((name) => [name, `${name}-value`])) } : { type: kind, value: 'credential-id' };
    }
    case 'string': return 'https://provider.example.com';
    case 'boolean': return false;
    case 'integer':
    case 'number': return 1;
    case 'enum': return d.enum![0];
    case 'array': return d.items ? [sample(d.items)] : [];
    case 'object': return d.fields ? required(d.fields) : {};
    case 'union': {
      const [kind, variant] = Object.entries(d.variants!)[0]!;
      return { type: kind, ...required(variant.fields) };
    }
  }
}

const required = (fields: Record<string, FieldDescriptor>) => Object.fromEntries(Object.entries(fields).filter(([, d]) => d.required).map(([n, d]) => [n, sample(d)]));

/** a provider_config with every required field of `def` filled */
function minimalWithoutCustom(def: ProviderDef): Record<string, unknown> & { type: string } {
  return { type: def.id, ...required(def.config.fields) };
}

describe('the catalogue', () => {
  it('has the 17 connectors, each with providers, and the providers the contract names', () => {
    expect(CONNECTORS.map((c) => c.id).sort()).toEqual(CATEGORIES);
    for (const c of listConnectors()) expect(c.provider_ids.length, c.id).toBeGreaterThan(0);
    const ids = providers().map((p) => p.id);
    for (const id of CONTRACT_PROVIDERS) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(connectorOf(id), id).toBe(id.split('_')[0]);
  });

  it('has the contract\'s 169 provider ids with its per-connector counts', () => {
    expect(Object.values(CONTRACT_COUNTS).reduce((a, b) => a + b, 0)).toBe(169);
    expect(providers()).toHaveLength(169);
    const counts = Object.fromEntries(listConnectors().map((c) => [c.id, c.provider_ids.length]));
    expect(counts).toEqual(CONTRACT_COUNTS);
  });

  it('keeps the contract\'s sample providers with their display names', () => {
    for (const [id, fullname] of Object.entries(CONTRACT_DISPLAY)) expect(getProvider(id).fullname, id).toBe(fullname);
  });

  it('names every provider <connector>_<provider>, once, and lists each under its connector only', () => {
    const ids = providers().map((p) => p.id);
    expect(new Set(ids).size).toBe(169);
    for (const id of ids) {
      expect(id, id).toMatch(/^[a-z]+_[a-z0-9]+(_[a-z0-9]+)*$/);
      expect(CONNECTOR_BY_ID.has(id.split('_')[0]!), id).toBe(true);
    }
    const listed: string[] = [];
    for (const c of listConnectors()) {
      expect(c.provider_ids, c.id).toEqual(ids.filter((id) => id.startsWith(`${c.id}_`)));
      listed.push(...c.provider_ids);
    }
    expect(listed.sort()).toEqual([...ids].sort());
    // mock providers follow <connector>_mock_<connector>
    for (const id of ids.filter((i) => i.includes('_mock_'))) expect(id).toBe(`${connectorOf(id)}_mock_${connectorOf(id)}`);
  });

  it('is the vendor\'s: every ProviderConfigId but "*" and the CategoryId values, from specs/synqly-provider-configs.json', () => {
    expect(providers().map((p) => p.id).sort()).toEqual(CONTRACT.provider_ids.filter((id) => id !== '*').sort());
    expect([...providerConfigs().categories].sort()).toEqual([...CONTRACT.categories].sort());
    expect(CONNECTORS.map((c) => c.id).sort()).toEqual([...CONTRACT.categories].sort());
    for (const p of providers()) {
      const ops = CONNECTOR_BY_ID.get(connectorOf(p.id)!)!.operations.map((o) => o.name);
      for (const op of p.unsupported ?? []) expect(ops, `${p.id} unsupported ${op}`).toContain(op);
      expect(p.fullname.trim(), p.id).not.toBe('');
      expect(p.vendor.trim(), p.id).not.toBe('');
      expect(p.config.category, p.id).toBe(connectorOf(p.id));
    }
  });
});

describe('provider configs, checked per provider', () => {
  it('accepts every provider\'s minimal config and refuses it without any one required field (400 at the field)', () => {
    let refusals = 0;
    for (const p of providers()) {
      const config = minimalWithoutCustom(p);
      expect(checkProviderConfig(config).type, p.id).toBe(p.id);
      for (const name of Object.keys(config).filter((n) => n !== 'type')) {
        const { [name]: _gone, ...without } = config;
        expect(apiError(() => checkProviderConfig(without)).details.parameter, `${p.id} without ${name}`).toMatchObject({ id: `/provider_config/${name}`, location: 'body' });
        refusals++;
      }
    }
    // the contract's self-check: 330 required fields across the 169 variants
    expect(refusals).toBe(330);
  });

  it('refuses an unknown type, a wrong JSON type, a value outside its enum, a credential kind the field does not take', () => {
    const jira = { type: 'ticketing_jira', url: 'https://acme.atlassian.net', credential: { type: 'basic', username: 'u', secret: 's' } };
    expect(checkProviderConfig(jira).category).toBe('ticketing');
    expect(checkProviderConfig({ ...jira, credential: { type: 'basic_id', value: 'c1' } }).type).toBe('ticketing_jira');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...jira, type: 'ticketing_acme' }, '/provider_config/type'],
      [{ ...jira, url: 42 }, '/provider_config/url'],
      [{ ...jira, credential: { type: 'token', secret: 's' } }, '/provider_config/credential/type'],
      [{ ...jira, credential: { type: 'token_id', value: 'c1' } }, '/provider_config/credential/type'],
      [{ ...jira, credential: { type: 'basic_id' } }, '/provider_config/credential/value'],
      [{ ...jira, custom_field_mappings: [{ name: 'n', project_id: 'p' }] }, '/provider_config/custom_field_mappings/0/provider_field_path'],
      [{ type: 'appsec_amazon_inspector', credential: { type: 'aws', access_key_id: 'a', secret_access_key: 's' }, region: 'mars-1' }, '/provider_config/region'],
      [{ type: 'custom_synqly', custom_id: 'c', endpoints: { main: { credential: { type: 'webhook_url', secret: 'x' } } }, tags: {} }, '/provider_config/endpoints/main/credential/type'],
      [{ type: 'custom_synqly', custom_id: 'c', endpoints: {}, tags: { region: 7 } }, '/provider_config/tags/region'],
    ];
    for (const [config, pointer] of cases) expect(apiError(() => checkProviderConfig(config)).details.parameter?.id, JSON.stringify(config)).toBe(pointer);
  });
});

describe('every catalogue provider', () => {
  it('answers each expand: connector object, its connector\'s operations with support flags, the config schema', () => {
    for (const p of providers()) {
      const connector = CONNECTOR_BY_ID.get(connectorOf(p.id)!)!;
      const full = getProvider(p.id, ['connector', 'operations', 'request_body', 'provider_config']);
      expect(full.connector, p.id).toMatchObject({ id: connector.id });
      expect(full.operations!.map((o) => o.id), p.id).toEqual(connector.operations.map((o) => `${connector.id}_${o.name}`));
      for (const op of full.operations!) expect(op.supported, `${p.id} ${op.id}`).toBe(!(p.unsupported ?? []).includes(op.name));
      expect(full.provider_config!.required, p.id).toEqual(['type', ...Object.entries(p.config.fields).filter(([, d]) => d.required).map(([n]) => n)]);
      expect(Object.keys(full.provider_config!.properties), p.id).toEqual(['type', ...Object.keys(p.config.fields)]);
    }
    const listed = listProviders(['operations', 'provider_config']);
    expect(listed.map((p) => p.id)).toEqual(providers().map((p) => p.id));
    for (const p of listed) expect(p.operations!.length, p.id).toBeGreaterThan(0);
  });

  it('is accepted by integrations (verify) with its minimal config, and by an integration point allow-list', async () => {
    const { org, write, env, prod, test } = await orgFixture();
    for (const c of CONNECTORS) {
      const ids = providers().filter((p) => connectorOf(p.id) === c.id).map((p) => p.id);
      await write((o) => createIntegrationPoint(o, { name: `all-${c.id}`, connector: c.id, environments: { prod: ids, test: ids } }, env));
    }
    // a custom_synqly integration runs a custom provider definition of the organization
    const custom = await write((o) => createCustom(o, { name: 'defs', data: 'name: defs\n' }, env));
    const minimalConfig = (def: ProviderDef) => ({ ...minimalWithoutCustom(def), ...(def.id === 'custom_synqly' ? { custom_id: custom.id } : {}) });
    for (const def of providers()) {
      const account = (def.environments ?? ['prod', 'test']).includes('prod') ? prod : test;
      const expected = def.availability && def.availability !== 'generally-available' ? [`provider ${def.id} is ${def.availability}`] : [];
      const plain = verifyIntegration(org(), account.id, { integration: { provider_config: minimalConfig(def) } }, T0);
      expect(plain.map((w) => w.message), def.id).toEqual(expected);
      const viaPoint = verifyIntegration(org(), account.id, { integration: { provider_config: minimalConfig(def), integration_point_id: `all-${connectorOf(def.id)}` } }, T0);
      expect(viaPoint.map((w) => w.message), def.id).toEqual(expected);
    }
  });

  it('an id outside the catalogue: 404 from capabilities, 400 from integrations (the provider_config type is the vendor\'s enum)', async () => {
    const { org, prod } = await orgFixture();
    expect(apiError(() => getProvider('siem_acme_logs')).status).toBe(404);
    expect(apiError(() => verifyIntegration(org(), prod.id, { integration: { provider_config: { type: 'siem_acme_logs' } } }, T0))).toMatchObject({
      status: 400,
      details: { parameter: { id: '/integration/provider_config/type' } },
    });
  });
});

describe('connectors', () => {
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
    expect(full.provider_config).toMatchObject({ type: 'object', required: ['type', 'credential', 'url'] });
    const withoutBody = getProvider('ticketing_jira', ['operations']).operations!.find((o) => o.id === 'ticketing_create_ticket')!;
    expect(withoutBody).not.toHaveProperty('request_body');
  });

  it('lists every provider and 404s an unknown one', () => {
    expect(listProviders().length).toBe(providers().length);
    expect(apiError(() => getProvider('ticketing_nope')).status).toBe(404);
  });

});
