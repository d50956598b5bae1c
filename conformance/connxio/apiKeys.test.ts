import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioBearer, connxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { createIntegration, portal } from '../support/connxio-portal.ts';

/**
 * API keys and OAuth clients, which the vendor manages only in its portal: the twin's control API
 * (`/__admin/connxio/companies/{companyId}/…`). Each scenario checks the effect on the Connxio API
 * itself, not only the control API's answer. Twin only.
 */

const target = await useTarget();
const admin = target.admin;

describe.runIf(target.capabilities.admin)('Connxio API keys (control API)', () => {
  describe('admin_connxio_api_keys_create', () => {
    it('creates an active key of one subscription; its value (shown once) works for its scopes only', async () => {
      const s = await connxioSession(target);
      const base = portal(target, s).base;
      const res = await admin.post(`${base}/api-keys`).send({ name: uniqueName('mgmt'), scopes: ['Management'], subscriptionId: s.otherSubscriptionId });
      expectOperation(res, 'admin_connxio_api_keys_create', 201);
      expect(res.body).toMatchObject({ active: true, scopes: ['Management'], subscriptionId: s.otherSubscriptionId });
      expect(Buffer.from(res.body.key, 'base64')).toHaveLength(32);
      expect(res.body.key_hint).toBe(res.body.key.slice(-4));

      const withKey = (key: string) => ({ 'connxio-api-key': key, authorization: `Bearer ${s.bearer}` });
      const current = await s.raw.get('/v2/subscriptions/current').set(withKey(res.body.key));
      expectOperation(current, 'get_current_subscription', 200);
      expect(current.body.id).toBe(s.otherSubscriptionId);
      const id = await createIntegration(s);
      const messaging = await s.raw.post(`/v2/messages/${id}`).set(withKey(res.body.key)).send({ a: 1 });
      expectProblem(messaging, 'send_message', 403);

      const listed = await admin.get(`${base}/api-keys`);
      expectOperation(listed, 'admin_connxio_api_keys_list', 200);
      expect(listed.body.keys.map((k: { id: string }) => k.id)).toContain(res.body.id);
      expect(listed.text).not.toContain(res.body.key);
      expect(listed.text).not.toContain(s.apiKey);
      const got = await admin.get(`${base}/api-keys/${res.body.id}`);
      expectOperation(got, 'admin_connxio_api_keys_get', 200);
      expect(got.body.key).toBeUndefined();
      const filtered = await admin.get(`${base}/api-keys`).query({ subscriptionId: s.otherSubscriptionId });
      expect(filtered.body.keys.map((k: { id: string }) => k.id)).toEqual([res.body.id]);
    });

    it('refuses no scope, an unknown scope, a subscription of another company (400) and an unknown company (404), storing nothing', async () => {
      const s = await connxioSession(target);
      const other = await connxioSession(target);
      const base = portal(target, s).base;
      const before = (await admin.get(`${base}/api-keys`)).body.keys.length;
      for (const body of [
        { name: 'x', scopes: [], subscriptionId: s.subscriptionId },
        { name: 'x', scopes: ['Admin'], subscriptionId: s.subscriptionId },
        { name: 'x', scopes: ['Messaging'], subscriptionId: other.subscriptionId },
        { name: '', scopes: ['Messaging'], subscriptionId: s.subscriptionId },
        { name: 'x', scopes: ['Messaging'] },
      ]) {
        expectProblem(await admin.post(`${base}/api-keys`).send(body), 'admin_connxio_api_keys_create', 400);
      }
      expect((await admin.get(`${base}/api-keys`)).body.keys).toHaveLength(before);
      expectProblem(
        await admin.post('/__admin/connxio/companies/00000000-0000-4000-8000-000000000000/api-keys').send({ name: 'x', scopes: ['Messaging'], subscriptionId: s.subscriptionId }),
        'admin_connxio_api_keys_create',
        404,
      );
      expectProblem(await admin.get(`${base}/api-keys/nope`), 'admin_connxio_api_keys_get', 404);
    });
  });

  describe('admin_connxio_api_keys_update', () => {
    it('edits name and scopes, and the new scopes apply at once', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const key = await p.createKey(['Management']);
      const call = () => s.raw.get('/v2/subscriptions').set('connxio-api-key', key.key).set('authorization', `Bearer ${s.bearer}`);
      expectOperation(await call(), 'list_subscriptions', 200);
      const res = await admin.patch(`${p.base}/api-keys/${key.id}`).send({ name: 'renamed', scopes: ['Messaging', 'Webhook'] });
      expectOperation(res, 'admin_connxio_api_keys_update', 200);
      expect(res.body).toMatchObject({ name: 'renamed', scopes: ['Messaging', 'Webhook'] });
      expectProblem(await call(), 'list_subscriptions', 403);
      expectProblem(await admin.patch(`${p.base}/api-keys/${key.id}`).send({ scopes: [] }), 'admin_connxio_api_keys_update', 400);
      expectProblem(await admin.patch(`${p.base}/api-keys/${key.id}`).send({}), 'admin_connxio_api_keys_update', 400);
      expectProblem(await admin.patch(`${p.base}/api-keys/${key.id}`).send({ subscriptionId: s.otherSubscriptionId }), 'admin_connxio_api_keys_update', 400);
      expect((await admin.get(`${p.base}/api-keys/${key.id}`)).body).toMatchObject({ name: 'renamed', scopes: ['Messaging', 'Webhook'], subscriptionId: s.subscriptionId });
    });
  });

  describe('admin_connxio_api_keys_activate / admin_connxio_api_keys_deactivate', () => {
    it('an inactive key is refused with 401 until it is activated again', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const key = await p.createKey(['Management']);
      const call = () => s.raw.get('/v2/subscriptions').set('connxio-api-key', key.key).set('authorization', `Bearer ${s.bearer}`);
      const off = await p.keyAction(key.id, 'deactivate');
      expectOperation(off, 'admin_connxio_api_keys_deactivate', 200);
      expect(off.body.active).toBe(false);
      const refused = await call();
      expectProblem(refused, 'list_subscriptions', 401);
      expect(refused.headers['www-authenticate']).toBe('ApiKey');
      expect(refused.body.detail).toMatch(/inactive/);
      const on = await p.keyAction(key.id, 'activate');
      expectOperation(on, 'admin_connxio_api_keys_activate', 200);
      expect(on.body.active).toBe(true);
      expectOperation(await call(), 'list_subscriptions', 200);
    });
  });

  describe('admin_connxio_api_keys_regenerate', () => {
    it('returns a new value; the old one is refused with 401 at once', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const key = await p.createKey(['Management']);
      const res = await p.keyAction(key.id, 'regenerate');
      expectOperation(res, 'admin_connxio_api_keys_regenerate', 200);
      expect(res.body.id).toBe(key.id);
      expect(res.body.key).not.toBe(key.key);
      const call = (value: string) => s.raw.get('/v2/subscriptions').set('connxio-api-key', value).set('authorization', `Bearer ${s.bearer}`);
      expectProblem(await call(key.key), 'list_subscriptions', 401);
      expectOperation(await call(res.body.key), 'list_subscriptions', 200);
    });
  });

  describe('admin_connxio_api_keys_delete', () => {
    it('deletes the key (401 afterwards); a custom API\'s key is left to its custom API (409)', async () => {
      const s = await connxioSession(target);
      const p = portal(target, s);
      const key = await p.createKey(['Management']);
      expectOperation(await admin.delete(`${p.base}/api-keys/${key.id}`), 'admin_connxio_api_keys_delete', 204);
      expectProblem(await s.raw.get('/v2/subscriptions').set('connxio-api-key', key.key).set('authorization', `Bearer ${s.bearer}`), 'list_subscriptions', 401);
      expectProblem(await admin.delete(`${p.base}/api-keys/${key.id}`), 'admin_connxio_api_keys_delete', 404);

      const integration = await createIntegration(s);
      const api = await p.createCustomApi({ routes: [{ method: 'POST', path: '/orders', integrationId: integration }] });
      expectProblem(await admin.delete(`${p.base}/api-keys/${api.keyId}`), 'admin_connxio_api_keys_delete', 409);
      expectProblem(await admin.patch(`${p.base}/api-keys/${api.keyId}`).send({ scopes: ['Messaging'] }), 'admin_connxio_api_keys_update', 409);
      expectProblem(await p.keyAction(api.keyId, 'deactivate'), 'admin_connxio_api_keys_deactivate', 409);
      const listed = await admin.get(`${p.base}/api-keys`);
      expect(listed.body.keys.find((k: { id: string }) => k.id === api.keyId)).toMatchObject({ customApiId: api.id, scopes: ['Messaging.Dynamic'], active: true });
    });
  });
});

