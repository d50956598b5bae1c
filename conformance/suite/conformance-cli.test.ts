import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../mock/app.ts';
import { Store } from '../../mock/core/store/store.ts';
import { seedProfile } from '../../fixtures/profiles.ts';
import { type ConnxioCredentials, type SynqlyCredentials } from '../../mock/admin/tenants/lifecycle.ts';
import { loadFakerFor } from '../../fixtures/sample-data.ts';
import type { Matrix } from '../report/matrix.ts';
import { integrationBody } from '../support/connxio-management.ts';
import { verifiedLive } from '../../scripts/coverage-ledger.ts';
import type { ParityReport } from '../report/parity.ts';

/**
 * `apitwin conformance` as users run it (the built CLI), against twins started separately and
 * treated as live tenants: the same code path a real vendor tenant takes.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const twins: RunningTwin[] = [];
let envA: Record<string, string>;
let envB: Record<string, string>;
let twinB: RunningTwin;

async function demoTwin(prefix: string): Promise<{ twin: RunningTwin; env: Record<string, string> }> {
  const store = await Store.open();
  const faker = await loadFakerFor(1);
  const tenants = await store.transact((tx) => seedProfile(tx, 'demo', { faker }, Date.now()));
  const twin = await startTwin({ store, ports: { synqly: 0, connxio: 0, custom: 0 } });
  twins.push(twin);
  const s = tenants.find((t) => t.vendor === 'synqly')!.credentials as SynqlyCredentials;
  const c = tenants.find((t) => t.vendor === 'connxio')!.credentials as ConnxioCredentials;
  return {
    twin,
    env: {
      [`${prefix}SYNQLY_BASE_URL`]: twin.urls.synqly,
      [`${prefix}SYNQLY_TOKEN`]: s.token,
      [`${prefix}CONNXIO_BASE_URL`]: twin.urls.connxio,
      [`${prefix}CONNXIO_API_KEY`]: c.api_key,
      [`${prefix}CONNXIO_CLIENT_ID`]: c.oauth.client_id,
      [`${prefix}CONNXIO_CLIENT_SECRET`]: c.oauth.client_secret,
      [`${prefix}CONNXIO_TOKEN_URL`]: `${twin.urls.connxio}/oauth/token`,
    },
  };
}

/** each of these tests runs the suite in a child vitest: under a busy CI machine that takes minutes, not the default 60 s */
const SUITE_RUN_MS = 300_000;

/** this process's environment without any live target variable: each test sets exactly its own */
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/(SYNQLY|CONNXIO)_/.test(k)));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'conformance', ...args], { cwd: root, env: { ...baseEnv, ...env, APITWIN_TARGET: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out: out + err, err }));
  });
}

const unprefixed = (env: Record<string, string>, prefix: string) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k.slice(prefix.length), v]));
const onlySynqly = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => k.includes('SYNQLY_')));

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does)');
  ({ env: envA } = await demoTwin('A_'));
  ({ env: envB, twin: twinB } = await demoTwin('B_'));
});

afterAll(async () => {
  await Promise.all(twins.map((t) => t.stop()));
});

const selection = ['--family', 'accounts', 'subscriptions'];

describe('apitwin conformance › live target', () => {
  it('passes read-only against a separately started twin, skipping writes, with JUnit and the matrix', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'apitwin-live-'));
    const plainEnv = unprefixed(envA, 'A_');
    const res = await run(['--target', 'live', ...selection, '--reports', reports], plainEnv);
    expect(res.code, res.out).toBe(0);
    // output into a pipe carries no colour codes
    expect(res.out + res.err).not.toContain('\u001b[');
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites[^>]*tests="\d+"/);
    expect(junit).toMatch(/<skipped/);
    expect(junit).not.toContain(plainEnv.SYNQLY_TOKEN);
    const matrix = JSON.parse(readFileSync(join(reports, 'coverage-matrix.json'), 'utf8')) as Matrix;
    const row = (id: string) => matrix.operations.find((o) => o.operationId === id)!;
    expect(row('accounts_list').result).toBe('pass');
    expect(row('list_subscriptions').result).toBe('pass');
    // read-only: the only create that ran is the unauthenticated one the tenant refuses
    expect(Object.keys(row('accounts_create').statuses)).toEqual(['401']);
    expect(row('accounts_create').scenarios.skipped).toBeGreaterThan(0);
    expect(readFileSync(join(reports, 'coverage-matrix.md'), 'utf8')).toContain('| synqly | `accounts_list` |');
  }, SUITE_RUN_MS);
});

