// Child process for the crash tests: opens the store file given as argv[2] and commits records
// as fast as it can, printing each id on stdout only after its commit was acknowledged.
import { Store } from '../store.ts';

const file = process.argv[2]!;
const prefix = process.argv[3] ?? 'w';
const store = await Store.open({ file, minCompactionBytes: 64 * 1024 });
process.stdout.write('ready\n');
let n = 0;
const writers = Array.from({ length: 8 }, async (_, worker) => {
  for (;;) {
    const id = `${prefix}-${worker}-${n++}`;
    await store.transact((tx) => tx.put('items', id, { id, payload: 'x'.repeat(200) }));
    process.stdout.write(`ack ${id}\n`);
  }
});
await Promise.all(writers);
