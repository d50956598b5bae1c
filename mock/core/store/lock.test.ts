import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { acquireFileLock } from './lock.ts';
import { StoreFileError } from './document.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
/** the contender bundled to plain JavaScript once, so a dozen of them start in node at once without a TypeScript loader */
let childScript: string | undefined;
function contenderScript(): string {
  if (!childScript) {
    childScript = join(mkdtempSync(join(tmpdir(), 'apitwin-lock-child-')), 'lock-child.mjs');
    buildSync({ entryPoints: [join(here, 'testing/lock-child.ts')], bundle: true, platform: 'node', format: 'esm', outfile: childScript, logLevel: 'error' });
  }
  return childScript;
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'apitwin-lock-')), 'db.json');
}

/** the pid of a process that has exited */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

interface Contender {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  waitFor: (predicate: (line: string) => boolean) => Promise<string>;
}

function contender(file: string): Contender {
  const child = spawn(process.execPath, [contenderScript(), file], { stdio: 'pipe' });
  const lines: string[] = [];
  const listeners: Array<() => void> = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    for (const l of listeners.splice(0)) l();
  });
  const waitFor = (predicate: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(predicate);
        if (hit !== undefined) return resolve(hit);
        if (child.exitCode !== null) return reject(new Error(`contender exited: ${lines.join(' | ')}`));
        listeners.push(check);
      };
      child.once('exit', () => listeners.push(() => undefined) && check());
      check();
    });
  return { child, lines, waitFor };
}

/** starts `n` processes, lets them all try to take the lock at once, returns their answers */
async function race(file: string, n: number): Promise<string[]> {
  const contenders = Array.from({ length: n }, () => contender(file));
  try {
    await Promise.all(contenders.map((c) => c.waitFor((l) => l === 'ready')));
    for (const c of contenders) c.child.stdin.write('go\n');
    return await Promise.all(contenders.map((c) => c.waitFor((l) => l === 'owner' || l.startsWith('refused'))));
  } finally {
    await Promise.all(
      contenders.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.child.exitCode !== null) return resolve();
            c.child.once('exit', () => resolve());
            c.child.stdin.end();
          }),
      ),
    );
  }
}

describe('store lock', () => {
  it('many processes starting at once on a free file: exactly one owner, the others refused as in use', { timeout: 120_000 }, async () => {
    for (let round = 0; round < 2; round++) {
      const file = tempFile();
      const answers = await race(file, 12);
      expect(answers.filter((a) => a === 'owner')).toHaveLength(1);
      for (const a of answers.filter((x) => x !== 'owner')) expect(a).toMatch(/in use by another apitwin process/);
      expect(existsSync(`${file}.lock`)).toBe(false); // the owner released it on exit
    }
  });

  it('many processes starting at once over a stale lock (its owner died): exactly one takes it over', { timeout: 120_000 }, async () => {
    const dead = deadPid();
    for (const stale of [String(dead), JSON.stringify({ pid: dead, started: '1', token: 'x', app: 'apitwin' })]) {
      const file = tempFile();
      writeFileSync(`${file}.lock`, stale);
      const answers = await race(file, 12);
      expect(answers.filter((a) => a === 'owner')).toHaveLength(1);
      expect(existsSync(`${file}.lock.takeover`)).toBe(false);
    }
  });

  it('a lock naming a live process that is not an apitwin (its pid reused) is taken over; a live apitwin owner is not', { timeout: 30_000 }, async () => {
    const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = unrelated.pid!;
      // the pid alone (as older versions wrote it): a live process, but not node
      const legacy = tempFile();
      writeFileSync(`${legacy}.lock`, String(pid));
      acquireFileLock(legacy).release();
      // a full record whose start time is not that process's: the pid was reused
      const reused = tempFile();
      writeFileSync(`${reused}.lock`, JSON.stringify({ pid, started: '1', token: 'old', app: 'apitwin' }));
      const lock = acquireFileLock(reused);
      expect(JSON.parse(readFileSync(`${reused}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, app: 'apitwin' });
      // while held by a live apitwin (this process), a second taker is refused
      let refused: unknown;
      try {
        acquireFileLock(reused).release();
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(StoreFileError);
      expect((refused as StoreFileError).message).toContain(`in use by another apitwin process (pid ${process.pid}`);
      lock.release();
      expect(existsSync(`${reused}.lock`)).toBe(false);
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('removes temporaries of dead processes left beside the lock', () => {
    const file = tempFile();
    const leftover = `${file}.lock.${deadPid()}.0123456789ab`;
    writeFileSync(leftover, 'x');
    acquireFileLock(file).release();
    expect(existsSync(leftover)).toBe(false);
  });
});
