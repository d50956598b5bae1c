import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * globalSetup of the `spawned` target: starts `apitwin serve` on port 0 with a memory store (or,
 * with APITWIN_SPAWNED_STORE, as a replica of that PostgreSQL store), once per run.
 */
let child: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  const root = join(import.meta.dirname, '..', '..');
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  // APITWIN_SPAWNED_STORE (a postgres:// URL): the spawned twin is a replica of that shared store instead of a memory twin
  const store = process.env.APITWIN_SPAWNED_STORE ? ['--store', process.env.APITWIN_SPAWNED_STORE] : ['--memory'];
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
  });
  project.provide('apitwinSpawnedUrls', ready.urls);
}

export async function teardown(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