describe.runIf(target.capabilities.admin)('Connxio OAuth clients (control API)', () => {
  it('admin_connxio_oauth_clients_create / _list / _delete: the secret is shown once, works at /oauth/token, and dies with the client', async () => {
    const s = await connxioSession(target);
    const base = portal(target, s).base;
    const created = await admin.post(`${base}/oauth-clients`).send({ name: uniqueName('client') });
    expectOperation(created, 'admin_connxio_oauth_clients_create', 201);
    expect(created.body.client_id).toBe(created.body.id);
    const bearer = await connxioBearer(target, created.body.client_id, created.body.client_secret);
    expectOperation(await s.raw.get('/v2/subscriptions').set('connxio-api-key', s.apiKey).set('authorization', `Bearer ${bearer}`), 'list_subscriptions', 200);

    const listed = await admin.get(`${base}/oauth-clients`);
    expectOperation(listed, 'admin_connxio_oauth_clients_list', 200);
    expect(listed.body.clients.map((c: { id: string }) => c.id)).toContain(created.body.id);
    expect(listed.text).not.toContain(created.body.client_secret);

    expectOperation(await admin.delete(`${base}/oauth-clients/${created.body.id}`), 'admin_connxio_oauth_clients_delete', 204);
    const token = await target.connxio
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: created.body.client_id, client_secret: created.body.client_secret });
    expectProblem(token, 'oauth_token', 401);
    const revoked = await s.raw.get('/v2/subscriptions').set('connxio-api-key', s.apiKey).set('authorization', `Bearer ${bearer}`);
    expectProblem(revoked, 'list_subscriptions', 401);
    expect(revoked.headers['www-authenticate']).toMatch(/^Bearer/);
    // the session's own client is untouched
    expectOperation(await s.get('/v2/subscriptions'), 'list_subscriptions', 200);
    expectProblem(await admin.delete(`${base}/oauth-clients/${created.body.id}`), 'admin_connxio_oauth_clients_delete', 404);
    expectProblem(await admin.post(`${base}/oauth-clients`).send({}), 'admin_connxio_oauth_clients_create', 400);
  });

  it('a bearer of another company is refused with a key of this one (401)', async () => {
    const s = await connxioSession(target);
    const other = await connxioSession(target);
    const res = await s.raw.get('/v2/subscriptions').set('connxio-api-key', s.apiKey).set('authorization', `Bearer ${other.bearer}`);
    expectProblem(res, 'list_subscriptions', 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});
