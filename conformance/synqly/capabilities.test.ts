import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';

const target = await useTarget();

const CATEGORIES = [
  'appsec', 'assets', 'chat', 'cloudsecurity', 'custom', 'edr', 'emailsecurity', 'endpointmanagement', 'identity',
  'incidentresponse', 'networksecurity', 'notifications', 'siem', 'sink', 'storage', 'ticketing', 'vulnerabilities',
];

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
      expect(full.body.result.provider_config.required).toEqual(['type', 'url', 'credential']);
      const create = full.body.result.operations.find((o: { id: string }) => o.id === 'ticketing_create_ticket');
      expect(create.request_body).toMatchObject({ required: true, schema: { type: 'object' } });
    }
  });

  it('answers 404 for an unknown provider', async () => {
    const s = await synqlySession(target);
    expectProblem(await s.get('/v1/capabilities/providers/ticketing_does_not_exist'), 'capabilities_get_provider', 404);
  });
});
