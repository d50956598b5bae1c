// Child process for the lock test: tries to open the store file given as argv[2].
import { Store } from '../store.ts';
import { messageOf } from '../../error-message.ts';

try {
  const store = await Store.open({ file: process.argv[2]! });
  await store.close();
  process.stdout.write('opened\n');
} catch (err) {
  process.stdout.write(`refused: ${messageOf(err)}\n`);
  process.exitCode = 3;
}
