import { describe, expect, it } from 'vitest';
import { companyFixture, integrationRequest, thrown } from '../model-testing.ts';
import { companyState, type SubscriptionRecord } from '../state.ts';
import { upsertEnvironmentVariable } from '../environmentVariables/model.ts';
import { upsertSecurityConfig } from '../securityConfigs/model.ts';
import { apiTriggerSettings, isInboundAdapter } from './inbound.ts';
import { deleteIntegration, getIntegration, saveIntegration, type Writer } from './model.ts';
import { findIntegration, integrationsUsingComponent, listIntegrations } from './lookups.ts';
import type { IntegrationInput, IntegrationRecord } from './types.ts';
import { integrationView } from './normalise.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');

async function setup() {
  const t = await companyFixture('integrations-test', T0);
  const writerFor = (subscription: SubscriptionRecord): Writer => ({ subscription, actor: 'ci key' });
  return { ...t, writer: writerFor(t.test), writerFor };
}

/** the shared request with a description and one sub-integration that scripts and posts to the ERP */
function request(subscriptionId: string, overrides: Partial<IntegrationInput> = {}): IntegrationInput {
  return integrationRequest(subscriptionId, {
    description: 'Orders from webshop to ERP',
    subIntegrations: [
      {
        subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
        subintegrationName: 'to-erp',
        transformations: [{ transformationType: 'InlineScript', properties: '{"script":"return message;"}' }],
        outboundConnections: [{ adapterType: 'REST', adapterName: 'erp', connectionProperties: '{"endpointURL":"https://erp.example.test/{env:ErpPath}"}' }],
        messageOutboundFormat: 'json',
        enabled: true,
      },
    ],
    ...overrides,
  });
}

