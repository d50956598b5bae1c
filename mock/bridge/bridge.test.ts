import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../app.ts';
import { packageRoot } from '../core/spec.ts';
import { Store } from '../core/store/store.ts';
import { stubsFromHar } from './from-har.ts';
import { readHar, responseText, type ApitwinEntry } from './har.ts';
import { startRecorder } from './record.ts';
import { loadStubFiles } from './stub-files.ts';
import { inprocessTarget, verifyRecording } from './verify.ts';

/**
 * The bridge to the real vendors, with a second twin as the "upstream": sessions of both vendors
 * recorded through `record` (HAR valid, every secret redacted), verified against a fresh twin
 * (0 differences), the upstream bent by three stubs (exactly those three differences), playback
 * of a recording by stub files, and the CLI's one-line refusals.
 */

const dir = mkdtempSync(join(tmpdir(), 'apitwin-bridge-'));
const running: RunningTwin[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

async function upstreamTwin(): Promise<RunningTwin> {
  const twin = await startTwin({ port: 0 });
  running.push(twin);
  return twin;
}

interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
}

async function call(base: string, c: Call): Promise<{ status: number; text: string; body: unknown }> {
  const headers: Record<string, string> = { ...c.headers };
  let body: string | undefined;
  if (c.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(c.json);
  } else if (c.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(c.form).toString();
  }
  const res = await fetch(base + c.path, { method: c.method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, text, body: parsed };
}

function validateHar(file: string): void {
  const schemas = join(packageRoot(), 'node_modules', 'har-schema', 'lib');
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
  for (const f of readdirSync(schemas).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(join(schemas, f), 'utf8')) as object, f);
  const validate = ajv.getSchema('har.json')!;
  const ok = validate(JSON.parse(readFileSync(file, 'utf8')));
  expect(validate.errors ?? [], 'the recording is a valid HAR 1.2 file').toEqual([]);
  expect(ok).toBe(true);
}

/** A Synqly session: creates, reads, a token made and used, a refused token, deletes. Returns every secret it used. */
async function synqlySession(base: string, token: string): Promise<{ secrets: string[] }> {
  const auth = { authorization: `Bearer ${token}` };
  const created = await call(base, { method: 'POST', path: '/v1/accounts', headers: auth, json: { fullname: 'Bridge Account', labels: ['tier:gold'] } });
  expect(created.status).toBe(200);
  const account = (created.body as { result: { account: { id: string } } }).result.account;
  expect((await call(base, { method: 'GET', path: `/v1/accounts/${account.id}`, headers: auth })).status).toBe(200);
  expect((await call(base, { method: 'GET', path: '/v1/accounts?limit=5', headers: auth })).status).toBe(200);
  const made = await call(base, { method: 'POST', path: '/v1/tokens', headers: auth, json: { resources: {}, permission_set: 'viewer' } });
  expect(made.status).toBe(200);
  const minted = (made.body as { result: { id: string; primary: { access: { secret: string }; refresh: { secret: string } } } }).result;
  // the minted token, as the next request's bearer: verify must follow it to the target's token
  expect((await call(base, { method: 'GET', path: `/v1/accounts/${account.id}`, headers: { authorization: `Bearer ${minted.primary.access.secret}` } })).status).toBe(200);
  expect((await call(base, { method: 'GET', path: '/v1/accounts', headers: { authorization: 'Bearer not-a-real-token-at-all' } })).status).toBe(401);
  expect((await call(base, { method: 'DELETE', path: `/v1/tokens/${minted.id}`, headers: auth })).status).toBe(204);
  expect((await call(base, { method: 'DELETE', path: `/v1/accounts/${account.id}`, headers: auth })).status).toBe(204);
  expect((await call(base, { method: 'GET', path: `/v1/accounts/${account.id}`, headers: auth })).status).toBe(404);
  return { secrets: [token, minted.primary.access.secret, minted.primary.refresh.secret] };
}

