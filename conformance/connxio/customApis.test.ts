import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { createIntegration, portal, UUID } from '../support/connxio-portal.ts';

/**
 * Custom APIs (contract §4, DECISIONS "custom APIs"): managed through the control API (the vendor
 * offers them only in its portal), served by the Custom API listener. Every call is checked where
 * it lands: the message journal shows which integration got it. Twin only.
 */

const target = await useTarget();
const admin = target.admin;

function call(s: ConnxioSession, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, key: string, auth: 'bearer' | 'webhook' | 'none' = 'bearer') {
  let t = target.custom[method](path).set('connxio-api-key', key);
  if (auth === 'bearer') t = t.set('authorization', `Bearer ${s.bearer}`);
  if (auth === 'webhook') t = t.set('connxio-api-webhook', 'true');
  return t;
}

const opFor = (method: string) => `custom_api_${method.toLowerCase()}`;

describe.runIf(target.capabilities.admin)('Connxio Custom APIs', () => {
  it('POST /orders and PUT /orders reach two integrations; unknown path 404; DELETE 405 with Allow; a disabled key 401', async () => {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const createOrder = await createIntegration(s, { transactionType: 'CreateOrder' });
    const updateOrder = await createIntegration(s, { transactionType: 'UpdateOrder' });
    const api = await p.createCustomApi({
      title: 'Orders',
      summary: 'Order intake',
      routes: [
        { method: 'POST', path: '/orders', integrationId: createOrder },
        { method: 'PUT', path: '/orders', integrationId: updateOrder },
      ],
    });

    const posted = await call(s, 'post', '/orders', api.key).set('cx-channel', 'webshop').send({ orderId: 'SO-1' });
    expectOperation(posted, 'custom_api_post', 200);
    expect(posted.headers['x-interchange-id']).toMatch(UUID);
    const put = await call(s, 'put', '/orders', api.key).send({ orderId: 'SO-1', status: 'shipped' });
    expectOperation(put, 'custom_api_put', 200);

    const [toUpdate] = await p.messages({ integrationId: updateOrder });
    const [toCreate] = await p.messages({ integrationId: createOrder });
    expect(toCreate).toMatchObject({ channel: 'custom-api', interchangeId: posted.headers['x-interchange-id'], preDefinedUserProperties: { 'cx-channel': 'webshop' } });
    expect(toCreate!.customApi).toMatchObject({ id: api.id, method: 'POST', route: '/orders', path: '/orders' });
    expect(JSON.parse(toCreate!.body as string)).toEqual({ orderId: 'SO-1' });
    expect(toUpdate!.customApi).toMatchObject({ method: 'PUT', route: '/orders' });
    expect(JSON.parse(toUpdate!.body as string)).toEqual({ orderId: 'SO-1', status: 'shipped' });
    expect(await p.messages()).toHaveLength(2);

    const unknown = await call(s, 'post', '/invoices', api.key).send({});
    expectProblem(unknown, 'custom_api_post', 404);
    const wrongMethod = await call(s, 'delete', '/orders', api.key);
    expectProblem(wrongMethod, 'custom_api_delete', 405);
    expect(wrongMethod.headers.allow).toBe('POST, PUT');

    expectOperation(await p.customApiAction(api.id, 'key/disable'), 'admin_connxio_custom_apis_key_disable', 200);
    const disabled = await call(s, 'post', '/orders', api.key).send({ orderId: 'SO-2' });
    expectProblem(disabled, 'custom_api_post', 401);
    expect(disabled.headers['www-authenticate']).toBe('ApiKey');
    expect(await p.messages()).toHaveLength(2);
    const enabled = await p.customApiAction(api.id, 'key/enable');
    expectOperation(enabled, 'admin_connxio_custom_apis_key_enable', 200);
    expect(enabled.body.keyEnabled).toBe(true);
    expectOperation(await call(s, 'post', '/orders', api.key).send({ orderId: 'SO-3' }), 'custom_api_post', 200);
  });

  it('matches routes case-insensitively, ignoring a trailing slash, with {param} segments; literal segments win', async () => {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const byId = await createIntegration(s);
    const archive = await createIntegration(s);
    const api = await p.createCustomApi({
      routes: [
        { method: 'GET', path: '/Orders/{orderId}/lines/{line}', integrationId: byId },
        { method: 'GET', path: '/orders/archive/lines/{line}', integrationId: archive },
      ],
    });
    const res = await call(s, 'get', '/ORDERS/SO%2042/Lines/7/', api.key).query({ FileName: 'order.json', extra: 'yes' });
    expectOperation(res, 'custom_api_get', 200);
    const [message] = await p.messages({ integrationId: byId });
    expect(message!.customApi).toMatchObject({ route: '/Orders/{orderId}/lines/{line}', params: { orderId: 'SO 42', line: '7' }, query: { FileName: 'order.json', extra: 'yes' } });
    expect(message).toMatchObject({ fileName: 'order.json', body: '' });
    expectOperation(await call(s, 'get', '/orders/ARCHIVE/lines/1', api.key), 'custom_api_get', 200);
    expect(await p.messages({ integrationId: archive })).toHaveLength(1);
    expectProblem(await call(s, 'get', '/orders/SO-1/lines', api.key), 'custom_api_get', 404);
    expectProblem(await call(s, 'patch', '/orders/1/lines/2', api.key).send({}), 'custom_api_patch', 405);
  });

  it('HEAD goes through the same resolution: 401 without a valid key, 404 for an unknown path, else 405 with the route\'s own methods', async () => {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const integration = await createIntegration(s);
    const api = await p.createCustomApi({
      routes: [
        { method: 'GET', path: '/prices/{sku}', integrationId: integration },
        { method: 'POST', path: '/prices/{sku}', integrationId: integration },
        { method: 'PUT', path: '/stock', integrationId: integration },
      ],
    });
    const noKey = await target.custom.head('/zzz');
    expect(noKey.status).toBe(401);
    expect(noKey.headers['www-authenticate']).toBe('ApiKey');
    expect(noKey.headers.allow).toBeUndefined();
    expect((await target.custom.head('/prices/AX-1').set('connxio-api-key', Buffer.alloc(32, 9).toString('base64'))).status).toBe(401);
    const noBearer = await target.custom.head('/prices/AX-1').set('connxio-api-key', api.key);
    expect(noBearer.status).toBe(401);
    expect(noBearer.headers['www-authenticate']).toMatch(/^Bearer/);
    const unknown = await target.custom.head('/zzz').set('connxio-api-key', api.key).set('authorization', `Bearer ${s.bearer}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    const known = await target.custom.head('/PRICES/AX-1/').set('connxio-api-key', api.key).set('authorization', `Bearer ${s.bearer}`);
    expect(known.status).toBe(405);
    expect(known.headers.allow).toBe('GET, POST');
    expect(known.text ?? '').toBe('');
    const stock = await target.custom.head('/stock').set('connxio-api-key', api.key).set('authorization', `Bearer ${s.bearer}`);
    expect(stock.status).toBe(405);
    expect(stock.headers.allow).toBe('PUT');
    expect(await p.messages({ integrationId: integration })).toEqual([]);
  });

  it('dispatches any body as an opaque payload (any content type, or none) with the cx-* headers named as sent', async () => {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const integration = await createIntegration(s);
    const api = await p.createCustomApi({ routes: ['POST', 'PUT', 'PATCH'].map((method) => ({ method, path: '/drop', integrationId: integration })) });
    const csv = 'sku;qty\nAX-1;2\n';
    expectOperation(await call(s, 'post', '/drop', api.key).set('content-type', 'text/csv').set('CX-Batch', 'b-7').send(csv), 'custom_api_post', 200);
    expectOperation(await call(s, 'put', '/drop', api.key).set('content-type', 'application/json').send('{"not": json'), 'custom_api_put', 200);
    expectOperation(await call(s, 'patch', '/drop', api.key).unset('Content-Type').send(Buffer.from([0x00, 0xff, 0x10])), 'custom_api_patch', 200);
    const [patched, put, posted] = await p.messages({ integrationId: integration });
    expect(posted).toMatchObject({ contentType: 'text/csv', body: csv, preDefinedUserProperties: { 'CX-Batch': 'b-7' } });
    expect(put).toMatchObject({ contentType: 'application/json', body: '{"not": json' });
    expect(patched).toMatchObject({ contentType: null, bodyBase64: Buffer.from([0x00, 0xff, 0x10]).toString('base64') });
  });

  it('the key selects the API: two APIs with the same route reach their own integrations', async () => {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const test = await createIntegration(s);
    const prod = await createIntegration(s);
    const testApi = await p.createCustomApi({ routes: [{ method: 'POST', path: '/orders', integrationId: test }] });
    const prodApi = await p.createCustomApi({ routes: [{ method: 'POST', path: '/orders', integrationId: prod }] });
    expectOperation(await call(s, 'post', '/orders', prodApi.key).send({ env: 'prod' }), 'custom_api_post', 200);
    expectOperation(await call(s, 'post', '/orders', testApi.key).send({ env: 'test' }), 'custom_api_post', 200);
    expect((await p.messages({ integrationId: test })).map((m) => m.body)).toEqual(['{"env":"test"}']);
    expect((await p.messages({ integrationId: prod })).map((m) => m.body)).toEqual(['{"env":"prod"}']);
  });

  it('answers a synchronous target with the synchronous array, 400 for a disabled target and 404 once it is deleted', async () => {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const sync = await createIntegration(s, { synchronous: true });
    const api = await p.createCustomApi({ routes: [{ method: 'POST', path: '/quote', integrationId: sync }] });
    const res = await call(s, 'post', '/quote', api.key).query({ InterchangeId: 'quote-1' }).send({ sku: 'AX-1' });
    expectOperation(res, 'custom_api_post', 200);
    expect(res.body[0].synchronousMessageResponses[0].metaData).toMatchObject({ interchangeId: 'quote-1', configCorrelatioId: sync, useSynchronousCommunication: true });

    const stored = await s.get(`/v2/integrations/${sync}`);
    expectOperation(await s.put(`/v2/integrations/${sync}`).send({ ...stored.body, enabled: false }), 'update_integration', 200);
    const off = await call(s, 'post', '/quote', api.key).send({});
    expectProblem(off, 'custom_api_post', 400);
    expect(off.body.detail).toMatch(/disabled/);
    expectOperation(await s.delete(`/v2/integrations/${sync}`), 'delete_integration', 204);
    expectProblem(await call(s, 'post', '/quote', api.key).send({}), 'custom_api_post', 404);
  });

  it('auth: no key, an unknown key, a plain API key (401); no or a forged bearer (401 Bearer); webhook mode only when enabled', async () => {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const integration = await createIntegration(s);
    const api = await p.createCustomApi({ routes: [{ method: 'POST', path: '/orders', integrationId: integration }] });
    const noKey = await target.custom.post('/orders').set('authorization', `Bearer ${s.bearer}`).send({});
    expectProblem(noKey, 'custom_api_post', 401);
    expect(noKey.headers['www-authenticate']).toBe('ApiKey');
    expectProblem(await call(s, 'post', '/orders', Buffer.alloc(32, 9).toString('base64')).send({}), 'custom_api_post', 401);
    expectProblem(await call(s, 'post', '/orders', s.apiKey).send({}), 'custom_api_post', 401);
    const noBearer = await call(s, 'post', '/orders', api.key, 'none').send({});
    expectProblem(noBearer, 'custom_api_post', 401);
    expect(noBearer.headers['www-authenticate']).toMatch(/^Bearer/);
    expectProblem(await call(s, 'post', '/orders', api.key, 'none').set('authorization', 'Bearer forged').send({}), 'custom_api_post', 401);

    const webhookOff = await call(s, 'post', '/orders', api.key, 'webhook').send({});
    expectProblem(webhookOff, 'custom_api_post', 401);
    // with a bearer the header is ignored: an ordinary bearer call, its bearer checked
    expectOperation(await call(s, 'post', '/orders', api.key, 'webhook').set('authorization', `Bearer ${s.bearer}`).send({ via: 'bearer' }), 'custom_api_post', 200);
    expectProblem(await call(s, 'post', '/orders', api.key, 'webhook').set('authorization', 'Bearer forged').send({}), 'custom_api_post', 401);
    expect((await p.messages({ integrationId: integration })).map((m) => m.auth)).toEqual(['bearer']);
    expectOperation(await target.admin.delete('/__admin/connxio/messages').query({ integrationId: integration }), 'admin_connxio_messages_clear', 204);
    const on = await p.customApiAction(api.id, 'webhook-mode/enable');
    expectOperation(on, 'admin_connxio_custom_apis_webhook_enable', 200);
    expect(on.body.webhookMode).toBe(true);
    expectOperation(await call(s, 'post', '/orders', api.key, 'webhook').send({ via: 'webhook' }), 'custom_api_post', 200);
    expectOperation(await target.custom.post('/orders').query({ 'Connxio-Api-Key': api.key, 'Connxio-Api-Webhook': 'true' }).send({ via: 'query' }), 'custom_api_post', 200);
    const viaWebhook = await p.messages({ integrationId: integration });
    expect(viaWebhook.map((m) => m.auth)).toEqual(['webhook', 'webhook']);
    expect(JSON.stringify(viaWebhook)).not.toContain(api.key);
    expect(viaWebhook[0]!.customApi!.query).toMatchObject({ 'Connxio-Api-Key': '[redacted]', 'Connxio-Api-Webhook': 'true' });
    expectOperation(await p.customApiAction(api.id, 'webhook-mode/disable'), 'admin_connxio_custom_apis_webhook_disable', 200);
    expectProblem(await call(s, 'post', '/orders', api.key, 'webhook').send({}), 'custom_api_post', 401);

    // the custom API's key (Messaging.Dynamic) is no key for the Messaging API
    const onMain = await s.raw.post(`/v2/messages/${integration}`).set('connxio-api-key', api.key).set('authorization', `Bearer ${s.bearer}`).send({});
    expectProblem(onMain, 'send_message', 403);
  });

  describe('admin_connxio_custom_apis_create', () => {
    it('creates the API with a Messaging.Dynamic key, listed among the company\'s keys', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const integration = await createIntegration(s);
      const res = await admin.post(`${p.base}/custom-apis`).send({
        title: 'Orders',
        summary: 'Order intake',
        subscriptionId: s.subscriptionId,
        routes: [{ method: 'POST', path: '/orders/', integrationId: integration.toUpperCase() }],
      });
      expectOperation(res, 'admin_connxio_custom_apis_create', 201);
      expect(res.body).toMatchObject({ title: 'Orders', summary: 'Order intake', webhookMode: false, keyEnabled: true, keyScopes: ['Messaging.Dynamic'] });
      expect(res.body.routes).toEqual([{ method: 'POST', path: '/orders', integrationId: integration }]);
      expect(Buffer.from(res.body.key, 'base64')).toHaveLength(32);
      const key = (await admin.get(`${p.base}/api-keys/${res.body.keyId}`)).body;
      expect(key).toMatchObject({ customApiId: res.body.id, scopes: ['Messaging.Dynamic'], subscriptionId: s.subscriptionId });
    });

    it('accepts only Api-triggered integrations of its subscription and well-formed, unique routes (400, nothing stored)', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const api = await createIntegration(s);
      const eventGrid = await createIntegration(s, { adapterType: 'EventGrid' });
      const bad = [
        [{ method: 'POST', path: '/x', integrationId: eventGrid }],
        [{ method: 'POST', path: '/x', integrationId: '00000000-0000-4000-8000-000000000000' }],
        [{ method: 'TRACE', path: '/x', integrationId: api }],
        [{ method: 'POST', path: 'x', integrationId: api }],
        [{ method: 'POST', path: '/__admin/x', integrationId: api }],
        [
          { method: 'POST', path: '/orders/{id}', integrationId: api },
          { method: 'POST', path: '/Orders/{orderId}/', integrationId: api },
        ],
      ];
      for (const routes of bad) {
        expectProblem(await admin.post(`${p.base}/custom-apis`).send({ title: 't', subscriptionId: s.subscriptionId, routes }), 'admin_connxio_custom_apis_create', 400);
      }
      expectProblem(
        await admin.post(`${p.base}/custom-apis`).send({ title: 't', subscriptionId: s.otherSubscriptionId, routes: [{ method: 'POST', path: '/x', integrationId: api }] }),
        'admin_connxio_custom_apis_create',
        400,
      );
      expectProblem(await admin.post(`${p.base}/custom-apis`).send({ subscriptionId: s.subscriptionId, routes: [] }), 'admin_connxio_custom_apis_create', 400);
      const listed = await admin.get(`${p.base}/custom-apis`);
      expectOperation(listed, 'admin_connxio_custom_apis_list', 200);
      expect(listed.body.customApis).toEqual([]);
      expect((await admin.get(`${p.base}/api-keys`)).body.keys.filter((k: { customApiId?: string }) => k.customApiId)).toEqual([]);
    });
  });

  describe('admin_connxio_custom_apis_list / _get / _update / _delete', () => {
    it('lists and gets, replaces routes (the old route is gone), and deletes the API with its key', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const first = await createIntegration(s);
      const second = await createIntegration(s);
      const api = await p.createCustomApi({ title: 'v1', routes: [{ method: 'POST', path: '/orders', integrationId: first }] });
      const listed = await admin.get(`${p.base}/custom-apis`).query({ subscriptionId: s.subscriptionId });
      expectOperation(listed, 'admin_connxio_custom_apis_list', 200);
      expect(listed.body.customApis.map((a: { id: string }) => a.id)).toEqual([api.id]);
      expect(listed.text).not.toContain(api.key);
      const got = await admin.get(`${p.base}/custom-apis/${api.id}`);
      expectOperation(got, 'admin_connxio_custom_apis_get', 200);
      expect(got.body.title).toBe('v1');

      const updated = await admin.patch(`${p.base}/custom-apis/${api.id}`).send({ title: 'v2', routes: [{ method: 'POST', path: '/v2/orders', integrationId: second }] });
      expectOperation(updated, 'admin_connxio_custom_apis_update', 200);
      expect(updated.body).toMatchObject({ title: 'v2', summary: '', routes: [{ method: 'POST', path: '/v2/orders', integrationId: second }] });
      expectProblem(await call(s, 'post', '/orders', api.key).send({}), 'custom_api_post', 404);
      expectOperation(await call(s, 'post', '/v2/orders', api.key).send({}), 'custom_api_post', 200);
      expect(await p.messages({ integrationId: second })).toHaveLength(1);
      const eventGrid = await createIntegration(s, { adapterType: 'EventGrid' });
      expectProblem(await admin.patch(`${p.base}/custom-apis/${api.id}`).send({ routes: [{ method: 'POST', path: '/eg', integrationId: eventGrid }] }), 'admin_connxio_custom_apis_update', 400);
      expectProblem(await admin.patch(`${p.base}/custom-apis/${api.id}`).send({ subscriptionId: s.otherSubscriptionId }), 'admin_connxio_custom_apis_update', 400);
      expect((await admin.get(`${p.base}/custom-apis/${api.id}`)).body.routes).toEqual(updated.body.routes);
      // route methods in any letter case, stored upper case; still only the five methods
      const anyCase = await admin.patch(`${p.base}/custom-apis/${api.id}`).send({ routes: [{ method: 'post', path: '/v2/orders', integrationId: second }, { method: 'Put', path: '/v2/orders', integrationId: first }] });
      expectOperation(anyCase, 'admin_connxio_custom_apis_update', 200);
      expect(anyCase.body.routes.map((r: { method: string }) => r.method)).toEqual(['POST', 'PUT']);
      expectOperation(await call(s, 'put', '/v2/orders', api.key).send({}), 'custom_api_put', 200);
      expect(await p.messages({ integrationId: first })).toHaveLength(1);
      expectProblem(await admin.patch(`${p.base}/custom-apis/${api.id}`).send({ routes: [{ method: 'head', path: '/v2/orders', integrationId: second }] }), 'admin_connxio_custom_apis_update', 400);
      expect((await admin.get(`${p.base}/custom-apis/${api.id}`)).body.routes).toEqual(anyCase.body.routes);

      expectOperation(await admin.delete(`${p.base}/custom-apis/${api.id}`), 'admin_connxio_custom_apis_delete', 204);
      expectProblem(await call(s, 'post', '/v2/orders', api.key).send({}), 'custom_api_post', 401);
      expectProblem(await admin.get(`${p.base}/custom-apis/${api.id}`), 'admin_connxio_custom_apis_get', 404);
      expectProblem(await admin.get(`${p.base}/api-keys/${api.keyId}`), 'admin_connxio_api_keys_get', 404);
      expectProblem(await admin.delete(`${p.base}/custom-apis/${api.id}`), 'admin_connxio_custom_apis_delete', 404);
    });
  });

  describe('admin_connxio_custom_apis_key_regenerate', () => {
    it('returns a new key; the old one is refused (401) at once', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const integration = await createIntegration(s);
      const api = await p.createCustomApi({ routes: [{ method: 'POST', path: '/orders', integrationId: integration }] });
      const res = await p.customApiAction(api.id, 'key/regenerate');
      expectOperation(res, 'admin_connxio_custom_apis_key_regenerate', 200);
      expect(res.body.key).not.toBe(api.key);
      expect(res.body.keyId).toBe(api.keyId);
      expectProblem(await call(s, 'post', '/orders', api.key).send({}), 'custom_api_post', 401);
      expectOperation(await call(s, 'post', '/orders', res.body.key).send({}), 'custom_api_post', 200);
    });
  });

  describe('admin_connxio_custom_apis_openapi', () => {
    it('downloads the OpenAPI document: info from title and summary, one path per route, the main API\'s security', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const a = await createIntegration(s);
      const b = await createIntegration(s, { synchronous: true });
      const api = await p.createCustomApi({
        title: 'Orders',
        summary: 'Order intake',
        routes: [
          { method: 'POST', path: '/orders', integrationId: a },
          { method: 'PUT', path: '/orders', integrationId: b },
          { method: 'GET', path: '/orders/{orderId}', integrationId: a },
        ],
      });
      const res = await admin.get(`${p.base}/custom-apis/${api.id}/openapi`);
      expectOperation(res, 'admin_connxio_custom_apis_openapi', 200);
      const doc = res.body;
      expect(doc.openapi).toMatch(/^3\.0\./);
      expect(doc.info).toMatchObject({ title: 'Orders', description: 'Order intake' });
      expect(doc.servers).toEqual([{ url: 'https://custom.connxio.com' }]);
      expect(Object.keys(doc.paths).sort()).toEqual(['/orders', '/orders/{orderId}']);
      expect(Object.keys(doc.paths['/orders']).sort()).toEqual(['post', 'put']);
      expect(doc.paths['/orders/{orderId}'].get.parameters).toContainEqual({ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } });
      expect(doc.paths['/orders'].put.responses['200'].content['application/json']).toBeDefined();
      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['Bearer', 'Connxio-Api-Key', 'Connxio-Api-Key-Query', 'Connxio-Api-Webhook', 'Connxio-Api-Webhook-Query']);
      expect(doc.components.securitySchemes['Connxio-Api-Key-Query']).toMatchObject({ type: 'apiKey', in: 'query', name: 'Connxio-Api-Key' });
      expect(doc.security).toEqual([{ 'Connxio-Api-Key': [], Bearer: [] }, { 'Connxio-Api-Key-Query': [], Bearer: [] }]);
      // what the document says works does: the key as a query parameter
      expectOperation(await target.custom.post('/orders').query({ 'Connxio-Api-Key': api.key }).set('authorization', `Bearer ${s.bearer}`).send({}), 'custom_api_post', 200);
      expectOperation(await p.customApiAction(api.id, 'webhook-mode/enable'), 'admin_connxio_custom_apis_webhook_enable', 200);
      const withWebhook = await admin.get(`${p.base}/custom-apis/${api.id}/openapi`);
      expect(withWebhook.body.security).toContainEqual({ 'Connxio-Api-Key': [], 'Connxio-Api-Webhook': [] });
      expect(withWebhook.body.security).toContainEqual({ 'Connxio-Api-Key-Query': [], 'Connxio-Api-Webhook-Query': [] });
      expectOperation(await target.custom.post('/orders').query({ 'Connxio-Api-Key': api.key, 'Connxio-Api-Webhook': 'true' }).send({}), 'custom_api_post', 200);
      expectProblem(await admin.get(`${p.base}/custom-apis/nope/openapi`), 'admin_connxio_custom_apis_openapi', 404);
    });
  });
});
