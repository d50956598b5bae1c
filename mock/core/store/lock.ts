import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import { StoreFileError } from './document.ts';

/**
 * One process owns one store file. The lock is `<file>.lock` holding the owner's pid; a lock
 * left by a process that no longer runs (killed with SIGKILL, say) is taken over, so a crashed
 * twin restarts without manual clean-up.
 */
export interface FileLock {
  release(): void;
}

export function acquireFileLock(file: string): FileLock {
  const lockFile = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(lockFile, 'utf8') === String(process.pid)) unlinkSync(lockFile);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readLock(lockFile), 10);
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new StoreFileError(
          `${file} is in use by another apitwin process (pid ${owner}, see ${lockFile}). Stop it, or use another --db file, or --memory.`,
          'locked',
          file,
        );
      }
      try {
        unlinkSync(lockFile); // stale: its owner is gone
      } catch {
        // someone else removed it first; retry
      }
    }
  }
  throw new StoreFileError(`could not take the lock ${lockFile}`, 'locked', file);
}

function readLock(lockFile: string): string {
  try {
    return readFileSync(lockFile, 'utf8').trim();
  } catch {
    return '';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
