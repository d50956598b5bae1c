import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { createIntegration, eventGridEvent, portal, UUID } from '../support/connxio-portal.ts';

/**
 * The legacy (v1) Messaging API (contract §5.1, DECISIONS "messaging", the vendor's published
 * types): `/v1/message` takes a MessageBodyRequest (base64 `messageBody`) and names its
 * integration in the optional query parameter `ConfigCorrelationId`, else in the body's
 * `configCorrelationId`; `/v1/eventgrid` in the query; `/v1/message/new` and
 * `/v1/message/new/batch` in each MessageBodyRequest. Same auth, journal, 400/404 rules and
 * synchronous answer as v2. Live-safe as messaging.test.ts (Discard-only integrations, deleted
 * afterwards); what only the twin promises is gated on `twin`, the journal on the control API.
 */

const target = await useTarget();
const twin = target.kind !== 'live';
const admin = target.capabilities.admin;
const writes = target.capabilities.writes;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const NO_SUCH_ID = '3f6d2c1e-5b7a-4c1d-9e2f-0a1b2c3d4e5f';

describe.runIf(writes)('send_message_v1', () => {
  it('delivers the MessageBodyRequest\'s base64 body to the ConfigCorrelationId integration, under /v1 and /api/v1; query metadata wins over the body\'s', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const other = await createIntegration(s);
    const res = await s
      .post('/v1/message')
      .query({ ConfigCorrelationId: id, InterchangeId: 'v1-ic-1', FileName: 'order.json', MessageEncoding: 'utf-8', SenderId: 'shop', ReceiverId: 'erp', DocumentType: 'Order' })
      .set('cx-channel', 'legacy')
      .send({ messageBody: b64('{"orderId":"SO-1"}'), interchangeId: 'body-ic', fileName: 'body.json', messageFormat: 'json', senderId: 'shop', recieverId: 'erp' });
    expectOperation(res, 'send_message_v1', 200);
    expect(res.text ?? '').toBe('');
    if (twin) expect(res.headers['x-interchange-id']).toBe('v1-ic-1');
    const xml = `<MessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><MessageBody>${b64('<Order><OrderId>SO-2</OrderId></Order>')}</MessageBody><FileName>o2.xml</FileName></MessageBodyRequest>`;
    const prefixed = await s.post('/api/v1/message').query({ ConfigCorrelationId: id }).set('content-type', 'application/xml').send(xml);
    expectOperation(prefixed, 'send_message_v1', 200);
    if (admin) {
      const [second, first] = await portal(target, s).messages({ integrationId: id });
      expect(first).toMatchObject({ channel: 'message', apiVersion: 'v1', auth: 'bearer', interchangeId: 'v1-ic-1', fileName: 'order.json', contentType: null, preDefinedUserProperties: { 'cx-channel': 'legacy' } });
      expect(first!.body).toBe('{"orderId":"SO-1"}');
      expect(second).toMatchObject({ apiVersion: 'v1', body: '<Order><OrderId>SO-2</OrderId></Order>', fileName: 'o2.xml' });
      expect(second!.interchangeId).toMatch(UUID);
      expect(await portal(target, s).messages({ integrationId: other })).toEqual([]);
    }
  });

  it('takes the target from the body\'s configCorrelationId when the query has none (or an empty one); the query wins when both do', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const other = await createIntegration(s);
    const fromBody = await s.post('/v1/message').send({ configCorrelationId: id, messageBody: b64('from body'), interchangeId: 'body-ic' });
    expectOperation(fromBody, 'send_message_v1', 200);
    if (twin) expect(fromBody.headers['x-interchange-id']).toBe('body-ic');
    expectOperation(await s.post('/v1/message').query({ ConfigCorrelationId: '' }).send({ configCorrelationId: id, messageBody: b64('empty query') }), 'send_message_v1', 200);
    expectOperation(await s.post('/v1/message').query({ ConfigCorrelationId: other }).send({ configCorrelationId: id, messageBody: b64('query wins') }), 'send_message_v1', 200);
    if (admin) {
      expect((await portal(target, s).messages({ integrationId: id })).map((m) => m.body)).toEqual(['empty query', 'from body']);
      expect((await portal(target, s).messages({ integrationId: other })).map((m) => m.body)).toEqual(['query wins']);
    }
  });

  it('answers 400 when neither the query nor the body names the target, for a body that is not a MessageBodyRequest, and 404 for an unknown integration; nothing delivered', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const missing = await s.post('/v1/message').send({ messageBody: b64('x') });
    expectProblem(missing, 'send_message_v1', 400);
    if (twin) expect(missing.body.errors).toEqual({ ConfigCorrelationId: ['The ConfigCorrelationId field is required.'] });
    expectProblem(await s.post('/v1/message').query({ ConfigCorrelationId: '' }).send({ messageBody: b64('x'), configCorrelationId: '' }), 'send_message_v1', 400);
    // the body is a MessageBodyRequest now, not an opaque payload
    const opaque = await s.post('/v1/message').query({ ConfigCorrelationId: id }).send({ orderId: 'SO-1' });
    expectProblem(opaque, 'send_message_v1', 400);
    if (twin) expect(opaque.body.errors).toEqual({ MessageBody: ['The MessageBody field is required.'] });
    expectProblem(await s.post('/v1/message').query({ ConfigCorrelationId: id }).send({ messageBody: 'not base64!' }), 'send_message_v1', 400);
    expectProblem(await s.post('/v1/message').query({ ConfigCorrelationId: NO_SUCH_ID }).send({ messageBody: b64('x') }), 'send_message_v1', 404);
    expectProblem(await s.post('/v1/message').send({ configCorrelationId: NO_SUCH_ID, messageBody: b64('x') }), 'send_message_v1', 404);
    if (twin) {
      expectProblem(await s.post('/v1/message').query({ ConfigCorrelationId: id }).set('content-type', 'text/plain').send('sku;qty'), 'send_message_v1', 415);
      expectProblem(await s.post('/v1/message').query({ ConfigCorrelationId: id }).set('content-type', 'application/xml').send('<Order/>'), 'send_message_v1', 400);
    }
    if (admin) expect(await portal(target, s).messages({ integrationId: id })).toEqual([]);
  });

  it.runIf(twin)('answers 400 for a disabled integration or one that is not Api-triggered, 404 for another subscription\'s', async () => {
    const s = await connxioSession(target);
    const disabled = await createIntegration(s, { enabled: false });
    const eventGrid = await createIntegration(s, { adapterType: 'EventGrid' });
    const off = await s.post('/v1/message').query({ ConfigCorrelationId: disabled }).send({ messageBody: b64('x') });
    expectProblem(off, 'send_message_v1', 400);
    expect(off.body.detail).toMatch(/disabled/);
    const wrong = await s.post('/v1/message').send({ configCorrelationId: eventGrid, messageBody: b64('x') });
    expectProblem(wrong, 'send_message_v1', 400);
    expect(wrong.body.detail).toMatch(/not Api/);
    if (admin) {
      const id = await createIntegration(s);
      const otherKey = await portal(target, s).createKey(['Messaging'], { subscriptionId: s.otherSubscriptionId });
      const hidden = await s.raw.post('/v1/message').query({ ConfigCorrelationId: id }).set('connxio-api-key', otherKey.key).set('authorization', `Bearer ${s.bearer}`).send({ messageBody: b64('x') });
      expectProblem(hidden, 'send_message_v1', 404);
      const hiddenInBody = await s.raw.post('/v1/message').set('connxio-api-key', otherKey.key).set('authorization', `Bearer ${s.bearer}`).send({ configCorrelationId: id, messageBody: b64('x') });
      expectProblem(hiddenInBody, 'send_message_v1', 404);
      expect(await portal(target, s).messages()).toEqual([]);
    }
  });

  it.runIf(twin)('answers a synchronous integration with the per-sub-integration array', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { synchronous: true });
    const res = await s.post('/v1/message').query({ ConfigCorrelationId: id, InterchangeId: 'v1-sync' }).send({ messageBody: b64('{"invoice":1}') });
    expectOperation(res, 'send_message_v1', 200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0].synchronousMessageResponses[0].metaData).toMatchObject({ interchangeId: 'v1-sync', configCorrelatioId: id, useSynchronousCommunication: true });
  });

  it.runIf(admin)('webhook mode and the useApiKey: false rule work with the integration in the query or in the body', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const numbered = (n: number, configCorrelationId?: string) => ({ messageBody: b64(JSON.stringify({ n })), ...(configCorrelationId ? { configCorrelationId } : {}) });
    const p = portal(target, s);
    const webhook = await p.createKey(['Webhook']);
    expectOperation(await s.raw.post('/v1/message').query({ ConfigCorrelationId: id, 'Connxio-Api-Key': webhook.key, 'Connxio-Api-Webhook': 'true' }).send(numbered(1)), 'send_message_v1', 200);
    const noKey = await s.raw.post('/v1/message').query({ ConfigCorrelationId: id }).set('authorization', `Bearer ${s.bearer}`).send(numbered(2));
    expectProblem(noKey, 'send_message_v1', 401);
    expect(noKey.headers['www-authenticate']).toBe('ApiKey');
    expectOperation(await p.setUseApiKey(id, false), 'admin_connxio_integration_use_api_key_set', 200);
    expectOperation(await s.raw.post('/v1/message').query({ ConfigCorrelationId: id }).set('authorization', `Bearer ${s.bearer}`).send(numbered(3)), 'send_message_v1', 200);
    const noBearer = await s.raw.post('/v1/message').query({ ConfigCorrelationId: id }).send(numbered(4));
    expectProblem(noBearer, 'send_message_v1', 401);
    expect(noBearer.headers['www-authenticate']).toMatch(/^Bearer/);
    expectOperation(await s.raw.post('/v1/message').set('authorization', `Bearer ${s.bearer}`).send(numbered(5, id)), 'send_message_v1', 200);
    const keyed = await createIntegration(s);
    const refused = await s.raw.post('/v1/message').set('authorization', `Bearer ${s.bearer}`).send(numbered(6, keyed));
    expectProblem(refused, 'send_message_v1', 401);
    expect(refused.headers['www-authenticate']).toBe('ApiKey');
    expect((await p.messages({ integrationId: id })).map((m) => [m.auth, m.keyId, JSON.parse(m.body as string).n])).toEqual([
      ['keyless', null, 5],
      ['keyless', null, 3],
      ['webhook', webhook.id, 1],
    ]);
  });
});

