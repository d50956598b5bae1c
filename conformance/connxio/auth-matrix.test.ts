import type { Test } from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadSpec, specPath, type OperationSpec } from '../../mock/core/spec.ts';
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
  /** what a key of the other subscription gets: 404 when the probe names subscription 1 or its integrations */
  otherSubscription: 'not-found' | 'allowed';
  /** the operation also takes webhook mode (`x-connxio-webhook-scope`) */
  messaging: boolean;
  /** the scope a key needs for the operation (`x-connxio-scope`; the v1 resend endpoints are Messaging without webhook mode) */
  scope: string;
  /** the integration the probe names, if any */
  integration?: string;
  /** the operation's success status, when the spec documents exactly one */
  success?: number;
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

interface BodySchema {
  type?: string;
  properties?: Record<string, BodySchema>;
  items?: BodySchema;
}

/**
 * The fields a JSON request body's items carry, per the spec: an array's items, the items of an
 * object whose one member is an array of objects (`wrapper`, as v1 batch's `messageBodyRequests`),
 * or the object itself.
 */
function bodyFields(op: OperationSpec): { array: boolean; wrapper?: string; fields: Set<string> } | undefined {
  const schema = op.requestBody?.content['application/json']?.schema as BodySchema | undefined;
  if (!schema) return undefined;
  const members = Object.entries(schema.properties ?? {});
  const [wrapper, list] = members.length === 1 && members[0]![1].type === 'array' && members[0]![1].items?.properties ? members[0]! : [];
  if (wrapper && list) return { array: true, wrapper, fields: new Set(Object.keys(list.items!.properties!)) };
  const array = schema.type === 'array';
  return { array, fields: new Set(Object.keys((array ? schema.items?.properties : schema.properties) ?? {})) };
}

/**
 * One probe per operation the spec secures (rows derived from specs/connxio.yaml, as the Synqly
 * matrix's are): path and query parameters filled with subscription 1's resources where the spec
 * names an integration or a subscription, a body built from the shape of the request schema.
 */
function probes(w: World): Probe[] {
  return connxioSpec.operations.filter((op) => op.security.length > 0).map((op) => probeFor(w, op));
}

function probeFor(w: World, op: OperationSpec): Probe {
  const other = w.s.otherSubscriptionId!;
  const shape = bodyFields(op);
  // EventGrid events go to an EventGrid integration, every other message to an Api one
  const integration = shape?.fields.has('eventType') ? w.eventGridIntegration : w.apiIntegration;
  const mentions = new Set<string>();
  const mention = (value: string) => (mentions.add(value), value);
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'integrationId') return mention(integration);
    if (name === 'subscriptionId') return mention(w.s.subscriptionId!);
    // {id}: an integration under an integration path, else a company-level resource that does not exist
    return /\/integrations?\//.test(op.path) ? mention(w.apiIntegration) : NO_SUCH_ID;
  });
  const query: Record<string, string> = {};
  for (const p of op.parameters.filter((p) => p.in === 'query')) {
    if (p.name === 'ConfigCorrelationId') query[p.name] = mention(integration);
    else if (p.name === 'subscriptionId') query[p.name] = mention(w.s.subscriptionId!);
    else if (p.required) query[p.name] = 'Renamed';
  }
  let body: unknown;
  if (op.requestBody) {
    const fields = shape?.fields ?? new Set<string>();
    const message = { messageBody: Buffer.from('{"a":1}').toString('base64') };
    let item: unknown;
    if (fields.has('eventType')) item = eventGridEvent();
    else if (fields.has('messageBody') && fields.has('configCorrelationId')) item = { ...message, configCorrelationId: mention(integration) };
    else if (fields.has('messageBody')) item = message;
    // an IntegrationConfig: a key of the other subscription writes with its own subscription id, reaching for subscription 1's integration
    else if (fields.has('configCorrelationId')) item = { ...integrationBody(other), configCorrelationId: mention(w.apiIntegration) };
    else if (shape && fields.size === 0) item = { orderId: 'SO-1' }; // any JSON document
    else item = {};
    body = shape?.array ? [item] : item;
    if (shape?.wrapper) body = { [shape.wrapper]: body };
  }
  return {
    op: op.operationId,
    method: op.method.toLowerCase() as Method,
    path,
    body,
    query: Object.keys(query).length ? query : undefined,
    otherSubscription: mentions.size ? 'not-found' : 'allowed',
    messaging: op.extensions['x-connxio-webhook-scope'] !== undefined,
    scope: (op.extensions['x-connxio-scope'] as string | undefined) ?? 'Management',
    integration: [...mentions].find((m) => m === w.apiIntegration || m === w.eventGridIntegration),
    success: ((codes) => (codes.length === 1 ? codes[0] : undefined))(Object.keys(op.responses).map(Number).filter((code) => code >= 200 && code < 300)),
  };
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

/** how many messages the messaging probes deliver to an integration (one each: a batch probe sends one item) */
const messagesTo = (w: World, integration: string) => probes(w).filter((p) => p.messaging && p.integration === integration).length;

function expectApiKeyChallenge(res: Awaited<Test>, op: string) {
  expectProblem(res, op, 401);
  expect(res.headers['www-authenticate'], `${op}: WWW-Authenticate`).toBe('ApiKey');
}

function expectBearerChallenge(res: Awaited<Test>, op: string) {
  expectProblem(res, op, 401);
  expect(res.headers['www-authenticate'], `${op}: WWW-Authenticate`).toMatch(/^Bearer/);
}

describe.runIf(target.capabilities.admin)('Connxio auth matrix', () => {
  it('every messaging probe reaches its operation: accepted with the full key and a bearer', async () => {
    const w = await world();
    const messaging = probes(w).filter((p) => p.messaging);
    expect(messaging.length).toBeGreaterThan(0);
    for (const probe of messaging) {
      expectOperation(await send(w, probe, { 'connxio-api-key': w.keys.full, authorization: `Bearer ${w.s.bearer}` }), probe.op, 200);
    }
    expect(await portal(target, w.s).messages({ integrationId: w.apiIntegration })).toHaveLength(messagesTo(w, w.apiIntegration));
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
      const key = probe.scope === 'Messaging' ? w.keys.management : w.keys.messaging;
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
    expect(messages).toHaveLength(messagesTo(w, w.apiIntegration));
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
    expect(messages).toHaveLength(messagesTo(w, w.apiIntegration));
    expect(messages.map((m) => m.auth)).toEqual(Array(messages.length).fill('bearer'));
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
    const reads = probes(w).filter((p) => !p.messaging && p.otherSubscription === 'allowed' && p.method === 'get' && !p.path.includes(NO_SUCH_ID));
    expect(reads.length).toBeGreaterThan(0);
    for (const probe of reads) {
      expectOperation(await send(w, probe, { 'connxio-api-key': w.keys.full, authorization: `Bearer ${w.s.bearer}` }), probe.op, probe.success ?? 200);
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