describe('integrations model › create and read', () => {
  it('creates with a new UUID when configCorrelationId is absent, id = configCorrelationId, server fields and defaults filled', async () => {
    const t = await setup();
    const { integration, created } = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'validate' }));
    expect(created).toBe(true);
    expect(integration.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(integration.configCorrelationId).toBe(integration.id);
    expect(integration).toMatchObject({
      cosmosEntityName: 'MessageHub.Models.Integration.IntegrationConfig',
      subscriptionId: t.test.id,
      subscriptionName: 'test',
      companyId: t.company.id,
      companyName: 'Contoso',
      createdBy: 'ci key',
      updatedBy: 'ci key',
      createdAtUtc: '2026-05-01T10:00:00.000Z',
      updatedAtUtc: '2026-05-01T10:00:00.000Z',
      enabled: true,
      removeBom: false,
      pollingIntervalInSeconds: 60,
      environment: 0,
      useApiKey: true,
      archived: false,
      moved: false,
      handleAsBinaryFile: false,
      retryOptions: null,
      loggingWebhooks: null,
      internalLoggingOptions: { logLevel: 2, logMessageContent: false, logMetaData: true },
      internalProperties: { redirectInboundToRetry: false, redirectBatchingToRetry: false, redirectSplittingToRetry: false },
    });
    expect(integration._etag).toMatch(/^"[0-9a-f]{8}-0000-0d00-0000-[0-9a-f]{8}0000"$/);
    // adapters get ids and the stored-form defaults; sub-integrations inherit sender/receiver
    expect(integration.inboundConnection).toMatchObject({ adapterType: 'Api', useProcessLock: false, wrapperType: 0, mightBeWrapped: false, ackOptions: null });
    expect(integration.inboundConnection.adapterId).toMatch(/^[0-9a-f-]{36}$/);
    const sub = integration.subIntegrations[0]!;
    expect(sub).toMatchObject({ sender: 'Webshop', receiver: 'ERP', passThrough: false, preDefinedUserProperties: {}, condition: { enabled: false, expression: null } });
    expect(sub.transformations[0]).toEqual({ id: expect.any(String), transformationType: 'InlineScript', transformationName: null, properties: '{"script":"return message;"}' });
    expect(sub.transformations[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.read().integrations.get(integration.id)).toEqual(integration);
  });

  it('upserts by configCorrelationId: unknown id → created with it, known id → replaced (200) with a new _etag, created stamps kept', async () => {
    const t = await setup();
    const id = '3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f';
    const first = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id, { configCorrelationId: id }), t.env, { mode: 'validate' }));
    expect(first.created).toBe(true);
    expect(first.integration.id).toBe(id);
    const later = { ...t.env, nowMs: T0 + 60_000 };
    const second = await t.write((c) =>
      saveIntegration(c, { ...t.writer, actor: 'other key' }, request(t.test.id, { configCorrelationId: id.toUpperCase(), description: 'changed' }), later, { mode: 'validate' }),
    );
    expect(second.created).toBe(false);
    expect(second.integration.id).toBe(id);
    expect(second.integration.description).toBe('changed');
    expect(second.integration._etag).not.toBe(first.integration._etag);
    expect(second.integration.createdAtUtc).toBe(first.integration.createdAtUtc);
    expect(second.integration.updatedAtUtc).toBe('2026-05-01T10:01:00.000Z');
    expect(second.integration.createdBy).toBe('ci key');
    expect(second.integration.updatedBy).toBe('other key');
    expect(listIntegrations(t.read(), t.test.id)).toHaveLength(1);
  });

  it('sets updatedBy to the writer on every write (a body value is ignored); tags (not in the vendor\'s type) are ignored, never stored', async () => {
    const t = await setup();
    const input = { ...request(t.test.id), tags: ['erp', 'orders'], updatedBy: 'spoofed' } as IntegrationInput;
    const { integration } = await t.write((c) => saveIntegration(c, t.writer, input, t.env, { mode: 'validate' }));
    expect(integration).toMatchObject({ createdBy: 'ci key', updatedBy: 'ci key' });
    expect(integration).not.toHaveProperty('tags');
    expect(t.read().integrations.get(integration.id)).not.toHaveProperty('tags');
    const roundTrip = { ...(structuredClone(integration) as unknown as IntegrationInput), tags: ['erp'] } as IntegrationInput;
    const { integration: again } = await t.write((c) => saveIntegration(c, { ...t.writer, actor: 'other key' }, roundTrip, t.env, { mode: 'validate', pathId: integration.id }));
    expect(again).toMatchObject({ createdBy: 'ci key', updatedBy: 'other key' });
    expect(again).not.toHaveProperty('tags');
  });

  it('refuses a stale _etag with 412 and stores nothing; the current one (quoted or not) passes', async () => {
    const t = await setup();
    const { integration } = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'validate' }));
    const updated = await t.write((c) => saveIntegration(c, t.writer, { ...request(t.test.id), configCorrelationId: integration.id, _etag: integration._etag.replace(/"/g, '') }, t.env, { mode: 'validate' }));
    const stale = thrown(() =>
      t.store.transact((tx) => saveIntegration(companyState(tx, t.company.id), t.writer, { ...request(t.test.id, { description: 'lost' }), configCorrelationId: integration.id, _etag: integration._etag }, t.env, { mode: 'validate' })),
    );
    expect(stale.status).toBe(412);
    expect(t.read().integrations.get(integration.id)!._etag).toBe(updated.integration._etag);
    expect(t.read().integrations.get(integration.id)!.description).not.toBe('lost');
  });

  it('keeps the stored-only fields a GET → PUT round trip carries (transformation ids, adapter options, environment)', async () => {
    const t = await setup();
    const { integration } = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'validate' }));
    const edited = structuredClone(integration) as unknown as IntegrationInput;
    edited.environment = 1;
    edited.handleAsBinaryFile = true;
    edited.inboundConnection!.wrapperType = 2;
    // members the vendor's TransformationAction lacks are ignored, not stored
    Object.assign(edited.subIntegrations![0]!.transformations![0]!, { condition: { enabled: true, expression: "'{file:x}' != ''" }, enabled: false, continuousBatchOptions: { useContinuousBatch: true } });
    const { integration: again } = await t.write((c) => saveIntegration(c, t.writer, edited, t.env, { mode: 'validate', pathId: integration.id }));
    expect(again.subIntegrations[0]!.transformations[0]!.id).toBe(integration.subIntegrations[0]!.transformations[0]!.id);
    expect(again.inboundConnection.adapterId).toBe(integration.inboundConnection.adapterId);
    expect(again.inboundConnection.wrapperType).toBe(2);
    expect(again.environment).toBe(1);
    expect(again.handleAsBinaryFile).toBe(true);
    expect(Object.keys(again.subIntegrations[0]!.transformations[0]!).sort()).toEqual(['id', 'properties', 'transformationName', 'transformationType']);
    expect(Object.keys(t.read().integrations.get(integration.id)!.subIntegrations[0]!.transformations[0]!).sort()).toEqual(['id', 'properties', 'transformationName', 'transformationType']);
  });

  it('reads documents stored by older versions without tags or extra transformation members; the next write stores them without', async () => {
    const t = await setup();
    const { integration } = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'validate' }));
    const legacy = structuredClone(integration) as IntegrationRecord & { tags?: unknown };
    legacy.tags = ['erp'];
    Object.assign(legacy.subIntegrations[0]!.transformations[0]!, { enabled: true, condition: null, continuousBatchOptions: { useContinuousBatch: false } });
    // earlier versions kept a sub-integration's internalProperties as sent
    (legacy.subIntegrations[0] as unknown as { internalProperties: unknown }).internalProperties = { redirectInboundToRetry: true, junk: 1 };
    await t.write((c) => c.integrations.put(legacy));
    for (const read of [findIntegration(t.read(), t.test.id, integration.id)!, listIntegrations(t.read(), t.test.id)[0]!, getIntegration(t.read(), t.test.id, integration.id)]) {
      expect(read).not.toHaveProperty('tags');
      expect(read.subIntegrations[0]!.transformations[0]).toEqual(integration.subIntegrations[0]!.transformations[0]);
      expect(read.subIntegrations[0]!.internalProperties).toEqual({ redirectInboundToRetry: true, redirectBatchingToRetry: false, redirectSplittingToRetry: false });
    }
    // a clean document is handed out as stored
    expect(integrationView(integration)).toBe(integration);
    const { integration: rewritten } = await t.write((c) => saveIntegration(c, t.writer, { ...(structuredClone(legacy) as unknown as IntegrationInput) }, t.env, { mode: 'validate', pathId: integration.id }));
    expect(rewritten).not.toHaveProperty('tags');
    expect(t.read().integrations.get(integration.id)).not.toHaveProperty('tags');
    expect(Object.keys(t.read().integrations.get(integration.id)!.subIntegrations[0]!.transformations[0]!)).toHaveLength(4);
  });

  it('PUT: unknown id → 404, a body naming another id → 400, and nothing is stored', async () => {
    const t = await setup();
    const missing = thrown(() => t.store.transact((tx) => saveIntegration(companyState(tx, t.company.id), t.writer, request(t.test.id), t.env, { mode: 'validate', pathId: 'a0000000-0000-4000-8000-000000000000' })));
    expect(missing.status).toBe(404);
    const { integration } = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'validate' }));
    const other = thrown(() =>
      t.store.transact((tx) =>
        saveIntegration(companyState(tx, t.company.id), t.writer, request(t.test.id, { configCorrelationId: 'b0000000-0000-4000-8000-000000000000' }), t.env, { mode: 'validate', pathId: integration.id }),
      ),
    );
    expect(other.status).toBe(400);
    expect(other.details.extra?.errors).toHaveProperty('ConfigCorrelationId');
    expect(listIntegrations(t.read(), t.test.id)).toHaveLength(1);
  });
});