/** A Connxio session: OAuth token, subscriptions with key and bearer (header and query key), a refused key. */
async function connxioSession(base: string, c: { api_key: string; oauth: { client_id: string; client_secret: string } }): Promise<{ secrets: string[] }> {
  const token = await call(base, { method: 'POST', path: '/oauth/token', form: { grant_type: 'client_credentials', client_id: c.oauth.client_id, client_secret: c.oauth.client_secret, scope: 'api://connxio/.default' } });
  expect(token.status).toBe(200);
  const bearer = (token.body as { access_token: string }).access_token;
  const auth = { 'connxio-api-key': c.api_key, authorization: `Bearer ${bearer}` };
  expect((await call(base, { method: 'GET', path: '/v2/subscriptions', headers: auth })).status).toBe(200);
  expect((await call(base, { method: 'GET', path: '/api/v2/subscriptions/current', headers: auth })).status).toBe(200);
  expect((await call(base, { method: 'GET', path: `/v2/subscriptions/current?Connxio-Api-Key=${encodeURIComponent(c.api_key)}`, headers: { authorization: `Bearer ${bearer}` } })).status).toBe(200);
  expect((await call(base, { method: 'GET', path: '/v2/subscriptions', headers: { 'connxio-api-key': 'd3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXkhIQ==', authorization: `Bearer ${bearer}` } })).status).toBe(401);
  return { secrets: [c.api_key, c.oauth.client_secret, bearer, encodeURIComponent(c.api_key)] };
}

