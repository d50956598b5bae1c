import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.ts';
import { createCompany } from '../company/model.ts';
import type { IntegrationInput } from '../integrations/model.ts';
import { companyFixture, integrationRequest, thrown } from '../model-testing.ts';
import type { SubscriptionRecord } from '../state.ts';
import {
  assertAcceptsMessages,
  batchMessages,
  decodeMessage,
  deliverMessages,
  eventGridMessages,
  findTargetIntegration,
  locateIntegration,
  userPropertiesFrom,
  type DeliveryContext,
} from './model.ts';

const T0 = Date.parse('2026-05-14T13:05:01.662Z');

/** the shared request with two sub-integrations: one to a REST endpoint and a discard, one disabled */
function input(subscriptionId: string, overrides: Partial<IntegrationInput> = {}): IntegrationInput {
  return integrationRequest(subscriptionId, {
    subIntegrations: [
      {
        subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
        subintegrationName: 'to-erp',
        transformations: [],
        outboundConnections: [
          { adapterType: 'REST', adapterId: 'b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e', connectionProperties: '{"endpointURL":"https://erp.example.test/orders"}' },
          { adapterType: 'Discard', adapterId: 'c0ffee00-0000-4000-8000-000000000001' },
        ],
        messageOutboundFormat: 'XML',
        preDefinedUserProperties: { channel: 'webshop', 'cx-origin': 'configured' },
        enabled: true,
      },
      {
        subIntegrationId: 'd4c3b2a1-0000-4000-8000-000000000002',
        subintegrationName: 'disabled-branch',
        transformations: [],
        outboundConnections: [{ adapterType: 'Discard' }],
        messageOutboundFormat: 'json',
        enabled: false,
      },
    ],
    ...overrides,
  });
}

async function setup() {
  const t = await companyFixture('messaging-test', T0);
  return { ...t, save: (subscription: SubscriptionRecord, body: IntegrationInput) => t.save(subscription, body, 'store-disabled-if-invalid') };
}

function context(companyId: string, subscriptionId: string, overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return { companyId, subscriptionId, channel: 'message', apiVersion: 'v2', auth: 'bearer', keyId: 'k1', userProperties: { 'cx-channel': 'web' }, ...overrides };
}

