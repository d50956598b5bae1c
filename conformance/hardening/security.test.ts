import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession, synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { createIntegration, portal } from '../support/connxio-portal.ts';
import { uniqueName } from '../support/resources.ts';

/**
 * Security promises that show through the HTTP surface:
 * - CORS as the vendors do it: Connxio allows any origin on every response and answers preflights
 *   with the requested method and headers; Synqly (undocumented; the twin's choice) and the control
 *   API grant no cross-origin access, so a browser on another origin is refused there. OPTIONS on a
 *   known path answers 204 with Allow everywhere.
 * - secrets never leave in clear: the request journal redacts them, the store holds hashes only.
 */

const target = await useTarget();
const twin = target.kind !== 'live';
const admin = target.capabilities.admin;

describe('CORS', () => {
  it.runIf(twin)('Connxio: every response allows any origin; a preflight echoes the requested method and headers', async () => {
    const s = await connxioSession(target);
    const listed = await s.get('/v2/subscriptions').set('origin', 'https://app.example.com');
    expectOperation(listed, 'list_subscriptions', 200);
    expect(listed.headers['access-control-allow-origin']).toBe('*');
    const denied = await s.raw.get('/v2/subscriptions').set('origin', 'https://app.example.com');
    expectProblem(denied, 'list_subscriptions', 401);
    expect(denied.headers['access-control-allow-origin']).toBe('*');

    const preflight = await s.raw
      .options('/v2/integrations')
      .set('origin', 'https://app.example.com')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization, connxio-api-key, content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toBe('POST');
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization, connxio-api-key, content-type');
    expect(preflight.headers.allow).toBe('GET, POST, OPTIONS');
    expect(preflight.text ?? '').toBe('');

    // the /api prefix and the messaging endpoints too; unknown paths stay 404
    const messages = await s.raw.options('/api/v2/messages/abc').set('access-control-request-method', 'POST');
    expect(messages.status).toBe(204);
    expect(messages.headers['access-control-allow-origin']).toBe('*');
    expect((await s.raw.options('/v2/nothing-here')).status).toBe(404);
  });

  it.runIf(twin)('Connxio Custom APIs: the same policy on the custom listener', async () => {
    const res = await target.custom.options('/orders/1').set('origin', 'https://shop.example.com').set('access-control-request-method', 'PUT');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('PUT');
  });

  it.runIf(twin)('Synqly: no cross-origin grant on responses or preflights; OPTIONS answers Allow', async () => {
    const s = await synqlySession(target);
    const listed = await s.get('/v1/accounts').set('origin', 'https://evil.example.com');
    expectOperation(listed, 'accounts_list', 200);
    expect(listed.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await s.raw.options('/v1/accounts').set('origin', 'https://evil.example.com').set('access-control-request-method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.allow).toBe('GET, POST, OPTIONS');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  it.runIf(admin)('the control API grants no cross-origin access, on every listener', async () => {
    for (const client of [target.synqly, target.connxio, target.custom]) {
      const preflight = await client.options('/__admin/faults').set('origin', 'https://evil.example.com').set('access-control-request-method', 'DELETE');
      expect(preflight.status).toBe(204);
      expect(preflight.headers.allow).toBe('GET, POST, DELETE, OPTIONS');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const health = await client.get('/__admin/health').set('origin', 'https://evil.example.com');
      expect(health.headers['access-control-allow-origin']).toBeUndefined();
    }
    // and a "simple" cross-origin POST (text/plain, no preflight) cannot drive it
    const simple = await target.admin.post('/__admin/faults').set('content-type', 'text/plain').send('{"vendor":"synqly","action":{"type":"status","status":500}}');
    expect(simple.status).toBe(415);
    expect((await target.admin.get('/__admin/faults')).body.faults).toEqual([]);
  });
});

describe.runIf(admin)('secrets', () => {
  it('are redacted in the request journal: headers, query, request and response bodies', async () => {
    const sq = await synqlySession(target);
    const cx = await connxioSession(target);
    const issued: string[] = [sq.token, cx.apiKey, cx.bearer, cx.oauth!.clientSecret];

    const token = await sq.post('/v1/tokens').send({ name: uniqueName('tok'), resources: {}, permission_set: 'viewer' });
    expectOperation(token, 'tokens_create_token', 200);
    issued.push(token.body.result.primary.access.secret, token.body.result.primary.refresh.secret);
    const password = 'Correct-Horse-Battery-42';
    const member = await sq.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: password });
    expectOperation(member, 'members_create', 200);
    issued.push(password);
    const key = await portal(target, cx).createKey(['Management']);
    issued.push(key.key);
    // the key in the query string, as the vendor allows
    expectOperation(await cx.raw.get('/v2/subscriptions').query({ 'Connxio-Api-Key': key.key }).set('authorization', `Bearer ${cx.bearer}`), 'list_subscriptions', 200);
    const bearer = await cx.raw
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: cx.oauth!.clientId, client_secret: cx.oauth!.clientSecret, scope: 'api://connxio/.default' });
    expect(bearer.status).toBe(200);
    issued.push(bearer.body.access_token);

    const journal = await target.admin.get('/__admin/requests').query({ limit: 1000 });
    expectOperation(journal, 'admin_requests_list', 200);
    const text = JSON.stringify(journal.body);
    for (const secret of issued) expect(text.includes(secret), `a secret (${secret.slice(0, 4)}…) appears in the journal`).toBe(false);
    // and the entries are there, redacted rather than dropped
    const tokenCall = journal.body.requests.find((r: { operationId?: string }) => r.operationId === 'tokens_create_token');
    expect(tokenCall.responseBody.result.primary.access.secret).toBe('[redacted]');
    expect(tokenCall.requestHeaders.authorization).toBe('[redacted]');
    const queryCall = journal.body.requests.find((r: { query: Record<string, unknown> }) => 'Connxio-Api-Key' in r.query);
    expect(queryCall.query['Connxio-Api-Key']).toBe('[redacted]');
  });

  it('are stored only as hashes: the store holds none of the secrets it issued', async () => {
    const sq = await synqlySession(target);
    const cx = await connxioSession(target);
    const token = await sq.post('/v1/tokens').send({ name: uniqueName('tok'), resources: {}, permission_set: 'viewer' });
    expectOperation(token, 'tokens_create_token', 200);
    const password = 'Another-Long-Secret-77';
    expectOperation(await sq.post('/v1/members').send({ name: `${uniqueName('m')}@example.com`, secret: password }), 'members_create', 200);
    const key = await portal(target, cx).createKey(['Messaging']);
    const integrationId = await createIntegration(cx);
    const api = await portal(target, cx).createCustomApi({ routes: [{ method: 'POST', path: '/orders', integrationId }] });
    const snapshot = await target.admin.get('/__admin/snapshot');
    expectOperation(snapshot, 'admin_snapshot_export', 200);
    const stored = JSON.stringify(snapshot.body);
    const issued = [sq.token, token.body.result.primary.access.secret, token.body.result.primary.refresh.secret, password, cx.apiKey, cx.bearer, cx.oauth!.clientSecret, key.key, api.key];
    for (const secret of issued) expect(stored.includes(secret), `a secret (${secret.slice(0, 4)}…) is stored in clear`).toBe(false);
  });
});
