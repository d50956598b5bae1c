import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

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
  const ready = await new Promise<{ urls: { synqly: string; connxio: string; custom: string } }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`apitwin serve did not get ready in 20 s; output: ${out}`)), 20_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    });
    child!.on('exit', (code) => reject(new Error(`apitwin serve exited with ${code} before it was ready: ${out}`)));
  }).catch(async (err: unknown) => {
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