describe('integrations model › subscription scoping', () => {
  it('an integration of another subscription is invisible: find/get/delete/upsert → 404', async () => {
    const t = await setup();
    const prodWriter = t.writerFor(t.prod);
    const { integration } = await t.write((c) => saveIntegration(c, prodWriter, request(t.prod.id), t.env, { mode: 'validate' }));
    expect(findIntegration(t.read(), t.prod.id, integration.id)).toBeDefined();
    expect(findIntegration(t.read(), t.test.id, integration.id)).toBeUndefined();
    expect(listIntegrations(t.read(), t.test.id)).toEqual([]);
    expect(thrown(() => getIntegration(t.read(), t.test.id, integration.id)).status).toBe(404);
    expect(thrown(() => t.store.transact((tx) => deleteIntegration(companyState(tx, t.company.id), t.test.id, integration.id))).status).toBe(404);
    const hijack = thrown(() =>
      t.store.transact((tx) => saveIntegration(companyState(tx, t.company.id), t.writer, request(t.test.id, { configCorrelationId: integration.id }), t.env, { mode: 'validate' })),
    );
    expect(hijack.status).toBe(404);
    expect(t.read().integrations.get(integration.id)!.subscriptionId).toBe(t.prod.id);
    const unknown = thrown(() => t.store.transact((tx) => deleteIntegration(companyState(tx, t.company.id), t.test.id, 'a1b2c3d4-0000-4000-8000-000000000000')));
    expect([unknown.status, unknown.message]).toEqual([400, 'Integration a1b2c3d4-0000-4000-8000-000000000000 was not found.']);
  });

  it('a body naming another subscription than the key\'s → 400 on SubscriptionId', async () => {
    const t = await setup();
    const err = thrown(() => t.store.transact((tx) => saveIntegration(companyState(tx, t.company.id), t.writer, request(t.prod.id), t.env, { mode: 'validate' })));
    expect(err.status).toBe(400);
    expect(Object.keys(err.details.extra?.errors as object)).toEqual(['SubscriptionId']);
  });
});

