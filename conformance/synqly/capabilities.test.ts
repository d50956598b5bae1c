import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { newAccount } from '../support/synqly-resources.ts';
import { synqlyReadOnly } from '../support/read-only.ts';
import { uniqueName } from '../support/resources.ts';

const target = await useTarget();
const twin = target.kind !== 'live';

const CATEGORIES = [
  'appsec', 'assets', 'chat', 'cloudsecurity', 'custom', 'edr', 'emailsecurity', 'endpointmanagement', 'identity',
  'incidentresponse', 'networksecurity', 'notifications', 'siem', 'sink', 'storage', 'ticketing', 'vulnerabilities',
];
/** contract §6: ProviderConfigId has 169 ids, counted per connector */
const CONTRACT_COUNTS: Record<string, number> = {
  assets: 24, vulnerabilities: 21, sink: 20, ticketing: 18, identity: 13, siem: 13, appsec: 12, edr: 12, cloudsecurity: 9,
  emailsecurity: 5, notifications: 5, endpointmanagement: 4, storage: 4, chat: 3, networksecurity: 3, incidentresponse: 2, custom: 1,
};

interface SchemaNode {
  type?: string;
  format?: string;
  enum?: string[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  oneOf?: SchemaNode[];
}

/** a provider config built only from a provider's `expand=provider_config` description: its required members, credentials as the first variant */
function configFromSchema(schema: SchemaNode): Record<string, unknown> {
  const fill = (node: SchemaNode): unknown => {
    if (node.oneOf) return fill(node.oneOf[0]!);
    if (node.enum) return node.enum[0];
    switch (node.type) {
      case 'object': return Object.fromEntries((node.required ?? []).map((name) => [name, fill(node.properties?.[name] ?? { type: 'string' })]));
      case 'array': return ['value'];
      case 'boolean': return false;
      case 'integer': return 1;
      default: return node.format === 'uri' ? 'https://provider.example.com' : 'value';
    }
  };
  return fill(schema) as Record<string, unknown>;
}

describe('capabilities_list_connectors', () => {
  it('lists the connectors with their provider ids; provider summaries only on expand', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/capabilities/connectors');
    expectOperation(res, 'capabilities_list_connectors', 200);
    const ids = res.body.result.map((c: { id: string }) => c.id);
    if (target.kind !== 'live') expect([...ids].sort()).toEqual(CATEGORIES);
    else for (const id of ids) expect(CATEGORIES).toContain(id);
    const ticketing = res.body.result.find((c: { id: string }) => c.id === 'ticketing');
    expect(ticketing.provider_ids).toContain('ticketing_jira');
    expect(ticketing).not.toHaveProperty('providers');
    const expanded = await s.get('/v1/capabilities/connectors').query({ expand: 'providers' });
    expectOperation(expanded, 'capabilities_list_connectors', 200);
    const t2 = expanded.body.result.find((c: { id: string }) => c.id === 'ticketing');
    expect(t2.providers.map((p: { id: string }) => p.id)).toEqual(t2.provider_ids);
  });

  it('lists the contract\'s 169 provider ids, each under the connector its prefix names, once', async () => {
    const s = await synqlySession(target);
    const connectors = await s.get('/v1/capabilities/connectors');
    expectOperation(connectors, 'capabilities_list_connectors', 200);
    const providers = await s.get('/v1/capabilities/providers');
    expectOperation(providers, 'capabilities_list_providers', 200);
    const listed: string[] = [];
    for (const c of connectors.body.result as Array<{ id: string; provider_ids: string[] }>) {
      for (const id of c.provider_ids) expect(id.startsWith(`${c.id}_`), id).toBe(true);
      listed.push(...c.provider_ids);
    }
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual((providers.body.result as Array<{ id: string }>).map((p) => p.id).sort());
    if (twin) {
      expect(listed).toHaveLength(169);
      expect(Object.fromEntries(connectors.body.result.map((c: { id: string; provider_ids: string[] }) => [c.id, c.provider_ids.length]))).toEqual(CONTRACT_COUNTS);
    }
  });

  it('answers 400 for an unknown expand value', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/capabilities/connectors').query({ expand: 'everything' }), 'capabilities_list_connectors', 400);
  });
});

describe('capabilities_list_providers', () => {
  it('lists providers; expand=connector,operations adds the connector object and operation support', async () => {
    const s = await synqlySession(target);
    const res = await s.get('/v1/capabilities/providers');
    expectOperation(res, 'capabilities_list_providers', 200);
    const jira = res.body.result.find((p: { id: string }) => p.id === 'ticketing_jira');
    expect(jira).toMatchObject({ connector_id: 'ticketing' });
    expect(jira).not.toHaveProperty('operations');
    const expanded = await s.get('/v1/capabilities/providers?expand=connector&expand=operations');
    expectOperation(expanded, 'capabilities_list_providers', 200);
    const jira2 = expanded.body.result.find((p: { id: string }) => p.id === 'ticketing_jira');
    expect(jira2.connector).toMatchObject({ id: 'ticketing' });
    expect(jira2.operations.length).toBeGreaterThan(0);
    for (const p of res.body.result as Array<{ id: string; connector_id: string }>) expect(p.id.startsWith(`${p.connector_id}_`)).toBe(true);
  });

  it('answers 400 for request_body, which only get_provider expands', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/capabilities/providers').query({ expand: 'request_body' }), 'capabilities_list_providers', 400);
  });
});

