import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StoreFileError } from './document.ts';
import { errnoCode } from '../narrow.ts';

/**
 * One process owns one store file. The lock is `<file>.lock`, a small JSON record of its owner
 * (pid, the process's start time, a random token). It is written in full to a private temporary
 * file and then hard-linked into place: `link()` either creates the lock with its whole content or
 * fails because a lock exists, so a concurrent starter never reads a half-written lock.
 *
 * A lock whose owner is gone — the pid no longer runs, or runs but is another process (its start
 * time differs, or, for a lock of an older apitwin that recorded only a pid, its command line is
 * not a node process) — is stale and taken over, so a crashed twin restarts without clean-up.
 * Takeovers are serialised by a short-lived `<file>.lock.takeover` guard (created the same atomic
 * way) and re-check the lock under it, so two starters never both remove and re-take a lock.
 */
export interface FileLock {
  release(): void;
}

interface LockOwner {
  pid: number;
  /** the owner process's start time (Linux: clock ticks since boot, /proc/<pid>/stat field 22); null where unknown */
  started: string | null;
  token: string;
  app: 'apitwin';
}

/** a takeover guard older than this was left by a starter that died within its few-microsecond window */
const STALE_GUARD_MS = 5_000;

export function acquireFileLock(file: string): FileLock {
  const lockFile = `${file}.lock`;
  const me: LockOwner = { pid: process.pid, started: processStartTime(process.pid), token: randomBytes(12).toString('hex'), app: 'apitwin' };
  const content = JSON.stringify(me);
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (createAtomically(lockFile, content)) {
      removeDeadTemporaries(lockFile);
      return {
        release: () => {
          try {
            if (readFileSync(lockFile, 'utf8') === content) unlinkSync(lockFile);
          } catch {
            // already gone
          }
        },
      };
    }
    const seen = readLock(lockFile);
    if (seen === undefined) continue; // released between our attempt and the read: try again
    const owner = parseOwner(seen.text);
    if (owner && isLive(owner)) {
      throw new StoreFileError(
        `${file} is in use by another apitwin process (pid ${owner.pid}, see ${lockFile}). Stop it, or use another --db file, or --memory.`,
        'locked',
        file,
      );
    }
    removeStaleLock(lockFile, seen);
  }
  throw new StoreFileError(`could not take the lock ${lockFile}`, 'locked', file);
}

/** Creates `path` with `content` if it does not exist, all or nothing: written aside, then linked. */
function createAtomically(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Removes the lock only if it is still the very file judged stale (same inode and content), under the takeover guard. */
function removeStaleLock(lockFile: string, seen: { text: string; ino: number }): void {
  const guard = `${lockFile}.takeover`;
  if (!createAtomically(guard, String(process.pid))) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > STALE_GUARD_MS) unlinkSync(guard);
    } catch {
      // gone already
    }
    waitBriefly();
    return; // another starter is taking over; the caller looks again
  }
  try {
    const now = readLock(lockFile);
    if (now && now.ino === seen.ino && now.text === seen.text) unlinkSync(lockFile);
  } finally {
    unlinkSync(guard);
  }
}

/** temporaries of createAtomically left by a process killed between its write and its link */
function removeDeadTemporaries(lockFile: string): void {
  const dir = dirname(lockFile);
  const pattern = new RegExp(`^${escapeRegExp(basename(lockFile))}(?:\\.takeover)?\\.(\\d+)\\.[0-9a-f]{12}$`);
  for (const name of readdirSync(dir)) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || isRunning(Number(pid))) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // gone already
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readLock(lockFile: string): { text: string; ino: number } | undefined {
  try {
    const fd = openSync(lockFile, 'r');
    try {
      const st = statSync(lockFile);
      return { text: readFileSync(fd, 'utf8').trim(), ino: st.ino };
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** The owner a lock names; a lock written by an older apitwin holds just the pid. */
function parseOwner(text: string): LockOwner | undefined {
  if (/^\d+$/.test(text)) return { pid: Number(text), started: null, token: '', app: 'apitwin' };
  try {
    const o = JSON.parse(text) as Partial<LockOwner> | null; // each member is checked before it is used
    if (o && o.app === 'apitwin' && typeof o.pid === 'number' && Number.isInteger(o.pid) && o.pid > 0) {
      return { pid: o.pid, started: typeof o.started === 'string' ? o.started : null, token: String(o.token ?? ''), app: 'apitwin' };
    }
  } catch {
    // not ours or damaged: stale
  }
  return undefined;
}

/** Is the process that wrote this lock still running (and not another process that got its pid)? */
function isLive(owner: LockOwner): boolean {
  if (!isRunning(owner.pid)) return false;
  const started = processStartTime(owner.pid);
  if (owner.started !== null && started !== null) return started === owner.started;
  if (owner.started === null) {
    // an old-format lock: only a node process can be an apitwin
    const cmd = commandLine(owner.pid);
    if (cmd !== undefined) return /(^|\/)node(js)?(\0|$)|apitwin/.test(cmd);
  }
  return true; // no /proc here: trust the pid
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/** the start time of a process from /proc (Linux), or null elsewhere */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall
  } catch {
    return null;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

function waitBriefly(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}
