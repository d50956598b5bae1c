import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Child processes for the benchmark and the soak: every server runs in its own process, so the
 * load generator never shares its event loop. Each one is tracked and killed on exit.
 */

export interface Server<T = unknown> {
  name: string;
  child: ChildProcess;
  pid: number;
  /** spawn → the server's own "ready" line */
  readyMs: number;
  /** what the ready line said */
  ready: T;
  /** everything the process printed on stderr (the last 64 KiB) */
  stderr(): string;
  /** signals the process and waits for its exit; after `graceMs` (default 10 s) it is killed */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();
let hooked = false;

/** SIGKILLs every child still running (they are ours: started by spawnServer) */
export function killAll(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null && c.pid) c.kill('SIGKILL');
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
}

/** for commands (bench, soak): Ctrl-C or SIGTERM kills the children, then exits */
export function killChildrenOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface SpawnOptions<T> {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** returns the ready value when a stdout line says the server is ready */
  readyWhen: (line: string) => T | undefined;
  /** for servers that print nothing: polled every 200 ms; returns the ready value once the server answers */
  readyProbe?: () => Promise<T | undefined>;
  timeoutMs?: number;
}

export function spawnServer<T>(options: SpawnOptions<T>): Promise<Server<T>> {
  hookExit();
  const started = performance.now();
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-65536);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return child.exitCode;
  };
  return new Promise((resolve, reject) => {
    let buffered = '';
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      void stop('SIGKILL');
      reject(new Error(`${options.name} was not ready within ${options.timeoutMs ?? 60_000} ms; stderr: ${err.slice(-2000)}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (done) return; // keep draining so a chatty server (Prism logs every request) never blocks
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const value = options.readyWhen(line);
        if (value !== undefined) {
          done = true;
          clearTimeout(timer);
          resolve({ name: options.name, child, pid: child.pid!, readyMs: performance.now() - started, ready: value, stderr: () => err, stop });
          return;
        }
      }
      if (buffered.length > 1 << 20) buffered = buffered.slice(-4096);
    });
    child.once('exit', (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code} before it was ready; stderr: ${err.slice(-2000)}`));
    });
    if (options.readyProbe) {
      const probe = options.readyProbe;
      const poll = async () => {
        if (done) return;
        const value = await probe().catch(() => undefined);
        if (done) return;
        if (value === undefined) return void setTimeout(poll, 200);
        done = true;
        clearTimeout(timer);
        resolve({ name: options.name, child, pid: child.pid!, readyMs: performance.now() - started, ready: value, stderr: () => err, stop });
      };
      void poll();
    }
  });
}

export interface Memory {
  /** peak resident set size (VmHWM), MiB */
  peakRssMb: number;
  /** current resident set size (VmRSS), MiB */
  rssMb: number;
}

/** Resident memory of a process from /proc/<pid>/status (Linux). */
export function memoryOf(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakRssMb: round(kb('VmHWM') / 1024, 1), rssMb: round(kb('VmRSS') / 1024, 1) };
  } catch {
    return undefined;
  }
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface TwinReady {
  ready: true;
  readyMs: number;
  urls: { synqly: string; connxio: string; custom: string };
  store: string | null;
  tenants: Array<{ vendor: 'synqly' | 'connxio'; name: string; profile: string; credentials: Record<string, unknown> }>;
}

/** `apitwin serve --json` (the built CLI) on free ports, with extra flags. */
export function spawnTwin(cli: string, cwd: string, args: string[], name = 'twin', extraNodeArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<Server<TwinReady>> {
  return spawnServer<TwinReady>({
    name,
    command: process.execPath,
    args: [...extraNodeArgs, cli, 'serve', '--json', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn', ...args],
    cwd,
    env,
    readyWhen: (line) => {
      if (!line.startsWith('{')) return undefined;
      const parsed = JSON.parse(line) as TwinReady;
      return parsed.ready ? parsed : undefined;
    },
    timeoutMs: 180_000,
  });
}