describe.runIf(writes)('send_message_new_v1', () => {
  it('delivers the base64 body to the integration its configCorrelationId names (JSON and, on twins, the XML form)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const res = await s.post('/v1/message/new').send({
      messageFormat: 'json',
      messageEncoding: 'utf-8',
      configCorrelationId: id,
      interchangeId: 'new-ic-1',
      senderId: 'shop',
      receiverId: null,
      recieverId: 'erp',
      documentType: 'Order',
      messageBody: b64('{"orderId":"SO-10042"}'),
      fileName: 'myfile',
    });
    expectOperation(res, 'send_message_new_v1', 200);
    if (twin) {
      expect(res.headers['x-interchange-id']).toBe('new-ic-1');
      const xml = `<MessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ConfigCorrelationId>${id}</ConfigCorrelationId><FileName i:nil="true"/><MessageBody>${b64('<a>xml form</a>')}</MessageBody><MessageEncoding>ASCII</MessageEncoding></MessageBodyRequest>`;
      expectOperation(await s.post('/api/v1/message/new').set('content-type', 'text/xml').send(xml), 'send_message_new_v1', 200);
    }
    if (admin) {
      const messages = await portal(target, s).messages({ integrationId: id });
      expect(messages.map((m) => [m.channel, m.apiVersion, m.body, m.fileName, m.messageEncoding])).toEqual([
        ['message', 'v1', '<a>xml form</a>', null, 'ASCII'],
        ['message', 'v1', '{"orderId":"SO-10042"}', 'myfile', 'utf-8'],
      ]);
      expect(messages[1]).toMatchObject({ interchangeId: 'new-ic-1', auth: 'bearer', contentType: null });
    }
  });

  it('refuses a body without configCorrelationId or messageBody, or not base64 (400), and an unknown integration (404)', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    expectProblem(await s.post('/v1/message/new').send({ messageBody: b64('x') }), 'send_message_new_v1', 400);
    expectProblem(await s.post('/v1/message/new').send({ configCorrelationId: id }), 'send_message_new_v1', 400);
    expectProblem(await s.post('/v1/message/new').send({ configCorrelationId: id, messageBody: 'not base64!' }), 'send_message_new_v1', 400);
    expectProblem(await s.post('/v1/message/new').send({ configCorrelationId: NO_SUCH_ID, messageBody: b64('x') }), 'send_message_new_v1', 404);
    if (twin) {
      const missing = await s.post('/v1/message/new').send({ messageBody: b64('x') });
      expect(missing.body.errors).toEqual({ ConfigCorrelationId: ['The ConfigCorrelationId field is required.'] });
      for (const xml of ['<MessageBodyRequest><MessageBody>', `<ArrayOfMessageBodyRequest><MessageBodyRequest><ConfigCorrelationId>${id}</ConfigCorrelationId><MessageBody>e30=</MessageBody></MessageBodyRequest></ArrayOfMessageBodyRequest>`, `<MessageBodyRequest><ConfigCorrelationId>${id}</ConfigCorrelationId></MessageBodyRequest>`]) {
        expectProblem(await s.post('/v1/message/new').set('content-type', 'application/xml').send(xml), 'send_message_new_v1', 400);
      }
    }
    if (admin) expect(await portal(target, s).messages({ integrationId: id })).toEqual([]);
  });

  it.runIf(admin)('hides another subscription\'s integration (404); answers a synchronous one with the array', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const sync = await createIntegration(s, { synchronous: true });
    const otherKey = await portal(target, s).createKey(['Messaging'], { subscriptionId: s.otherSubscriptionId });
    const hidden = await s.raw.post('/v1/message/new').set('connxio-api-key', otherKey.key).set('authorization', `Bearer ${s.bearer}`).send({ configCorrelationId: id, messageBody: b64('x') });
    expectProblem(hidden, 'send_message_new_v1', 404);
    expect(await portal(target, s).messages()).toEqual([]);
    const res = await s.post('/v1/message/new').send({ configCorrelationId: sync, messageBody: b64('{"s":1}'), interchangeId: 'new-sync' });
    expectOperation(res, 'send_message_new_v1', 200);
    expect(res.body[0].synchronousMessageResponses[0].metaData).toMatchObject({ interchangeId: 'new-sync', configCorrelatioId: sync });
  });

  it.runIf(admin)('without a key: delivered (with a bearer of the company) only to a useApiKey: false integration', async () => {
    const s = await connxioSession(target);
    const legacy = await createIntegration(s);
    const current = await createIntegration(s);
    const p = portal(target, s);
    expectOperation(await p.setUseApiKey(legacy, false), 'admin_connxio_integration_use_api_key_set', 200);
    const bearer = `Bearer ${s.bearer}`;
    const keyless = await s.raw.post('/v1/message/new').set('authorization', bearer).send({ configCorrelationId: legacy, messageBody: b64('legacy') });
    expectOperation(keyless, 'send_message_new_v1', 200);
    for (const body of [{ configCorrelationId: current, messageBody: b64('needs a key') }, { configCorrelationId: NO_SUCH_ID, messageBody: b64('unknown') }]) {
      const refused = await s.raw.post('/v1/message/new').set('authorization', bearer).send(body);
      expectProblem(refused, 'send_message_new_v1', 401);
      expect(refused.headers['www-authenticate']).toBe('ApiKey');
    }
    const stranger = await connxioSession(target);
    expectProblem(await s.raw.post('/v1/message/new').set('authorization', `Bearer ${stranger.bearer}`).send({ configCorrelationId: legacy, messageBody: b64('x') }), 'send_message_new_v1', 401);
    expectProblem(await s.raw.post('/v1/message/new').send({ configCorrelationId: legacy, messageBody: b64('x') }), 'send_message_new_v1', 401);
    expect((await p.messages()).map((m) => [m.integrationId, m.auth, m.keyId, m.subscriptionId, m.body])).toEqual([[legacy, 'keyless', null, s.subscriptionId, 'legacy']]);
  });
});

