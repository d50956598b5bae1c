import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.ts';
import { loadSpec, specPath } from '../../core/spec.ts';
import { createCompany } from '../company/model.ts';
import type { EnvironmentVariableRecord } from '../state.ts';
import type { IntegrationInput } from '../integrations/types.ts';
import { companyFixture, integrationRequest, thrown } from '../model-testing.ts';
import { XML_UNREADABLE_MESSAGE } from '../xml-document.ts';
import type { SubscriptionRecord } from '../state.ts';
import {
  assertAcceptsMessages,
  batchMessages,
  decodeMessage,
  deliverMessages,
  eventGridMessages,
  findTargetIntegration,
  legacyBatchMessages,
  legacyMessage,
  legacyMessageBatchFromXml,
  legacyQueryMessage,
  legacyTarget,
  locateIntegration,
  messageBatchFromXml,
  messageBodyRequestFromXml,
  resolveTargets,
  userPropertiesFrom,
  type DeliveryContext,
  type LegacyMessageBodyRequest,
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
  it('copies cx-* headers only, names verbatim as sent (prefix kept), values as strings', () => {
    const rawHeaders = ['cx-channel', 'web', 'CX-Tenant', 'a', 'x-other', 'no', 'Cx-Multi', 'a', 'cx-multi', 'b', 'Authorization', 'Bearer x', 'cx-Order', '42'];
    const headers = { 'cx-channel': 'web', 'cx-tenant': 'a', 'x-other': 'no', 'cx-multi': 'a, b', authorization: 'Bearer x', 'cx-order': '42' };
    expect(userPropertiesFrom({ rawHeaders, headers })).toEqual({ 'cx-channel': 'web', 'CX-Tenant': 'a', 'Cx-Multi': 'a, b', 'cx-Order': '42' });
    // without the raw lines only Node's lower-cased names are known
    expect(userPropertiesFrom({ headers: { 'cx-channel': 'web', 'cx-multi': ['a', 'b'], 'x-other': 'no' } })).toEqual({ 'cx-channel': 'web', 'cx-multi': 'a, b' });
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

  it('answers with the {env:Name} placeholders resolved for the subscription (its value, else the default), the stored integration untouched', async () => {
    const { company, test, prod, save } = await setup();
    const integration = await save(
      test,
      input(test.id, {
        inboundConnection: { adapterType: 'Api', connectionProperties: '{"useSynchronousCommunication":true}' },
        transactionType: '{env:Kind}',
        subIntegrations: [
          {
            subIntegrationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
            outboundConnections: [{ adapterType: 'REST', adapterId: 'b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e', connectionProperties: '{"endpointURL":"{env:ErpBaseUrl}/prices"}' }],
            messageOutboundFormat: 'json',
            enabled: true,
          },
        ],
      }),
    );
    const variable = (name: string, defaultValue: string | null, subscriptionValues: Record<string, string> | null) =>
      ({ id: name, name, defaultValue, subscriptionValues, companyId: company.id, createdAtUtc: '', updatedAtUtc: '', createdBy: null, updatedBy: null }) as EnvironmentVariableRecord;
    const variables = [variable('ErpBaseUrl', 'https://erp-default.example.test', { [test.id]: 'https://erp-test.example.test' }), variable('kind', 'Prices', null)];
    const answer = (subscriptionId: string) =>
      deliverMessages(integration, [{ bytes: Buffer.from('{}'), contentType: 'application/json', interchangeId: 'ic-1' }], context(company.id, subscriptionId), { nowMs: T0, random: createRandom('vars') }, variables)
        .synchronousResponse![0]!.synchronousMessageResponses[0]!.metaData;
    expect(answer(test.id)).toMatchObject({ outboundEndpoint: 'https://erp-test.example.test/prices', transactionType: 'Prices' });
    expect(answer(prod.id).outboundEndpoint).toBe('https://erp-default.example.test/prices');
    // without variables (none defined) the placeholder stays, as GET ?replaceVariables=true leaves an unknown name
    const unresolved = deliverMessages(integration, [{ bytes: Buffer.from('{}'), contentType: null }], context(company.id, test.id), { nowMs: T0, random: createRandom('vars') });
    expect(unresolved.synchronousResponse![0]!.synchronousMessageResponses[0]!.metaData.outboundEndpoint).toBe('{env:ErpBaseUrl}/prices');
    expect(integration.subIntegrations![0]!.outboundConnections![0]!.connectionProperties).toBe('{"endpointURL":"{env:ErpBaseUrl}/prices"}');
  });
});

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('messageBatchFromXml (the XML form of a batch)', () => {
  it('reads the DataContract form into the JSON batch: PascalCase or camelCase, any namespace, i:nil as null, values as sent', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<ArrayOfMessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Connxio.Api">
  <MessageBodyRequest>
    <FileName> spaced name.json </FileName>
    <InterchangeId i:nil="true"/>
    <MessageBody>${b64('{ "foo": "bar" }')}</MessageBody>
    <MessageEncoding>ASCII</MessageEncoding>
  </MessageBodyRequest>
  <messageBodyRequest><messageBody>${b64('<a/>')}</messageBody><interchangeId>ic-2</interchangeId><fileName></fileName></messageBodyRequest>
</ArrayOfMessageBodyRequest>`;
    const batch = messageBatchFromXml(xml);
    expect(batch).toEqual([
      { fileName: ' spaced name.json ', interchangeId: null, messageBody: b64('{ "foo": "bar" }'), messageEncoding: 'ASCII' },
      { messageBody: b64('<a/>'), interchangeId: 'ic-2', fileName: '' },
    ]);
    const messages = batchMessages(batch as never);
    expect(messages.map((m) => m.bytes.toString())).toEqual(['{ "foo": "bar" }', '<a/>']);
  });

  it('keeps a single item a list, reads an empty root as an empty batch and a nil root or item as null (for the schema to refuse)', () => {
    expect(messageBatchFromXml(`<ArrayOfMessageBodyRequest><MessageBodyRequest><MessageBody>${b64('x')}</MessageBody></MessageBodyRequest></ArrayOfMessageBodyRequest>`)).toEqual([{ messageBody: b64('x') }]);
    expect(messageBatchFromXml('<ArrayOfMessageBodyRequest/>')).toEqual([]);
    expect(messageBatchFromXml('<ArrayOfMessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>')).toBeNull();
    expect(messageBatchFromXml('<ArrayOfMessageBodyRequest xmlns:i="x"><MessageBodyRequest i:nil="true"/><MessageBodyRequest/></ArrayOfMessageBodyRequest>')).toEqual([null, {}]);
  });

  it('maps the v1 fields, skips unknown elements and hands nested elements on as objects (which the schema refuses)', () => {
    const xml = `<ArrayOfMessageBodyRequest><MessageBodyRequest>
      <ConfigCorrelationId>3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f</ConfigCorrelationId><MessageFormat>json</MessageFormat><SenderId>shop</SenderId>
      <RecieverId>erp</RecieverId><ReceiverId>erp2</ReceiverId><DocumentType>Order</DocumentType><Colour>red</Colour>
      <MessageBody><Inner>1</Inner></MessageBody>
    </MessageBodyRequest></ArrayOfMessageBodyRequest>`;
    expect(messageBatchFromXml(xml)).toEqual([
      { configCorrelationId: '3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f', messageFormat: 'json', senderId: 'shop', recieverId: 'erp', receiverId: 'erp2', documentType: 'Order', messageBody: { Inner: '1' } },
    ]);
  });

  it('decodes the predefined entities and character references, and leaves CDATA as written', () => {
    const [item] = messageBatchFromXml('<ArrayOfMessageBodyRequest><MessageBodyRequest><FileName>a&amp;b&lt;&#99;&#x64;&quot;&apos;&gt;</FileName><MessageBody><![CDATA[e30=]]></MessageBody><InterchangeId><![CDATA[&amp;]]></InterchangeId></MessageBodyRequest></ArrayOfMessageBodyRequest>')!;
    expect(item).toEqual({ fileName: 'a&b<cd"\'>', messageBody: 'e30=', interchangeId: '&amp;' });
  });

  it('refuses what is not such a document (400, saying why)', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /Start tag expected/],
      ['not xml at all', /not expected/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequest>', /ArrayOfMessageBodyRequest/],
      ['<ArrayOfMessageBodyRequest>', /Unclosed tag/],
      ['<ArrayOfMessageBodyRequest></MessageBodyRequest>', /closing tag/],
      ['<MessageBodyRequest><MessageBody>e30=</MessageBody></MessageBodyRequest>', /root element is <MessageBodyRequest>, expected <ArrayOfMessageBodyRequest>/],
      ['<ArrayOfMessageBodyRequest/><ArrayOfMessageBodyRequest/>', /one root element/],
      ['<ArrayOfMessageBodyRequest><Message><MessageBody>e30=</MessageBody></Message></ArrayOfMessageBodyRequest>', /unexpected element <Message>/],
      ['<ArrayOfMessageBodyRequest>loose text</ArrayOfMessageBodyRequest>', /holds text/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequest>e30=</MessageBodyRequest></ArrayOfMessageBodyRequest>', /holds text/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequest><MessageBody>e30=</MessageBody><messageBody>e30=</messageBody></MessageBodyRequest></ArrayOfMessageBodyRequest>', /more than once/],
      ['<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><ArrayOfMessageBodyRequest>&lol2;</ArrayOfMessageBodyRequest>', /DTDs are not allowed/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequest><FileName>&copy;</FileName></MessageBodyRequest></ArrayOfMessageBodyRequest>', /entity &copy; is not defined/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequest><FileName>&#0;</FileName></MessageBodyRequest></ArrayOfMessageBodyRequest>', /not a character/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequest><__proto__>x</__proto__></MessageBodyRequest></ArrayOfMessageBodyRequest>', /reserved/],
      [`<ArrayOfMessageBodyRequest>${'<a>'.repeat(500)}${'</a>'.repeat(500)}</ArrayOfMessageBodyRequest>`, /nested/i],
    ];
    for (const [xml, why] of cases) {
      const err = thrown(() => messageBatchFromXml(xml));
      expect(err.status, xml.slice(0, 60)).toBe(400);
      expect(err.message, xml.slice(0, 60)).toMatch(why);
      // ASP.NET's model-state entry for a body its XML formatter cannot read, as for the management bodies
      expect(err.details.extra?.errors, xml.slice(0, 60)).toEqual({ '': [XML_UNREADABLE_MESSAGE] });
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('legacyMessageBatchFromXml (the XML form of the vendor\'s ArrayOfMessageBodyRequest, v1)', () => {
  it('reads <MessageBodyRequests> into messageBodyRequests: any case, one item kept a list, i:nil as null, other root elements skipped', () => {
    const one = `<ArrayOfMessageBodyRequest xmlns="http://schemas.datacontract.org/2004/07/Connxio.Api"><Colour>red</Colour><MessageBodyRequests><MessageBodyRequest><ConfigCorrelationId>a</ConfigCorrelationId><MessageBody>${b64('x')}</MessageBody></MessageBodyRequest></MessageBodyRequests></ArrayOfMessageBodyRequest>`;
    expect(legacyMessageBatchFromXml(one)).toEqual({ messageBodyRequests: [{ configCorrelationId: 'a', messageBody: b64('x') }] });
    const two = `<ArrayOfMessageBodyRequest><messageBodyRequests><messageBodyRequest><MessageBody>${b64('1')}</MessageBody></messageBodyRequest><MessageBodyRequest i:nil="true" xmlns:i="x"/></messageBodyRequests></ArrayOfMessageBodyRequest>`;
    expect(legacyMessageBatchFromXml(two)).toEqual({ messageBodyRequests: [{ messageBody: b64('1') }, null] });
    expect(legacyMessageBatchFromXml('<ArrayOfMessageBodyRequest><MessageBodyRequests/></ArrayOfMessageBodyRequest>')).toEqual({ messageBodyRequests: [] });
    expect(legacyMessageBatchFromXml('<ArrayOfMessageBodyRequest xmlns:i="x"><MessageBodyRequests i:nil="true"/></ArrayOfMessageBodyRequest>')).toEqual({ messageBodyRequests: null });
    expect(legacyMessageBatchFromXml('<ArrayOfMessageBodyRequest/>')).toEqual({});
    expect(legacyMessageBatchFromXml('<ArrayOfMessageBodyRequest xmlns:i="x" i:nil="true"/>')).toBeNull();
    // the items straight under the root (the v2/v3 form) are not the member: no messageBodyRequests
    expect(legacyMessageBatchFromXml(`<ArrayOfMessageBodyRequest><MessageBodyRequest><MessageBody>${b64('x')}</MessageBody></MessageBodyRequest></ArrayOfMessageBodyRequest>`)).toEqual({});
  });

  it('refuses a repeated list, a foreign element among the items and text where elements belong (400)', () => {
    const cases: Array<[string, RegExp]> = [
      ['<ArrayOfMessageBodyRequest><MessageBodyRequests/><MessageBodyRequests/></ArrayOfMessageBodyRequest>', /more than once/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequests><Message/></MessageBodyRequests></ArrayOfMessageBodyRequest>', /unexpected element <Message> in <MessageBodyRequests>/],
      ['<ArrayOfMessageBodyRequest><MessageBodyRequests>e30=</MessageBodyRequests></ArrayOfMessageBodyRequest>', /holds text/],
      ['<MessageBodyRequests/>', /expected <ArrayOfMessageBodyRequest>/],
    ];
    for (const [xml, why] of cases) {
      const err = thrown(() => legacyMessageBatchFromXml(xml));
      expect(err.status, xml).toBe(400);
      expect(err.message, xml).toMatch(why);
      expect(err.details.extra?.errors, xml).toEqual({ '': [XML_UNREADABLE_MESSAGE] });
    }
  });
});

describe('messageBodyRequestFromXml (the XML form of a v1 MessageBodyRequest)', () => {
  it('reads a lone <MessageBodyRequest> and refuses a batch there', () => {
    const xml = `<MessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ConfigCorrelationId>abc</ConfigCorrelationId><MessageBody>${b64('hi')}</MessageBody><FileName i:nil="true"/></MessageBodyRequest>`;
    expect(messageBodyRequestFromXml(xml)).toEqual({ configCorrelationId: 'abc', messageBody: b64('hi'), fileName: null });
    for (const [bad, why] of [
      ['<ArrayOfMessageBodyRequest/>', /expected <MessageBodyRequest>/],
      ['<MessageBodyRequest><MessageBody>a</MessageBody><MessageBody>b</MessageBody></MessageBodyRequest>', /more than once/],
      ['<MessageBodyRequest><MessageBody>e30=</MessageBody>', /Unclosed tag/],
    ] as const) {
      const err = thrown(() => messageBodyRequestFromXml(bad));
      expect(err.message, bad).toMatch(why);
      expect(err.details.extra?.errors, bad).toEqual({ '': [XML_UNREADABLE_MESSAGE] });
    }
  });
});

describe('legacy (v1) MessageBodyRequests', () => {
  it('addresses each message to its configCorrelationId, decodes the body and drops the obsolete fields', () => {
    const items: LegacyMessageBodyRequest[] = [
      { configCorrelationId: 'int-a', messageBody: b64('{"n":1}'), messageEncoding: 'utf-8', interchangeId: 'ic-a', fileName: 'a.json', messageFormat: 'json', senderId: 's', receiverId: 'r', recieverId: 'r', documentType: 'Order' },
      { configCorrelationId: 'int-b', messageBody: b64('<b/>') },
    ];
    const addressed = legacyBatchMessages({ messageBodyRequests: items });
    expect(addressed.map((a) => a.integrationId)).toEqual(['int-a', 'int-b']);
    expect(addressed[0]!.message).toEqual({ bytes: Buffer.from('{"n":1}'), contentType: null, messageEncoding: 'utf-8', interchangeId: 'ic-a', fileName: 'a.json' });
    expect(addressed[1]!.message.bytes.toString()).toBe('<b/>');
    expect(legacyMessage(items[1]!)).toEqual([addressed[1]]);
  });

  it('refuses a batch whose messageBodyRequests is null, missing or empty (400 at messageBodyRequests)', () => {
    for (const batch of [{ messageBodyRequests: [] }, { messageBodyRequests: null }, {}]) {
      const err = thrown(() => legacyBatchMessages(batch));
      expect(err.status, JSON.stringify(batch)).toBe(400);
      expect(err.details.parameter).toEqual({ id: '/messageBodyRequests', location: 'body' });
    }
  });

  it('refuses items without a target: at ConfigCorrelationId (single) or messageBodyRequests[i].configCorrelationId (batch), empty counting as absent', () => {
    const single = thrown(() => legacyMessage({ messageBody: b64('x'), configCorrelationId: null }));
    expect(single.status).toBe(400);
    expect(single.details.issues).toEqual([{ location: 'body', pointer: '/configCorrelationId', message: 'is required' }]);
    const batch = thrown(() => legacyBatchMessages({ messageBodyRequests: [{ configCorrelationId: 'a', messageBody: b64('x') }, { messageBody: b64('y') }, { configCorrelationId: '', messageBody: b64('z') }] }));
    expect(batch.details.issues!.map((i) => i.pointer)).toEqual(['/messageBodyRequests/1/configCorrelationId', '/messageBodyRequests/2/configCorrelationId']);
  });

  it('v1 /message: the query names the target when it can, else the body; query metadata wins over the body\'s', () => {
    expect(legacyTarget('from-query', 'from-body')).toBe('from-query');
    expect(legacyTarget('', 'from-body')).toBe('from-body');
    expect(legacyTarget(undefined, 'from-body')).toBe('from-body');
    const neither = thrown(() => legacyTarget(undefined, ''));
    expect(neither.status).toBe(400);
    expect(neither.details.issues).toEqual([{ location: 'query', pointer: 'ConfigCorrelationId', message: 'is required' }]);
    const item: LegacyMessageBodyRequest = { messageBody: b64('héllo'), messageEncoding: 'utf-8', interchangeId: 'body-ic', fileName: 'body.txt' };
    expect(legacyQueryMessage(item, {})).toEqual({ bytes: Buffer.from('héllo'), contentType: null, messageEncoding: 'utf-8', interchangeId: 'body-ic', fileName: 'body.txt' });
    expect(legacyQueryMessage(item, { InterchangeId: 'q-ic', FileName: 'q.txt', MessageEncoding: 'ASCII' })).toMatchObject({ messageEncoding: 'ASCII', interchangeId: 'q-ic', fileName: 'q.txt' });
  });

  it('resolves every target before any delivery: all found and accepting, or the first refusal (404 / 400)', async () => {
    const { store, company, test, prod, save } = await setup();
    const a = await save(test, input(test.id));
    const b = await save(test, input(test.id));
    const disabled = await save(test, input(test.id, { enabled: false }));
    const elsewhere = await save(prod, input(prod.id));
    const sync = await save(test, input(test.id, { inboundConnection: { adapterType: 'Api', connectionProperties: '{"useSynchronousCommunication":true}' } }));
    const ctx = (channel: DeliveryContext['channel'] = 'batch') => context(company.id, test.id, { channel, apiVersion: 'v1' });
    expect(resolveTargets(store.reader, [a, b, a].map((i) => ({ integrationId: i.id, context: ctx() }))).map((i) => i.id)).toEqual([a.id, b.id, a.id]);
    expect(thrown(() => resolveTargets(store.reader, [a, elsewhere].map((i) => ({ integrationId: i.id, context: ctx() })))).status).toBe(404);
    expect(thrown(() => resolveTargets(store.reader, [a, disabled].map((i) => ({ integrationId: i.id, context: ctx() })))).message).toMatch(/disabled/);
    expect(thrown(() => resolveTargets(store.reader, [a, sync].map((i) => ({ integrationId: i.id, context: ctx() })))).message).toMatch(/synchronous/);
    // a single message may go to a synchronous integration, and a keyless context may name the target's own subscription
    expect(resolveTargets(store.reader, [{ integrationId: sync.id, context: ctx('message') }])[0]!.id).toBe(sync.id);
    expect(resolveTargets(store.reader, [{ integrationId: elsewhere.id, context: context(company.id, prod.id, { channel: 'batch' }) }])[0]!.id).toBe(elsewhere.id);
  });
});

describe('the messaging XML examples of specs/connxio.yaml', () => {
  it('each XML form of a message body reads back as the JSON example of the same operation', async () => {
    const connxio = await loadSpec(specPath('connxio.yaml'));
    const doc = connxio.document as { components: { examples: Record<string, { value: unknown }> }; paths: Record<string, Record<string, { requestBody: { content: Record<string, { examples?: { default?: { $ref?: string } } }> } }>> }; // an OpenAPI document (spec tests lint it)
    const exampleOf = (media: { examples?: { default?: { $ref?: string } } } | undefined) => doc.components.examples[String(media?.examples?.default?.$ref).split('/').pop()!]?.value;
    const readers: Record<string, (text: string) => unknown> = {
      send_message_batch: messageBatchFromXml,
      send_message_batch_v3: messageBatchFromXml,
      send_message_v1: messageBodyRequestFromXml,
      send_message_new_v1: messageBodyRequestFromXml,
      send_message_new_batch_v1: legacyMessageBatchFromXml,
    };
    for (const [id, read] of Object.entries(readers)) {
      const op = connxio.byId.get(id)!;
      const content = doc.paths[op.path]![op.method.toLowerCase()]!.requestBody.content; // the operation as written, with its example $refs
      const json = exampleOf(content['application/json']);
      expect(json, id).toBeDefined();
      for (const media of ['application/xml', 'text/xml', 'application/*+xml']) {
        const xml = exampleOf(content[media]);
        expect(typeof xml, `${id} ${media}`).toBe('string');
        expect(read(xml as string), `${id} ${media}`).toEqual(json); // a string, checked above
      }
    }
  });
});
