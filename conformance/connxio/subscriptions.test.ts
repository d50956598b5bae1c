import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { withClockAdvanced } from '../support/control.ts';
import { connxioReadOnly } from '../support/read-only.ts';
import { currentSubscriptionId } from '../support/connxio-management.ts';

const target = await useTarget();

describe('list_subscriptions', () => {
  it('lists every subscription of the key\'s company, under /v2 and /api/v2', async () => {
    const s = await connxioSession(target);
    for (const path of ['/v2/subscriptions', '/api/v2/subscriptions']) {
      const res = await s.get(path);
      expectOperation(res, 'list_subscriptions', 200);
      expect(res.body.length).toBeGreaterThanOrEqual(1);
      for (const sub of res.body) expect(typeof sub.companyId).toBe('string');
      if (s.subscriptionId) expect(res.body.map((x: { id: string }) => x.id)).toContain(s.subscriptionId);
      if (s.otherSubscriptionId) expect(res.body.map((x: { id: string }) => x.id)).toContain(s.otherSubscriptionId);
    }
  });

  it('accepts the version media type and the key as a query parameter', async () => {
    const s = await connxioSession(target);
    const res = await s.raw
      .get('/v2/subscriptions')
      .query({ 'Connxio-Api-Key': s.apiKey })
      .set('authorization', `Bearer ${s.bearer}`)
      .set('accept', 'application/json; x-api-version=2.0');
    expectOperation(res, 'list_subscriptions', 200);
  });

  it('answers 401 with WWW-Authenticate: ApiKey without a key or with an unknown one', async () => {
    const s = await connxioSession(target);
    const none = await s.raw.get('/v2/subscriptions').set('authorization', `Bearer ${s.bearer}`);
    expectProblem(none, 'list_subscriptions', 401);
    expect(none.headers['www-authenticate']).toBe('ApiKey');
    const unknown = await s.raw.get('/v2/subscriptions').set('connxio-api-key', Buffer.alloc(32, 7).toString('base64')).set('authorization', `Bearer ${s.bearer}`);
    expectProblem(unknown, 'list_subscriptions', 401);
  });

  it('answers 401 with WWW-Authenticate: Bearer without a bearer or with a bad one', async () => {
    const s = await connxioSession(target);
    const none = await s.raw.get('/v2/subscriptions').set('connxio-api-key', s.apiKey);
    expectProblem(none, 'list_subscriptions', 401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const bad = await s.raw.get('/v2/subscriptions').set('connxio-api-key', s.apiKey).set('authorization', 'Bearer forged');
    expectProblem(bad, 'list_subscriptions', 401);
  });
});

describe('get_current_subscription', () => {
  it('returns the subscription the key belongs to', async () => {
    const s = await connxioSession(target);
    const res = await s.get('/v2/subscriptions/current');
    expectOperation(res, 'get_current_subscription', 200);
    if (s.subscriptionId) expect(res.body.id).toBe(s.subscriptionId);
    expect(res.body.active).toBe(true);
  });
});

describe('oauth_token', () => {
  it('issues a bearer for valid client credentials', async () => {
    const s = await connxioSession(target);
    const res = await target.connxio
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: s.oauth!.clientId, client_secret: s.oauth!.clientSecret, scope: 'api://connxio/.default' });
    expectOperation(res, 'oauth_token', 200);
    expect(res.body.token_type).toBe('Bearer');
    expect(res.body.expires_in).toBe(3600);
  });

  it('answers 401 invalid_client for a wrong secret and 400 for another grant type', async () => {
    const s = await connxioSession(target);
    const wrong = await target.connxio.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: s.oauth!.clientId, client_secret: 'wrong' });
    expectProblem(wrong, 'oauth_token', 401);
    expect(wrong.body.error).toBe('invalid_client');
    const grant = await target.connxio.post('/oauth/token').type('form').send({ grant_type: 'password', client_id: s.oauth!.clientId, client_secret: s.oauth!.clientSecret });
    expectProblem(grant, 'oauth_token', 400);
    expect(grant.body.error).toBe('unsupported_grant_type');
    const none = await target.connxio.post('/oauth/token').type('form').send({ client_id: s.oauth!.clientId, client_secret: s.oauth!.clientSecret });
    expectProblem(none, 'oauth_token', 400);
    expect(none.body.error).toBe('invalid_request');
  });

  it('accepts client authentication with HTTP Basic (RFC 6749 §2.3.1), and refuses two methods at once', async () => {
    const s = await connxioSession(target);
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const res = await target.connxio.post('/oauth/token').type('form').set('authorization', basic(s.oauth!.clientId, s.oauth!.clientSecret)).send({ grant_type: 'client_credentials', scope: 'api://connxio/.default' });
    expectOperation(res, 'oauth_token', 200);
    const use = await target.connxio.get('/v2/subscriptions').set('connxio-api-key', s.apiKey).set('authorization', `Bearer ${res.body.access_token}`);
    expectOperation(use, 'list_subscriptions', 200);
    const wrong = await target.connxio.post('/oauth/token').type('form').set('authorization', basic(s.oauth!.clientId, 'wrong')).send({ grant_type: 'client_credentials' });
    expectProblem(wrong, 'oauth_token', 401);
    expect(wrong.body.error).toBe('invalid_client');
    if (target.kind !== 'live') expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const twice = await target.connxio
      .post('/oauth/token')
      .type('form')
      .set('authorization', basic(s.oauth!.clientId, s.oauth!.clientSecret))
      .send({ grant_type: 'client_credentials', client_id: s.oauth!.clientId, client_secret: s.oauth!.clientSecret });
    expectProblem(twice, 'oauth_token', 400);
    expect(twice.body.error).toBe('invalid_request');
  });

  it.runIf(target.capabilities.admin)('a bearer stops working once the clock passes its expiry', async () => {
    const s = await connxioSession(target);
    expectOperation(await s.get('/v2/subscriptions'), 'list_subscriptions', 200);
    await withClockAdvanced(target, '61m', async () => {
      const expired = await s.get('/v2/subscriptions');
      expectProblem(expired, 'list_subscriptions', 401);
      expect(expired.body.detail).toMatch(/expired/);
    });
  });
});

// Read-only: the family's lists and gets on the demo tenant, GETs only, so they run on every target
// (a live one without --allow-writes included). An empty list live skips the read, saying why.
const ro = connxioReadOnly(target);

describe('list_subscriptions', () => {
  it("lists the company's subscriptions, the key's among them", async () => {
    const s = await ro.session();
    const res = await s.get('/v2/subscriptions');
    expectOperation(res, 'list_subscriptions', 200);
    expect(ro.listOf(res).map((x) => x.id)).toContain(await currentSubscriptionId(s));
    if (ro.twin) expect(ro.listOf(res)).toHaveLength(2);
  });
});

describe('get_current_subscription', () => {
  it("reads the key's subscription, the same as its entry in the list", async () => {
    const s = await ro.session();
    const res = await s.get('/v2/subscriptions/current');
    expectOperation(res, 'get_current_subscription', 200);
    if (s.subscriptionId) expect(res.body.id).toBe(s.subscriptionId);
    const list = await s.get('/v2/subscriptions');
    expectOperation(list, 'list_subscriptions', 200);
    expect(ro.listOf(list).find((x) => x.id === res.body.id)).toEqual(res.body);
  });
});
