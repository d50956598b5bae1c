import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type Cluster } from './core/store/testing/postgres-cluster.ts';

/**
 * The conformance suite's spawned target against a replica on PostgreSQL (APITWIN_SPAWNED_STORE):
 * the same scenarios a memory twin passes. A selection of families keeps `npm test` short; the
 * whole suite runs with `APITWIN_SPAWNED_STORE=postgres://… apitwin conformance --target spawned`.
 */
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster?.destroy());

it('the spawned target passes against a replica on PostgreSQL (accounts, organization webhooks, faults)', async () => {
  const url = await cluster.createDatabase('conformance');
  const reports = mkdtempSync(join(tmpdir(), 'apitwin-conformance-pg-'));
  try {
    const root = join(import.meta.dirname, '..');
    const run = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'conformance', '--target', 'spawned', '--family', 'accounts', 'organizationWebhooks', 'faults', '--reports', reports], {
      cwd: root,
      env: { ...process.env, APITWIN_SPAWNED_STORE: url, APITWIN_TARGET: undefined },
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const matrix = JSON.parse(readFileSync(join(reports, 'coverage-matrix.json'), 'utf8')) as { totals: { passed: number; failed: number } };
    expect(matrix.totals.failed).toBe(0);
    expect(matrix.totals.passed).toBeGreaterThan(10);
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}, 660_000);
