import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../mock/app.ts';
import { integrationBody } from '../support/connxio-portal.ts';
import { uniqueName } from '../support/resources.ts';
import { exampleRequest, operationsWith, readDocument, type SpecDocument } from './openapi.ts';
import { startPrism, type Prism } from './processes.ts';

/**
 * Prism as an independent validator in front of the twin: `prism proxy --errors <spec> <twin>`
 * forwards each call to the twin and checks the twin's answer against the vendor spec; a
 * violation comes back in the `sl-violations` header (with --errors, an error-level one also turns
 * the answer into Prism's 500). The foundation scenarios' calls — success, 4xx and 401 paths — and
 * a sweep over every GET operation the twin implements, on a demo-profile tenant, must come back
 * without one. Two deliberately wrong answers (a status the spec does not declare, injected through
 * the control API's faults, and a body that breaks its schema, from a small corrupting relay) must
 * be caught.
 *
 * With request validation on (Prism's default) a request that breaks the spec is answered by Prism
 * itself (422, or 401 when credentials are missing) and never reaches the twin, so the 400 and 401
 * paths checked here are the ones the twin decides: unknown filter fields, duplicate names,
 * unknown ids, unknown tokens and keys, wrong client secrets.
 */

interface Call {
  label: string;
  status: number;
  text: string;
  body: unknown;
  violations: string | null;
}

let twin: RunningTwin;
let relay: Server;
let synqlyProxy: Prism;
let connxioProxy: Prism;
let corruptProxy: Prism;
const clean: Call[] = [];

/** the twin's Synqly listener, except that an account read by id comes back with a value its schema forbids */
function startCorruptingRelay(upstream: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers: Record<string, string> = {};
      for (const k of ['authorization', 'content-type', 'accept']) if (typeof req.headers[k] === 'string') headers[k] = req.headers[k];
      const up = await fetch(upstream + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, signal: AbortSignal.timeout(10_000) });
      let text = await up.text();
      if (req.method === 'GET' && /^\/v1\/accounts\/[^/?]+/.test(req.url ?? '') && up.status === 200) {
        const body = JSON.parse(text) as { result: Record<string, unknown> };
        body.result.environment = 'staging';
        text = JSON.stringify(body);
      }
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  twin = await startTwin({ ports: { synqly: 0, connxio: 0, custom: 0 } });
  relay = await startCorruptingRelay(twin.urls.synqly);
  const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  const started = await Promise.allSettled([
    startPrism('proxy', 'specs/synqly-management.yaml', { upstream: twin.urls.synqly, args: ['--errors'] }),
    startPrism('proxy', 'specs/connxio.yaml', { upstream: twin.urls.connxio, args: ['--errors'] }),
    startPrism('proxy', 'specs/synqly-management.yaml', { upstream: relayUrl, args: ['--errors'] }),
  ]);
  [synqlyProxy, connxioProxy, corruptProxy] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined)) as Prism[];
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

afterAll(async () => {
  await Promise.all([synqlyProxy, connxioProxy, corruptProxy].filter(Boolean).map((p) => p.stop()));
  await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
  await twin?.stop();
});

async function send(
  base: string,
  label: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string>; text?: { contentType: string; body: string } } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.text) {
    headers['content-type'] = options.text.contentType;
    body = options.text.body;
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { label: `${label} ${method} ${path}`, status: res.status, text, body: parsed, violations: res.headers.get('sl-violations') };
}

/** a call through a clean proxy: every one must come back without sl-violations */
async function through(proxy: Prism, label: string, method: string, path: string, options: Parameters<typeof send>[4] = {}): Promise<Call> {
  const call = await send(proxy.url, label, method, path, options);
  clean.push(call);
  return call;
}

function violationsOf(calls: Call[]): string[] {
  return calls.filter((c) => c.violations !== null).map((c) => `${c.label} → ${c.status}: ${c.violations}`);
}

