// Child process for the lock race test: says "ready", waits for "go" on stdin, tries to take the
// lock of the store file given as argv[2], prints "owner" or "refused", and holds what it got
// until stdin closes.
import { acquireFileLock, type FileLock } from '../lock.ts';
import { messageOf } from '../../error-message.ts';

let lock: FileLock | undefined;
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  if (lock || !buffered.includes('go\n')) return;
  buffered = '';
  try {
    lock = acquireFileLock(process.argv[2]!);
    process.stdout.write('owner\n');
  } catch (err) {
    process.stdout.write(`refused ${messageOf(err)}\n`);
  }
});
process.stdin.on('end', () => {
  lock?.release();
  process.exit(0);
});
process.stdout.write('ready\n');