describe('apitwin conformance › parity', () => {
  it('finds no difference between two twins, and exactly the injected one against a faulted twin', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'apitwin-parity-'));
    const same = await run(['--parity', 'env:A_', 'env:B_', ...selection, '--reports', reports], { ...envA, ...envB });
    expect(same.code, same.out).toBe(0);
    const clean = JSON.parse(readFileSync(join(reports, 'parity.json'), 'utf8')) as ParityReport;
    expect(clean.compared).toBeGreaterThan(5);
    expect(clean.differences).toEqual([]);

    const fault = await fetch(`${twinB.urls.synqly}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'synqly', operationId: 'accounts_list', action: { type: 'status', status: 503 } }),
    });
    expect(fault.status).toBe(201);
    const faulted = await run(['--parity', 'env:A_', 'env:B_', ...selection, '--reports', reports], { ...envA, ...envB });
    expect(faulted.code).toBe(1);
    const report = JSON.parse(readFileSync(join(reports, 'parity.json'), 'utf8')) as ParityReport;
    expect(report.differences.length).toBeGreaterThan(0);
    for (const d of report.differences) {
      expect(d.operationId).toBe('accounts_list');
      expect(d.status?.b).toBe(503);
    }
    expect(readFileSync(join(reports, 'parity.md'), 'utf8')).toContain('`accounts_list`');
  }, SUITE_RUN_MS);
});

describe('apitwin conformance › usage errors', () => {
  const cases: Array<{ args: string[]; env?: Record<string, string>; says: RegExp }> = [
    { args: ['--target', 'bogus'], says: /unknown target bogus: use inprocess, spawned, live or env:<PREFIX>/ },
    { args: ['--parity', 'inprocess'], says: /--parity takes exactly two targets/ },
    { args: ['--tag', 'nonesuch'], says: /unknown --tag nonesuch \(known: .*accounts/ },
    { args: ['--operation', 'accounts_creat', 'nosuch_op'], says: /unknown --operation accounts_creat \(did you mean accounts_create.*unknown --operation nosuch_op/ },
    { args: ['--family', 'acounts'], says: /unknown --family acounts \(did you mean accounts\?\)/ },
    { args: ['--cleanup'], says: /--cleanup works on one live target/ },
    { args: ['--target', 'live', '--cleanup'], says: /--cleanup on live needs SYNQLY_BASE_URL, SYNQLY_TOKEN, CONNXIO_BASE_URL/ },
    { args: ['--target', 'env:C_'], says: /the env:C_ target needs C_SYNQLY_BASE_URL, C_SYNQLY_TOKEN, C_CONNXIO_BASE_URL, C_CONNXIO_API_KEY, C_CONNXIO_CLIENT_ID, C_CONNXIO_CLIENT_SECRET \(/ },
    { args: ['--target', 'live', '--vendor', 'synqly', '--family', 'accounts'], env: { CONNXIO_BASE_URL: 'http://127.0.0.1:1' }, says: /the live target needs SYNQLY_BASE_URL, SYNQLY_TOKEN \(/ },
    { args: ['--target', 'live', '--family', 'accounts', 'subscriptions'], env: { SYNQLY_BASE_URL: 'http://127.0.0.1:1', SYNQLY_TOKEN: 'x' }, says: /the live target needs CONNXIO_BASE_URL, CONNXIO_API_KEY, CONNXIO_CLIENT_ID, CONNXIO_CLIENT_SECRET \(/ },
  ];
  it.each(cases)('$args: one line, exit code 2, before vitest starts', async ({ args, env, says }) => {
    const res = await run([...args, '--reports', mkdtempSync(join(tmpdir(), 'apitwin-usage-'))], env ?? {});
    expect(res.code, res.out).toBe(2);
    expect(res.out.trim().split('\n')).toHaveLength(1);
    expect(res.err).toMatch(says);
    expect(res.err).toMatch(/^apitwin conformance: /);
    expect(res.out).not.toMatch(/\n\s+at /);
    expect(res.out).not.toContain('RUN');
  });
});

describe('apitwin conformance › live target with one vendor', () => {
  it('runs Synqly scenarios with only the Synqly variables; reports skip reasons and unselected operations', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'apitwin-synqly-only-'));
    const res = await run(['--target', 'live', '--vendor', 'synqly', '--family', 'accounts', '--reports', reports], onlySynqly(unprefixed(envA, 'A_')));
    expect(res.code, res.out).toBe(0);
    expect(res.out).toMatch(/conformance live: \d+ pass, 0 fail, \d+ skipped, \d+ not covered, \d+ not selected;/);
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    expect(junit).toContain('<skipped message="writes are off on live targets (pass --allow-writes): POST /v1/accounts"/>');
    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as { testResults: Array<{ assertionResults: Array<{ status: string; skipMessage?: string }> }> };
    const skipped = results.testResults.flatMap((f) => f.assertionResults).filter((a) => a.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    for (const a of skipped) expect(a.skipMessage).toMatch(/^writes are off on live targets \(pass --allow-writes\)|^a conditional scenario \(it.runIf\/skipIf\) not run on live targets/);
    expect(skipped.filter((a) => a.skipMessage?.startsWith('writes are off')).length).toBeGreaterThan(0);
    const matrix = JSON.parse(readFileSync(join(reports, 'coverage-matrix.json'), 'utf8')) as Matrix;
    const row = (id: string) => matrix.operations.find((o) => o.operationId === id)!;
    expect(row('list_subscriptions').result).toBe('not selected');
    expect(row('members_list').result).toBe('not selected');
    expect(matrix.totals.notSelected).toBe(matrix.operations.filter((o) => o.result === 'not selected').length);
    expect(matrix.totals.skipped).toBeLessThan(10);
    // every write scenario of accounts_update was skipped: not a pass
    expect(row('accounts_update').scenarios).toMatchObject({ passed: 0, skipped: expect.any(Number) });
    expect(row('accounts_update').result).toBe('skip');
    for (const r of matrix.operations) if (r.result === 'pass') expect(r.scenarios.passed + Object.keys(r.statuses).length).toBeGreaterThan(0);
    // the ledger: nothing that only answered 4xx counts as verified live
    expect(verifiedLive(matrix)).not.toContain('accounts_create');
    expect(matrix.cleanup.failures).toEqual([]);
    expect(readFileSync(join(reports, 'coverage-matrix.md'), 'utf8')).toContain('Cleanup: every resource the run created was deleted.');
  }, SUITE_RUN_MS);
});

describe('apitwin conformance › cleanup', () => {
  let envC: Record<string, string>;
  let twinC: RunningTwin;
  beforeAll(async () => {
    ({ env: envC, twin: twinC } = await demoTwin('C_'));
  });
  const admin = (path: string, method: string, body?: unknown) =>
    fetch(`${twinC.urls.synqly}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('reports deletes that failed after the scenarios, in the summary and the reports, and exits 1', async () => {
    expect((await admin('/faults', 'POST', { vendor: 'synqly', operationId: 'accounts_delete', action: { type: 'status', status: 500 } })).status).toBe(201);
    try {
      const reports = mkdtempSync(join(tmpdir(), 'apitwin-cleanup-fail-'));
      const res = await run(['--target', 'env:C_', '--allow-writes', '--vendor', 'synqly', '--operation', 'accounts_get', '--reports', reports], envC);
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/cleanup: \d+ delete\(s\) failed; resources may be left behind/);
      expect(res.out).toMatch(/DELETE \/v1\/accounts\/\S+ answered 500/);
      const matrix = JSON.parse(readFileSync(join(reports, 'coverage-matrix.json'), 'utf8')) as Matrix;
      expect(matrix.cleanup.failures.length).toBeGreaterThan(0);
      expect(matrix.cleanup.failures[0]!.test).toContain('accounts_get');
      expect(readFileSync(join(reports, 'coverage-matrix.md'), 'utf8')).toMatch(/\*\*Cleanup: \d+ delete\(s\) failed/);
    } finally {
      expect((await admin('/faults', 'DELETE')).status).toBeLessThan(300);
    }
  }, SUITE_RUN_MS);

  it('finds every kind of leftover by its apitwin- prefix, deletes it in dependency order and keeps the rest', async () => {
    const synqly = (path: string, method = 'GET', body?: unknown) =>
      fetch(`${envC.C_SYNQLY_BASE_URL}${path}`, {
        method,
        headers: { authorization: `Bearer ${envC.C_SYNQLY_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const tag = Math.random().toString(16).slice(2, 10);
    const created = async (res: Promise<Response>) => {
      const r = await res;
      expect(r.status, await r.clone().text()).toBeLessThan(300);
      return (await r.json()) as { result: { id: string } };
    };
    const account = (await created(synqly('/v1/accounts', 'POST', { name: `apitwin-acct-${tag}` }))) as unknown as { result: { account: { id: string } } };
    await created(synqly('/v1/accounts', 'POST', { name: `keeper-${tag}` }));
    await created(synqly('/v1/suborgs', 'POST', { name: `apitwin-sub-${tag}` }));
    await created(synqly('/v1/tokens', 'POST', { name: `apitwin-tok-${tag}`, resources: {}, permission_set: 'viewer' }));
    await created(synqly('/v1/members', 'POST', { name: `apitwin-m-${tag}@example.com`, secret: 'c0rrect-h0rse-battery', role_binding: ['administrator'] }));
    expect(account.result.account.id).toEqual(expect.any(String));

    const tokenRes = await fetch(envC.C_CONNXIO_TOKEN_URL!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: envC.C_CONNXIO_CLIENT_ID!, client_secret: envC.C_CONNXIO_CLIENT_SECRET!, scope: 'api://connxio/.default' }),
    });
    const bearer = ((await tokenRes.json()) as { access_token: string }).access_token;
    const connxio = (path: string, method = 'GET', body?: unknown) =>
      fetch(`${envC.C_CONNXIO_BASE_URL}${path}`, {
        method,
        headers: { 'connxio-api-key': envC.C_CONNXIO_API_KEY!, authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const subscriptionId = ((await (await connxio('/v2/subscriptions/current')).json()) as { id: string }).id;
    const integration = await connxio('/v2/integrations', 'POST', integrationBody(subscriptionId, { description: `apitwin-integration-${tag}` }));
    expect(integration.status, await integration.clone().text()).toBeLessThan(300);
    const variable = await connxio('/v2/environmentvariables', 'PUT', { name: `apitwin-env-${tag}`, defaultValue: 'x' });
    expect(variable.status, await variable.clone().text()).toBeLessThan(300);

    const res = await run(['--target', 'env:C_', '--cleanup'], envC);
    expect(res.code, res.out).toBe(0);
    for (const line of [`accounts apitwin-acct-${tag}`, `subOrgs apitwin-sub-${tag}`, `tokens apitwin-tok-${tag}`, `members apitwin-m-${tag}@example.com`, `integrations apitwin-integration-${tag}`, `environment variables apitwin-env-${tag}`]) {
      expect(res.out).toContain(`deleted ${line}`);
    }
    // the accounts the failing-delete scenario above left behind go too
    expect(res.out).toMatch(/removed \d+ leftover resource\(s\)/);
    const names = async (r: Response) => JSON.stringify(await r.json());
    expect(await names(await synqly('/v1/accounts'))).not.toContain('apitwin-');
    expect(await names(await synqly('/v1/accounts'))).toContain(`keeper-${tag}`);
    expect(await names(await synqly('/v1/suborgs'))).not.toContain('apitwin-');
    expect(await names(await synqly('/v1/tokens'))).not.toContain('apitwin-');
    expect(await names(await connxio('/v2/integrations'))).not.toContain('apitwin-');
    expect(await names(await connxio('/v2/environmentvariables'))).not.toContain('apitwin-');
    // the order the sweep follows is derived from the spec: cleanup.test.ts
  });

  it('says in one line which URL is unreachable or which credential is refused, never the secret; exit code 1', async () => {
    const wrongSecret = 'definitely-wrong-secret-value';
    const refused = await run(['--target', 'env:C_', '--cleanup'], { ...envC, C_CONNXIO_CLIENT_SECRET: wrongSecret });
    expect(refused.code, refused.out).toBe(1);
    expect(refused.err).toMatch(/^apitwin conformance: the Connxio token request to \S+ answered 401: check C_CONNXIO_CLIENT_ID and C_CONNXIO_CLIENT_SECRET\n$/);
    expect(refused.out).not.toContain(wrongSecret);
    const badToken = await run(['--target', 'env:C_', '--cleanup'], { ...envC, C_SYNQLY_TOKEN: 'not-a-token' });
    expect(badToken.code, badToken.out).toBe(1);
    expect(badToken.err).toMatch(/^apitwin conformance: the tenant refused the credentials \(401 on GET \/v1\/\S+\): check C_SYNQLY_TOKEN\n$/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const unreachable = await run(['--target', 'env:C_', '--cleanup'], { ...envC, C_SYNQLY_BASE_URL: url });
    expect(unreachable.code, unreachable.out).toBe(1);
    expect(unreachable.err).toBe(`apitwin conformance: cannot reach ${url} (C_SYNQLY_BASE_URL): ECONNREFUSED\n`);
  });

  it('checks a live run\'s URLs and credentials before it starts: one line naming the URL or variable, exit 1, no stack', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const synqlyOnly = unprefixed(onlySynqly(envA), 'A_');
    const unreachable = await run(['--target', 'live', '--family', 'accounts'], { ...synqlyOnly, SYNQLY_BASE_URL: url });
    expect(unreachable.code, unreachable.out).toBe(1);
    expect(unreachable.err).toBe(`apitwin conformance: cannot reach ${url} (SYNQLY_BASE_URL): ECONNREFUSED\n`);
    expect(unreachable.out).not.toMatch(/Error:|at .*\(/);
    const badToken = await run(['--target', 'live', '--family', 'accounts'], { ...synqlyOnly, SYNQLY_TOKEN: 'not-a-valid-token' });
    expect(badToken.code, badToken.out).toBe(1);
    expect(badToken.err).toMatch(/^apitwin conformance: live: \S+ refused SYNQLY_TOKEN \(401 on GET \/v1\/accounts\)\n$/);
    expect(badToken.out).not.toContain('not-a-valid-token');
    const badKey = await run(['--target', 'env:A_', '--family', 'subscriptions'], { ...envA, A_CONNXIO_API_KEY: 'bm90LWEta2V5' });
    expect(badKey.code, badKey.out).toBe(1);
    expect(badKey.err).toMatch(/^apitwin conformance: env:A_: \S+ refused A_CONNXIO_API_KEY \(401 on GET \/v2\/subscriptions\/current\)\n$/);
    const badClient = await run(['--target', 'env:A_', '--family', 'subscriptions'], { ...envA, A_CONNXIO_CLIENT_SECRET: 'wrong-secret-value' });
    expect(badClient.code, badClient.out).toBe(1);
    expect(badClient.err).toMatch(/^apitwin conformance: env:A_: the token request to \S+ answered 401: check A_CONNXIO_CLIENT_ID and A_CONNXIO_CLIENT_SECRET\n$/);
    expect(badClient.out).not.toContain('wrong-secret-value');
  });
});