describe('apitwin record → verify', () => {
  it('records both vendors through the proxy (valid HAR, operationIds, no secret in clear) and verifies them against a fresh twin with 0 differences', async () => {
    const upstream = await upstreamTwin();
    const synqlyHar = join(dir, 'synqly.har');
    const connxioHar = join(dir, 'connxio.har');
    const rs = await startRecorder({ vendor: 'synqly', upstream: upstream.urls.synqly, out: synqlyHar, version: 'test' });
    const rc = await startRecorder({ vendor: 'connxio', upstream: upstream.urls.connxio, out: connxioHar, version: 'test' });
    const s = await synqlySession(rs.url, upstream.credentials.synqly!.token);
    const c = await connxioSession(rc.url, upstream.credentials.connxio!);
    // the file is complete after every exchange, before the recorder stops
    expect(readHar(synqlyHar).log.entries).toHaveLength(rs.entries);
    await rs.close();
    await rc.close();

    for (const [file, secrets] of [
      [synqlyHar, s.secrets],
      [connxioHar, c.secrets],
    ] as const) {
      validateHar(file);
      const text = readFileSync(file, 'utf8');
      for (const secret of secrets) expect(text.includes(secret), `a secret of the session is in ${file} in clear`).toBe(false);
      expect(text).toMatch(/<redacted:[A-Za-z0-9_-]{16}>/);
    }
    const sEntries = readHar(synqlyHar).log.entries as ApitwinEntry[];
    expect(sEntries.map((e) => e._apitwin?.operationId)).toEqual(['accounts_create', 'accounts_get', 'accounts_list', 'tokens_create_token', 'accounts_get', 'accounts_list', 'tokens_delete', 'accounts_delete', 'accounts_get']);
    expect(sEntries.every((e) => e._apitwin?.violations.response.length === 0)).toBe(true);
    // the same secret is the same placeholder; the refused credential is marked refused
    const bearers = sEntries.map((e) => e._apitwin?.credentials?.[0]);
    expect(bearers[0]!.placeholder).toBe(bearers[1]!.placeholder);
    expect(bearers[4]!.placeholder).not.toBe(bearers[0]!.placeholder);
    expect(bearers[5]).toMatchObject({ accepted: false });
    expect(bearers[0]).toMatchObject({ header: 'authorization', accepted: true });
    const minted = JSON.parse(responseText(sEntries[3]!)!) as { result: { primary: { access: { secret: string } } } };
    expect(`Bearer ${minted.result.primary.access.secret}`).toBe(bearers[4]!.placeholder);
    const cEntries = readHar(connxioHar).log.entries as ApitwinEntry[];
    expect(cEntries.map((e) => e._apitwin?.operationId)).toEqual(['oauth_token', 'list_subscriptions', 'get_current_subscription', 'get_current_subscription', 'list_subscriptions']);

    for (const file of [synqlyHar, connxioHar]) {
      const target = await inprocessTarget();
      try {
        const { report } = await verifyRecording({ har: file, target, reportsDir: join(dir, `reports-${file.endsWith('synqly.har') ? 's' : 'c'}`) });
        expect(report.differences, JSON.stringify(report.differences, null, 2)).toEqual([]);
        expect(report.compared).toBe(readHar(file).log.entries.length);
      } finally {
        await target.stop();
      }
    }
  });

  it('an upstream bent by three stubs (status, extra field, missing field): verify reports exactly those three, with their paths', async () => {
    const upstream = await upstreamTwin();
    const har = join(dir, 'bent.har');
    const rec = await startRecorder({ vendor: 'synqly', upstream: upstream.urls.synqly, out: har, version: 'test' });
    const auth = { authorization: `Bearer ${upstream.credentials.synqly!.token}` };
    const created = await call(rec.url, { method: 'POST', path: '/v1/accounts', headers: auth, json: { fullname: 'Bent' } });
    const account = (created.body as { result: { account: Record<string, unknown> } }).result.account;
    const stub = async (body: Record<string, unknown>) => {
      const res = await fetch(`${upstream.urls.synqly}/__admin/stubs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor: 'synqly', unchecked: true, ...body }) });
      expect(res.status, await res.clone().text()).toBe(201);
    };
    const { fullname: _dropped, ...withoutFullname } = account;
    await stub({ operationId: 'accounts_get', response: { status: 200, envelope: true, body: { ...account, nickname: 'extra' } } });
    await stub({ operationId: 'accounts_list', response: { status: 200, envelope: true, body: [withoutFullname] } });
    await stub({ operationId: 'accounts_delete', response: { status: 404, envelope: true, body: 'stubbed: no such account' } });
    await call(rec.url, { method: 'GET', path: `/v1/accounts/${String(account.id)}`, headers: auth });
    await call(rec.url, { method: 'GET', path: '/v1/accounts', headers: auth });
    await call(rec.url, { method: 'DELETE', path: `/v1/accounts/${String(account.id)}`, headers: auth });
    await rec.close();

    const target = await inprocessTarget();
    try {
      const reports = join(dir, 'bent-reports');
      const { report } = await verifyRecording({ har, target, reportsDir: reports });
      expect(report.differences).toEqual([
        { scope: 'bent.har', operationId: 'accounts_get', step: 0, fields: [{ path: '/result/nickname', a: '"extra"', b: '<absent>' }] },
        { scope: 'bent.har', operationId: 'accounts_list', step: 0, fields: [{ path: '/result/0/fullname', a: '<absent>', b: '"Bent"' }] },
        { scope: 'bent.har', operationId: 'accounts_delete', step: 0, status: { a: 404, b: 204 }, fields: [] },
      ]);
      expect(readFileSync(join(reports, 'verify.md'), 'utf8')).toContain('`/result/nickname`');
      expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).toContain('tests="4" failures="3"');
    } finally {
      await target.stop();
    }
  });

  it('stubs from-har play the recorded answers back byte for byte', async () => {
    const upstream = await upstreamTwin();
    const har = join(dir, 'playback.har');
    const rec = await startRecorder({ vendor: 'synqly', upstream: upstream.urls.synqly, out: har, version: 'test' });
    await synqlySession(rec.url, upstream.credentials.synqly!.token);
    await rec.close();
    const out = join(dir, 'playback-stubs');
    const { files } = await stubsFromHar(har, out);
    expect(files.length).toBe(readHar(har).log.entries.length);

    const player = await upstreamTwin();
    await loadStubFiles(player.urls.synqly, undefined, out);
    const auth = { authorization: `Bearer ${player.credentials.synqly!.token}` };
    for (const entry of readHar(har).log.entries) {
      if (entry.response.status === 401) continue; // credentials are the twin's own
      const url = new URL(entry.request.url);
      const res = await call(player.urls.synqly, { method: entry.request.method, path: url.pathname + url.search, headers: auth, json: entry.request.postData ? JSON.parse(entry.request.postData.text!) : undefined });
      expect(res.status).toBe(entry.response.status);
      expect(res.text).toBe(responseText(entry) ?? '');
    }
  });
});

describe('the vendor\'s Connxio CLI through apitwin record', () => {
  it('adds a context (OAuth + the current subscription) unchanged but for its base URL; the recording verifies clean', async () => {
    const upstream = await upstreamTwin();
    const c = upstream.credentials.connxio!;
    const har = join(dir, 'connxio-cli.har');
    const rec = await startRecorder({ vendor: 'connxio', upstream: upstream.urls.connxio, out: har, version: 'test' });
    const home = mkdtempSync(join(tmpdir(), 'apitwin-connxio-cli-'));
    const cliEntry = join(packageRoot(), 'node_modules', '@connxio', 'cli', 'dist', 'index.mjs');
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      CONNXIO_CONFIG_DIR: join(home, 'config'),
      CONNXIO_OAUTH_CLIENT_ID: c.oauth.client_id,
      CONNXIO_OAUTH_CLIENT_SECRET: c.oauth.client_secret,
      CONNXIO_OAUTH_TOKEN_URL: `${rec.url}/oauth/token`,
      CONNXIO_API_KEY: c.api_key,
    };
    const added = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliEntry, 'context', 'add', 'recorded', '--base-url', `${rec.url}/api`, '--api-key', c.api_key, '--default'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.on('exit', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
    await rec.close();
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('Context added: recorded');
    const entries = readHar(har).log.entries as ApitwinEntry[];
    expect(entries.map((e) => e._apitwin?.operationId)).toEqual(expect.arrayContaining(['oauth_token', 'get_current_subscription']));
    const text = readFileSync(har, 'utf8');
    for (const secret of [c.api_key, c.oauth.client_secret, encodeURIComponent(c.oauth.client_secret)]) expect(text.includes(secret)).toBe(false);
    const token = JSON.parse(responseText(entries.find((e) => e._apitwin?.operationId === 'oauth_token')!)!) as { access_token: string };
    expect(token.access_token).toMatch(/^<redacted:/);
    const target = await inprocessTarget();
    try {
      expect((await verifyRecording({ har, target })).report.differences).toEqual([]);
    } finally {
      await target.stop();
    }
  });
});

describe('stubs in the store', () => {
  it('survive a restart on a file store', async () => {
    const file = join(dir, 'db.json');
    const first = await startTwin({ port: 0, store: await Store.open({ file }), tenants: true });
    const token = first.credentials.synqly!.token;
    const res = await fetch(`${first.urls.synqly}/__admin/stubs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'synqly', operationId: 'accounts_list', response: { status: 200, envelope: true, body: [], headers: { 'x-stub': 'persisted' } } }),
    });
    expect(res.status).toBe(201);
    await first.stop();
    const second = await startTwin({ port: 0, store: await Store.open({ file }), tenants: false });
    running.push(second);
    const list = await fetch(`${second.urls.synqly}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    expect(list.headers.get('x-stub')).toBe('persisted');
  });
});

describe('the CLI', () => {
  const cli = join(packageRoot(), 'dist', 'cli.js');
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGTERM'), 45_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out, err });
      });
    });

  it('lists record, verify and stubs in --help', async () => {
    const help = await run(['--help']);
    expect(help.out).toMatch(/record \[options\]/);
    expect(help.out).toMatch(/verify \[options\] <file>/);
    expect(help.out).toMatch(/stubs/);
  });

  it('bad input gets one line, never a stack trace, and no file is written', async () => {
    const broken = join(dir, 'broken.har');
    writeFileSync(broken, '{"log": {"entries": [ {"request": ');
    const notHar = join(dir, 'not.har');
    writeFileSync(notHar, '{"hello": 1}');
    const badStubs = join(dir, 'bad-stubs');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(badStubs, { recursive: true });
    writeFileSync(join(badStubs, 'a.yaml'), 'vendor: synqly\noperationId: acounts_list\nresponse: { status: 200 }\n');
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const cases: Array<[string[], number, RegExp]> = [
      [['verify', broken], 2, /^apitwin verify: .*broken\.har is not JSON/],
      [['verify', notHar], 2, /^apitwin verify: .*not a HAR file: no log\.entries array/],
      [['stubs', 'from-har', broken, '--out', join(dir, 'never')], 2, /^apitwin stubs from-har: .*is not JSON/],
      [['record', '--vendor', 'synqly', '--upstream', `http://127.0.0.1:${closed}`, '--port', '0', '--out', join(dir, 'never.har')], 1, new RegExp(`^apitwin record: the upstream http://127\\.0\\.0\\.1:${closed} is not reachable \\(ECONNREFUSED\\)`)],
      [['serve', '--memory', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--stubs', badStubs], 2, /apitwin: --stubs a\.yaml: unknown synqly operationId acounts_list \(did you mean accounts_list/],
    ];
    for (const [args, code, says] of cases) {
      const res = await run(args);
      expect(res.code, `${args.join(' ')}: ${res.err}`).toBe(code);
      expect(res.err.trim().split('\n').filter((l) => l.startsWith('apitwin')).at(-1)).toMatch(says);
      expect(res.err).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(dir)).not.toContain('never');
    expect(readdirSync(dir)).not.toContain('never.har');
  });
});
