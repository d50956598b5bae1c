import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../mock/app.ts';
import { Store } from '../../mock/core/store/store.ts';
import { seedProfile } from '../../fixtures/profiles.ts';
import { loadFakerFor, type ConnxioCredentials, type SynqlyCredentials } from '../../fixtures/tenants.ts';
import type { Matrix } from '../report/matrix.ts';
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

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'conformance', ...args], { cwd: root, env: { ...process.env, ...env, APITWIN_TARGET: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

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
    const plainEnv = Object.fromEntries(Object.entries(envA).map(([k, v]) => [k.slice(2), v]));
    const res = await run(['--target', 'live', ...selection, '--reports', reports], plainEnv);
    expect(res.code, res.out).toBe(0);
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
  });
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
  });
});
