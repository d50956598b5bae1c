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
 * each also with `; x-api-version=N.0`; anything else is 415 (XML only where an operation lists
 * it). The spec lists the same forms. Each accepted request is contract-checked.
 */

const target = await useTarget();
const writes = target.capabilities.writes;
const connxioSpec = await loadSpec(specPath('connxio.yaml'));

const ACCEPTED = ['application/json; x-api-version=2.0', 'text/json', 'text/json; x-api-version=2.0', 'application/json-patch+json', 'application/vnd.connxio+json; x-api-version=1.0', 'Application/JSON'];
const REFUSED = ['text/plain', 'application/x-www-form-urlencoded', 'application/json-seq', 'text/jsonx', 'application/jsonp'];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

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
    for (const c of cases.filter((c) => ['create_integration', 'upsert_integration_v1', 'send_eventgrid_message'].includes(c.op))) {
      const { call } = c.request(s, integration);
      expectProblem(await call.set('content-type', 'application/xml; x-api-version=2.0').send('<IntegrationConfig/>'), c.op, 415);
    }
    expect((await s.get('/v2/integrations')).body.length).toBe(before);
  });
});
