import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readyLine } from '../../ready-line.ts';

/** An `apitwin serve --store <url>` process on port 0: one replica of a shared twin, for tests and benchmarks. */
export interface Replica {
  urls: { synqly: string; connxio: string; custom: string };
  child: ChildProcess;
  /** SIGKILL: the replica dies at once, whatever it was doing */
  kill(): Promise<void>;
  /** SIGTERM and wait for it to exit */
  stop(): Promise<void>;
}

const root = join(import.meta.dirname, '..', '..', '..', '..');

export async function startReplica(storeUrl: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Replica> {
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--store', storeUrl, '--json', '--profile', 'empty', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'error', ...extraArgs],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 20_000) err = err.slice(-10_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await readyLine<{ urls: Replica['urls'] }>(child, 30_000, (reason, out) => new Error(`the replica ${reason}: ${out} ${err}`));
  return {
    urls: ready.urls,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
