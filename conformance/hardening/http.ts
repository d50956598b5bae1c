import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, inject } from 'vitest';
import type { Target } from '../target.ts';

/**
 * Raw HTTP for the hardening suites: requests exactly as written (paths not normalized, bodies as
 * bytes, any content type), over keep-alive connections to the twin's real listeners. For the
 * inprocess target this file's twin is bound to loopback ports here; the spawned target's come
 * from its global setup.
 */

export type ListenerName = 'synqly' | 'connxio' | 'custom';
export type Listeners = Record<ListenerName, string>;

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** the body parsed as JSON when it is JSON, else undefined */
  json: unknown;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** default: a shared keep-alive agent (64 sockets) */
  agent?: Agent;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const bound: Server[] = [];
let cleanupRegistered = false;

export async function listenersOf(target: Target): Promise<Listeners> {
  if (target.kind === 'spawned') {
    const urls = inject('apitwinSpawnedUrls');
    if (!urls) throw new Error('the spawned target needs its global setup');
    return urls;
  }
  if (!target.twin) throw new Error('raw HTTP needs a twin target (inprocess or spawned)');
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    afterAll(async () => {
      agent.destroy();
      await Promise.all(bound.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
    });
  }
  const twin = target.twin;
  const listen = (name: ListenerName) =>
    new Promise<string>((resolve, reject) => {
      const server = createServer(twin.handlers[name]);
      server.on('clientError', twin.clientErrorHandlers[name]);
      bound.push(server);
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
  const [synqly, connxio, custom] = await Promise.all([listen('synqly'), listen('connxio'), listen('custom')]);
  return { synqly, connxio, custom };
}

export function send(base: string, req: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const url = new URL(base);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        agent: req.agent ?? agent,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if ((res.headers['content-type'] ?? '').includes('json') && text) {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path}: no answer in ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(body);
  });
}

/** Writes bytes on a fresh TCP connection and returns what comes back until the server closes or `waitMs` passes. */
export function sendBytes(base: string, bytes: Buffer, waitMs = 2000): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(err);
    });
    socket.write(bytes);
  });
}

/** A raw HTTP/1.1 response (as sendBytes returns it) as a RawResponse; undefined when there is none. */
export function parseRawResponse(raw: string): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1];
  if (end < 0 || !status) return undefined;
  const headers: IncomingHttpHeaders = {};
  for (const line of raw.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const text = Buffer.from(raw.slice(end + 4), 'latin1').toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: Number(status), headers, text, json };
}

/** The vendor envelope of an error response: never a 5xx, never HTML or an empty body. */
export function expectEnvelope(listener: ListenerName | 'admin', res: RawResponse, what: string): void {
  expect(res.status, `${what}: ${res.status} ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  const body = res.json as Record<string, unknown> | undefined;
  expect(body, `${what}: not JSON (${res.headers['content-type']}): ${res.text.slice(0, 200)}`).toBeTypeOf('object');
  if (listener === 'synqly') {
    expect(body, what).toMatchObject({ status: res.status, message: expect.any(String), occurred_at: expect.any(String) });
  } else if (listener === 'admin') {
    expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
    expect(body, what).toMatchObject({ status: res.status, title: expect.any(String) });
  } else if (body && 'error' in body && !('status' in body)) {
    // the OAuth token endpoint answers in OAuth's own error shape (RFC 6749 §5.2)
    expect(body, what).toMatchObject({ error: expect.any(String) });
  } else {
    expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
    expect(body, what).toMatchObject({ status: res.status, title: expect.any(String) });
  }
}

/**
 * A digest of the store's data as the control API exports it, without what every authenticated
 * Synqly call appends by design (audit events and the status family's call records): equal
 * digests before and after a batch of rejected calls mean nothing was stored.
 */
export async function dataDigest(target: Target): Promise<string> {
  const res = await target.admin.get('/__admin/snapshot');
  if (res.status !== 200) throw new Error(`snapshot export failed: ${res.status}`);
  const collections = res.body.collections as Record<string, Record<string, unknown>>;
  const kept = Object.keys(collections)
    .filter((name) => !/\/(audit|status|status_events|counters)$/.test(name))
    .sort()
    .map((name) => [name, Object.keys(collections[name]!).sort().map((id) => [id, collections[name]![id]])]);
  return createHash('sha256').update(JSON.stringify(kept)).digest('hex');
}

export interface HardeningTenants {
  synqlyToken: string;
  synqlyTenantId: string;
  connxio: { tenantId: string; companyId: string; subscriptionId: string; apiKey: string; bearer: string; integrationId: string; customApiKey: string };
  /** deletes both tenants */
  remove(): Promise<void>;
}

/**
 * A Synqly organization and a Connxio company (with an integration and a Custom API routing every
 * method of `customRoute` to it) made through the control API, for suites that set up once per
 * file rather than per test.
 */
export async function hardeningTenants(target: Target, listeners: Listeners, customRoute: string): Promise<HardeningTenants> {
  const admin = target.admin;
  const name = (kind: string) => `apitwin-${kind}-${Math.random().toString(16).slice(2, 10)}`;
  const sq = await admin.post('/__admin/tenants').send({ vendor: 'synqly', name: name('org') });
  if (sq.status !== 201) throw new Error(`Synqly tenant: ${sq.status} ${sq.text}`);
  const cx = await admin.post('/__admin/tenants').send({ vendor: 'connxio', name: name('co') });
  if (cx.status !== 201) throw new Error(`Connxio tenant: ${cx.status} ${cx.text}`);
  const c = cx.body.credentials;
  const token = await send(listeners.connxio, {
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret, scope: 'api://connxio/.default' }).toString(),
  });
  const bearer = (token.json as { access_token: string }).access_token;
  const { integrationBody } = await import('../support/connxio-portal.ts');
  const integration = await send(listeners.connxio, {
    method: 'POST',
    path: '/v2/integrations',
    headers: { 'connxio-api-key': c.api_key, authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(integrationBody(c.api_key_subscription_id)),
  });
  if (integration.status !== 201) throw new Error(`create_integration: ${integration.status} ${integration.text}`);
  const integrationId = (integration.json as { configCorrelationId: string }).configCorrelationId;
  const routes = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => ({ method, path: customRoute, integrationId }));
  const api = await admin.post(`/__admin/connxio/companies/${c.company_id}/custom-apis`).send({ title: name('api'), subscriptionId: c.api_key_subscription_id, routes });
  if (api.status !== 201) throw new Error(`custom API: ${api.status} ${api.text}`);
  return {
    synqlyToken: sq.body.credentials.token,
    synqlyTenantId: sq.body.id,
    connxio: { tenantId: cx.body.id, companyId: c.company_id, subscriptionId: c.api_key_subscription_id, apiKey: c.api_key, bearer, integrationId, customApiKey: api.body.key },
    remove: async () => {
      await admin.delete(`/__admin/tenants/${sq.body.id}`);
      await admin.delete(`/__admin/tenants/${cx.body.id}`);
    },
  };
}