describe('finding the target', () => {
  it('finds an integration of the subscription by id (any casing) and hides other subscriptions\' (404)', async () => {
    const { store, company, test, prod, save } = await setup();
    const integration = await save(test, input(test.id));
    expect(findTargetIntegration(store.reader, company.id, test.id, integration.id.toUpperCase()).id).toBe(integration.id);
    expect(thrown(() => findTargetIntegration(store.reader, company.id, prod.id, integration.id)).status).toBe(404);
    expect(thrown(() => findTargetIntegration(store.reader, company.id, test.id, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('locates an integration without knowing its company (keyless messages)', async () => {
    const { store, company, test, save } = await setup();
    const other = await store.transact((tx) => createCompany(tx, { name: 'Other', subscriptions: ['x'] }, { nowMs: T0, random: createRandom('other') }));
    const integration = await save(test, input(test.id));
    const found = locateIntegration(store.reader, integration.id);
    expect(found?.companyId).toBe(company.id);
    expect(found?.companyId).not.toBe(other.company.id);
    expect(locateIntegration(store.reader, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});

describe('assertAcceptsMessages', () => {
  it('refuses a disabled integration, the wrong inbound adapter and a batch on a synchronous one (400)', async () => {
    const { test, save } = await setup();
    const api = await save(test, input(test.id));
    const disabled = await save(test, input(test.id, { enabled: false }));
    const eventGrid = await save(test, input(test.id, { inboundConnection: { adapterType: 'EventGrid' } }));
    const timer = await save(test, input(test.id, { inboundConnection: { adapterType: 'TimeTrigger' }, intervalExpression: '0 */5 * * * *' }));
    const sync = await save(test, input(test.id, { inboundConnection: { adapterType: 'api', connectionProperties: '{"UseSynchronousCommunication":"true"}' } }));

    expect(() => assertAcceptsMessages(api, 'message')).not.toThrow();
    expect(() => assertAcceptsMessages(api, 'batch')).not.toThrow();
    expect(() => assertAcceptsMessages(api, 'custom-api')).not.toThrow();
    expect(thrown(() => assertAcceptsMessages(disabled, 'message')).message).toMatch(/disabled/);
    expect(thrown(() => assertAcceptsMessages(api, 'eventgrid')).message).toMatch(/not EventGrid/);
    expect(() => assertAcceptsMessages(eventGrid, 'eventgrid')).not.toThrow();
    expect(thrown(() => assertAcceptsMessages(eventGrid, 'message')).message).toMatch(/EventGrid, not Api/);
    expect(thrown(() => assertAcceptsMessages(timer, 'custom-api')).status).toBe(400);
    expect(() => assertAcceptsMessages(sync, 'message')).not.toThrow();
    expect(thrown(() => assertAcceptsMessages(sync, 'batch')).message).toMatch(/synchronous/);
  });
});

describe('message parts', () => {
  it('copies cx-* headers only, prefix kept, values as strings', () => {
    expect(userPropertiesFrom({ 'cx-channel': 'web', 'CX-Tenant': 'a', 'x-other': 'no', 'cx-multi': ['a', 'b'], authorization: 'Bearer x' })).toEqual({
      'cx-channel': 'web',
      'cx-tenant': 'a',
      'cx-multi': 'a, b',
    });
  });

  it('decodes with the message encoding and falls back to utf-8', () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    expect(decodeMessage(bytes, 'ISO-8859-1')).toBe('café');
    expect(decodeMessage(Buffer.from('café', 'utf8'), undefined)).toBe('café');
    expect(decodeMessage(Buffer.from('café', 'utf8'), 'klingon')).toBe('café');
  });

  it('turns a batch into base64-decoded messages and refuses an empty one', () => {
    const messages = batchMessages([{ messageBody: Buffer.from('{ "foo": "bar" }').toString('base64'), messageEncoding: 'ASCII', interchangeId: 'x1', fileName: 'file.json' }]);
    expect(messages[0]!.bytes.toString()).toBe('{ "foo": "bar" }');
    expect(messages[0]!.interchangeId).toBe('x1');
    expect(thrown(() => batchMessages([])).status).toBe(400);
  });

  it('makes one message per Event Grid event', () => {
    const messages = eventGridMessages([{ id: '1' }, { id: '2' }], { FileName: 'blob.json' });
    expect(messages.map((m) => JSON.parse(m.bytes.toString()).id)).toEqual(['1', '2']);
    expect(messages.every((m) => m.fileName === 'blob.json' && m.contentType === 'application/json')).toBe(true);
    expect(thrown(() => eventGridMessages([], {})).status).toBe(400);
  });
});

describe('deliverMessages', () => {
  it('keeps a supplied interchange id, generates UUIDs otherwise, and answers nothing for an asynchronous integration', async () => {
    const { company, test, save, env } = await setup();
    const integration = await save(test, input(test.id));
    const result = deliverMessages(
      integration,
      [
        { bytes: Buffer.from('<a/>'), contentType: 'application/xml', interchangeId: 'mine' },
        { bytes: Buffer.from('{}'), contentType: 'application/json' },
      ],
      context(company.id, test.id, { channel: 'batch' }),
      env,
    );
    expect(result.synchronousResponse).toBeUndefined();
    expect(result.interchangeIds[0]).toBe('mine');
    expect(result.interchangeIds[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.entries[0]).toMatchObject({ integrationId: integration.id, channel: 'batch', body: '<a/>', bodyBase64: Buffer.from('<a/>').toString('base64'), messageEncoding: 'utf-8', synchronous: false });
    expect(result.entries[0]!.preDefinedUserProperties).toEqual({ 'cx-channel': 'web' });
  });

  it('answers a synchronous integration with one element per enabled sub-integration, one response per outbound adapter, deterministically', async () => {
    const { company, test, save } = await setup();
    const integration = await save(test, input(test.id, { inboundConnection: { adapterType: 'Api', connectionProperties: '{"useSynchronousCommunication":true,"timeoutInSeconds":40}' } }));
    const run = () =>
      deliverMessages(
        integration,
        [{ bytes: Buffer.from('{"orderId":"SO-1"}'), contentType: 'application/json', interchangeId: 'ic-1', fileName: 'order.json' }],
        context(company.id, test.id),
        { nowMs: T0, random: createRandom('same') },
      );
    const first = run();
    expect(run()).toEqual(first);
    const answer = first.synchronousResponse!;
    expect(answer).toHaveLength(1);
    expect(answer[0]!.subIntegrationName).toBe('to-erp');
    expect(answer[0]!.totalResponses).toBe(2);
    const [rest, discard] = answer[0]!.synchronousMessageResponses;
    expect(rest!.metaData).toMatchObject({
      interchangeId: 'ic-1',
      inboundFileName: 'order.json',
      started: '2026-05-14T13:05:01.662Z',
      configCorrelatioId: integration.id,
      outboundBlobName: 'ic-1_a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d_b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e.xml',
      inboundAdapter: 'Api',
      outboundAdapter: 'REST',
      outboundEndpoint: 'https://erp.example.test/orders',
      transactionType: 'Order',
      useSynchronousCommunication: true,
      userDefinedProperties: { channel: 'webshop', 'cx-origin': 'configured', 'cx-channel': 'web' },
    });
    expect(discard!.metaData.outboundAdapter).toBe('Discard');
    expect(discard!.metaData.outboundEndpoint).toBeNull();
    expect(rest!.errorMessage).toBeNull();
    expect(first.entries[0]!.synchronous).toBe(true);
  });
});