describe('capabilities_get_provider', () => {
  it('returns one provider, with its config description and request bodies on expand', async () => {
    const s = await synqlySession(target);
    const plain = await s.get('/v1/capabilities/providers/ticketing_jira');
    expectOperation(plain, 'capabilities_get_provider', 200);
    expect(plain.body.result).toMatchObject({ id: 'ticketing_jira', connector_id: 'ticketing' });
    const full = await s.get('/v1/capabilities/providers/ticketing_jira?expand=provider_config&expand=request_body');
    expectOperation(full, 'capabilities_get_provider', 200);
    expect(full.body.result).toHaveProperty('provider_config');
    if (target.kind !== 'live') {
      expect(full.body.result.provider_config.required).toEqual(['type', 'credential', 'url']);
      const create = full.body.result.operations.find((o: { id: string }) => o.id === 'ticketing_create_ticket');
      expect(create.request_body).toMatchObject({ required: true, schema: { type: 'object' } });
    }
  });

  it('answers 404 for an unknown provider', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/capabilities/providers/ticketing_does_not_exist'), 'capabilities_get_provider', 404);
  });
});

describe('capabilities and integrations agree', () => {
  it.runIf(twin)('(twin) every listed provider, configured from its provider_config description, passes integrations_verify without an uncatalogued warning', async () => {
    const s = await synqlySession(target);
    const prod = await newAccount(s, { environment: 'prod' });
    const test = await newAccount(s, { environment: 'test' });
    const res = await s.get('/v1/capabilities/providers').query({ expand: 'provider_config' });
    expectOperation(res, 'capabilities_list_providers', 200);
    const providers = res.body.result as Array<{ id: string; release: { availability: string; environments: string[] }; provider_config: SchemaNode }>;
    expect(providers).toHaveLength(169);
    // custom_synqly runs a custom provider definition of the organization
    const custom = await s.post('/v1/customs').send({ name: uniqueName('defs'), data: 'name: defs\n' });
    expectOperation(custom, 'customs_create', 200);
    s.defer(() => s.delete(`/v1/customs/${custom.body.result.custom.id}`));
    for (const p of providers) {
      const account = p.release.environments.includes('prod') ? prod : test;
      const config = { ...configFromSchema(p.provider_config), ...(p.id === 'custom_synqly' ? { custom_id: custom.body.result.custom.id } : {}) };
      const verified = await s.post(`/v1/integrations/${account.id}/verify`).send({ integration: { provider_config: config } });
      expectOperation(verified, 'integrations_verify', 200);
      const problems = (verified.body.messages?.problems ?? []) as Array<{ message: string }>;
      for (const problem of problems) expect(problem.message, p.id).not.toContain('catalogue');
      if (p.release.availability === 'generally-available') expect(problems, p.id).toEqual([]);
    }
  });

  it.runIf(twin)('(twin) an id outside the vendor\'s catalogue: 404 from capabilities, 400 from integrations_verify (siem_logrhythm, a product the twin once listed, included)', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    for (const id of ['siem_acme_logs', 'siem_logrhythm']) {
      expectProblem(await s.get(`/v1/capabilities/providers/${id}`), 'capabilities_get_provider', 404);
      const verified = await s.post(`/v1/integrations/${account.id}/verify`).send({ integration: { provider_config: { type: id } } });
      expectProblem(verified, 'integrations_verify', 400);
      expect(verified.body.context.parameter).toMatchObject({ id: '/integration/provider_config/type', location: 'body', value: id });
    }
  });

  it.runIf(twin)('(twin) a custom_synqly config must name a custom provider definition of the organization (404)', async () => {
    const s = await synqlySession(target);
    const account = await newAccount(s);
    const config = { type: 'custom_synqly', custom_id: uniqueName('ghost'), endpoints: {}, tags: {} };
    const res = await s.post(`/v1/integrations/${account.id}`).send({ provider_config: config });
    expectProblem(res, 'integrations_create', 404);
    expect(res.body.context.parameter).toMatchObject({ id: '/provider_config/custom_id', location: 'body' });
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = synqlyReadOnly(target);

describe('capabilities_list_connectors', () => {
  it('lists the connectors, with their providers on expand', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/capabilities/connectors').query({ expand: 'providers' });
    expectOperation(res, 'capabilities_list_connectors', 200);
    expect(ro.items(res).map((c) => c.id)).toContain('siem');
  });
});

describe('capabilities_list_providers', () => {
  it('lists the providers', async () => {
    const s = await ro.session();
    const res = await s.get('/v1/capabilities/providers');
    expectOperation(res, 'capabilities_list_providers', 200);
    expect(ro.items(res).length).toBeGreaterThan(0);
  });
});

describe('capabilities_get_provider', () => {
  it('reads the first listed provider, with its connector, operations and config description expanded', async () => {
    const s = await ro.session();
    const list = await s.get('/v1/capabilities/providers');
    expectOperation(list, 'capabilities_list_providers', 200);
    const provider = ro.items(list)[0]!;
    const res = await s.get(`/v1/capabilities/providers/${provider.id}?expand=connector&expand=operations&expand=provider_config`);
    expectOperation(res, 'capabilities_get_provider', 200);
    expect(res.body.result).toMatchObject({ id: provider.id, connector_id: provider.connector_id });
  });
});