async function tenant(vendor: 'synqly' | 'connxio'): Promise<Record<string, unknown>> {
  const res = await send(twin.urls.synqly, 'admin', 'POST', '/__admin/tenants', { json: { vendor, name: uniqueName(vendor), profile: 'demo' } });
  expect(res.status, res.text).toBe(201);
  return (res.body as { credentials: Record<string, unknown> }).credentials;
}

describe('prism proxy --errors in front of the twin', () => {
  it('finds no violation in the Synqly foundation scenarios (accounts: success, 4xx and 401 paths)', async () => {
    const { token } = (await tenant('synqly')) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const p = synqlyProxy;
    const name = uniqueName('acct');
    const created = await through(p, 'accounts_create', 'POST', '/v1/accounts', { headers: auth, json: { name, labels: ['tier:gold'] } });
    expect(created.status, created.text).toBe(200);
    const account = (created.body as { result: { account: Record<string, unknown> & { id: string } } }).result.account;
    const id = account.id;
    const derived = await through(p, 'accounts_create (fullname)', 'POST', '/v1/accounts', { headers: auth, json: { fullname: `Demo Tenant ${id.slice(0, 6)}` } });
    expect(derived.status, derived.text).toBe(200);
    expect((await through(p, 'accounts_create (duplicate)', 'POST', '/v1/accounts', { headers: auth, json: { name } })).status).toBe(409);
    expect((await through(p, 'accounts_get', 'GET', `/v1/accounts/${id}`, { headers: auth })).status).toBe(200);
    expect((await through(p, 'accounts_get (by name)', 'GET', `/v1/accounts/${name}`, { headers: auth })).status).toBe(200);
    expect((await through(p, 'accounts_get (unknown)', 'GET', '/v1/accounts/no-such-account', { headers: auth })).status).toBe(404);
    const listed = await through(p, 'accounts_list', 'GET', `/v1/accounts?filter=${encodeURIComponent(`name[eq]${name}`)}&order=${encodeURIComponent('name[desc]')}&total=true`, { headers: auth });
    expect(listed.status, listed.text).toBe(200);
    expect((listed.body as { total: number }).total).toBe(1);
    expect((await through(p, 'accounts_list (page)', 'GET', '/v1/accounts?limit=2', { headers: auth })).status).toBe(200);
    expect((await through(p, 'accounts_list (unknown filter field)', 'GET', `/v1/accounts?filter=${encodeURIComponent('colour[eq]red')}`, { headers: auth })).status).toBe(400);
    expect((await through(p, 'accounts_list (bad operator)', 'GET', `/v1/accounts?filter=${encodeURIComponent('name[resembles]x')}`, { headers: auth })).status).toBe(400);
    expect((await through(p, 'accounts_list (unknown token)', 'GET', '/v1/accounts', { headers: { authorization: 'Bearer not-a-real-token' } })).status).toBe(401);
    expect((await through(p, 'accounts_create (unknown token)', 'POST', '/v1/accounts', { headers: { authorization: 'Bearer forged' }, json: { name: uniqueName('anon') } })).status).toBe(401);
    const updated = await through(p, 'accounts_update', 'PUT', `/v1/accounts/${id}`, { headers: auth, json: { ...account, fullname: 'Renamed', environment: 'test' } });
    expect([200, 501]).toContain(updated.status);
    const patched = await through(p, 'accounts_patch', 'PATCH', `/v1/accounts/${id}`, { headers: auth, json: [{ op: 'replace', path: '/fullname', value: 'Patched' }] });
    expect([200, 501]).toContain(patched.status);
    expect((await through(p, 'organization_get', 'GET', '/v1/organization', { headers: auth })).status).toBe(200);
    expect([200, 204]).toContain((await through(p, 'accounts_delete', 'DELETE', `/v1/accounts/${id}`, { headers: auth })).status);
    expect((await through(p, 'accounts_get (deleted)', 'GET', `/v1/accounts/${id}`, { headers: auth })).status).toBe(404);
    expect(violationsOf(clean)).toEqual([]);
  });

  it('finds no violation in the Connxio foundation scenarios (subscriptions, OAuth, 401 paths)', async () => {
    const c = (await tenant('connxio')) as { api_key: string; api_key_subscription_id: string; oauth: { client_id: string; client_secret: string } };
    const p = connxioProxy;
    const form = { grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret, scope: 'api://connxio/.default' };
    const token = await through(p, 'oauth_token', 'POST', '/oauth/token', { form });
    expect(token.status, token.text).toBe(200);
    const bearer = (token.body as { access_token: string }).access_token;
    const auth = { 'connxio-api-key': c.api_key, authorization: `Bearer ${bearer}` };
    expect((await through(p, 'oauth_token (wrong secret)', 'POST', '/oauth/token', { form: { ...form, client_secret: 'wrong' } })).status).toBe(401);
    const subs = await through(p, 'list_subscriptions', 'GET', '/v2/subscriptions', { headers: auth });
    expect(subs.status, subs.text).toBe(200);
    expect((subs.body as Array<{ id: string }>).map((s) => s.id)).toContain(c.api_key_subscription_id);
    const current = await through(p, 'get_current_subscription', 'GET', '/v2/subscriptions/current', { headers: auth });
    expect(current.status).toBe(200);
    expect((current.body as { id: string }).id).toBe(c.api_key_subscription_id);
    const byQuery = `/v2/subscriptions?${new URLSearchParams({ 'Connxio-Api-Key': c.api_key })}`;
    expect((await through(p, 'list_subscriptions (key as query)', 'GET', byQuery, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(200);
    const unknownKey = Buffer.alloc(32, 7).toString('base64');
    expect((await through(p, 'list_subscriptions (unknown key)', 'GET', '/v2/subscriptions', { headers: { ...auth, 'connxio-api-key': unknownKey } })).status).toBe(401);
    expect((await through(p, 'list_subscriptions (forged bearer)', 'GET', '/v2/subscriptions', { headers: { ...auth, authorization: 'Bearer forged' } })).status).toBe(401);
    expect(violationsOf(clean)).toEqual([]);
  });

  it('finds no violation when Connxio management bodies come in their DataContract XML form (create, read back, refuse, delete)', async () => {
    const c = (await tenant('connxio')) as { api_key: string; api_key_subscription_id: string; oauth: { client_id: string; client_secret: string } };
    const p = connxioProxy;
    const token = await send(twin.urls.connxio, 'oauth', 'POST', '/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret, scope: 'api://connxio/.default' },
    });
    const auth = { 'connxio-api-key': c.api_key, authorization: `Bearer ${(token.body as { access_token: string }).access_token}` };
    const id = randomUUID();
    const xml = `<IntegrationPostRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <ConfigCorrelationId>${id}</ConfigCorrelationId><TransactionType>Order</TransactionType><Sender>Webshop</Sender><Receiver>ERP</Receiver>
  <MessageInboundFormat>json</MessageInboundFormat><MessageInboundEncoding>utf-8</MessageInboundEncoding><SubscriptionId>${c.api_key_subscription_id}</SubscriptionId><Enabled>true</Enabled><PollingIntervalInSeconds>30</PollingIntervalInSeconds>
  <InboundConnection><AdapterType>Api</AdapterType><ConnectionProperties i:nil="true"/></InboundConnection>
  <SubIntegrations><SubIntegration><SubIntegrationId>${randomUUID()}</SubIntegrationId><SubintegrationName>to-void</SubintegrationName>
    <OutboundConnections><OutboundConnectionAdapter><AdapterType>Discard</AdapterType><AdapterName>void</AdapterName></OutboundConnectionAdapter></OutboundConnections>
    <MessageOutboundFormat>json</MessageOutboundFormat><MessageOutboundEncoding>utf-8</MessageOutboundEncoding><Enabled>true</Enabled></SubIntegration></SubIntegrations>
</IntegrationPostRequest>`;
    const created = await through(p, 'create_integration (application/xml)', 'POST', '/v2/integrations', { headers: auth, text: { contentType: 'application/xml; x-api-version=2.0', body: xml } });
    expect(created.status, created.text).toBe(201);
    const updated = await through(p, 'update_integration (text/xml)', 'PUT', `/v2/integrations/${id}`, { headers: auth, text: { contentType: 'text/xml', body: xml.replace('<PollingIntervalInSeconds>30', '<PollingIntervalInSeconds>45') } });
    expect(updated.status, updated.text).toBe(200);
    const read = await through(p, 'get_integration', 'GET', `/v2/integrations/${id}`, { headers: auth });
    expect((read.body as { pollingIntervalInSeconds: number }).pollingIntervalInSeconds).toBe(45);
    const wrongType = await through(p, 'create_integration (XML, wrong type)', 'POST', '/v2/integrations', { headers: auth, text: { contentType: 'application/vnd.connxio+xml', body: xml.replace('<Enabled>true</Enabled><Polling', '<Enabled>yes</Enabled><Polling') } });
    expect(wrongType.status, wrongType.text).toBe(400);
    const malformed = await through(p, 'create_integration (malformed XML)', 'POST', '/v2/integrations', { headers: auth, text: { contentType: 'application/xml', body: xml.replace('</InboundConnection>', '') } });
    expect(malformed.status, malformed.text).toBe(400);
    expect([200, 204]).toContain((await through(p, 'delete_integration', 'DELETE', `/v2/integrations/${id}`, { headers: auth })).status);
    expect(violationsOf(clean)).toEqual([]);
  });

  it('finds no violation when Connxio message bodies come in their XML form as application/*+xml (batches v2/v3, v1 messages; malformed ones refused)', async () => {
    const c = (await tenant('connxio')) as { api_key: string; api_key_subscription_id: string; oauth: { client_id: string; client_secret: string } };
    const p = connxioProxy;
    const token = await send(twin.urls.connxio, 'oauth', 'POST', '/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret, scope: 'api://connxio/.default' },
    });
    const auth = { 'connxio-api-key': c.api_key, authorization: `Bearer ${(token.body as { access_token: string }).access_token}` };
    // batches go to an asynchronous integration (200, no body); single v1 messages to a synchronous one, whose 200 carries
    // the documented JSON array (an asynchronous one's empty 200 is the x-apitwin-empty-body case, which OpenAPI 3.0 cannot state)
    const created: string[] = [];
    for (const synchronous of [false, true]) {
      const res = await send(twin.urls.connxio, 'create_integration', 'POST', '/v2/integrations', { headers: auth, json: integrationBody(c.api_key_subscription_id, { synchronous }) });
      expect(res.status, res.text).toBe(201);
      created.push((res.body as { configCorrelationId: string }).configCorrelationId);
    }
    const [batched, synchronous] = created as [string, string];
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    const item = (text: string, target?: string) => `<MessageBodyRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${target ? `<ConfigCorrelationId>${target}</ConfigCorrelationId>` : ''}<InterchangeId i:nil="true"/><MessageBody>${b64(text)}</MessageBody></MessageBodyRequest>`;
    const calls: Array<[string, string, string, string]> = [
      ['send_message_batch', `/v2/messages/${batched}/batch`, '2.0', `<ArrayOfMessageBodyRequest>${item('v2')}</ArrayOfMessageBodyRequest>`],
      ['send_message_batch_v3', `/v3/messages/${batched}/batch`, '3.0', `<ArrayOfMessageBodyRequest>${item('v3')}</ArrayOfMessageBodyRequest>`],
      ['send_message_v1', `/v1/message?ConfigCorrelationId=${synchronous}`, '1.0', item('v1')],
      ['send_message_new_v1', '/v1/message/new', '1.0', item('v1 new', synchronous)],
      ['send_message_new_batch_v1', '/v1/message/new/batch', '1.0', `<ArrayOfMessageBodyRequest><MessageBodyRequests>${item('v1 batch', batched)}</MessageBodyRequests></ArrayOfMessageBodyRequest>`],
    ];
    for (const [op, path, version, body] of calls) {
      const contentType = `application/vnd.acme+xml; x-api-version=${version}`;
      const sent = await through(p, `${op} (application/*+xml)`, 'POST', path, { headers: auth, text: { contentType, body } });
      expect(sent.status, `${op}: ${sent.text}`).toBe(200);
      const malformed = await through(p, `${op} (malformed XML)`, 'POST', path, { headers: auth, text: { contentType, body: body.slice(0, -3) } });
      expect(malformed.status, `${op}: ${malformed.text}`).toBe(400);
      expect((malformed.body as { errors: unknown }).errors).toEqual({ '': ['An error occurred while deserializing input data.'] });
    }
    for (const id of created) expect([200, 204]).toContain((await send(twin.urls.connxio, 'delete_integration', 'DELETE', `/v2/integrations/${id}`, { headers: auth })).status);
    expect(violationsOf(clean)).toEqual([]);
  });

  it('finds no violation on any GET operation the twin implements, on a demo-profile tenant', async () => {
    const synqly = (await tenant('synqly')) as { token: string };
    const connxio = (await tenant('connxio')) as { api_key: string; oauth: { client_id: string; client_secret: string } };
    const token = await send(twin.urls.connxio, 'oauth', 'POST', '/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: connxio.oauth.client_id, client_secret: connxio.oauth.client_secret, scope: 'api://connxio/.default' },
    });
    const sweeps: Array<{ doc: SpecDocument; proxy: Prism; direct: string; auth: Record<string, string> }> = [
      { doc: await readDocument('specs/synqly-management.yaml'), proxy: synqlyProxy, direct: twin.urls.synqly, auth: { authorization: `Bearer ${synqly.token}` } },
      { doc: await readDocument('specs/connxio.yaml'), proxy: connxioProxy, direct: twin.urls.connxio, auth: { 'connxio-api-key': connxio.api_key, authorization: `Bearer ${(token.body as { access_token: string }).access_token}` } },
    ];
    const calls: Call[] = [];
    const unexpected: string[] = [];
    for (const s of sweeps) {
      const gets = operationsWith(s.doc, 'get').map(([path]) => path);
      for (const template of gets) {
        const example = exampleRequest(s.doc, template, 'get');
        const path = (await fillPath(s.doc, template, gets, s.direct, s.auth)) + (Object.keys(example.query).length ? `?${new URLSearchParams(example.query)}` : '');
        const headers = { ...example.headers, ...s.auth };
        // an operation the twin does not implement answers 501, which Prism's proxy would replace with its own mock
        if ((await send(s.direct, example.operationId, 'GET', path, { headers })).status === 501) continue;
        const call = await send(s.proxy.url, example.operationId, 'GET', path, { headers });
        calls.push(call);
        if (!template.includes('{') && (call.status < 200 || call.status > 299)) unexpected.push(`${call.label} → ${call.status} ${call.text.slice(0, 200)}`);
      }
    }
    expect(calls.length).toBeGreaterThanOrEqual(10);
    expect(violationsOf(calls)).toEqual([]);
    expect(unexpected).toEqual([]);
  });

  it('reports a status the spec does not declare (a fault injected through the control API)', async () => {
    const { token } = (await tenant('synqly')) as { token: string };
    const rule = await send(twin.urls.synqly, 'admin', 'POST', '/__admin/faults', { json: { vendor: 'synqly', operationId: 'accounts_list', action: { type: 'status', status: 418 }, times: 1 } });
    expect(rule.status, rule.text).toBe(201);
    const faulty = await send(synqlyProxy.url, 'accounts_list (fault 418)', 'GET', '/v1/accounts', { headers: { authorization: `Bearer ${token}` } });
    expect(faulty.status).toBe(418);
    expect(faulty.violations).not.toBeNull();
    expect(JSON.parse(faulty.violations!)).toEqual([expect.objectContaining({ location: ['response'], message: expect.stringMatching(/Unable to match the returned status code/) })]);
    // the rule was used up: the same call is clean again
    const after = await through(synqlyProxy, 'accounts_list (after the fault)', 'GET', '/v1/accounts', { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(200);
    expect(after.violations).toBeNull();
  });

  it('reports a body that breaks its schema (a relay corrupting the twin\'s answer), as an error', async () => {
    const { token } = (await tenant('synqly')) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const created = await send(twin.urls.synqly, 'accounts_create', 'POST', '/v1/accounts', { headers: auth, json: { name: uniqueName('acct') } });
    const id = (created.body as { result: { account: { id: string } } }).result.account.id;
    const control = await through(synqlyProxy, 'accounts_get (clean)', 'GET', `/v1/accounts/${id}`, { headers: auth });
    expect(control.status).toBe(200);
    expect(control.violations).toBeNull();
    const corrupted = await send(corruptProxy.url, 'accounts_get (corrupted)', 'GET', `/v1/accounts/${id}`, { headers: auth });
    expect(corrupted.violations, `${corrupted.status} ${corrupted.text.slice(0, 500)}`).not.toBeNull();
    const violations = JSON.parse(corrupted.violations!) as Array<{ location: string[]; severity: string; message: string }>;
    expect(violations).toEqual([expect.objectContaining({ location: ['response', 'body', 'result', 'environment'], severity: 'Error' })]);
    // --errors: an error-level violation of the response becomes Prism's own 500 problem
    expect(corrupted.status).toBe(500);
    expect(corrupted.body).toMatchObject({ type: expect.stringMatching(/VIOLATIONS$/) });
  });
});

/**
 * Fills a GET path template with ids the twin really has: each parameter from the first item of
 * the list operation at the path before it (`/v1/accounts` for `/v1/accounts/{accountId}`), else
 * of the list named after it (`accountId` → `…/accounts`), else from the spec's example (the answer
 * is then usually a 404, which Prism checks just the same).
 */
async function fillPath(doc: SpecDocument, template: string, gets: string[], direct: string, auth: Record<string, string>): Promise<string> {
  const chosen: Record<string, string> = {};
  let path = template;
  for (const m of template.matchAll(/\{([^}]+)\}/g)) {
    const param = m[1]!;
    const base = param.replace(/Id$/, '').toLowerCase();
    const snake = param.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const prefix = path.slice(0, path.indexOf(`/{${param}}`));
    const candidates: Array<{ list: string; direct: boolean }> = [];
    if (!prefix.includes('{') && gets.includes(template.slice(0, template.indexOf(`/{${param}}`)))) candidates.push({ list: prefix, direct: true });
    for (const g of gets) {
      const last = g.split('/').pop()!.replace(/[-_]/g, '').toLowerCase();
      if (!g.includes('{') && (last === `${base}s` || last === base)) candidates.push({ list: g, direct: false });
    }
    let value: string | undefined;
    for (const c of candidates) {
      const res = await send(direct, 'lookup', 'GET', c.list, { headers: auth });
      const items = Array.isArray(res.body) ? res.body : Array.isArray((res.body as { result?: unknown })?.result) ? ((res.body as { result: unknown[] }).result as unknown[]) : [];
      const records = items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null);
      // prefer an item that belongs to what was already chosen (an integration of the chosen account)
      const item = records.find((i) => Object.entries(chosen).every(([k, v]) => !(k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`) in i) || i[k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)] === v)) ?? records[0];
      if (!item) continue;
      const lastSegment = c.list.split('/').pop()!.replace(/[-_]/g, '').toLowerCase();
      const own = lastSegment === `${base}s` || lastSegment === base || base === '';
      const v = own ? (item.id ?? item.name) : (item[snake] ?? item.id);
      if (typeof v === 'string' || typeof v === 'number') {
        value = String(v);
        break;
      }
    }
    value ??= exampleRequest(doc, template, 'get').path.split('/')[template.split('/').indexOf(`{${param}}`)];
    chosen[param] = value!;
    path = path.replace(`{${param}}`, encodeURIComponent(value!));
  }
  return path;
}