describe.runIf(writes)('send_message_new_batch_v1', () => {
  it('delivers every item to its own integration, in request order; X-Interchange-Id lists them all', async () => {
    const s = await connxioSession(target);
    const a = await createIntegration(s);
    const b = await createIntegration(s);
    const res = await s.post('/v1/message/new/batch').send({
      messageBodyRequests: [
        { configCorrelationId: a, messageBody: b64('first'), interchangeId: 'nb-1', fileName: 'one.txt' },
        { configCorrelationId: b, messageBody: b64('second'), messageEncoding: 'ASCII' },
        { configCorrelationId: a, messageBody: b64('third'), interchangeId: 'nb-3' },
      ],
      colour: 'ignored',
    });
    expectOperation(res, 'send_message_new_batch_v1', 200);
    if (twin) {
      const ids = (res.headers['x-interchange-id'] as string).split(', ');
      expect(ids[0]).toBe('nb-1');
      expect(ids[1]).toMatch(UUID);
      expect(ids[2]).toBe('nb-3');
    }
    if (admin) {
      const messages = await portal(target, s).messages();
      expect(messages.map((m) => [m.integrationId, m.body, m.channel, m.apiVersion])).toEqual([
        [a, 'third', 'batch', 'v1'],
        [b, 'second', 'batch', 'v1'],
        [a, 'first', 'batch', 'v1'],
      ]);
    }
  });

  it.runIf(twin)('takes the XML form (ArrayOfMessageBodyRequest > MessageBodyRequests > MessageBodyRequest, ConfigCorrelationId per item)', async () => {
    const s = await connxioSession(target);
    const a = await createIntegration(s);
    const b = await createIntegration(s);
    const xml = `<ArrayOfMessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><MessageBodyRequests>
  <MessageBodyRequest><ConfigCorrelationId>${a}</ConfigCorrelationId><InterchangeId i:nil="true"/><MessageBody>${b64('to a')}</MessageBody><SenderId>shop</SenderId></MessageBodyRequest>
  <MessageBodyRequest><ConfigCorrelationId>${b}</ConfigCorrelationId><MessageBody>${b64('to b')}</MessageBody><FileName>b.txt</FileName></MessageBodyRequest>
</MessageBodyRequests></ArrayOfMessageBodyRequest>`;
    expectOperation(await s.post('/api/v1/message/new/batch').set('content-type', 'application/xml').send(xml), 'send_message_new_batch_v1', 200);
    if (admin) {
      expect((await portal(target, s).messages()).map((m) => [m.integrationId, m.body, m.fileName])).toEqual([
        [b, 'to b', 'b.txt'],
        [a, 'to a', null],
      ]);
    }
  });

  it.runIf(twin)('is all or nothing: one item for another subscription (404), a disabled or synchronous integration (400) or an invalid item (400) delivers none', async () => {
    const s = await connxioSession(target);
    const good = await createIntegration(s);
    const disabled = await createIntegration(s, { enabled: false });
    const sync = await createIntegration(s, { synchronous: true });
    const item = (configCorrelationId: string, text = 'x') => ({ configCorrelationId, messageBody: b64(text) });
    const batch = (...messageBodyRequests: unknown[]) => ({ messageBodyRequests });
    expectProblem(await s.post('/v1/message/new/batch').send(batch(item(good), item(NO_SUCH_ID))), 'send_message_new_batch_v1', 404);
    const off = await s.post('/v1/message/new/batch').send(batch(item(good), item(disabled)));
    expectProblem(off, 'send_message_new_batch_v1', 400);
    expect(off.body.detail).toMatch(/disabled/);
    const synchronous = await s.post('/v1/message/new/batch').send(batch(item(good), item(sync)));
    expectProblem(synchronous, 'send_message_new_batch_v1', 400);
    expect(synchronous.body.detail).toMatch(/synchronous/);
    const invalid = await s.post('/v1/message/new/batch').send(batch(item(good), { messageBody: b64('no target') }));
    expectProblem(invalid, 'send_message_new_batch_v1', 400);
    expect(invalid.body.errors).toEqual({ 'MessageBodyRequests[1].ConfigCorrelationId': ['The ConfigCorrelationId field is required.'] });
    for (const empty of [batch(), { messageBodyRequests: null }, {}]) {
      const res = await s.post('/v1/message/new/batch').send(empty);
      expectProblem(res, 'send_message_new_batch_v1', 400);
      if (twin) expect(res.body.detail, JSON.stringify(empty)).toMatch(/no messages/);
    }
    expectProblem(await s.post('/v1/message/new/batch').set('content-type', 'application/xml').send('<ArrayOfMessageBodyRequest><MessageBodyRequests><Oops/></MessageBodyRequests></ArrayOfMessageBodyRequest>'), 'send_message_new_batch_v1', 400);
    if (admin) {
      const otherKey = await portal(target, s).createKey(['Messaging'], { subscriptionId: s.otherSubscriptionId });
      const hidden = await s.raw.post('/v1/message/new/batch').set('connxio-api-key', otherKey.key).set('authorization', `Bearer ${s.bearer}`).send(batch(item(good)));
      expectProblem(hidden, 'send_message_new_batch_v1', 404);
      expect(await portal(target, s).messages()).toEqual([]);
    }
  });

  it('refuses a bare JSON array as ASP.NET does a body it cannot bind (400 at $), and checks each item at MessageBodyRequests[i]; nothing delivered', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const bare = await s.post('/v1/message/new/batch').send([{ configCorrelationId: id, messageBody: b64('bare') }]);
    expectProblem(bare, 'send_message_new_batch_v1', 400);
    expect(Object.keys(bare.body.errors)).toContain('$');
    if (twin) expect(bare.body.errors).toEqual({ $: ['The JSON value could not be converted to System.Object. Path: $ | LineNumber: 0 | BytePositionInLine: 0.'] });
    const items = await s.post('/v1/message/new/batch').send({ messageBodyRequests: [{ configCorrelationId: id, messageBody: b64('fine') }, { configCorrelationId: id }, { messageBody: b64('no target') }] });
    expectProblem(items, 'send_message_new_batch_v1', 400);
    expect(items.body.errors).toEqual({ 'MessageBodyRequests[1].MessageBody': ['The MessageBody field is required.'] });
    const unconvertible = await s.post('/v1/message/new/batch').send({ messageBodyRequests: [{ configCorrelationId: id, messageBody: b64('fine') }, { configCorrelationId: id, messageBody: b64('fine'), fileName: 7 }] });
    expectProblem(unconvertible, 'send_message_new_batch_v1', 400);
    expect(Object.keys(unconvertible.body.errors)).toEqual(['$.messageBodyRequests[1].fileName']);
    const xmlItems = await s
      .post('/v1/message/new/batch')
      .set('content-type', 'text/xml')
      .send(`<ArrayOfMessageBodyRequest><MessageBodyRequests><MessageBodyRequest><ConfigCorrelationId>${id}</ConfigCorrelationId><MessageBody>${b64('ok')}</MessageBody></MessageBodyRequest><MessageBodyRequest><ConfigCorrelationId>${id}</ConfigCorrelationId><MessageBody>not base64!</MessageBody></MessageBodyRequest></MessageBodyRequests></ArrayOfMessageBodyRequest>`);
    expectProblem(xmlItems, 'send_message_new_batch_v1', 400);
    expect(Object.keys(xmlItems.body.errors)).toEqual(['MessageBodyRequests[1].MessageBody']);
    // the v2/v3 XML form (items straight under the root) names no messageBodyRequests: an empty batch
    const v2Form = await s.post('/v1/message/new/batch').set('content-type', 'application/xml').send(`<ArrayOfMessageBodyRequest><MessageBodyRequest><ConfigCorrelationId>${id}</ConfigCorrelationId><MessageBody>${b64('x')}</MessageBody></MessageBodyRequest></ArrayOfMessageBodyRequest>`);
    expectProblem(v2Form, 'send_message_new_batch_v1', 400);
    if (admin) expect(await portal(target, s).messages({ integrationId: id })).toEqual([]);
  });
});

