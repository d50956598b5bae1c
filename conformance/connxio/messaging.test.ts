import type { Test } from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { createIntegration, eventGridEvent, integrationBody, portal, UNKNOWN_KEY, UUID } from '../support/connxio-portal.ts';
import { uniqueName } from '../support/resources.ts';

/**
 * The Messaging API (contract §5, DECISIONS "messaging"): v2 and v3, single, batch (JSON and its
 * XML form), eventgrid. The legacy v1 endpoints are in messaging-v1.test.ts.
 * Live-safe: integrations are created uniquely and deleted, and their only outbound adapter is
 * Discard. What only the twin promises (X-Interchange-Id, the exact error statuses for a disabled
 * or wrong-adapter integration) is asserted on twins; the message journal needs the control API.
 */

const target = await useTarget();
const twin = target.kind !== 'live';
const admin = target.capabilities.admin;
const writes = target.capabilities.writes;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe.runIf(writes)('send_message', () => {
  it('accepts a raw JSON message: 200, empty body, X-Interchange-Id (supplied, or a new UUID)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const res = await s.post(`/v2/messages/${id}`).send({ orderId: 'SO-10042', lines: [{ sku: 'AX-1', qty: 2 }] });
    expectOperation(res, 'send_message', 200);
    expect(res.text ?? '').toBe('');
    if (twin) expect(res.headers['x-interchange-id']).toMatch(UUID);
    const supplied = await s.post(`/v2/messages/${id}`).query({ InterchangeId: 'ic-own-0001', FileName: 'order.json', MessageEncoding: 'utf-8' }).send({ orderId: 'SO-2' });
    expectOperation(supplied, 'send_message', 200);
    if (twin) expect(supplied.headers['x-interchange-id']).toBe('ic-own-0001');
    if (admin) {
      const [latest, first] = await portal(target, s).messages({ integrationId: id });
      expect(latest).toMatchObject({ interchangeId: 'ic-own-0001', fileName: 'order.json', channel: 'message', apiVersion: 'v2', auth: 'bearer', synchronous: false });
      expect(JSON.parse(latest!.body as string)).toEqual({ orderId: 'SO-2' });
      expect(first!.interchangeId).toBe(res.headers['x-interchange-id']);
      expect(JSON.parse(first!.body as string).lines[0].sku).toBe('AX-1');
    }
  });

  it('takes XML, the /api prefix and the versioned media type; the body is kept as sent', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const xml = '<Order><OrderId>SO-10042</OrderId></Order>';
    const res = await s.post(`/api/v2/messages/${id}`).set('content-type', 'application/xml').send(xml);
    expectOperation(res, 'send_message', 200);
    const versioned = await s.post(`/v2/messages/${id}`).set('content-type', 'application/json; x-api-version=2.0').send('{"a":1}');
    expectOperation(versioned, 'send_message', 200);
    if (admin) {
      const [json, asXml] = await portal(target, s).messages({ integrationId: id });
      expect(asXml).toMatchObject({ body: xml, contentType: 'application/xml', bodyBase64: b64(xml) });
      expect(json).toMatchObject({ body: '{"a":1}' });
    }
  });

  it.runIf(admin)('copies cx-* headers into PreDefinedUserProperties verbatim (names as sent, prefix kept), and nothing else', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const res = await s.post(`/v2/messages/${id}`).set('cx-channel', 'webshop').set('CX-Tenant', 'nordic').set('cx-Order', '42').set('x-other', 'ignored').send({ a: 1 });
    expectOperation(res, 'send_message', 200);
    const [message] = await portal(target, s).messages({ integrationId: id });
    expect(message!.preDefinedUserProperties).toEqual({ 'cx-channel': 'webshop', 'CX-Tenant': 'nordic', 'cx-Order': '42' });
    // the synchronous answer's userDefinedProperties carry the same names
    const sync = await createIntegration(s, { synchronous: true });
    const answered = await s.post(`/v2/messages/${sync}`).set('cx-Order', '42').set('CX-Foo', 'bar').send({ a: 2 });
    expectOperation(answered, 'send_message', 200);
    expect(answered.body[0].synchronousMessageResponses[0].metaData.userDefinedProperties).toEqual({ origin: 'apitwin', 'cx-Order': '42', 'CX-Foo': 'bar' });
    expect((await portal(target, s).messages({ integrationId: sync }))[0]!.preDefinedUserProperties).toEqual({ 'cx-Order': '42', 'CX-Foo': 'bar' });
  });

  it.runIf(twin)('takes the body as an opaque payload: any content type, or none, never parsed; the bytes are delivered as sent', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x3b, 0x32]); // "café;2" in ISO-8859-1: not UTF-8
    const sent: Array<{ contentType: string | null; bytes: Buffer; encoding?: string }> = [
      { contentType: 'application/json', bytes: Buffer.from('not json') },
      { contentType: 'application/json; x-api-version=2.0', bytes: Buffer.from('{"a":') },
      { contentType: 'text/plain', bytes: Buffer.from('plain text') },
      { contentType: 'text/csv', bytes: Buffer.from('sku;qty\nAX-1;2\n') },
      { contentType: 'application/octet-stream', bytes: latin1, encoding: 'ISO-8859-1' },
      { contentType: 'application/xml', bytes: Buffer.from('<not closed') },
      { contentType: null, bytes: Buffer.from('no content type') },
    ];
    for (const m of sent) {
      let req = s.post(`/v2/messages/${id}`).query(m.encoding ? { MessageEncoding: m.encoding } : {});
      req = m.contentType === null ? req.unset('Content-Type') : req.set('content-type', m.contentType);
      // text as a string (superagent would serialize a Buffer under a JSON type), other bytes as they are
      expectOperation(await req.send(m.contentType?.includes('json') ? m.bytes.toString('utf8') : m.bytes), 'send_message', 200);
    }
    expectOperation(await s.post(`/v3/messages/${id}`).set('content-type', 'text/plain').send('v3 text'), 'send_message_v3', 200);
    // v1 /message is no raw-message endpoint: it takes a MessageBodyRequest (the vendor's type), so malformed JSON is a 400 there
    expectProblem(await s.post('/v1/message').query({ ConfigCorrelationId: id }).set('content-type', 'application/json').send('{broken'), 'send_message_v1', 400);
    if (admin) {
      const messages = (await portal(target, s).messages({ integrationId: id })).reverse();
      expect(messages.map((m) => [m.contentType, m.bodyBase64])).toEqual([
        ...sent.map((m) => [m.contentType, m.bytes.toString('base64')]),
        ['text/plain', Buffer.from('v3 text').toString('base64')],
      ]);
      expect(messages.map((m) => m.body)).toEqual(['not json', '{"a":', 'plain text', 'sku;qty\nAX-1;2\n', 'café;2', '<not closed', 'no content type', 'v3 text']);
    }
  });

  it('answers 404 for an unknown integration (ProblemDetails)', async () => {
    const s = await connxioSession(target);
    const res = await s.post('/v2/messages/3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f').send({ a: 1 });
    expectProblem(res, 'send_message', 404);
  });

  it.runIf(twin)('answers 400 for a disabled integration and for one whose inbound adapter is not Api; nothing is journaled', async () => {
    const s = await connxioSession(target);
    const disabled = await createIntegration(s, { enabled: false });
    const eventGrid = await createIntegration(s, { adapterType: 'EventGrid' });
    const timer = await createIntegration(s, { adapterType: 'TimeTrigger' });
    const off = await s.post(`/v2/messages/${disabled}`).send({ a: 1 });
    expectProblem(off, 'send_message', 400);
    expect(off.body.detail).toMatch(/disabled/);
    for (const id of [eventGrid, timer]) {
      const wrong = await s.post(`/v2/messages/${id}`).send({ a: 1 });
      expectProblem(wrong, 'send_message', 400);
      expect(wrong.body.detail).toMatch(/not Api/);
    }
    expect(await portal(target, s).messages()).toEqual([]);
  });

  it.runIf(admin)('hides the integrations of another subscription (404) from a key of that company', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const other = await portal(target, s).createKey(['Messaging'], { subscriptionId: s.otherSubscriptionId });
    const res = await s.raw.post(`/v2/messages/${id}`).set('connxio-api-key', other.key).set('authorization', `Bearer ${s.bearer}`).send({ a: 1 });
    expectProblem(res, 'send_message', 404);
  });

  it.runIf(twin)('answers a synchronous integration with the per-sub-integration array, built from its configuration', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { synchronous: true, transactionType: 'Invoice' });
    const res = await s.post(`/v2/messages/${id}`).query({ InterchangeId: 'ic-sync-1', FileName: 'inv.json' }).set('cx-channel', 'b2b').send({ invoice: 1 });
    expectOperation(res, 'send_message', 200);
    expect(res.body).toHaveLength(1);
    const [sub] = res.body;
    expect(sub.subIntegrationName).toBe('to-void');
    expect(sub.totalResponses).toBe(1);
    expect(sub.synchronousMessageResponses[0].metaData).toMatchObject({
      interchangeId: 'ic-sync-1',
      inboundFileName: 'inv.json',
      configCorrelatioId: id,
      inboundAdapter: 'Api',
      outboundAdapter: 'Discard',
      transactionType: 'Invoice',
      useSynchronousCommunication: true,
      userDefinedProperties: { origin: 'apitwin', 'cx-channel': 'b2b' },
    });
    expect(sub.synchronousMessageResponses[0].metaData.outboundBlobName).toMatch(/^ic-sync-1_6d3f0a52-8c1e-4b7a-9f2d-3e4c5b6a7d8e_.+\.json$/);
    expect(res.headers['x-interchange-id']).toBe('ic-sync-1');
    const again = await s.post(`/v2/messages/${id}`).query({ InterchangeId: 'ic-sync-1', FileName: 'inv.json' }).set('cx-channel', 'b2b').send({ invoice: 1 });
    const strip = (body: Array<{ synchronousMessageResponses: Array<{ metaData: Record<string, unknown> }> }>) =>
      body.map((b) => ({ ...b, synchronousMessageResponses: b.synchronousMessageResponses.map((r) => ({ ...r, metaData: { ...r.metaData, started: 'x' } })) }));
    expect(strip(again.body)).toEqual(strip(res.body));
    if (admin) expect((await portal(target, s).messages({ integrationId: id }))[0]!.synchronous).toBe(true);
  });

  it.runIf(twin)('answers a synchronous integration with its {env:Name} placeholders resolved: the subscription\'s value, else the default', async () => {
    const s = await connxioSession(target);
    const name = uniqueName('ErpBaseUrl');
    const variable = await s.put('/v2/environmentvariables').send({ name, defaultValue: 'https://erp-default.example.test', subscriptionValues: { [s.subscriptionId!]: 'https://erp.example.test' } });
    expectOperation(variable, 'create_environment_variable', 200);
    s.defer(() => s.delete(`/v2/environmentvariables/${variable.body.id}`));
    const body = integrationBody(s.subscriptionId!, { synchronous: true }) as { subIntegrations: Array<Record<string, unknown>> };
    body.subIntegrations[0]!.outboundConnections = [{ adapterType: 'REST', adapterName: 'prices', connectionProperties: JSON.stringify({ endpointURL: `{env:${name}}/prices`, httpVerb: 'POST' }) }];
    const created = await s.post('/v2/integrations').send(body);
    expectOperation(created, 'create_integration', 201);
    const id = created.body.configCorrelationId as string;
    s.defer(() => s.delete(`/v2/integrations/${id}`));
    const res = await s.post(`/v2/messages/${id}`).send({ sku: 'AX-1' });
    expectOperation(res, 'send_message', 200);
    expect(res.body[0].synchronousMessageResponses[0].metaData).toMatchObject({ outboundAdapter: 'REST', outboundEndpoint: 'https://erp.example.test/prices' });
    // the stored integration keeps its placeholder
    expect(JSON.parse((await s.get(`/v2/integrations/${id}`)).body.subIntegrations[0].outboundConnections[0].connectionProperties).endpointURL).toBe(`{env:${name}}/prices`);
    // a key of the other subscription sees the default (its own copy of the integration, same configuration)
    if (admin) {
      const other = await portal(target, s).createKey(['Management', 'Messaging'], { subscriptionId: s.otherSubscriptionId });
      const asOther = (req: Test) => req.set('connxio-api-key', other.key).set('authorization', `Bearer ${s.bearer}`);
      const theirs = await asOther(s.raw.post('/v2/integrations')).send({ ...body, subscriptionId: s.otherSubscriptionId });
      expectOperation(theirs, 'create_integration', 201);
      s.defer(() => asOther(s.raw.delete(`/v2/integrations/${theirs.body.configCorrelationId}`)));
      const answered = await asOther(s.raw.post(`/v2/messages/${theirs.body.configCorrelationId}`)).send({ sku: 'AX-2' });
      expectOperation(answered, 'send_message', 200);
      expect(answered.body[0].synchronousMessageResponses[0].metaData.outboundEndpoint).toBe('https://erp-default.example.test/prices');
    }
  });

  it.runIf(admin)('webhook mode: a key with the Webhook scope sends without a bearer (header or query parameter)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const webhook = await portal(target, s).createKey(['Webhook']);
    const byHeader = await s.raw.post(`/v2/messages/${id}`).set('connxio-api-key', webhook.key).set('connxio-api-webhook', 'true').send({ a: 1 });
    expectOperation(byHeader, 'send_message', 200);
    const byQuery = await s.raw.post(`/v2/messages/${id}`).query({ 'Connxio-Api-Key': webhook.key, 'Connxio-Api-Webhook': 'TRUE' }).send({ a: 2 });
    expectOperation(byQuery, 'send_message', 200);
    const messages = await portal(target, s).messages({ integrationId: id });
    expect(messages.map((m) => [m.auth, m.keyId])).toEqual([
      ['webhook', webhook.id],
      ['webhook', webhook.id],
    ]);
    const noScope = await s.raw.post(`/v2/messages/${id}`).set('connxio-api-key', s.apiKey).set('connxio-api-webhook', 'true').send({ a: 3 });
    expectProblem(noScope, 'send_message', 401);
    expect(noScope.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it.runIf(admin)('an integration saved before API keys (useApiKey: false) takes messages without a key, with a bearer', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const p = portal(target, s);
    const before = await s.raw.post(`/v2/messages/${id}`).set('authorization', `Bearer ${s.bearer}`).send({ a: 1 });
    expectProblem(before, 'send_message', 401);
    expect(before.headers['www-authenticate']).toBe('ApiKey');

    const flagged = await p.setUseApiKey(id, false);
    expectOperation(flagged, 'admin_connxio_integration_use_api_key_set', 200);
    expect(flagged.body).toMatchObject({ integrationId: id, useApiKey: false });
    const keyless = await s.raw.post(`/v2/messages/${id}`).set('authorization', `Bearer ${s.bearer}`).set('ocp-apim-subscription-key', 'legacy').send({ a: 2 });
    expectOperation(keyless, 'send_message', 200);
    expect((await p.messages({ integrationId: id }))[0]).toMatchObject({ auth: 'keyless', keyId: null });
    const noBearer = await s.raw.post(`/v2/messages/${id}`).send({ a: 3 });
    expectProblem(noBearer, 'send_message', 401);
    expect(noBearer.headers['www-authenticate']).toMatch(/^Bearer/);
    // another company's bearer: refused, and the answer does not blame a key that was never sent
    const stranger = await connxioSession(target);
    const foreign = await s.raw.post(`/v2/messages/${id}`).set('authorization', `Bearer ${stranger.bearer}`).send({ a: 3 });
    expectProblem(foreign, 'send_message', 401);
    expect(foreign.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(foreign.body.detail).not.toMatch(/API key/i);
    expect(foreign.body.detail).toContain(`integration ${id}`);
    // the webhook header beside a bearer changes nothing: still the keyless bearer call
    expectOperation(await s.raw.post(`/v2/messages/${id}`).set('authorization', `Bearer ${s.bearer}`).set('connxio-api-webhook', 'true').send({ a: 3 }), 'send_message', 200);
    expect((await p.messages({ integrationId: id }))[0]).toMatchObject({ auth: 'keyless', keyId: null });
    const badKey = await s.raw.post(`/v2/messages/${id}`).set('connxio-api-key', UNKNOWN_KEY).set('authorization', `Bearer ${s.bearer}`).send({ a: 4 });
    expectProblem(badKey, 'send_message', 401);

    // saving it again through the Management API turns the key requirement back on
    const stored = await s.get(`/v2/integrations/${id}`);
    expect(stored.body.useApiKey).toBe(false);
    expectOperation(await s.put(`/v2/integrations/${id}`).send(stored.body), 'update_integration', 200);
    expectProblem(await s.raw.post(`/v2/messages/${id}`).set('authorization', `Bearer ${s.bearer}`).send({ a: 5 }), 'send_message', 401);
    expectProblem(await p.setUseApiKey('00000000-0000-4000-8000-000000000000', false), 'admin_connxio_integration_use_api_key_set', 404);
  });
});