describe('integrations model › business validation and /novalidation', () => {
  const invalid = (subscriptionId: string) =>
    request(subscriptionId, {
      inboundConnection: { adapterType: 'TimeTrigger', connectionProperties: '{not json' },
      subIntegrations: [
        { subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', outboundConnections: [], messageOutboundFormat: 'json' },
        {
          subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
          outboundConnections: [{ adapterType: 'Redirect', connectionProperties: '{"IntegrationId":"c0000000-0000-4000-8000-000000000000"}' }],
          transformations: [{ transformationType: 'REST', properties: '{"WebhookConnectionId":"d0000000-0000-4000-8000-000000000000"}' }],
          messageOutboundFormat: 'json',
        },
      ],
      retryOptions: { reQueueMinDelaySeconds: 600, reQueueMaxDelaySeconds: 30, enabled: true },
      loggingWebhooks: [{ endpointURL: 'https://log.example.test', webhookConnectionId: 'e0000000-0000-4000-8000-000000000000' }],
    });

  it('POST refuses an integration that breaks the rules with errors per ASP.NET field and stores nothing', async () => {
    const t = await setup();
    const err = thrown(() => t.store.transact((tx) => saveIntegration(companyState(tx, t.company.id), t.writer, invalid(t.test.id), t.env, { mode: 'validate' })));
    expect(err.status).toBe(400);
    const fields = Object.keys(err.details.extra?.errors as Record<string, string[]>);
    expect(fields).toEqual(
      expect.arrayContaining([
        'InboundConnection.ConnectionProperties',
        'IntervalExpression',
        'SubIntegrations[0].OutboundConnections',
        'SubIntegrations[1].SubIntegrationId',
        'SubIntegrations[1].OutboundConnections[0].ConnectionProperties',
        'SubIntegrations[1].Transformations[0].Properties',
        'RetryOptions.ReQueueMinDelaySeconds',
        'LoggingWebhooks[0].WebhookConnectionId',
      ]),
    );
    expect(t.read().integrations.count()).toBe(0);
  });

  it('/novalidation stores the same integration with enabled: false and reports the violations', async () => {
    const t = await setup();
    const { integration, created, violations } = await t.write((c) => saveIntegration(c, t.writer, invalid(t.test.id), t.env, { mode: 'store-disabled-if-invalid' }));
    expect(created).toBe(true);
    expect(integration.enabled).toBe(false);
    expect(Object.keys(violations).length).toBeGreaterThan(5);
    expect(t.read().integrations.get(integration.id)!.enabled).toBe(false);
    // a valid integration through /novalidation keeps its enabled flag
    const ok = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'store-disabled-if-invalid' }));
    expect(ok.integration.enabled).toBe(true);
  });

  it('references that exist pass: security configurations, a Redirect to another integration, a TimeTrigger with an expression', async () => {
    const t = await setup();
    await t.write((c) => upsertSecurityConfig(c, { id: 'sec-1', name: 'ERP', isGlobal: true, securityType: 0, globalSecurityProperties: { userName: 'u' } }, 'ci', t.env));
    const target = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'validate' }));
    const body = request(t.test.id, {
      inboundConnection: { adapterType: 'TimeTrigger' },
      intervalExpression: '0 */5 * * * *',
      loggingWebhooks: [{ endpointURL: 'https://log.example.test', webhookConnectionId: 'SEC-1' }],
      subIntegrations: [
        {
          subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
          outboundConnections: [{ adapterType: 'Redirect', connectionProperties: JSON.stringify({ IntegrationId: target.integration.id }) }],
          transformations: [{ transformationType: 'REST', properties: '{"WebhookConnectionId":"sec-1"}' }],
          messageOutboundFormat: 'json',
        },
      ],
    });
    const { integration } = await t.write((c) => saveIntegration(c, t.writer, body, t.env, { mode: 'validate' }));
    expect(integration.loggingWebhooks![0]).toMatchObject({ webhookConnectionId: 'SEC-1', contract: 0, type: 0, logLevel: 0, externalContentServiceWebhook: null });
    // a Redirect to itself is refused
    const self = thrown(() =>
      t.store.transact((tx) =>
        saveIntegration(
          companyState(tx, t.company.id),
          t.writer,
          { ...body, configCorrelationId: integration.id, subIntegrations: [{ ...body.subIntegrations![0]!, outboundConnections: [{ adapterType: 'Redirect', connectionProperties: JSON.stringify({ integrationId: integration.id }) }] }] },
          t.env,
          { mode: 'validate' },
        ),
      ),
    );
    expect(self.status).toBe(400);
  });

  it('a synchronous API trigger may not have a Batching step', async () => {
    const t = await setup();
    const body = request(t.test.id, {
      inboundConnection: { adapterType: 'Api', connectionProperties: '{"UseSynchronousCommunication":true,"TimeoutInSeconds":40}' },
    });
    body.subIntegrations![0]!.transformations = [{ transformationType: 'Batching', properties: '{}' }];
    const err = thrown(() => t.store.transact((tx) => saveIntegration(companyState(tx, t.company.id), t.writer, body, t.env, { mode: 'validate' })));
    expect(err.details.extra?.errors).toHaveProperty(['SubIntegrations[0].Transformations[0].TransformationType']);
  });
});