describe.runIf(writes)('v1 MessageBodyRequests as application/*+xml', () => {
  it.runIf(twin)('takes the XML form of every v1 message body as any application/*+xml (with x-api-version); a malformed one is ASP.NET\'s 400 and delivers nothing', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s);
    const item = (text: string, target = true) => `<MessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${target ? `<ConfigCorrelationId>${id}</ConfigCorrelationId>` : ''}<FileName i:nil="true"/><MessageBody>${b64(text)}</MessageBody></MessageBodyRequest>`;
    const list = (...items: string[]) => `<ArrayOfMessageBodyRequest><MessageBodyRequests>${items.join('')}</MessageBodyRequests></ArrayOfMessageBodyRequest>`;
    const acme = 'application/vnd.acme+xml; x-api-version=1.0';
    const refused: Array<[string, string, string]> = [
      ['send_message_v1', `/v1/message?ConfigCorrelationId=${id}`, item('unclosed', false).replace('</MessageBodyRequest>', '')],
      ['send_message_v1', `/v1/message?ConfigCorrelationId=${id}`, list(item('a batch where one message belongs'))],
      ['send_message_new_v1', '/v1/message/new', `<!DOCTYPE MessageBodyRequest [<!ENTITY x "y">]>${item('dtd')}`],
      ['send_message_new_v1', '/v1/message/new', item('twice').replace('<FileName i:nil="true"/>', '<FileName>a</FileName><FileName>b</FileName>')],
      ['send_message_new_batch_v1', '/v1/message/new/batch', list(item('unclosed list')).replace('</MessageBodyRequests>', '')],
      ['send_message_new_batch_v1', '/v1/message/new/batch', list(item('one'), '<Oops/>')],
    ];
    for (const [op, path, body] of refused) {
      const res = await s.post(path).set('content-type', acme).send(body);
      expectProblem(res, op, 400);
      expect(res.body.errors, body).toEqual({ '': ['An error occurred while deserializing input data.'] });
    }
    if (admin) expect(await portal(target, s).messages({ integrationId: id })).toEqual([]);
    expectOperation(await s.post('/v1/message').query({ ConfigCorrelationId: id }).set('content-type', acme).send(item('v1', false)), 'send_message_v1', 200);
    expectOperation(await s.post('/api/v1/message/new').set('content-type', 'application/soap+xml').send(item('v1 new')), 'send_message_new_v1', 200);
    expectOperation(await s.post('/v1/message/new/batch').set('content-type', acme).send(list(item('v1 batch 1'), item('v1 batch 2'))), 'send_message_new_batch_v1', 200);
    if (admin) {
      const messages = await portal(target, s).messages({ integrationId: id });
      expect(messages.map((m) => [m.channel, m.apiVersion, m.body, m.fileName])).toEqual([
        ['batch', 'v1', 'v1 batch 2', null],
        ['batch', 'v1', 'v1 batch 1', null],
        ['message', 'v1', 'v1 new', null],
        ['message', 'v1', 'v1', null],
      ]);
    }
  });
});