describe.runIf(writes)('send_message_v3', () => {
  it('sends through /v3 and /api/v3 exactly like v2', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    expectOperation(await s.post(`/v3/messages/${id}`).set('content-type', 'application/json; x-api-version=3.0').send('{"v":3}'), 'send_message_v3', 200);
    expectOperation(await s.post(`/api/v3/messages/${id}`).query({ InterchangeId: 'v3-ic' }).send({ v: 33 }), 'send_message_v3', 200);
    expectProblem(await s.post('/v3/messages/3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f').send({}), 'send_message_v3', 404);
    if (admin) {
      const messages = await portal(target, s).messages({ integrationId: id });
      expect(messages.map((m) => [m.apiVersion, m.body])).toEqual([
        ['v3', '{"v":33}'],
        ['v3', '{"v":3}'],
      ]);
    }
  });
});

describe.runIf(writes)('send_message_batch', () => {
  it('takes base64 messages: one delivery each, the interchange ids in X-Interchange-Id', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const res = await s.post(`/v2/messages/${id}/batch`).send([
      { messageEncoding: 'ASCII', interchangeId: null, messageBody: b64('{ "foo": "bar" }'), fileName: 'file.json' },
      { messageEncoding: 'utf-8', interchangeId: 'batch-ic-2', messageBody: b64('{"orderId":"SO-10042"}'), fileName: 'order.json' },
    ]);
    expectOperation(res, 'send_message_batch', 200);
    if (twin) {
      const ids = (res.headers['x-interchange-id'] as string).split(',').map((x) => x.trim());
      expect(ids).toHaveLength(2);
      expect(ids[0]).toMatch(UUID);
      expect(ids[1]).toBe('batch-ic-2');
    }
    if (admin) {
      const messages = await portal(target, s).messages({ integrationId: id });
      expect(messages.map((m) => [m.channel, m.body, m.fileName, m.messageEncoding])).toEqual([
        ['batch', '{"orderId":"SO-10042"}', 'order.json', 'utf-8'],
        ['batch', '{ "foo": "bar" }', 'file.json', 'ASCII'],
      ]);
    }
  });

  it('refuses a body that is not base64, an empty batch (400) and a media type it does not take (415)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    expectProblem(await s.post(`/v2/messages/${id}/batch`).send([{ messageBody: 'not base64!' }]), 'send_message_batch', 400);
    expectProblem(await s.post(`/v2/messages/${id}/batch`).send({ messageBody: b64('x') }), 'send_message_batch', 400);
    if (twin) {
      expectProblem(await s.post(`/v2/messages/${id}/batch`).send([]), 'send_message_batch', 400);
      expectProblem(await s.post(`/v2/messages/${id}/batch`).set('content-type', 'text/csv').send('messageBody\ne30='), 'send_message_batch', 415);
    }
    if (admin) expect(await portal(target, s).messages({ integrationId: id })).toEqual([]);
  });

  it.runIf(twin)('takes the XML form (application/xml or text/xml, PascalCase or camelCase): one delivery per item, as from JSON', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<ArrayOfMessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Connxio.Api.Models">
  <MessageBodyRequest>
    <FileName>file.json</FileName>
    <InterchangeId i:nil="true"/>
    <MessageBody>${b64('{ "foo": "bar" }')}</MessageBody>
    <MessageEncoding>ASCII</MessageEncoding>
  </MessageBodyRequest>
  <MessageBodyRequest>
    <FileName>order.xml</FileName>
    <InterchangeId>xml-ic-2</InterchangeId>
    <MessageBody>${b64('<Order><Id>SO-1</Id></Order>')}</MessageBody>
    <MessageEncoding>utf-8</MessageEncoding>
  </MessageBodyRequest>
</ArrayOfMessageBodyRequest>`;
    const res = await s.post(`/v2/messages/${id}/batch`).set('content-type', 'application/xml; charset=utf-8').send(xml);
    expectOperation(res, 'send_message_batch', 200);
    const ids = (res.headers['x-interchange-id'] as string).split(', ');
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(UUID);
    expect(ids[1]).toBe('xml-ic-2');
    const camel = `<arrayOfMessageBodyRequest><messageBodyRequest><messageBody>${b64('third')}</messageBody><fileName>c.txt</fileName></messageBodyRequest></arrayOfMessageBodyRequest>`;
    expectOperation(await s.post(`/api/v2/messages/${id}/batch`).set('content-type', 'text/xml').send(camel), 'send_message_batch', 200);
    if (admin) {
      const messages = await portal(target, s).messages({ integrationId: id });
      expect(messages.map((m) => [m.channel, m.apiVersion, m.body, m.fileName, m.messageEncoding, m.interchangeId])).toEqual([
        ['batch', 'v2', 'third', 'c.txt', 'utf-8', messages[0]!.interchangeId],
        ['batch', 'v2', '<Order><Id>SO-1</Id></Order>', 'order.xml', 'utf-8', 'xml-ic-2'],
        ['batch', 'v2', '{ "foo": "bar" }', 'file.json', 'ASCII', ids[0]],
      ]);
    }
  });

  it.runIf(twin)('refuses malformed XML, another root, a missing MessageBody or a body that is not base64 (400), delivering nothing', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const item = (inner: string) => `<MessageBodyRequest>${inner}</MessageBodyRequest>`;
    const good = item(`<MessageBody>${b64('fine')}</MessageBody>`);
    const bodies = [
      `<ArrayOfMessageBodyRequest>${good}`,
      'this is not XML',
      `<Messages>${good}</Messages>`,
      `<ArrayOfMessageBodyRequest>${good}${item('<FileName>no-body.txt</FileName>')}</ArrayOfMessageBodyRequest>`,
      `<ArrayOfMessageBodyRequest>${good}${item('<MessageBody>not base64!</MessageBody>')}</ArrayOfMessageBodyRequest>`,
      `<!DOCTYPE a [<!ENTITY x "y">]><ArrayOfMessageBodyRequest>${good}</ArrayOfMessageBodyRequest>`,
      '<ArrayOfMessageBodyRequest/>',
    ];
    for (const body of bodies) expectProblem(await s.post(`/v2/messages/${id}/batch`).set('content-type', 'application/xml').send(body), 'send_message_batch', 400);
    // a document that is not an ArrayOfMessageBodyRequest: ASP.NET's model-state entry, as for a management body
    for (const body of [bodies[0]!, bodies[1]!, bodies[2]!, bodies[5]!]) {
      const unreadable = await s.post(`/v2/messages/${id}/batch`).set('content-type', 'application/xml').send(body);
      expect(unreadable.body.errors, body).toEqual({ '': ['An error occurred while deserializing input data.'] });
    }
    const missing = await s.post(`/v2/messages/${id}/batch`).set('content-type', 'text/xml').send(bodies[3]!);
    expect(missing.body.errors).toEqual({ '[1].MessageBody': ['The MessageBody field is required.'] });
    const notBase64 = await s.post(`/v2/messages/${id}/batch`).set('content-type', 'application/xml').send(bodies[4]!);
    expect(Object.keys(notBase64.body.errors)).toEqual(['[1].MessageBody']);
    const wrongRoot = await s.post(`/v2/messages/${id}/batch`).set('content-type', 'application/xml').send(bodies[2]!);
    expect(wrongRoot.body.detail).toMatch(/root element is <Messages>, expected <ArrayOfMessageBodyRequest>/);
    // a valid XML batch for an integration the key cannot see
    expectProblem(await s.post('/v2/messages/3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f/batch').set('content-type', 'application/xml').send(`<ArrayOfMessageBodyRequest>${good}</ArrayOfMessageBodyRequest>`), 'send_message_batch', 404);
    if (admin) expect(await portal(target, s).messages()).toEqual([]);
  });

  it.runIf(twin)('refuses a batch for a synchronous integration (400)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { synchronous: true });
    const res = await s.post(`/v2/messages/${id}/batch`).send([{ messageBody: b64('x') }]);
    expectProblem(res, 'send_message_batch', 400);
    expect(res.body.detail).toMatch(/synchronous/);
  });
});

describe.runIf(writes)('send_message_batch_v3', () => {
  it('sends a batch through /v3', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    expectOperation(await s.post(`/v3/messages/${id}/batch`).send([{ messageBody: b64('<a/>') }]), 'send_message_batch_v3', 200);
    expectProblem(await s.post('/v3/messages/3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f/batch').send([{ messageBody: b64('x') }]), 'send_message_batch_v3', 404);
    if (admin) expect((await portal(target, s).messages({ integrationId: id }))[0]).toMatchObject({ channel: 'batch', apiVersion: 'v3', body: '<a/>' });
  });

  it.runIf(twin)('takes the XML form through /v3 and refuses a malformed one', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const xml = `<ArrayOfMessageBodyRequest><MessageBodyRequest><MessageBody>${b64('v3 xml')}</MessageBody><InterchangeId>v3-xml</InterchangeId></MessageBodyRequest></ArrayOfMessageBodyRequest>`;
    expectOperation(await s.post(`/v3/messages/${id}/batch`).set('content-type', 'application/xml').send(xml), 'send_message_batch_v3', 200);
    expectProblem(await s.post(`/v3/messages/${id}/batch`).set('content-type', 'application/xml').send('<ArrayOfMessageBodyRequest><MessageBodyRequest>'), 'send_message_batch_v3', 400);
    if (admin) {
      const messages = await portal(target, s).messages({ integrationId: id });
      expect(messages.map((m) => [m.apiVersion, m.body, m.interchangeId])).toEqual([['v3', 'v3 xml', 'v3-xml']]);
    }
  });

  it.runIf(twin)('takes the XML form as any application/*+xml on v2 and v3 (with x-api-version); a malformed one is ASP.NET\'s 400 and delivers nothing', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const batch = (text: string, interchangeId: string) => `<ArrayOfMessageBodyRequest xmlns="http://schemas.datacontract.org/2004/07/Connxio.Api.Models"><MessageBodyRequest><MessageBody>${b64(text)}</MessageBody><InterchangeId>${interchangeId}</InterchangeId></MessageBodyRequest></ArrayOfMessageBodyRequest>`;
    const refused = [
      batch('unclosed', 'x').replace('</ArrayOfMessageBodyRequest>', ''),
      `<!DOCTYPE ArrayOfMessageBodyRequest [<!ENTITY x "y">]>${batch('dtd', 'x')}`,
      batch('wrong root', 'x').replaceAll('ArrayOfMessageBodyRequest', 'ArrayOfMessage'),
    ];
    for (const [op, version] of [['send_message_batch', 'v2'], ['send_message_batch_v3', 'v3']] as const) {
      for (const body of refused) {
        const res = await s.post(`/${version}/messages/${id}/batch`).set('content-type', `application/vnd.acme+xml; x-api-version=${version.slice(1)}.0`).send(body);
        expectProblem(res, op, 400);
        expect(res.body.errors, body).toEqual({ '': ['An error occurred while deserializing input data.'] });
      }
    }
    if (admin) expect(await portal(target, s).messages({ integrationId: id })).toEqual([]);
    expectOperation(await s.post(`/v2/messages/${id}/batch`).set('content-type', 'application/vnd.acme+xml; x-api-version=2.0').send(batch('v2 acme', 'acme-2')), 'send_message_batch', 200);
    expectOperation(await s.post(`/api/v3/messages/${id}/batch`).set('content-type', 'application/soap+xml').send(batch('v3 soap', 'soap-3')), 'send_message_batch_v3', 200);
    if (admin) {
      const messages = await portal(target, s).messages({ integrationId: id });
      expect(messages.map((m) => [m.apiVersion, m.body, m.interchangeId])).toEqual([
        ['v3', 'v3 soap', 'soap-3'],
        ['v2', 'v2 acme', 'acme-2'],
      ]);
    }
  });
});

describe.runIf(writes)('send_eventgrid_message', () => {
  it.runIf(admin)('takes Event Grid events with the key and webhook mode in the query string (one message per event)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { adapterType: 'EventGrid' });
    const webhook = await portal(target, s).createKey(['Webhook']);
    const events = [eventGridEvent('/blobServices/default/containers/orders/blobs/a.json'), eventGridEvent('/blobServices/default/containers/orders/blobs/b.json')];
    const res = await s.raw.post(`/v2/messages/${id}/eventgrid`).query({ 'Connxio-Api-Key': webhook.key, 'Connxio-Api-Webhook': 'true' }).send(events);
    expectOperation(res, 'send_eventgrid_message', 200);
    const messages = await portal(target, s).messages({ integrationId: id });
    expect(messages.map((m) => JSON.parse(m.body as string).subject)).toEqual([events[1]!.subject, events[0]!.subject]);
    expect(messages.every((m) => m.channel === 'eventgrid' && m.auth === 'webhook')).toBe(true);
    expect((res.headers['x-interchange-id'] as string).split(', ')).toEqual(messages.map((m) => m.interchangeId).reverse());
  });

  it('answers with a bearer too, 404 for an unknown integration and 400 (twin) for an Api-triggered one', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { adapterType: 'EventGrid' });
    expectOperation(await s.post(`/v2/messages/${id}/eventgrid`).send([eventGridEvent()]), 'send_eventgrid_message', 200);
    expectProblem(await s.post('/v2/messages/3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f/eventgrid').send([eventGridEvent()]), 'send_eventgrid_message', 404);
    if (twin) {
      const api = await createIntegration(s);
      const wrong = await s.post(`/v2/messages/${api}/eventgrid`).send([eventGridEvent()]);
      expectProblem(wrong, 'send_eventgrid_message', 400);
      expect(wrong.body.detail).toMatch(/not EventGrid/);
      expectProblem(await s.post(`/v2/messages/${id}/eventgrid`).send({ id: 'not-an-array' }), 'send_eventgrid_message', 400);
    }
  });
});

describe.runIf(writes)('send_eventgrid_message_v3', () => {
  it('takes Event Grid events through /v3', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { adapterType: 'EventGrid' });
    expectOperation(await s.post(`/v3/messages/${id}/eventgrid`).query({ InterchangeId: 'eg-v3' }).send([eventGridEvent()]), 'send_eventgrid_message_v3', 200);
    if (admin) expect((await portal(target, s).messages({ integrationId: id }))[0]).toMatchObject({ channel: 'eventgrid', apiVersion: 'v3', interchangeId: 'eg-v3', contentType: 'application/json' });
  });
});

describe.runIf(admin)('admin_connxio_messages_list / admin_connxio_messages_clear', () => {
  it('filters by company, integration and limit, and clears per integration or company', async () => {
    const s = await connxioSession(target);
    const a = await createIntegration(s);
    const b = await createIntegration(s);
    for (const [id, n] of [[a, 1], [b, 2], [a, 3]] as const) expectOperation(await s.post(`/v2/messages/${id}`).send({ n }), 'send_message', 200);
    const all = await target.admin.get('/__admin/connxio/messages').query({ companyId: s.companyId });
    expectOperation(all, 'admin_connxio_messages_list', 200);
    expect(all.body.messages.map((m: { body: string }) => JSON.parse(m.body).n)).toEqual([3, 2, 1]);
    const limited = await target.admin.get('/__admin/connxio/messages').query({ companyId: s.companyId, integrationId: a.toUpperCase(), limit: 1 });
    expect(limited.body.messages.map((m: { body: string }) => JSON.parse(m.body).n)).toEqual([3]);
    expectOperation(await target.admin.get('/__admin/connxio/messages').query({ limit: 0 }), 'admin_connxio_messages_list', 400);

    expectOperation(await target.admin.delete('/__admin/connxio/messages').query({ integrationId: a }), 'admin_connxio_messages_clear', 204);
    expect((await portal(target, s).messages()).map((m) => m.integrationId)).toEqual([b]);
    expectOperation(await target.admin.delete('/__admin/connxio/messages').query({ companyId: s.companyId }), 'admin_connxio_messages_clear', 204);
    expect(await portal(target, s).messages()).toEqual([]);
  });
});
