import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { packageRoot } from '../../mock/core/spec.ts';

/**
 * Child processes of the spec checks (Spectral, Prism, a nested vitest run): every one is bounded in
 * time, killed on timeout and after use, and listens on 127.0.0.1 only.
 */

export const root = packageRoot();
const require = createRequire(import.meta.url);

/** the JavaScript entry of an installed package's bin (run with this node, no shell, no npx) */
export function binOf(pkg: string, name: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> | string }).bin;
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin[name]!);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <script> ...args` to completion; SIGKILL after timeoutMs (then the promise rejects). */
export function runNode(script: string, args: string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd ?? root, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${basename(script)} ${args.join(' ')} did not finish in ${options.timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface Prism {
  /** http://127.0.0.1:<port> */
  url: string;
  /** the last 64 KB of Prism's output, for failure messages */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `prism mock <spec>` or `prism proxy <spec> <upstream>` on a free port of 127.0.0.1 and
 * resolves once it listens. Prism serves a private copy of the spec: it reloads (and rebinds) when
 * its file changes, and a run must not depend on edits made to specs/ meanwhile.
 */
export async function startPrism(
  mode: 'mock' | 'proxy',
  specFile: string,
  options: { upstream?: string; args?: string[]; readyTimeoutMs?: number } = {},
): Promise<Prism> {
  const dir = mkdtempSync(join(tmpdir(), 'apitwin-prism-'));
  const spec = join(dir, basename(specFile));
  copyFileSync(join(root, specFile), spec);
  const positional = mode === 'proxy' ? [spec, options.upstream ?? ''] : [spec];
  const args = [binOf('@stoplight/prism-cli', 'prism'), mode, ...positional, '--host', '127.0.0.1', '--port', '0', '--multiprocess=false', ...(options.args ?? [])];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 65_536) out = out.slice(-65_536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // should this process end without stop() (a crashed worker), Prism goes with it
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const timeoutMs = options.readyTimeoutMs ?? 45_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`prism ${mode} ${specFile} did not listen within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
      const check = () => {
        const m = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`prism ${mode} ${specFile} exited with ${code} before listening:\n${out.slice(-3000)}`));
      });
    });
    return { url, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
