import type { Test } from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadSpec, specPath } from '../../mock/core/spec.ts';
import { useTarget } from '../target.ts';
import { connxioBearer, connxioSession, type ConnxioSession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { withClockAdvanced } from '../support/control.ts';
import { createIntegration, eventGridEvent, integrationBody, portal, UNKNOWN_KEY } from '../support/connxio-portal.ts';

/**
 * The auth matrix (DECISIONS "auth", "webhook mode", "custom APIs"): every Connxio endpoint ×
 * {no key, unknown key, inactive key, regenerated-away key, key without the scope, key of another
 * subscription, no bearer, expired bearer, webhook mode with and without the Webhook scope}.
 *   missing/unknown/inactive/regenerated key → 401 WWW-Authenticate: ApiKey
 *   missing/invalid/expired bearer          → 401 WWW-Authenticate: Bearer…
 *   key lacks the operation's scope          → 403
 *   resource of another subscription         → 404 (company-level resources stay visible)
 *   webhook mode: messaging with a Webhook-scoped key goes through; otherwise 401 (Bearer)
 *   the webhook header beside a bearer: an ordinary bearer call (header ignored, bearer and scope checked)
 * All ProblemDetails. Needs the control API (keys, clock).
 */

const target = await useTarget();
const connxioSpec = await loadSpec(specPath('connxio.yaml'));
const customSpec = await loadSpec(specPath('connxio-custom-api.yaml'));

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Probe {
  op: string;
  method: Method;
  path: string;
  body?: unknown;
  query?: Record<string, string>;
  /** what a key of the other subscription gets */
  otherSubscription: 'not-found' | 'allowed';
  messaging: boolean;
}

interface World {
  s: ConnxioSession;
  apiIntegration: string;
  eventGridIntegration: string;
  keys: {
    full: string; // Management + Messaging + Webhook, subscription 1
    management: string;
    messaging: string;
    webhook: string;
    other: string; // all three scopes, subscription 2
    inactive: string;
    regeneratedAway: string;
  };
}

const NO_SUCH_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';

function probes(w: World): Probe[] {
  const other = w.s.otherSubscriptionId!;
  const msg = (op: string, path: string, body: unknown, query?: Record<string, string>): Probe => ({ op, method: 'post', path, body, query, otherSubscription: 'not-found', messaging: true });
  const mgmt = (op: string, method: Method, path: string, otherSubscription: Probe['otherSubscription'], body?: unknown, query?: Record<string, string>): Probe => ({
    op,
    method,
    path,
    body,
    query,
    otherSubscription,
    messaging: false,
  });
  const api = w.apiIntegration;
  const eg = w.eventGridIntegration;
  const batch = [{ messageBody: Buffer.from('{"a":1}').toString('base64') }];
  const legacy = { configCorrelationId: api, messageBody: Buffer.from('{"a":1}').toString('base64') };
  // a key of the other subscription writes with its own subscription id, and reaches for subscription 1's integration
  const reachForIt = { ...integrationBody(other), configCorrelationId: api };
  return [
    mgmt('list_subscriptions', 'get', '/v2/subscriptions', 'allowed'),
    mgmt('get_current_subscription', 'get', '/v2/subscriptions/current', 'allowed'),
    mgmt('list_integrations', 'get', '/v2/integrations', 'allowed'),
    mgmt('create_integration', 'post', '/v2/integrations', 'not-found', reachForIt),
    mgmt('create_integration_no_validation', 'post', '/v2/integrations/novalidation', 'not-found', reachForIt),
    mgmt('get_integration', 'get', `/v2/integrations/${api}`, 'not-found'),
    mgmt('update_integration', 'put', `/v2/integrations/${api}`, 'not-found', integrationBody(other)),
    mgmt('delete_integration', 'delete', `/v2/integrations/${api}`, 'not-found'),
    mgmt('list_subscriptions_v1', 'get', '/v1/management/subscription', 'allowed'),
    mgmt('list_integrations_v1', 'get', '/v1/management/integration', 'not-found', undefined, { subscriptionId: w.s.subscriptionId! }),
    mgmt('upsert_integration_v1', 'post', '/v1/management/integration', 'not-found', reachForIt),
    mgmt('get_integration_v1', 'get', `/v1/management/integration/${api}`, 'not-found'),
    mgmt('delete_integration_v1', 'delete', `/v1/management/integration/${api}/subscription/${w.s.subscriptionId}`, 'not-found'),
    mgmt('list_code_components', 'get', '/v2/codecomponents', 'allowed'),
    mgmt('upload_code_component', 'put', '/v2/codecomponents', 'allowed', {}),
    mgmt('get_code_component', 'get', `/v2/codecomponents/${NO_SUCH_ID}`, 'allowed'),
    mgmt('delete_code_component', 'delete', `/v2/codecomponents/${NO_SUCH_ID}`, 'allowed'),
    mgmt('get_code_component_versions', 'get', `/v2/codecomponents/${NO_SUCH_ID}/versions`, 'allowed'),
    mgmt('deprecate_code_component', 'put', `/v2/codecomponents/${NO_SUCH_ID}/deprecate`, 'allowed'),
    mgmt('rename_code_component', 'put', `/v2/codecomponents/${NO_SUCH_ID}/updatename`, 'allowed', undefined, { name: 'Renamed' }),
    mgmt('list_environment_variables', 'get', '/v2/environmentvariables', 'allowed'),
    mgmt('create_environment_variable', 'put', '/v2/environmentvariables', 'allowed', { bad: true }),
    mgmt('get_environment_variable', 'get', `/v2/environmentvariables/${NO_SUCH_ID}`, 'allowed'),
    mgmt('delete_environment_variable', 'delete', `/v2/environmentvariables/${NO_SUCH_ID}`, 'allowed'),
    mgmt('list_security_configs', 'get', '/v2/securityconfigs', 'allowed'),
    mgmt('create_security_config', 'put', '/v2/securityconfigs', 'allowed', {}),
    mgmt('get_security_config', 'get', `/v2/securityconfigs/${NO_SUCH_ID}`, 'allowed'),
    mgmt('delete_security_config', 'delete', `/v2/securityconfigs/${NO_SUCH_ID}`, 'allowed'),
    msg('send_message', `/v2/messages/${api}`, { orderId: 'SO-1' }),
    msg('send_message_batch', `/v2/messages/${api}/batch`, batch),
    msg('send_eventgrid_message', `/v2/messages/${eg}/eventgrid`, [eventGridEvent()]),
    msg('send_message_v3', `/v3/messages/${api}`, { orderId: 'SO-1' }),
    msg('send_message_batch_v3', `/v3/messages/${api}/batch`, batch),
    msg('send_eventgrid_message_v3', `/v3/messages/${eg}/eventgrid`, [eventGridEvent()]),
    msg('send_message_v1', '/v1/message', { orderId: 'SO-1' }, { ConfigCorrelationId: api }),
    msg('send_message_new_v1', '/v1/message/new', legacy),
    msg('send_message_new_batch_v1', '/v1/message/new/batch', [legacy]),
    msg('send_eventgrid_message_v1', '/v1/eventgrid', [eventGridEvent()], { ConfigCorrelationId: eg }),
  ];
}

function send(w: World, probe: Probe, headers: Record<string, string>): Test {
  let t = w.s.raw[probe.method](probe.path);
  if (probe.query) t = t.query(probe.query);
  for (const [k, v] of Object.entries(headers)) t = t.set(k, v);
  return probe.body === undefined ? t : t.send(probe.body as object);
}

async function world(): Promise<World> {
  const s = await connxioSession(target);
  const p = portal(target, s);
  const apiIntegration = await createIntegration(s);
  const eventGridIntegration = await createIntegration(s, { adapterType: 'EventGrid' });
  const all = ['Management', 'Messaging', 'Webhook'] as const;
  const inactive = await p.createKey([...all]);
  expect((await p.keyAction(inactive.id, 'deactivate')).status).toBe(200);
  const regenerated = await p.createKey([...all]);
  expect((await p.keyAction(regenerated.id, 'regenerate')).status).toBe(200);
  return {
    s,
    apiIntegration,
    eventGridIntegration,
    keys: {
      full: (await p.createKey([...all])).key,
      management: (await p.createKey(['Management'])).key,
      messaging: (await p.createKey(['Messaging'])).key,
      webhook: (await p.createKey(['Webhook'])).key,
      other: (await p.createKey([...all], { subscriptionId: s.otherSubscriptionId })).key,
      inactive: inactive.key,
      regeneratedAway: regenerated.key,
    },
  };
}

function expectApiKeyChallenge(res: Awaited<Test>, op: string) {
  expectProblem(res, op, 401);
  expect(res.headers['www-authenticate'], `${op}: WWW-Authenticate`).toBe('ApiKey');
}

function expectBearerChallenge(res: Awaited<Test>, op: string) {
  expectProblem(res, op, 401);
  expect(res.headers['www-authenticate'], `${op}: WWW-Authenticate`).toMatch(/^Bearer/);
}

/** the status an accepted probe answers with a valid key and bearer */
const SUCCESS: Record<string, number> = { create_integration: 201, create_integration_no_validation: 201, delete_integration: 204, upsert_integration_v1: 201, delete_integration_v1: 204 };

describe.runIf(target.capabilities.admin)('Connxio auth matrix', () => {
  it('covers every operation of specs/connxio.yaml except the token endpoint', async () => {
    const w = await world();
    const probed = probes(w).map((p) => p.op).sort();
    const specified = connxioSpec.operations.filter((op) => op.security.length > 0).map((op) => op.operationId).sort();
    expect(probed).toEqual(specified);
    // and the probes reach the operations they name: with the full key and a bearer every messaging probe is accepted
    for (const probe of probes(w).filter((p) => p.messaging)) {
      expectOperation(await send(w, probe, { 'connxio-api-key': w.keys.full, authorization: `Bearer ${w.s.bearer}` }), probe.op, 200);
    }
  });

  it('no key → 401 ApiKey', async () => {
    const w = await world();
    for (const probe of probes(w)) expectApiKeyChallenge(await send(w, probe, { authorization: `Bearer ${w.s.bearer}` }), probe.op);
  });

  it('unknown key → 401 ApiKey (header or query parameter)', async () => {
    const w = await world();
    for (const probe of probes(w)) {
      expectApiKeyChallenge(await send(w, probe, { 'connxio-api-key': UNKNOWN_KEY, authorization: `Bearer ${w.s.bearer}` }), probe.op);
      expectApiKeyChallenge(await send(w, { ...probe, query: { ...probe.query, 'Connxio-Api-Key': UNKNOWN_KEY } }, { authorization: `Bearer ${w.s.bearer}` }), probe.op);
    }
  });

  it('inactive key → 401 ApiKey', async () => {
    const w = await world();
    for (const probe of probes(w)) expectApiKeyChallenge(await send(w, probe, { 'connxio-api-key': w.keys.inactive, authorization: `Bearer ${w.s.bearer}` }), probe.op);
  });

  it('regenerated-away key → 401 ApiKey', async () => {
    const w = await world();
    for (const probe of probes(w)) expectApiKeyChallenge(await send(w, probe, { 'connxio-api-key': w.keys.regeneratedAway, authorization: `Bearer ${w.s.bearer}` }), probe.op);
  });

  it('key without the scope → 403 (Messaging key on management, Management key on messaging; Webhook alone with a bearer)', async () => {
    const w = await world();
    for (const probe of probes(w)) {
      const key = probe.messaging ? w.keys.management : w.keys.messaging;
      expectProblem(await send(w, probe, { 'connxio-api-key': key, authorization: `Bearer ${w.s.bearer}` }), probe.op, 403);
      expectProblem(await send(w, probe, { 'connxio-api-key': w.keys.webhook, authorization: `Bearer ${w.s.bearer}` }), probe.op, 403);
    }
  });

  it('key of another subscription → 404 for that subscription\'s integrations; company-level resources stay reachable', async () => {
    const w = await world();
    for (const probe of probes(w)) {
      const res = await send(w, probe, { 'connxio-api-key': w.keys.other, authorization: `Bearer ${w.s.bearer}` });
      if (probe.otherSubscription === 'not-found') expectProblem(res, probe.op, 404);
      else expect([401, 403], `${probe.op}: ${res.status} ${res.text}`).not.toContain(res.status);
    }
    // nothing was deleted or overwritten, and subscription 1's integration is not in subscription 2's list
    expectOperation(await w.s.get(`/v2/integrations/${w.apiIntegration}`), 'get_integration', 200);
    const listed = await w.s.raw.get('/v2/integrations').set('connxio-api-key', w.keys.other).set('authorization', `Bearer ${w.s.bearer}`);
    expectOperation(listed, 'list_integrations', 200);
    expect(listed.body.map((i: { id: string }) => i.id)).not.toContain(w.apiIntegration);
    const current = await w.s.raw.get('/v2/subscriptions/current').set('connxio-api-key', w.keys.other).set('authorization', `Bearer ${w.s.bearer}`);
    expect(current.body.id).toBe(w.s.otherSubscriptionId);
  });

  it('no bearer → 401 Bearer; a forged bearer → 401 Bearer; a bearer of another company → 401 Bearer', async () => {
    const w = await world();
    const stranger = await connxioSession(target);
    for (const probe of probes(w)) {
      expectBearerChallenge(await send(w, probe, { 'connxio-api-key': w.keys.full }), probe.op);
      expectBearerChallenge(await send(w, probe, { 'connxio-api-key': w.keys.full, authorization: 'Bearer forged-token' }), probe.op);
      expectBearerChallenge(await send(w, probe, { 'connxio-api-key': w.keys.full, authorization: `Bearer ${stranger.bearer}` }), probe.op);
    }
  });

  it('expired bearer → 401 Bearer (clock moved past its hour)', async () => {
    const w = await world();
    const list = probes(w);
    await withClockAdvanced(target, '61m', async () => {
      for (const probe of list) {
        const res = await send(w, probe, { 'connxio-api-key': w.keys.full, authorization: `Bearer ${w.s.bearer}` });
        expectBearerChallenge(res, probe.op);
        expect(res.body.detail, probe.op).toMatch(/expired/);
      }
    });
  });

  it('webhook mode with the Webhook scope → messaging accepted without a bearer, management 401', async () => {
    const w = await world();
    for (const probe of probes(w)) {
      const res = await send(w, probe, { 'connxio-api-key': w.keys.webhook, 'connxio-api-webhook': 'true' });
      if (probe.messaging) expectOperation(res, probe.op, 200);
      else expectBearerChallenge(res, probe.op);
    }
    // v2 and v3 message and batch, v1 message, new and new/batch
    const messages = await portal(target, w.s).messages({ integrationId: w.apiIntegration });
    expect(messages).toHaveLength(7);
    expect(messages.every((m) => m.auth === 'webhook')).toBe(true);
  });

  it('the webhook header with a bearer → an ordinary bearer call: the header is ignored, the bearer and the scope checked', async () => {
    const w = await world();
    const bearer = `Bearer ${w.s.bearer}`;
    const webhook = { 'connxio-api-webhook': 'true' };
    // a Management key and a valid bearer: management answers as without the header
    const current = await w.s.raw.get('/v2/subscriptions/current').set('connxio-api-key', w.keys.management).set('connxio-api-webhook', 'true').set('authorization', bearer);
    expectOperation(current, 'get_current_subscription', 200);
    expect(current.body.id).toBe(w.s.subscriptionId);
    for (const probe of probes(w).filter((p) => !p.messaging && p.method === 'get' && p.otherSubscription === 'allowed' && !p.path.includes(NO_SUCH_ID))) {
      expectOperation(await send(w, probe, { 'connxio-api-key': w.keys.management, authorization: bearer, ...webhook }), probe.op, 200);
    }
    for (const probe of probes(w)) {
      const key = probe.messaging ? w.keys.messaging : w.keys.management;
      // a Messaging key without the Webhook scope sends, as a bearer call
      if (probe.messaging) expectOperation(await send(w, probe, { 'connxio-api-key': key, authorization: bearer, ...webhook }), probe.op, 200);
      // the bearer is still checked: a forged one is refused as a bearer, not as webhook mode
      const forged = await send(w, probe, { 'connxio-api-key': key, authorization: 'Bearer forged-token', ...webhook });
      expectBearerChallenge(forged, probe.op);
      expect(forged.body.detail, probe.op).not.toMatch(/webhook/i);
      // and the key needs the operation's own scope, as on any bearer call: a Webhook-only key → 403
      expectProblem(await send(w, { ...probe, query: { ...probe.query, 'Connxio-Api-Webhook': 'true' } }, { 'connxio-api-key': w.keys.webhook, authorization: bearer }), probe.op, 403);
    }
    const messages = await portal(target, w.s).messages({ integrationId: w.apiIntegration });
    expect(messages).toHaveLength(7);
    expect(messages.map((m) => m.auth)).toEqual(Array(7).fill('bearer'));
    const message = probes(w).find((p) => p.op === 'send_message')!;
    await withClockAdvanced(target, '61m', async () => {
      const expired = await send(w, message, { 'connxio-api-key': w.keys.messaging, authorization: bearer, ...webhook });
      expectBearerChallenge(expired, 'send_message');
      expect(expired.body.detail).toMatch(/expired/);
    });
  });

  it('webhook mode without the Webhook scope → 401 Bearer everywhere', async () => {
    const w = await world();
    for (const probe of probes(w)) {
      const key = probe.messaging ? w.keys.messaging : w.keys.management;
      expectBearerChallenge(await send(w, probe, { 'connxio-api-key': key, 'connxio-api-webhook': 'true' }), probe.op);
      expectBearerChallenge(await send(w, { ...probe, query: { ...probe.query, 'Connxio-Api-Webhook': 'true' } }, { 'connxio-api-key': key }), probe.op);
    }
    expect(await portal(target, w.s).messages()).toEqual([]);
  });

  it('the same key and bearer get through on every operation (the matrix is not refusing everything)', async () => {
    const w = await world();
    for (const probe of probes(w).filter((p) => !p.messaging && p.otherSubscription === 'allowed' && p.method === 'get' && !p.path.includes(NO_SUCH_ID))) {
      expectOperation(await send(w, probe, { 'connxio-api-key': w.keys.full, authorization: `Bearer ${w.s.bearer}` }), probe.op, SUCCESS[probe.op] ?? 200);
    }
    const del = probes(w).find((p) => p.op === 'delete_integration')!;
    expectOperation(await send(w, del, { 'connxio-api-key': w.keys.full, authorization: `Bearer ${w.s.bearer}` }), 'delete_integration', 204);
  });
});

describe.runIf(target.capabilities.admin)('Custom API listener auth matrix', () => {
  async function customWorld() {
    const s = await connxioSession(target);
    const p = portal(target, s);
    const integration = await createIntegration(s);
    const routes = customSpec.operations.map((op) => ({ method: op.method, path: `/matrix/${op.method.toLowerCase()}`, integrationId: integration }));
    const api = await p.createCustomApi({ routes });
    const disabled = await p.createCustomApi({ routes });
    expect((await p.customApiAction(disabled.id, 'key/disable')).status).toBe(200);
    const regenerated = await p.createCustomApi({ routes });
    expect((await p.customApiAction(regenerated.id, 'key/regenerate')).status).toBe(200);
    const webhook = await p.createCustomApi({ routes, webhookMode: true });
    const ops = customSpec.operations.map((op) => ({ op: op.operationId, method: op.method.toLowerCase() as Method, path: `/matrix/${op.method.toLowerCase()}` }));
    const call = (o: (typeof ops)[number], headers: Record<string, string>) => {
      let t = target.custom[o.method](o.path);
      for (const [k, v] of Object.entries(headers)) t = t.set(k, v);
      return o.method === 'get' || o.method === 'delete' ? t : t.send({ matrix: true });
    };
    return { s, p, integration, api, disabled, regenerated, webhook, ops, call };
  }

  it('every method × {no key, unknown key, disabled key, regenerated-away key, plain key without Messaging.Dynamic} → 401 ApiKey', async () => {
    const w = await customWorld();
    const bearer = `Bearer ${w.s.bearer}`;
    for (const o of w.ops) {
      expectApiKeyChallenge(await w.call(o, { authorization: bearer }), o.op);
      for (const key of [UNKNOWN_KEY, w.disabled.key, w.regenerated.key, w.s.apiKey]) expectApiKeyChallenge(await w.call(o, { 'connxio-api-key': key, authorization: bearer }), o.op);
      expectOperation(await w.call(o, { 'connxio-api-key': w.api.key, authorization: bearer }), o.op, 200);
    }
    expect(await w.p.messages({ integrationId: w.integration })).toHaveLength(w.ops.length);
  });

  it('every method × {no bearer, forged bearer, expired bearer, webhook mode off} → 401 Bearer; webhook mode on → accepted', async () => {
    const w = await customWorld();
    for (const o of w.ops) {
      expectBearerChallenge(await w.call(o, { 'connxio-api-key': w.api.key }), o.op);
      expectBearerChallenge(await w.call(o, { 'connxio-api-key': w.api.key, authorization: 'Bearer forged' }), o.op);
      expectBearerChallenge(await w.call(o, { 'connxio-api-key': w.api.key, 'connxio-api-webhook': 'true' }), o.op);
      expectOperation(await w.call(o, { 'connxio-api-key': w.webhook.key, 'connxio-api-webhook': 'true' }), o.op, 200);
    }
    const fresh = await connxioBearer(target, w.s.oauth!.clientId, w.s.oauth!.clientSecret);
    await withClockAdvanced(target, '61m', async () => {
      for (const o of w.ops) expectBearerChallenge(await w.call(o, { 'connxio-api-key': w.api.key, authorization: `Bearer ${fresh}` }), o.op);
    });
  });
});