describe('integrations model › helpers for messaging', () => {
  it('reads the inbound adapter and the synchronous settings from the stored document', async () => {
    const t = await setup();
    const sync = await t.write((c) =>
      saveIntegration(c, t.writer, request(t.test.id, { inboundConnection: { adapterType: 'api', connectionProperties: '{"useSynchronousCommunication":"true","timeoutInSeconds":40}' } }), t.env, { mode: 'validate' }),
    );
    expect(isInboundAdapter(sync.integration, 'Api')).toBe(true);
    expect(apiTriggerSettings(sync.integration)).toEqual({ synchronous: true, timeoutSeconds: 40 });
    const plain = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id), t.env, { mode: 'validate' }));
    expect(apiTriggerSettings(plain.integration)).toEqual({ synchronous: false, timeoutSeconds: null });
    const grid = await t.write((c) => saveIntegration(c, t.writer, request(t.test.id, { inboundConnection: { adapterType: 'EventGrid', connectionProperties: '{"useSynchronousCommunication":true}' } }), t.env, { mode: 'validate' }));
    expect(isInboundAdapter(grid.integration, 'Api')).toBe(false);
    expect(apiTriggerSettings(grid.integration).synchronous).toBe(false);
  });

  it('finds integrations that reference a code component by id (transformation properties, ack options)', async () => {
    const t = await setup();
    const body = request(t.test.id);
    body.subIntegrations![0]!.transformations = [{ transformationType: 'CodeTransformation', properties: '{"CodeComponentId":"9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d","Version":"1.0.0"}' }];
    await t.write((c) => saveIntegration(c, t.writer, body, t.env, { mode: 'validate' }));
    expect(integrationsUsingComponent(t.read(), '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d')).toHaveLength(1);
    expect(integrationsUsingComponent(t.read(), '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6')).toHaveLength(0);
    expect(integrationsUsingComponent(t.read(), '9a8b7c6d')).toHaveLength(0);
  });
});

