import { describe, expect, it } from 'vitest';
import type { Test } from 'supertest';
import { useTarget } from '../target.ts';
import { connxioSession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { createIntegration, eventGridEvent, integrationBody } from '../support/connxio-portal.ts';
import { loadSpec, specPath } from '../../mock/core/spec.ts';

/**
 * Request media types (the vendor's published types, connxio-vendor-notes "Operations"): every
 * JSON request body is taken as `application/json`, `text/json` or any `application/*+json`,
 * each also with `; x-api-version=N.0`; the management bodies also in their DataContract XML form
 * as `application/xml`, `text/xml` or any `application/*+xml` (xml-bodies.test.ts checks what is
 * stored); anything else is 415 (XML too where an operation lists none). The spec lists the same
 * forms. Each accepted request is contract-checked.
 */

const target = await useTarget();
const writes = target.capabilities.writes;
const connxioSpec = await loadSpec(specPath('connxio.yaml'));

const ACCEPTED = ['application/json; x-api-version=2.0', 'text/json', 'text/json; x-api-version=2.0', 'application/json-patch+json', 'application/vnd.connxio+json; x-api-version=1.0', 'Application/JSON'];
const REFUSED = ['text/plain', 'application/x-www-form-urlencoded', 'application/json-seq', 'text/jsonx', 'application/jsonp'];

const XML_ACCEPTED = ['application/xml; x-api-version=2.0', 'text/xml', 'text/xml; x-api-version=1.0', 'application/vnd.connxio+xml; x-api-version=2.0', 'Application/XML'];
/** the operations whose body the vendor's types also take as DataContract XML (the management and resend bodies) */
const XML_BODIES = ['create_integration', 'create_integration_no_validation', 'update_integration', 'upsert_integration_v1', 'upload_code_component', 'create_environment_variable', 'create_security_config', 'resend_archeo_v1', 'resend_archeo_restart_v1'];
/** the messaging bodies the vendor's types also take as XML (MessageBodyRequests; their handlers read the XML) */
const XML_MESSAGES = ['send_message_batch', 'send_message_batch_v3', 'send_message_v1', 'send_message_new_v1', 'send_message_new_batch_v1'];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** integrationBody's integration as an IntegrationPostRequest in DataContract XML */
function integrationXml(subscriptionId: string): string {
  const body = integrationBody(subscriptionId) as { description: string };
  return `<IntegrationPostRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <Description>${body.description}</Description><TransactionType>Order</TransactionType><Sender>Webshop</Sender><Receiver>ERP</Receiver>
  <MessageInboundFormat>json</MessageInboundFormat><MessageInboundEncoding>utf-8</MessageInboundEncoding><SubscriptionId>${subscriptionId}</SubscriptionId><Enabled>true</Enabled>
  <InboundConnection><AdapterType>Api</AdapterType><ConnectionProperties i:nil="true"/></InboundConnection>
  <SubIntegrations><SubIntegration>
    <SubIntegrationId>6d3f0a52-8c1e-4b7a-9f2d-3e4c5b6a7d8e</SubIntegrationId><SubintegrationName>to-void</SubintegrationName><Transformations/>
    <OutboundConnections><OutboundConnectionAdapter><AdapterType>Discard</AdapterType><AdapterName>void</AdapterName><ConnectionProperties i:nil="true"/></OutboundConnectionAdapter></OutboundConnections>
    <MessageOutboundFormat>json</MessageOutboundFormat><MessageOutboundEncoding>utf-8</MessageOutboundEncoding><Enabled>true</Enabled>
  </SubIntegration></SubIntegrations>
</IntegrationPostRequest>`;
}

interface Case {
  op: string;
  status: number;
  request: (s: ConnxioSession, integration: { api: string; eventGrid: string }) => { call: Test; body: unknown };
}

const cases: Case[] = [
  { op: 'create_integration', status: 201, request: (s) => ({ call: s.post('/v2/integrations'), body: integrationBody(s.subscriptionId!) }) },
  { op: 'upsert_integration_v1', status: 201, request: (s) => ({ call: s.post('/v1/management/integration'), body: integrationBody(s.subscriptionId!) }) },
  { op: 'send_message_batch', status: 200, request: (s, i) => ({ call: s.post(`/v2/messages/${i.api}/batch`), body: [{ messageBody: b64('batch') }] }) },
  { op: 'send_eventgrid_message', status: 200, request: (s, i) => ({ call: s.post(`/v2/messages/${i.eventGrid}/eventgrid`), body: [eventGridEvent()] }) },
  { op: 'send_message_v1', status: 200, request: (s, i) => ({ call: s.post('/v1/message'), body: { configCorrelationId: i.api, messageBody: b64('v1') } }) },
  { op: 'send_message_new_v1', status: 200, request: (s, i) => ({ call: s.post('/v1/message/new'), body: { configCorrelationId: i.api, messageBody: b64('new') } }) },
  { op: 'send_message_new_batch_v1', status: 200, request: (s, i) => ({ call: s.post('/v1/message/new/batch'), body: { messageBodyRequests: [{ configCorrelationId: i.api, messageBody: b64('new batch') }] } }) },
];

describe('request media types in specs/connxio.yaml', () => {
  it('every JSON request body also lists text/json and application/*+json with the same schema', () => {
    const json = connxioSpec.operations.filter((op) => op.requestBody?.content['application/json'] && !op.requestBody.content['*/*']);
    expect(json.length).toBeGreaterThan(10);
    for (const op of json) {
      const content = op.requestBody!.content;
      expect(Object.keys(content), op.operationId).toEqual(expect.arrayContaining(['application/json', 'text/json', 'application/*+json']));
      expect(content['text/json']!.schema, op.operationId).toEqual(content['application/json']!.schema);
      expect(content['application/*+json']!.schema, op.operationId).toEqual(content['application/json']!.schema);
    }
  });

  it('the management and messaging bodies also list application/xml, text/xml and application/*+xml; a management body\'s DataContract form is a string naming its root', () => {
    const xml = connxioSpec.operations.filter((op) => op.requestBody?.content['application/*+xml']).map((op) => op.operationId);
    expect(xml.sort()).toEqual([...XML_BODIES, ...XML_MESSAGES].sort());
    for (const id of XML_MESSAGES) {
      const content = connxioSpec.byId.get(id)!.requestBody!.content;
      const schema = content['application/xml']!.schema!;
      expect(schema, id).toMatchObject({ type: 'string' });
      expect(schema.xml, id).toBeUndefined(); // read by the messaging handlers, not the generic DataContract reader
      expect(content['text/xml']!.schema, id).toEqual(schema);
      expect(content['application/*+xml']!.schema, id).toEqual(schema);
    }
    for (const id of XML_BODIES) {
      const content = connxioSpec.byId.get(id)!.requestBody!.content;
      const schema = content['application/xml']!.schema!;
      expect(schema, id).toMatchObject({ type: 'string', xml: { name: expect.stringMatching(/Request$/) } });
      expect(content['text/xml']!.schema, id).toEqual(schema);
      expect(content['application/*+xml']!.schema, id).toEqual(schema);
    }
  });
});

describe.runIf(writes)('request media types', () => {
  it('takes application/json with x-api-version, text/json and application/*+json wherever JSON is taken', async () => {
    const s = await connxioSession(target);
    const integration = { api: await createIntegration(s), eventGrid: await createIntegration(s, { adapterType: 'EventGrid' }) };
    for (const c of cases) {
      for (const contentType of ACCEPTED) {
        const { call, body } = c.request(s, integration);
        const res = await call.set('content-type', contentType).send(JSON.stringify(body));
        expectOperation(res, c.op, c.status);
        if (c.status === 201) s.defer(() => s.delete(`/v2/integrations/${res.body.configCorrelationId}`));
      }
    }
  });

  it('takes the XML forms of an IntegrationPostRequest (application/xml, text/xml, application/*+xml, with x-api-version) on v2 and v1', async () => {
    const s = await connxioSession(target);
    for (const [op, path] of [
      ['create_integration', '/v2/integrations'],
      ['upsert_integration_v1', '/v1/management/integration'],
    ] as const) {
      for (const contentType of XML_ACCEPTED) {
        const res = await s.post(path).set('content-type', contentType).send(integrationXml(s.subscriptionId!));
        expectOperation(res, op, 201);
        s.defer(() => s.delete(`/v2/integrations/${res.body.configCorrelationId}`));
        expect(res.body).toMatchObject({ transactionType: 'Order', enabled: true, inboundConnection: { adapterType: 'Api' } });
      }
    }
  });

  it('takes the XML forms of MessageBodyRequests (application/xml, text/xml, application/*+xml, with x-api-version) on the messaging batches and v1 messages', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const item = (text: string, target = true) => `<MessageBodyRequest>${target ? `<ConfigCorrelationId>${id}</ConfigCorrelationId>` : ''}<MessageBody>${b64(text)}</MessageBody></MessageBodyRequest>`;
    const xmlCases: Array<[string, string, string]> = [
      ['send_message_batch', `/v2/messages/${id}/batch`, `<ArrayOfMessageBodyRequest>${item('v2 batch', false)}</ArrayOfMessageBodyRequest>`],
      ['send_message_batch_v3', `/v3/messages/${id}/batch`, `<ArrayOfMessageBodyRequest>${item('v3 batch', false)}</ArrayOfMessageBodyRequest>`],
      ['send_message_v1', `/v1/message?ConfigCorrelationId=${id}`, item('v1', false)],
      ['send_message_new_v1', '/v1/message/new', item('v1 new')],
      ['send_message_new_batch_v1', '/v1/message/new/batch', `<ArrayOfMessageBodyRequest><MessageBodyRequests>${item('v1 new batch')}</MessageBodyRequests></ArrayOfMessageBodyRequest>`],
    ];
    for (const [op, path, body] of xmlCases) {
      for (const contentType of XML_ACCEPTED) expectOperation(await s.post(path).set('content-type', contentType).send(body), op, 200);
    }
  });

  it('answers 415 for any other media type, and for XML where the operation takes none; nothing stored', async () => {
    const s = await connxioSession(target);
    const integration = { api: await createIntegration(s), eventGrid: await createIntegration(s, { adapterType: 'EventGrid' }) };
    const before = (await s.get('/v2/integrations')).body.length;
    for (const c of cases) {
      for (const contentType of REFUSED) {
        const { call, body } = c.request(s, integration);
        expectProblem(await call.set('content-type', contentType).send(JSON.stringify(body)), c.op, 415);
      }
    }
    // Event Grid events are JSON only
    for (const contentType of ['application/xml; x-api-version=2.0', 'text/xml', 'application/vnd.connxio+xml']) {
      const { call } = cases.find((c) => c.op === 'send_eventgrid_message')!.request(s, integration);
      expectProblem(await call.set('content-type', contentType).send('<ArrayOfEventGridEvent/>'), 'send_eventgrid_message', 415);
    }
    // the XML forms of a management body are taken: other media types are not
    for (const contentType of ['text/plain', 'application/xhtml', 'text/xml-external-parsed-entity']) {
      expectProblem(await s.post('/v2/integrations').set('content-type', contentType).send(integrationXml(s.subscriptionId!)), 'create_integration', 415);
    }
    expect((await s.get('/v2/integrations')).body.length).toBe(before);
  });
});
