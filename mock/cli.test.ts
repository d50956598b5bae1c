import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadStoreFile } from './core/store/journaled-file.ts';

/** The built CLI (npm test builds first), run the way users run it. */
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const children: ChildProcess[] = [];

interface Ready {
  ready: true;
  readyMs: number;
  urls: { synqly: string; connxio: string; custom: string };
  store: string | null;
  tenants: Array<{ vendor: string; name: string; credentials: Record<string, unknown> }>;
}

function start(args: string[]): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, [cli, 'serve', '--json', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, ready: JSON.parse(out.slice(0, nl)) as Ready });
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function runOnce(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'apitwin-cli-')), 'db.json');

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does)');
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stop(c, 'SIGKILL')));
});

describe('apitwin serve › help', () => {
  it('documents every flag', () => {
    const help = runOnce(['serve', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--host', '--synqly-port', '--connxio-port', '--custom-port', '--db', '--memory', '--profile', '--seed', '--count', '--admin-token', '--body-limit', '--log-level', '--json']) {
      expect(help.stdout).toContain(flag);
    }
  });
});

describe('apitwin serve › file store', () => {
  it('seeds the demo profile on first start, keeps writes across a graceful restart, and prints the same credentials', async () => {
    const db = tempDb();
    const first = await start(['--db', db]);
    expect(first.ready.store).toBe(db);
    const synqly = first.ready.tenants.find((t) => t.vendor === 'synqly')!;
    const token = synqly.credentials.token as string;
    const health = await fetch(`${first.ready.urls.connxio}/__admin/health`);
    expect(health.status).toBe(200);
    const created = await fetch(`${first.ready.urls.synqly}/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept-across-restarts' }),
    });
    expect(created.status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    const names = Object.values(loadStoreFile(db).collections)
      .flatMap((c) => Object.values(c))
      .map((r) => r.name);
    expect(names).toContain('kept-across-restarts');

    const second = await start(['--db', db]);
    expect(second.ready.tenants).toEqual(first.ready.tenants);
    const listed = await fetch(`${second.ready.urls.synqly}/v1/accounts?filter=name[eq]kept-across-restarts`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await listed.json()) as { result: unknown[] }).result).toHaveLength(1);
  });

  it('stops cleanly (exit 0) on a SIGTERM sent the moment its ready line is read', async () => {
    for (let i = 0; i < 5; i++) {
      const { child } = await start(['--memory', '--profile', 'empty']);
      expect(await stop(child, 'SIGTERM')).toBe(0);
    }
  });

  it('answers a JSON Patch as the first request that needs a PUT body check (the validator loads after the ready line)', async () => {
    const { ready } = await start(['--memory', '--profile', 'demo']);
    const token = ready.tenants.find((t) => t.vendor === 'synqly')!.credentials.token as string;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${ready.urls.synqly}/v1/accounts`, { method: 'POST', headers, body: JSON.stringify({ name: 'patched-first', environment: 'test' }) });
    expect(created.status).toBe(200);
    const { result } = (await created.json()) as { result: { account: { id: string } } };
    const patched = await fetch(`${ready.urls.synqly}/v1/accounts/${result.account.id}`, { method: 'PATCH', headers, body: JSON.stringify([{ op: 'replace', path: '/name', value: 'patched-second' }]) });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { result: { name: string } }).result.name).toBe('patched-second');
  });

  it('refuses a second process on the same file', async () => {
    const db = tempDb();
    await start(['--db', db]);
    const second = runOnce(['serve', '--db', db, '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0']);
    expect(second.status).toBe(2);
    expect(second.stderr).toContain('in use by another apitwin process');
  });

  it('refuses a heap growth above 300 % in one line, exit 2, before touching the store', () => {
    const db = tempDb();
    const res = runOnce(['serve', '--db', db, '--heap-growth', '301', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0']);
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toBe('apitwin: --heap-growth takes 0 to 300 (percent), got 301');
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a corrupt store with a clear message and leaves it untouched', () => {
    const db = tempDb();
    writeFileSync(db, '{ this is not json');
    const res = runOnce(['serve', '--db', db, '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('not valid JSON');
    expect(readFileSync(db, 'utf8')).toBe('{ this is not json');
  });

  it('refuses tampered store files (bad shapes, directories) in one line, exit 2, files untouched', () => {
    const header = { format: 'apitwin-store', version: 1, seq: 0 };
    const snapshot = (collections: unknown) => JSON.stringify({ ...header, collections });
    const lines = (records: string, count: number | undefined) =>
      `{"format":"apitwin-store","version":2,"seq":0}\n{"c":"accounts","r":${records}}\n${count === undefined ? '' : `{"records":${count}}\n`}`;
    const cases: Array<{ name: string; db?: string; journal?: string; dbDir?: true; journalDir?: true; says: string }> = [
      { name: 'journal op null', db: snapshot({}), journal: '{"s":1,"ops":[null]}\n', says: 'operation 0 is not an object' },
      { name: 'journal op missing fields', db: snapshot({}), journal: '{"s":1,"ops":[{"op":"put","c":"accounts"}]}\n', says: 'operation 0 names no record id' },
      { name: 'journal put without a record', db: snapshot({}), journal: '{"s":1,"ops":[{"op":"put","c":"accounts","id":"a","v":null}]}\n', says: 'puts no record' },
      { name: 'snapshot record null', db: snapshot({ accounts: { a: null } }), says: 'damaged record "a" in collection "accounts"' },
      { name: 'collection a string', db: snapshot({ accounts: 'oops' }), says: 'damaged collection "accounts"' },
      { name: 'db.json a directory', dbDir: true, says: 'is a directory' },
      { name: 'journal a directory', db: snapshot({}), journalDir: true, says: '.journal is a directory' },
      // the line layout (version 2) compactions write
      { name: 'line layout: a record null', db: lines('[["a",null]]', 1), says: 'damaged line 2 (record 0 is not an [id, object] pair)' },
      { name: 'line layout: cut at a line boundary', db: lines('[["a",{"id":"a"}]]', undefined), says: 'the end line is missing' },
      // the current layout (version 3): every records line checked by its CRC-32 at the start
      { name: 'current layout: a record changed', db: layout3([{ id: 'a', name: 'A' }]).replace('"name":"A"', '"name":"B"'), says: 'damaged line 3 (its records, or the collection, count or ids on the line before, do not match their checksum' },
      { name: 'current layout: a record null behind a matching checksum', db: layout3([null]), says: 'damaged line 3 (record 0 is not an object)' },
    ];
    for (const c of cases) {
      const db = tempDb();
      if (c.dbDir) mkdirSync(db);
      if (c.db !== undefined) writeFileSync(db, c.db);
      if (c.journalDir) mkdirSync(`${db}.journal`);
      if (c.journal !== undefined) writeFileSync(`${db}.journal`, c.journal);
      const res = runOnce(['serve', '--db', db, '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'silent']);
      expect(res.status, c.name).toBe(2);
      expect(res.stderr.trim().split('\n'), c.name).toHaveLength(1);
      expect(res.stderr, c.name).toMatch(/^apitwin: /);
      expect(res.stderr, c.name).toContain(c.says);
      expect(res.stderr, c.name).not.toMatch(/\n\s+at /);
      if (c.db !== undefined) expect(readFileSync(db, 'utf8'), c.name).toBe(c.db);
      if (c.dbDir) expect(statSync(db).isDirectory(), c.name).toBe(true);
      if (c.journal !== undefined) expect(readFileSync(`${db}.journal`, 'utf8'), c.name).toBe(c.journal);
      if (c.journalDir) expect(statSync(`${db}.journal`).isDirectory(), c.name).toBe(true);
      expect(existsSync(`${db}.lock`), c.name).toBe(false);
    }
  });
});

/** a store file in the current layout with one collection, `accounts`, in lines of 256 records; each records line's checksum matches it */
function layout3(records: unknown[]): string {
  const lines = ['{"format":"apitwin-store","version":3,"seq":0}'];
  for (let i = 0; i < records.length; i += 256) {
    const slice = records.slice(i, i + 256);
    const text = JSON.stringify(slice);
    const ids = JSON.stringify(slice.map((r, j) => (r as { id?: string } | null)?.id ?? `x${i + j}`));
    lines.push(`{"c":"accounts","n":${slice.length},"crc":${crc32(text, crc32(ids, crc32(`"accounts",${slice.length}`)))},"ids":${ids}}`, text);
  }
  return `${lines.join('\n')}\n{"records":${records.length}}\n`;
}

describe('apitwin serve › a store read after the start', () => {
  it('a large collection whose line is damaged behind a matching checksum: refused when the line is read, in one line, exit 2, files untouched', () => {
    const db = tempDb();
    const records: unknown[] = Array.from({ length: 600 }, (_, i) => ({ id: `a${i}`, name: `A${i}` }));
    records[400] = 'not a record';
    const text = layout3(records);
    writeFileSync(db, text);
    const res = runOnce(['serve', '--db', db, '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'silent']);
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('damaged line 5 (record 144 is not an object)');
    expect(readFileSync(db, 'utf8')).toBe(text);
    expect(existsSync(`${db}.lock`)).toBe(false);
  });
});

describe('apitwin serve › binding', () => {
  it('refuses a non-loopback address without an admin token', () => {
    const res = runOnce(['serve', '--memory', '--host', '0.0.0.0', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--admin-token');
  });

  it('requires the admin token on the control API when one is set', async () => {
    const { ready } = await start(['--memory', '--admin-token', 'let-me-in']);
    expect((await fetch(`${ready.urls.synqly}/__admin/health`)).status).toBe(401);
    expect((await fetch(`${ready.urls.synqly}/__admin/health`, { headers: { 'x-apitwin-admin-token': 'let-me-in' } })).status).toBe(200);
  });
});

describe('README › demo credentials', () => {
  it('lists exactly what `npm start` prints for the default seed', async () => {
    const { ready } = await start(['--memory']);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- demo-credentials:start -->'), readme.indexOf('<!-- demo-credentials:end -->'));
    const synqly = ready.tenants.find((t) => t.vendor === 'synqly')!.credentials;
    const connxio = ready.tenants.find((t) => t.vendor === 'connxio')!.credentials as { api_key: string; oauth: { client_id: string; client_secret: string } };
    for (const secret of [synqly.token as string, connxio.api_key, connxio.oauth.client_id, connxio.oauth.client_secret]) {
      expect(table).toContain(`\`${secret}\``);
    }
  });
});

describe('README › statements kept true', () => {
  const readme = () => readFileSync(join(root, 'README.md'), 'utf8');
  const between = (text: string, marker: string) => text.slice(text.indexOf(`<!-- ${marker}:start -->`), text.indexOf(`<!-- ${marker}:end -->`));

  it('links nothing outside the repository', () => {
    expect(readme()).not.toMatch(/\]\(\.\.\/|`\.\.\/|shared\/contracts/);
  });

  it('the export step sets what `npm start` prints for the default seed', async () => {
    const { ready } = await start(['--memory']);
    const exports = Object.fromEntries([...between(readme(), 'demo-exports').matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const synqly = ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string };
    const connxio = ready.tenants.find((t) => t.vendor === 'connxio')!.credentials as { api_key: string; oauth: { client_id: string; client_secret: string; token_path: string } };
    expect(exports).toEqual({
      SYNQLY_BASE_URL: 'http://127.0.0.1:4010',
      SYNQLY_TOKEN: synqly.token,
      CONNXIO_BASE_URL: 'http://127.0.0.1:4020',
      CONNXIO_API_KEY: connxio.api_key,
      CONNXIO_CLIENT_ID: connxio.oauth.client_id,
      CONNXIO_CLIENT_SECRET: connxio.oauth.client_secret,
      CONNXIO_TOKEN_URL: `http://127.0.0.1:4020${connxio.oauth.token_path}`,
    });
  });

  it("the fault example's requests are accepted and the fault answers as described", async () => {
    const { ready } = await start(['--memory']);
    const bodies = [...between(readme(), 'fault-example').matchAll(/-d '(\{.*\})'/g)].map((m) => m[1]!);
    expect(bodies.length).toBe(2);
    for (const body of bodies) {
      const res = await fetch(`${ready.urls.synqly}/__admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const token = (ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string }).token;
    const failed = await fetch(`${ready.urls.synqly}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as { message: string }).message).toBe('maintenance');
  });

  it('on an existing store --profile/--seed are ignored with a notice, and the clock offset is not kept', async () => {
    expect(readme()).toMatch(/on an existing one they are ignored, and the twin prints a\s+notice/);
    expect(readme()).toMatch(/clock offset set through `\/__admin\/clock` is not kept across restarts/);
    const db = tempDb();
    const first = await start(['--db', db]);
    const moved = await fetch(`${first.ready.urls.synqly}/__admin/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"duration":"72h"}' });
    expect(moved.status).toBe(200);
    await stop(first.child);
    const child = spawn(process.execPath, [cli, 'serve', '--json', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn', '--db', db, '--profile', 'empty', '--seed', '7'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out.includes('\n') && /notice: .*--profile, --seed were ignored/.test(err), { timeout: 20_000 }).toBe(true);
    const ready = JSON.parse(out.slice(0, out.indexOf('\n'))) as Ready;
    expect(ready.tenants.map((t) => t.name).sort()).toEqual(['demo', 'demo']); // the demo data is still there
    const clock = (await (await fetch(`${ready.urls.synqly}/__admin/clock`)).json()) as { now: string };
    expect(Math.abs(Date.parse(clock.now) - Date.now())).toBeLessThan(3_600_000);
  });
});

describe('logs', () => {
  async function logOf(args: string[]): Promise<string> {
    const { child, ready } = await start(['--memory', '--log-level', 'info', ...args]);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const token = (ready.tenants.find((t) => t.vendor === 'synqly')!.credentials as { token: string }).token;
    expect((await fetch(`${ready.urls.synqly}/v1/accounts?limit=2`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await expect.poll(() => err.includes('accounts_list'), { timeout: 10_000 }).toBe(true);
    return err;
  }

  it('not a terminal: one JSON line per request with an ISO time, no colour codes', async () => {
    const line = (await logOf([])).split('\n').find((l) => l.includes('accounts_list'))!;
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toMatchObject({ msg: 'request', method: 'GET', path: '/v1/accounts', status: 200, operationId: 'accounts_list', listener: 'synqly' });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line).not.toContain('\u001b[');
  });

  it('--log-format pretty: one readable line per request (time, method, path, status, ms, operationId), no colour codes off a terminal', async () => {
    const log = await logOf(['--log-format', 'pretty']);
    const line = log.split('\n').find((l) => l.includes('accounts_list'))!;
    expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO: GET \/v1\/accounts\?limit=2 200 [\d.]+ ms accounts_list \(synqly\)$/);
    expect(log).not.toContain('\u001b[');
  });

  it('a startup error is printed once', () => {
    const res = runOnce(['serve', '--host', '0.0.0.0', '--memory']);
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual(['apitwin: binding to 0.0.0.0 exposes the control API; pass --admin-token (or APITWIN_ADMIN_TOKEN)']);
  });
});
