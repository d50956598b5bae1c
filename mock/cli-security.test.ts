import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnTwin, type Server, type TwinReady } from '../bench/procs.ts';

/**
 * Security of the built CLI (npm test builds first), as users run it: loopback by default, the
 * admin token on the control API, secrets hashed at rest and absent from the log. Everything binds
 * 127.0.0.1: a token-protected twin is started on loopback with --admin-token, which is the same
 * code path a non-loopback bind takes (and refuses without a token: mock/cli.test.ts).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const started: Server<TwinReady>[] = [];

async function start(args: string[], env?: NodeJS.ProcessEnv): Promise<Server<TwinReady>> {
  const server = await spawnTwin(cli, root, args, 'twin', [], env);
  started.push(server);
  return server;
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does)');
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop('SIGKILL')));
});

const json = { 'content-type': 'application/json' };

describe('apitwin serve › binding', () => {
  it('binds every listener to 127.0.0.1 unless told otherwise', async () => {
    const twin = await start(['--memory']);
    for (const url of Object.values(twin.ready.urls)) expect(new URL(url).hostname).toBe('127.0.0.1');
  });
});

describe('apitwin serve › admin token', () => {
  it('guards the control API on every listener (header or bearer, exact match only) and leaves the vendor APIs to their own auth', async () => {
    const token = 'a-long-admin-token-0123456789';
    const twin = await start(['--memory', '--admin-token', token]);
    for (const base of Object.values(twin.ready.urls)) {
      expect((await fetch(`${base}/__admin/health`)).status).toBe(401);
      expect((await fetch(`${base}/__admin/health`, { headers: { 'x-apitwin-admin-token': 'a-long-admin-token-0123456788' } })).status).toBe(401);
      expect((await fetch(`${base}/__admin/health`, { headers: { 'x-apitwin-admin-token': token.slice(0, -1) } })).status).toBe(401);
      expect((await fetch(`${base}/__admin/health`, { headers: { 'x-apitwin-admin-token': token } })).status).toBe(200);
      expect((await fetch(`${base}/__admin/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    }
    // nothing the control API does is reachable without it: tenants, snapshot, faults
    const synqly = twin.ready.urls.synqly;
    expect((await fetch(`${synqly}/__admin/tenants`, { method: 'POST', headers: json, body: '{"vendor":"synqly"}' })).status).toBe(401);
    expect((await fetch(`${synqly}/__admin/snapshot`)).status).toBe(401);
    expect((await fetch(`${synqly}/__admin/faults`, { method: 'POST', headers: json, body: '{"vendor":"synqly","action":{"type":"status","status":500}}' })).status).toBe(401);
    // the demo tenant's token still works on the vendor API
    const demo = twin.ready.tenants.find((t) => t.vendor === 'synqly')!.credentials.token as string;
    expect((await fetch(`${synqly}/v1/accounts`, { headers: { authorization: `Bearer ${demo}` } })).status).toBe(200);
  });

  it('takes the token from APITWIN_ADMIN_TOKEN too', async () => {
    const twin = await start(['--memory'], { ...process.env, APITWIN_ADMIN_TOKEN: 'from-the-environment' });
    expect((await fetch(`${twin.ready.urls.connxio}/__admin/health`)).status).toBe(401);
    expect((await fetch(`${twin.ready.urls.connxio}/__admin/health`, { headers: { 'x-apitwin-admin-token': 'from-the-environment' } })).status).toBe(200);
  });

  it('the dashboard shell holds no data: everything it shows comes through the guarded control API', async () => {
    const token = 'dashboard-token-42';
    const twin = await start(['--memory', '--admin-token', token]);
    const page = await fetch(`${twin.ready.urls.synqly}/__ui/`);
    const html = await page.text();
    expect([200, 503]).toContain(page.status); // 503 = dashboard not built (npm test builds it)
    for (const tenant of twin.ready.tenants) {
      for (const value of Object.values(tenant.credentials)) if (typeof value === 'string' && value.length > 20) expect(html).not.toContain(value);
    }
    // the data the dashboard reads
    for (const path of ['/__admin/tenants', '/__admin/requests', '/__admin/listeners', '/__admin/connxio/messages']) {
      expect((await fetch(`${twin.ready.urls.synqly}${path}`)).status, path).toBe(401);
      expect((await fetch(`${twin.ready.urls.synqly}${path}`, { headers: { 'x-apitwin-admin-token': token } })).status, path).toBe(200);
    }
  });
});

describe('apitwin serve › secrets at rest and in the log', () => {
  it('keeps only hashes in the store file and its journal, and logs no secret even at trace level', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'apitwin-sec-')), 'db.json');
    const twin = await start(['--db', db, '--log-level', 'trace']);
    const { synqly, connxio, custom } = twin.ready.urls;
    const sq = twin.ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string };
    const cx = twin.ready.tenants.find((t) => t.vendor === 'connxio')!.credentials as {
      company_id: string;
      api_key: string;
      api_key_subscription_id: string;
      oauth: { client_id: string; client_secret: string };
    };
    const secrets: string[] = [sq.token, cx.api_key, cx.oauth.client_secret];
    const bearerOf = (t: string) => ({ authorization: `Bearer ${t}`, ...json });

    const tokenRes = await fetch(`${synqly}/v1/tokens`, { method: 'POST', headers: bearerOf(sq.token), body: JSON.stringify({ name: 'sec-token', resources: {}, permission_set: 'viewer' }) });
    expect(tokenRes.status).toBe(200);
    const issued = ((await tokenRes.json()) as { result: { primary: { access: { secret: string }; refresh: { secret: string } } } }).result.primary;
    secrets.push(issued.access.secret, issued.refresh.secret);
    const password = 'Sturdy-Password-For-Tests-9';
    expect((await fetch(`${synqly}/v1/members`, { method: 'POST', headers: bearerOf(sq.token), body: JSON.stringify({ name: 'sec@example.com', secret: password }) })).status).toBe(200);
    secrets.push(password);
    // a failing call with a secret in it: logged (debug access log) without it
    expect((await fetch(`${synqly}/v1/accounts?token=${issued.access.secret}`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);

    const oauth = await fetch(`${connxio}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: cx.oauth.client_id, client_secret: cx.oauth.client_secret, scope: 'api://connxio/.default' }),
    });
    const bearer = ((await oauth.json()) as { access_token: string }).access_token;
    secrets.push(bearer);
    const keyRes = await fetch(`${synqly}/__admin/connxio/companies/${cx.company_id}/api-keys`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'sec-key', scopes: ['Management', 'Messaging'], subscriptionId: cx.api_key_subscription_id }),
    });
    expect(keyRes.status).toBe(201);
    const newKey = ((await keyRes.json()) as { key: string }).key;
    secrets.push(newKey);
    expect((await fetch(`${connxio}/v2/subscriptions?Connxio-Api-Key=${encodeURIComponent(newKey)}`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(200);
    expect((await fetch(`${custom}/orders`, { method: 'POST', headers: { 'connxio-api-key': newKey, authorization: `Bearer ${bearer}`, ...json }, body: '{}' })).status).toBe(401);

    const onDisk = () => readFileSync(db, 'latin1') + (existsSync(`${db}.journal`) ? readFileSync(`${db}.journal`, 'latin1') : '');
    // acknowledged writes are on disk now (journal), and after the compaction a graceful stop does
    for (const text of [onDisk(), await stopped(twin).then(onDisk)]) {
      expect(text).toContain('sec-token');
      for (const secret of secrets) expect(text.includes(secret), `a secret (${secret.slice(0, 4)}…) is stored in clear`).toBe(false);
    }
    const log = twin.stderr();
    expect(log).toContain('"msg":"request"');
    for (const secret of secrets) expect(log.includes(secret), `a secret (${secret.slice(0, 4)}…) is in the log`).toBe(false);
  });
});

async function stopped(server: Server<TwinReady>): Promise<void> {
  expect(await server.stop('SIGTERM')).toBe(0);
}
