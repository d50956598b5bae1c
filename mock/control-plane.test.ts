import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from './app.ts';

/**
 * The control plane against browsers (DECISIONS "control plane and browsers"): rebound Host names,
 * cross-site writes and body-less writes without a JSON content type or X-Apitwin-Client, on a
 * twin bound to loopback; and duplicate credential headers on the vendor APIs (DECISIONS
 * "duplicate credentials"). Raw node:http requests, so Host and repeated headers go out as written.
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

function send(base: string, method: string, path: string, headers: OutgoingHttpHeaders | string[] = {}, body?: string): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    // raw header arrays go out exactly as given, so they get their Host line here
    const lines = Array.isArray(headers) ? ['Host', url.host, ...headers] : headers;
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: lines, setHost: Array.isArray(lines) ? false : !('host' in lines) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the control plane refuses what a web page could send', () => {
  let twin: RunningTwin;
  let base: string;
  let port: string;
  let tenantId: string;

  const tenantAlive = async () => (await send(base, 'GET', `/__admin/tenants/${tenantId}`)).status === 200;

  beforeAll(async () => {
    twin = await startTwin({ port: 0, allowedHosts: ['twin.test', 'fixed.test:1'] });
    base = twin.urls.synqly;
    port = new URL(base).port;
    const created = await send(base, 'POST', '/__admin/tenants', { 'content-type': 'application/json' }, JSON.stringify({ vendor: 'synqly', name: 'guarded' }));
    expect(created.status).toBe(201);
    tenantId = created.body.id;
  });
  afterAll(() => twin?.stop());

  it("a no-cors POST (no content type, a foreign Origin) does not reset a tenant; the twin's own tools still can", async () => {
    for (const path of [`/__admin/tenants/${tenantId}/reset`, '/__admin/reset']) {
      const refused = await send(base, 'POST', path, { origin: 'https://attacker.example' });
      expect(refused.status, path).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 403, title: 'Forbidden', instance: path });
      expect(refused.body.detail).toMatch(/cross-site/);
    }
    expect(await tenantAlive()).toBe(true);
    const own = await send(base, 'POST', `/__admin/tenants/${tenantId}/reset`, { origin: `http://localhost:${port}`, host: `localhost:${port}`, 'x-apitwin-client': 'test' });
    expect(own.status).toBe(200);
  });

  it('a foreign Referer without an Origin is refused; an own Referer is not', async () => {
    const refused = await send(base, 'DELETE', '/__admin/faults', { referer: 'http://evil.example:4010/page', 'x-apitwin-client': 'x' });
    expect(refused.status).toBe(403);
    const fromNull = await send(base, 'DELETE', '/__admin/faults', { origin: 'null', 'x-apitwin-client': 'x' });
    expect(fromNull.status).toBe(403);
    const own = await send(base, 'DELETE', '/__admin/faults', { referer: `${base}/__ui/faults`, 'x-apitwin-client': 'x' });
    expect(own.status).toBe(204);
  });

  it('a body-less write needs a JSON content type or X-Apitwin-Client, even without Origin', async () => {
    const bare = await send(base, 'DELETE', `/__admin/tenants/${tenantId}`);
    expect(bare.status).toBe(403);
    expect(bare.body.detail).toMatch(/X-Apitwin-Client/);
    const textPlain = await send(base, 'POST', `/__admin/tenants/${tenantId}/reset`, { 'content-type': 'text/plain' }, 'x');
    expect(textPlain.status).toBe(403);
    expect(await tenantAlive()).toBe(true);
    expect((await send(base, 'POST', `/__admin/tenants/${tenantId}/reset`, { 'content-type': 'application/json' })).status).toBe(200);
    expect((await send(base, 'POST', '/__admin/clock/advance', { 'content-type': 'application/json' }, '{"duration":"1s"}')).status).toBe(200);
    // reads need neither
    expect((await send(base, 'GET', '/__admin/tenants')).status).toBe(200);
  });

  it('a rebound Host name gets 421 on the control API and the dashboard; loopback names and --allowed-host pass', async () => {
    const stolen = await send(base, 'GET', `/__admin/tenants/${tenantId}/credentials`, { host: `attacker.example:${port}` });
    expect(stolen.status).toBe(421);
    expect(stolen.body).toMatchObject({ status: 421, title: 'Misdirected Request' });
    expect(JSON.stringify(stolen.body)).not.toMatch(/token/i);
    const page = await send(base, 'GET', '/__ui/tenants', { host: `attacker.example:${port}` });
    expect(page.status).toBe(421);
    expect(page.body).toMatchObject({ status: 421 });
    // the right name on another port is not this listener's origin
    expect((await send(base, 'GET', '/__admin/tenants', { host: 'localhost:1' })).status).toBe(421);
    expect((await send(base, 'GET', '/__admin/tenants', { host: 'fixed.test:2' })).status).toBe(421);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `twin.test:${port}`, 'fixed.test:1']) {
      expect((await send(base, 'GET', '/__admin/tenants', { host })).status, host).toBe(200);
    }
    expect((await send(base, 'GET', '/__ui/tenants', { host: `twin.test:${port}` })).status).not.toBe(421);
    // the vendor APIs are not the control plane: any Host reaches them
    expect((await send(base, 'GET', '/v1/accounts', { host: `attacker.example:${port}` })).status).toBe(401);
  });
});

describe('a twin bound to all interfaces checks the admin token, not the Host name', () => {
  it('accepts any Host with the token, still refuses cross-site writes', async () => {
    const twin = await startTwin({ host: '0.0.0.0', port: 0, adminToken: 'secret-admin-token' });
    try {
      const base = twin.urls.synqly.replace('0.0.0.0', '127.0.0.1');
      const port = new URL(base).port;
      expect((await send(base, 'GET', '/__admin/tenants', { host: `twin.example:${port}`, 'x-apitwin-admin-token': 'secret-admin-token' })).status).toBe(200);
      expect((await send(base, 'GET', '/__admin/tenants', { host: `twin.example:${port}` })).status).toBe(401);
      const crossSite = await send(base, 'DELETE', '/__admin/faults', { host: `twin.example:${port}`, origin: 'http://other.example', 'x-apitwin-admin-token': 'secret-admin-token' });
      expect(crossSite.status).toBe(403);
    } finally {
      await twin.stop();
    }
  });
});

describe('duplicate credential headers', () => {
  let twin: RunningTwin;
  beforeAll(async () => {
    twin = await startTwin({ port: 0 });
  });
  afterAll(() => twin?.stop());

  it('Synqly: a valid then an invalid Authorization → 400 Problem (either order); one valid header → 200', async () => {
    const token = twin.credentials.synqly!.token;
    const ok = await send(twin.urls.synqly, 'GET', '/v1/accounts', { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    for (const raw of [
      ['Authorization', `Bearer ${token}`, 'Authorization', 'Bearer nope'],
      ['authorization', 'Bearer nope', 'AUTHORIZATION', `Bearer ${token}`],
      ['Authorization', `Bearer ${token}`, 'Authorization', `Bearer ${token}`],
    ]) {
      const res = await send(twin.urls.synqly, 'GET', '/v1/accounts', raw);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, instance: '/v1/accounts' });
      expect(res.body.message).toMatch(/Authorization header was sent more than once/);
      expect(JSON.stringify(res.body)).not.toContain(token);
    }
  });

  it('Connxio: two Connxio-Api-Key or two Authorization headers → 400 ProblemDetails', async () => {
    const c = twin.credentials.connxio!;
    const tokenRes = await fetch(`${twin.urls.connxio}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret, scope: 'api://connxio/.default' }),
    });
    const bearer = ((await tokenRes.json()) as { access_token: string }).access_token;
    const ok = await send(twin.urls.connxio, 'GET', '/v2/integrations', ['Connxio-Api-Key', c.api_key, 'Authorization', `Bearer ${bearer}`]);
    expect(ok.status).toBe(200);
    for (const raw of [
      ['Connxio-Api-Key', c.api_key, 'Connxio-Api-Key', 'invalid', 'Authorization', `Bearer ${bearer}`],
      ['Connxio-Api-Key', c.api_key, 'Authorization', `Bearer ${bearer}`, 'authorization', 'Bearer invalid'],
    ]) {
      const res = await send(twin.urls.connxio, 'GET', '/v2/integrations', raw);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, title: expect.any(String), traceId: expect.any(String) });
      expect(JSON.stringify(res.body)).toMatch(/sent more than once/);
    }
    const custom = await send(twin.urls.custom, 'POST', '/anything', ['Connxio-Api-Key', 'a', 'Connxio-Api-Key', 'b', 'content-type', 'application/json'], '{}');
    expect(custom.status).toBe(400);
    expect(custom.body).toMatchObject({ status: 400 });
  });
});