describe('integrations model › replaceVariables', () => {
  it('substitutes {env:Name} with the subscription value, else the default; JSON strings stay valid; unknown names stay', async () => {
    const t = await setup();
    await t.write((c) => upsertEnvironmentVariable(c, { name: 'ErpPath', defaultValue: 'orders-test', subscriptionValues: { [t.prod.id]: 'orders' } }, 'ci', t.env));
    await t.write((c) => upsertEnvironmentVariable(c, { name: 'Quote', defaultValue: 'say "hi"' }, 'ci', t.env));
    const body = request(t.test.id, { sender: '{env:quote}', receiver: '{env:Missing}' });
    body.subIntegrations![0]!.outboundConnections![0]!.connectionProperties = '{"endpointURL":"https://erp.example.test/{env:ErpPath}","note":"{env:Quote}"}';
    const { integration } = await t.write((c) => saveIntegration(c, t.writer, body, t.env, { mode: 'validate' }));
    const raw = getIntegration(t.read(), t.test.id, integration.id);
    expect(raw.subIntegrations[0]!.outboundConnections[0]!.connectionProperties).toContain('{env:ErpPath}');
    const replaced = getIntegration(t.read(), t.test.id, integration.id, { replaceVariables: true });
    expect(replaced.sender).toBe('say "hi"');
    expect(replaced.receiver).toBe('{env:Missing}');
    expect(JSON.parse(replaced.subIntegrations[0]!.outboundConnections[0]!.connectionProperties!)).toEqual({ endpointURL: 'https://erp.example.test/orders-test', note: 'say "hi"' });
    // the prod subscription's value wins for a prod integration
    const prodBody = request(t.prod.id);
    const prodIntegration = await t.write((c) => saveIntegration(c, t.writerFor(t.prod), prodBody, t.env, { mode: 'validate' }));
    const prodReplaced = getIntegration(t.read(), t.prod.id, prodIntegration.integration.id, { replaceVariables: true });
    expect(prodReplaced.subIntegrations[0]!.outboundConnections[0]!.connectionProperties).toBe('{"endpointURL":"https://erp.example.test/orders"}');
    // the stored document is untouched
    expect(t.read().integrations.get(integration.id)!.sender).toBe('{env:quote}');
  });
});