describe.runIf(writes)('send_eventgrid_message_v1', () => {
  it.runIf(admin)('delivers Event Grid events to the ConfigCorrelationId integration, key and webhook mode in the query', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { adapterType: 'EventGrid' });
    const webhook = await portal(target, s).createKey(['Webhook']);
    const events = [eventGridEvent('/blobServices/default/containers/orders/blobs/a.json'), eventGridEvent('/blobServices/default/containers/orders/blobs/b.json')];
    const res = await s.raw.post('/api/v1/eventgrid').query({ ConfigCorrelationId: id, 'Connxio-Api-Key': webhook.key, 'Connxio-Api-Webhook': 'true', FileName: 'blob.json' }).send(events);
    expectOperation(res, 'send_eventgrid_message_v1', 200);
    const messages = await portal(target, s).messages({ integrationId: id });
    expect(messages.map((m) => [JSON.parse(m.body as string).subject, m.channel, m.apiVersion, m.auth, m.fileName])).toEqual([
      [events[1]!.subject, 'eventgrid', 'v1', 'webhook', 'blob.json'],
      [events[0]!.subject, 'eventgrid', 'v1', 'webhook', 'blob.json'],
    ]);
    expect((res.headers['x-interchange-id'] as string).split(', ')).toEqual(messages.map((m) => m.interchangeId).reverse());
  });

  it('answers with a bearer too; 400 without ConfigCorrelationId, 404 for an unknown integration, 400 (twin) for an Api-triggered one', async () => {
    const s = await connxioSession(target);
    const id = await createIntegration(s, { adapterType: 'EventGrid' });
    expectOperation(await s.post('/v1/eventgrid').query({ ConfigCorrelationId: id }).send([eventGridEvent()]), 'send_eventgrid_message_v1', 200);
    const missing = await s.post('/v1/eventgrid').send([eventGridEvent()]);
    expectProblem(missing, 'send_eventgrid_message_v1', 400);
    if (twin) expect(missing.body.errors).toEqual({ ConfigCorrelationId: ['The ConfigCorrelationId field is required.'] });
    expectProblem(await s.post('/v1/eventgrid').query({ ConfigCorrelationId: '' }).send([eventGridEvent()]), 'send_eventgrid_message_v1', 400);
    expectProblem(await s.post('/v1/eventgrid').query({ ConfigCorrelationId: NO_SUCH_ID }).send([eventGridEvent()]), 'send_eventgrid_message_v1', 404);
    if (twin) {
      const api = await createIntegration(s);
      const wrong = await s.post('/v1/eventgrid').query({ ConfigCorrelationId: api }).send([eventGridEvent()]);
      expectProblem(wrong, 'send_eventgrid_message_v1', 400);
      expect(wrong.body.detail).toMatch(/not EventGrid/);
      expectProblem(await s.post('/v1/eventgrid').query({ ConfigCorrelationId: id }).send({ id: 'not-an-array' }), 'send_eventgrid_message_v1', 400);
    }
    if (admin) expect(await portal(target, s).messages({ integrationId: id })).toHaveLength(1);
  });
});
