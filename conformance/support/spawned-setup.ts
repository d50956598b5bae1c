import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readyLine } from '../../mock/core/ready-line.ts';

/**
 * globalSetup of the `spawned` target: starts `apitwin serve` on port 0, once per run, on
 * - the PostgreSQL store APITWIN_SPAWNED_STORE names (a postgres:// URL), as one of its replicas;
 * - else, under `apitwin conformance --target spawned` (which sets APITWIN_TARGET), a memory store;
 * - else — the project's own `npm test` — as a replica on a private PostgreSQL cluster started
 *   for the run (the in-process target already runs every scenario on the memory store).
 */
let child: ChildProcess | undefined;
let cluster: { destroy(): void } | undefined;

async function storeArguments(): Promise<string[]> {
  const url = process.env.APITWIN_SPAWNED_STORE;
  if (url) return ['--store', url];
  if (process.env.APITWIN_TARGET) return ['--memory'];
  // loaded only here: an installed package runs the suite through the CLI and has no test clusters
  const { setup: installPostgres } = await import('../../mock/core/store/testing/postgres-setup.ts');
  const { startCluster } = await import('../../mock/core/store/testing/postgres-cluster.ts');
  installPostgres();
  const started = await startCluster();
  cluster = started;
  return ['--store', await started.createDatabase('conformance')];
}

export async function setup(project: TestProject): Promise<void> {
  const root = join(import.meta.dirname, '..', '..');
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  const store = await storeArguments();
  child = spawn(process.execPath, [cli, 'serve', ...store, '--json', '--profile', 'empty', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await readyLine<{ urls: { synqly: string; connxio: string; custom: string } }>(child, 20_000, (reason, out) => new Error(`apitwin serve ${reason}; output: ${out}`)).catch(async (err: unknown) => {
    await teardown();
    throw err;
  });
  project.provide('apitwinSpawnedUrls', ready.urls);
}

export async function teardown(): Promise<void> {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  cluster?.destroy();
}
