import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, type Tx } from './store.ts';
import { SNAPSHOT_LAYOUT_VERSION, loadStoreFile, readSnapshotFile } from './journaled-file.ts';
import { StoreFileError } from './document.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
/** runs a TypeScript child directly in node, so a signal reaches the process that writes */
const tsNode = (script: string, ...args: string[]) => [process.execPath, ['--import', 'tsx', join(here, script), ...args]] as const;
const opened: Store[] = [];

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'apitwin-store-')), 'db.json');
}

async function openStore(file: string, minCompactionBytes?: number): Promise<Store> {
  const store = await Store.open({ file, minCompactionBytes });
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

describe('store › transactions', () => {
  it('applies nothing when the transaction throws', async () => {
    const store = await Store.open();
    await store.transact((tx) => tx.put('things', 'a', { id: 'a', n: 1 }));
    expect(() =>
      store.transact((tx) => {
        tx.put('things', 'b', { id: 'b' });
        tx.del('things', 'a');
        throw new Error('model refused');
      }),
    ).toThrow('model refused');
    expect(store.reader.values('things')).toEqual([{ id: 'a', n: 1 }]);
  });

  it('runs the transactions queued in one turn (transactSoon) as one, before anything reads what they write', async () => {
    const file = tempFile();
    const store = await openStore(file);
    const bump = (tx: Tx) => {
      const n = (tx.get<{ id: string; n: number }>('counters', 'c')?.n ?? 0) + 1;
      tx.put('counters', 'c', { id: 'c', n });
      tx.put('log', String(n), { id: String(n) });
    };
    const seq = store.seq;
    const queued = [store.transactSoon(['counters', 'log'], bump), store.transactSoon(['counters', 'log'], bump), store.transactSoon(['counters', 'log'], bump)];
    // not yet run: a read of another collection does not run them
    expect(store.reader.values('other')).toEqual([]);
    expect(store.seq).toBe(seq);
    // a read of a collection they write runs them first, all in one transaction
    expect(store.reader.get('counters', 'c')).toEqual({ id: 'c', n: 3 });
    expect(store.seq).toBe(seq + 1);
    await Promise.all(queued);
    // on the next turn without a read; a transaction runs those queued before it, in order
    const later = store.transactSoon(['counters', 'log'], bump);
    await store.transact((tx) => tx.put('log', 'after', { id: 'after', n: tx.get<{ id: string; n: number }>('counters', 'c')!.n }));
    await later;
    expect(store.reader.get('log', 'after')).toEqual({ id: 'after', n: 4 });
    // alone, nothing reading or writing: it still runs (and is durable when its promise resolves)
    await store.transactSoon(['log'], (tx) => tx.put('log', 'alone', { id: 'alone' }));
    expect(store.seq).toBe(seq + 4);
    // durable: a reopened store holds them
    await store.close();
    const reopened = await openStore(file);
    expect(reopened.reader.values('log').map((r) => r.id).sort()).toEqual(['1', '2', '3', '4', 'after', 'alone']);
  });

  it('journals one put per record a transaction puts more than once, keeping deletes and drops in between in order', async () => {
    const file = tempFile();
    const store = await openStore(file);
    await store.transact((tx) => {
      for (let n = 1; n <= 3; n++) tx.put('counters', 'c', { id: 'c', n });
      tx.put('things', 'a', { id: 'a', v: 1 });
      tx.del('things', 'a');
      tx.put('things', 'a', { id: 'a', v: 2 });
      tx.put('gone', 'x', { id: 'x' });
      tx.drop('gone');
      tx.put('gone', 'y', { id: 'y', v: 1 });
      tx.put('gone', 'y', { id: 'y', v: 2 });
    });
    const lines = readFileSync(`${file}.journal`, 'utf8').trim().split('\n');
    const ops = (JSON.parse(lines[lines.length - 1]!) as { ops: Array<{ op: string; c: string; id?: string }> }).ops;
    expect(ops.map((o) => `${o.op} ${o.c} ${o.id ?? ''}`.trim())).toEqual(['put counters c', 'put things a', 'del things a', 'put things a', 'put gone x', 'drop gone', 'put gone y']);
    expect(store.reader.get('counters', 'c')).toEqual({ id: 'c', n: 3 });
    await store.close();
    const reopened = await openStore(file);
    expect(reopened.reader.get('counters', 'c')).toEqual({ id: 'c', n: 3 });
    expect(reopened.reader.get('things', 'a')).toEqual({ id: 'a', v: 2 });
    expect(reopened.reader.values('gone')).toEqual([{ id: 'y', v: 2 }]);
  });

  it('keeps each queued transaction atomic: one that throws is dropped alone', async () => {
    const store = await Store.open();
    const ok = store.transactSoon(['things'], (tx) => tx.put('things', 'a', { id: 'a' }));
    const bad = store.transactSoon(['things'], (tx) => {
      tx.put('things', 'b', { id: 'b' });
      throw new Error('model refused');
    });
    const ok2 = store.transactSoon(['things'], (tx) => tx.put('things', 'c', { id: 'c' }));
    await expect(bad).rejects.toThrow('model refused');
    await Promise.all([ok, ok2]);
    expect(store.reader.values('things').map((r) => r.id)).toEqual(['a', 'c']);
  });

  it('reads its own staged writes inside a transaction', async () => {
    const store = await Store.open();
    await store.transact((tx) => tx.put('things', 'a', { id: 'a' }));
    const seen = await store.transact((tx) => {
      tx.put('things', 'b', { id: 'b' });
      tx.del('things', 'a');
      return { values: tx.values('things').map((r) => r.id), a: tx.get('things', 'a') };
    });
    expect(seen).toEqual({ values: ['b'], a: undefined });
  });

  it('hands out frozen records so a model cannot change stored state behind the store', async () => {
    const store = await Store.open();
    await store.transact((tx) => tx.put('things', 'a', { id: 'a', tags: ['x'] }));
    const rec = store.reader.get<{ id: string; tags: string[] }>('things', 'a')!;
    expect(() => rec.tags.push('y')).toThrow();
  });
});

describe('store › durability', () => {
  it('an acknowledged mutation is on disk before the promise resolves', async () => {
    const file = tempFile();
    const store = await openStore(file);
    await store.transact((tx) => tx.put('accounts', 'acme', { id: 'acme', fullname: 'Acme' }));
    // read the files independently, without closing the store
    expect(loadStoreFile(file).collections.accounts?.acme).toEqual({ id: 'acme', fullname: 'Acme' });
  });

  it('concurrent mutations share writes (group commit)', async () => {
    const store = await openStore(tempFile());
    const before = store.stats.flushes;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.transact((tx) => tx.put('items', `i${i}`, { id: `i${i}` }))),
    );
    const flushes = store.stats.flushes - before;
    expect(store.reader.count('items')).toBe(200);
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThanOrEqual(10);
  });

  it('the bytes written for one mutation do not grow with the document', async () => {
    const small = await openStore(tempFile(), 1 << 30);
    const large = await openStore(tempFile(), 1 << 30);
    const fill = async (store: Store, n: number) => {
      for (let i = 0; i < n; i += 1000) {
        await store.transact((tx) => {
          for (let j = i; j < Math.min(n, i + 1000); j++) tx.put('accounts', `a${j}`, { id: `a${j}`, fullname: `Account ${j}` });
        });
      }
    };
    await fill(small, 1_000);
    await fill(large, 100_000);
    const cost = async (store: Store) => {
      const before = store.journalStats!.appendedBytes;
      await store.transact((tx) => tx.put('accounts', 'probe', { id: 'probe', fullname: 'Probe' }));
      return store.journalStats!.appendedBytes - before;
    };
    const smallCost = await cost(small);
    const largeCost = await cost(large);
    expect(largeCost).toBeLessThan(200);
    // identical entries but for the transaction number's digits
    expect(Math.abs(largeCost - smallCost)).toBeLessThanOrEqual(4);
  });

  it('compacts the journal into the snapshot once it outgrows it, and reloads the same state', async () => {
    const file = tempFile();
    const store = await openStore(file, 1024);
    for (let i = 0; i < 50; i++) await store.transact((tx) => tx.put('items', `i${i}`, { id: `i${i}`, pad: 'p'.repeat(100) }));
    expect(store.journalStats!.compactions).toBeGreaterThan(1);
    expect(Object.keys(loadStoreFile(file).collections.items ?? {})).toHaveLength(50);
  });
});

describe('store › compaction beside running transactions', () => {
  it('keeps every write made while a snapshot is being written: the files reload to the same state', async () => {
    const file = tempFile();
    const store = await openStore(file, 1);
    for (let round = 0; round < 3; round++) {
      // a large transaction makes the journal outgrow the snapshot: a compaction starts after its flush
      await store.transact((tx) => {
        for (let i = 0; i < 4000; i++) tx.put('items', `i${i}`, { id: `i${i}`, round, pad: 'p'.repeat(50) });
        tx.put(`scratch${round}`, 'x', { id: 'x' });
      });
      const writes: Array<Promise<unknown>> = [];
      for (let k = 0; k < 400; k++) {
        writes.push(
          store.transact((tx) => {
            tx.put('items', `i${(k * 37) % 4000}`, { id: `i${(k * 37) % 4000}`, round, k });
            if (k % 3 === 0) tx.del('items', `i${(k * 91) % 4000}`);
            if (k % 50 === 0) tx.put('late', `l${round}-${k}`, { id: `l${round}-${k}` });
            if (k === 200 && round > 0) tx.drop(`scratch${round - 1}`);
          }),
        );
        if (k % 20 === 0) await new Promise((r) => setImmediate(r)); // let compaction slices run in between
      }
      await Promise.all(writes);
      await store.idle();
      expect(loadStoreFile(file).collections).toEqual(store.exportDocument().collections);
    }
    expect(store.journalStats!.compactions).toBeGreaterThanOrEqual(3);
    await store.close();
    const reopened = await openStore(file);
    expect(reopened.exportDocument().collections).toEqual(loadStoreFile(file).collections);
  });
});

describe('store › compaction walks collections lazily, in bounded slices', () => {
  it('yields between slices of at most 2,048 records, and a record added to a large collection after the walk began is in the snapshot itself', async () => {
    const file = tempFile();
    const store = await openStore(file, 1 << 30);
    const count = 20_000;
    await store.transact((tx) => {
      for (let i = 0; i < count; i++) tx.put('big', `r${i}`, { id: `r${i}`, n: i, pad: 'p'.repeat(40) });
    });
    await store.flush();
    const stats = store.journalStats!;
    const slicesBefore = stats.snapshotSlices;
    // event-loop turns seen during the compaction; the first after a slice went out adds a record
    let turns = 0;
    let late: Promise<unknown> | undefined;
    let compacting = true;
    const tick = () => {
      if (!compacting) return;
      turns++;
      if (!late && stats.snapshotSlices > slicesBefore) late = store.transact((tx) => tx.put('big', 'zz-late', { id: 'zz-late' }));
      setImmediate(tick);
    };
    setImmediate(tick);
    await store.compactNow();
    compacting = false;
    await late;
    expect(late).toBeDefined();
    expect(stats.largestSlice).toBeLessThanOrEqual(2048);
    expect(stats.snapshotSlices - slicesBefore).toBeGreaterThanOrEqual(Math.ceil(count / 2048));
    expect(turns).toBeGreaterThanOrEqual(Math.ceil(count / 2048) - 1);
    // the walk reached the record appended to the Map after it started (Object.keys taken up front would not)
    const snapshot = readSnapshotFile(file)!;
    expect(snapshot.layoutVersion).toBe(SNAPSHOT_LAYOUT_VERSION);
    expect(snapshot.document.collections.big?.['zz-late']).toEqual({ id: 'zz-late' });
    expect(Object.keys(snapshot.document.collections.big ?? {})).toHaveLength(count + 1);
    await store.idle();
    expect(loadStoreFile(file).collections).toEqual(store.exportDocument().collections);
  });
});

describe('store › snapshot layout', () => {
  const legacy = () => ({
    format: 'apitwin-store',
    version: 1,
    seq: 7,
    collections: {
      accounts: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`a${i}`, { id: `a${i}`, name: `Account ${i}`, tags: [i % 3], nested: { ok: i % 2 === 0 } }])),
      odd: JSON.parse('{"__proto__":{"id":"__proto__"},"constructor":{"id":"constructor"}}') as object,
    },
  });

  it('loads a file of the earlier layout (one JSON document) to the same state, and rewrites it in the line layout', async () => {
    const file = tempFile();
    const doc = legacy();
    writeFileSync(file, JSON.stringify(doc));
    expect(readSnapshotFile(file)!.layoutVersion).toBe(1);
    const store = await openStore(file);
    const expected = JSON.parse(JSON.stringify(doc.collections)) as unknown;
    expect(JSON.parse(JSON.stringify(store.exportDocument().collections))).toEqual(expected);
    expect(store.seq).toBe(7);
    await store.idle(); // the migration is a compaction beside the running store
    const rewritten = readSnapshotFile(file)!;
    expect(rewritten.layoutVersion).toBe(SNAPSHOT_LAYOUT_VERSION);
    expect(readFileSync(file, 'utf8').split('\n').length).toBeGreaterThan(3);
    expect(JSON.parse(JSON.stringify(rewritten.document.collections))).toEqual(expected);
    expect(rewritten.document.seq).toBe(7);
    await store.close();
    const reopened = await openStore(file);
    expect(JSON.parse(JSON.stringify(reopened.exportDocument().collections))).toEqual(expected);
    expect(reopened.seq).toBe(7);
  });

  it('loads a file of layout 2 (one line per slice of [id, record] pairs) to the same state, and rewrites it in the current layout', async () => {
    const file = tempFile();
    const doc = legacy();
    const v2 = [`{"format":"apitwin-store","version":2,"seq":7}`];
    for (const [name, records] of Object.entries(doc.collections)) v2.push(JSON.stringify({ c: name, r: Object.entries(records) }));
    v2.push(`{"records":602}`, '');
    writeFileSync(file, v2.join('\n'));
    expect(readSnapshotFile(file)!.layoutVersion).toBe(2);
    const store = await openStore(file);
    const expected = JSON.parse(JSON.stringify(doc.collections)) as unknown;
    expect(JSON.parse(JSON.stringify(store.exportDocument().collections))).toEqual(expected);
    await store.idle();
    expect(readSnapshotFile(file)!.layoutVersion).toBe(SNAPSHOT_LAYOUT_VERSION);
    await store.close();
    const reopened = await openStore(file);
    expect(JSON.parse(JSON.stringify(reopened.exportDocument().collections))).toEqual(expected);
    expect(reopened.seq).toBe(7);
  });

  it('loads the line layout in chunks to the same state: lines longer than the read buffer, multi-byte characters across chunk boundaries', async () => {
    const file = tempFile();
    const store = await openStore(file);
    await store.transact((tx) => {
      // 1 MiB chunks: a 2.5 MiB record makes a line longer than the buffer; 3- and 4-byte characters land on every boundary
      tx.put('huge', 'h', { id: 'h', text: 'é€😀'.repeat(300_000) });
      for (let i = 0; i < 3000; i++) tx.put('items', `i${i}`, { id: `i${i}`, name: `${'€'.repeat(i % 7)}😀${i}`, pad: 'x'.repeat(i % 300) });
      tx.put('empty-then-full', 'only', { id: 'only', nested: { a: [1, 'ü', null] } });
    });
    const before = JSON.stringify(store.exportDocument());
    await store.close();
    expect(readSnapshotFile(file)!.layoutVersion).toBe(SNAPSHOT_LAYOUT_VERSION);
    expect(readFileSync(file).length).toBeGreaterThan(3 << 20);
    const reopened = await openStore(file);
    expect(JSON.stringify(reopened.exportDocument())).toBe(before);
  });

  it('replays the journal line by line: entries longer than the read buffer, multi-byte characters across chunk boundaries, a torn tail cut at its byte offset', async () => {
    const file = tempFile();
    const store = await openStore(file, 1 << 30); // no compaction: everything stays in the journal
    await store.transact((tx) => tx.put('huge', 'h', { id: 'h', text: 'é€😀'.repeat(300_000) }));
    for (let t = 0; t < 60; t++) {
      await store.transact((tx) => {
        for (let i = t * 50; i < (t + 1) * 50; i++) tx.put('items', `i${i}`, { id: `i${i}`, name: `${'€'.repeat(i % 7)}😀${i}`, pad: 'x'.repeat(i % 300) });
      });
    }
    const before = JSON.stringify(store.exportDocument());
    const journal = readFileSync(`${file}.journal`);
    expect(journal.length).toBeGreaterThan(3 << 20);
    // a copy of the files as a twin killed now would leave them, with an append torn mid-line
    const copy = tempFile();
    writeFileSync(copy, readFileSync(file));
    writeFileSync(`${copy}.journal`, Buffer.concat([journal, Buffer.from('{"s":99999,"ops":[{"op":"put","c":"items","id":"€')]));
    const reopened = await openStore(copy, 1 << 30);
    expect(JSON.stringify(reopened.exportDocument())).toBe(before);
    // cut exactly after the last whole line
    const cut = readFileSync(`${copy}.journal`);
    expect(cut.length).toBe(journal.length);
    expect(cut.equals(journal)).toBe(true);
  });

  it('compacts at open a journal that outgrew its snapshot (a twin stopped before its compaction)', async () => {
    const file = tempFile();
    const store = await openStore(file, 1 << 30);
    for (let i = 0; i < 200; i++) await store.transact((tx) => tx.put('items', `i${i}`, { id: `i${i}`, pad: 'x'.repeat(200) }));
    const before = JSON.stringify(store.exportDocument());
    const copy = tempFile();
    writeFileSync(copy, readFileSync(file));
    writeFileSync(`${copy}.journal`, readFileSync(`${file}.journal`));
    const reopened = await openStore(copy, 1024);
    await reopened.idle();
    expect(reopened.journalStats!.compactions).toBeGreaterThan(0);
    expect(readFileSync(`${copy}.journal`).length).toBe(0);
    expect(JSON.stringify(readSnapshotFile(copy)!.document)).toBe(before);
  });

  it('refuses a line-layout file that is damaged, cut short or miscounted, and leaves it untouched', async () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify(legacy()));
    const store = await openStore(file);
    await store.close();
    const good = readFileSync(file, 'utf8');
    const lines = good.split('\n');
    expect(lines.length).toBeGreaterThan(8); // header, 3 × 2 lines of accounts, 2 of odd, end line, ''
    const cases: Array<[string, string, string]> = [
      ['a slice of records removed (its ids line and records line)', lines.filter((_, i) => i !== 1 && i !== 2).join('\n'), 'the end line counts 602 records, the file holds 346'],
      ['the end line removed', lines.slice(0, -2).join('\n') + '\n', 'the end line is missing'],
      ['a record made null', good.replace('{"id":"a1",', 'null,{"id":"a1",'), 'damaged line 3 (its records, or the collection, count or ids on the line before, do not match their checksum'],
      ['a record changed', good.replace('"name":"Account 7"', '"name":"Account 8"'), 'damaged line 3 (its records, or the collection, count or ids on the line before, do not match their checksum'],
      ['an id changed', good.replace('"ids":["a0"', '"ids":["b0"'), 'damaged line 3 (its records, or the collection, count or ids on the line before, do not match their checksum'],
      ['a count changed', good.replace('"n":256', '"n":255'), 'damaged line 3 (its records, or the collection, count or ids on the line before, do not match their checksum'],
      ['a slice moved to another collection', good.replace('{"c":"accounts"', '{"c":"other"'), 'damaged line 3 (its records, or the collection, count or ids on the line before, do not match their checksum'],
      ['an ids line cut in the middle', good.slice(0, good.indexOf('\n', good.indexOf('\n') + 1) - 30) + '\n' + lines.slice(2).join('\n'), 'damaged line 2'],
      ['a line after the end', good + '{"c":"x","n":1,"crc":0,"ids":["x"]}\n', 'after the end line'],
      ['a line of another kind', good.replace('{"records":602}', '{"other":1}\n{"records":602}'), 'damaged line 10 (not a slice of records, an order or the end line)'],
      ['a later version', good.replace('"version":3', '"version":4'), 'version 4'],
    ];
    for (const [name, text, says] of cases) {
      writeFileSync(file, text);
      const err = await Store.open({ file }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(StoreFileError);
      expect((err as Error).message, name).toContain(says);
      expect(readFileSync(file, 'utf8'), name).toBe(text);
      expect(existsSync(`${file}.lock`), name).toBe(false);
    }
  });
});

describe('store › crash safety', () => {
  it('a writer killed with SIGKILL leaves a file that loads and holds every acknowledged mutation', async () => {
    const file = tempFile();
    for (let round = 0; round < 3; round++) {
      const acked = await runWriterUntilKilled(file, `r${round}`, 150 + round * 100);
      expect(acked.length).toBeGreaterThan(0);
      const doc = loadStoreFile(file);
      const stored = doc.collections.items ?? {};
      const missing = acked.filter((id) => !(id in stored));
      expect(missing).toEqual([]);
      // and the next process can open it (the stale lock is taken over, a torn tail cut off)
      const reopened = await Store.open({ file });
      expect(reopened.reader.count('items')).toBeGreaterThanOrEqual(acked.length);
      await reopened.close();
    }
  });
});

describe('store › refusing files', () => {
  it('refuses a corrupt file with a clear message and leaves it untouched', async () => {
    const file = tempFile();
    writeFileSync(file, '{"format":"apitwin-store", "version": 1, "seq": 3, "collec');
    const before = readFileSync(file);
    const err = await Store.open({ file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreFileError);
    expect((err as StoreFileError).reason).toBe('corrupt');
    expect((err as Error).message).toContain('not valid JSON');
    expect(readFileSync(file)).toEqual(before);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('refuses a foreign JSON file and leaves it untouched', async () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ posts: [{ id: 1 }] }));
    const before = readFileSync(file);
    const err = await Store.open({ file }).catch((e: unknown) => e);
    expect((err as StoreFileError).reason).toBe('foreign');
    expect((err as Error).message).toContain('not an apitwin store');
    expect(readFileSync(file)).toEqual(before);
  });

  it('refuses a journal with a damaged entry in the middle, and cuts only a torn last line', async () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ format: 'apitwin-store', version: 1, seq: 0, collections: {} }));
    const put = (s: number, id: string) => JSON.stringify({ s, ops: [{ op: 'put', c: 'items', id, v: { id } }] });
    writeFileSync(`${file}.journal`, `${put(1, 'a')}\n${put(2, 'b')}\n{"s":3,"op`);
    const store = await openStore(file);
    expect(store.reader.values('items').map((r) => r.id)).toEqual(['a', 'b']);
    await store.close();

    writeFileSync(`${file}.journal`, `${put(1, 'a')}\n{"s":2,"op\n${put(3, 'c')}\n`);
    const before = readFileSync(`${file}.journal`);
    const err = await Store.open({ file }).catch((e: unknown) => e);
    expect((err as StoreFileError).reason).toBe('corrupt');
    expect(readFileSync(`${file}.journal`)).toEqual(before);
  });

  it('removes the temporary snapshots crashed compactions left, and nothing else', async () => {
    const file = tempFile();
    const first = await openStore(file);
    await first.transact((tx) => tx.put('items', 'a', { id: 'a' }));
    await first.close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const leftovers = [`${file}.tmp-${dead}`, `${file}.tmp-${process.pid}`];
    for (const f of leftovers) writeFileSync(f, '{"format":"apitwin-store"');
    writeFileSync(`${file}.tmp-notes`, 'not ours');
    const store = await openStore(file);
    for (const f of leftovers) expect(existsSync(f)).toBe(false);
    expect(existsSync(`${file}.tmp-notes`)).toBe(true);
    expect(store.reader.get('items', 'a')).toEqual({ id: 'a' });
  });

  it('a second process on the same file is refused while the first holds it', async () => {
    const file = tempFile();
    await openStore(file);
    const [node, args] = tsNode('testing/open-child.ts', file);
    const child = spawnSync(node, args, { encoding: 'utf8', timeout: 30_000 });
    expect(child.status).toBe(3);
    expect(child.stdout).toMatch(/refused: .*in use by another apitwin process \(pid \d+/);
  });
});

function runWriterUntilKilled(file: string, prefix: string, killAfterAcks: number): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const [node, args] = tsNode('testing/writer-child.ts', file, prefix);
    const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('ack ')) acked.push(line.slice(4));
        if (acked.length >= killAfterAcks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolvePromise(acked);
    });
  });
}

describe('store › field index (findBy)', () => {
  it('finds records by a field ignoring case, through writes, deletes, renames and drops', async () => {
    const store = await Store.open();
    await store.transact((tx) => {
      tx.put('accounts', 'a', { id: 'a', name: 'Acme' });
      tx.put('accounts', 'b', { id: 'b', name: 'beta' });
    });
    expect(store.reader.findBy('accounts', 'name', 'ACME').map((r) => r.id)).toEqual(['a']);
    // the index, once built, follows every committed change
    await store.transact((tx) => tx.put('accounts', 'c', { id: 'c', name: 'acme' }));
    expect(store.reader.findBy('accounts', 'name', 'acme').map((r) => r.id).sort()).toEqual(['a', 'c']);
    await store.transact((tx) => tx.put('accounts', 'a', { id: 'a', name: 'renamed' }));
    expect(store.reader.findBy('accounts', 'name', 'acme').map((r) => r.id)).toEqual(['c']);
    expect(store.reader.findBy('accounts', 'name', 'Renamed').map((r) => r.id)).toEqual(['a']);
    await store.transact((tx) => tx.del('accounts', 'c'));
    expect(store.reader.findBy('accounts', 'name', 'acme')).toEqual([]);
    // non-string values are not indexed; unknown collections are empty
    await store.transact((tx) => tx.put('accounts', 'n', { id: 'n', name: 42 }));
    expect(store.reader.findBy('accounts', 'name', '42')).toEqual([]);
    expect(store.reader.findBy('nothing', 'name', 'x')).toEqual([]);
    await store.transact((tx) => tx.drop('accounts'));
    expect(store.reader.findBy('accounts', 'name', 'beta')).toEqual([]);
  });

  it('sees a transaction’s own staged writes, and nothing of a transaction that threw', async () => {
    const store = await Store.open();
    await store.transact((tx) => tx.put('accounts', 'a', { id: 'a', name: 'acme' }));
    expect(store.reader.findBy('accounts', 'name', 'acme')).toHaveLength(1);
    const seen = await store.transact((tx) => {
      tx.put('accounts', 'b', { id: 'b', name: 'ACME' });
      tx.put('accounts', 'a', { id: 'a', name: 'other' });
      const during = tx.findBy('accounts', 'name', 'acme').map((r) => r.id);
      tx.del('accounts', 'b');
      return { during, after: tx.findBy('accounts', 'name', 'acme').map((r) => r.id), other: tx.findBy('accounts', 'name', 'OTHER').map((r) => r.id) };
    });
    expect(seen).toEqual({ during: ['b'], after: [], other: ['a'] });
    expect(() =>
      store.transact((tx) => {
        tx.put('accounts', 'z', { id: 'z', name: 'ghost' });
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(store.reader.findBy('accounts', 'name', 'ghost')).toEqual([]);
  });

  it('is rebuilt after a snapshot restore', async () => {
    const store = await Store.open();
    await store.transact((tx) => tx.put('accounts', 'a', { id: 'a', name: 'before' }));
    expect(store.reader.findBy('accounts', 'name', 'before')).toHaveLength(1);
    await store.replaceDocument({ format: 'apitwin-store', version: 1, seq: 0, collections: { accounts: { b: { id: 'b', name: 'restored' } } } });
    expect(store.reader.findBy('accounts', 'name', 'before')).toEqual([]);
    expect(store.reader.findBy('accounts', 'name', 'restored').map((r) => r.id)).toEqual(['b']);
  });
});

describe('store › ids and names that are Object.prototype members', () => {
  it('treats __proto__, constructor and valueOf as plain keys, in memory and through a file', async () => {
    const file = tempFile();
    const store = await openStore(file);
    for (const id of ['valueOf', 'constructor', 'toString', 'hasOwnProperty']) expect(store.reader.get('accounts', id)).toBeUndefined();
    await store.transact((tx) => tx.put('accounts', 'real', { id: 'real' }));
    for (const id of ['valueOf', 'constructor', '__proto__']) expect(store.reader.get('accounts', id)).toBeUndefined();
    expect(store.reader.get('constructor', 'x')).toBeUndefined();
    await store.transact((tx) => {
      tx.put('accounts', '__proto__', { id: '__proto__', name: 'odd' });
      tx.put('__proto__', 'x', { id: 'x' });
    });
    expect(store.reader.get('accounts', '__proto__')).toEqual({ id: '__proto__', name: 'odd' });
    expect(store.reader.count('accounts')).toBe(2);
    expect(store.reader.findBy('accounts', 'name', 'odd').map((r) => r.id)).toEqual(['__proto__']);
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    const reloaded = loadStoreFile(file);
    expect(Object.keys(reloaded.collections.accounts!)).toEqual(expect.arrayContaining(['real', '__proto__']));
    const again = await openStore(file);
    expect(again.reader.get('accounts', '__proto__')).toEqual({ id: '__proto__', name: 'odd' });
    expect(again.reader.get('__proto__', 'x')).toEqual({ id: 'x' });
    expect(again.reader.get('accounts', 'valueOf')).toBeUndefined();
  });
});

describe('store › counts', () => {
  it('counts records through puts, overwrites and deletes, and drops a collection once empty', async () => {
    const store = await Store.open();
    await store.transact((tx) => {
      for (let i = 0; i < 5; i++) tx.put('items', `i${i}`, { id: `i${i}` });
    });
    expect(store.reader.count('items')).toBe(5);
    await store.transact((tx) => {
      tx.put('items', 'i0', { id: 'i0', v: 2 });
      tx.del('items', 'i1');
      tx.del('items', 'missing');
      expect(tx.count('items')).toBe(4);
    });
    expect(store.reader.count('items')).toBe(4);
    await store.transact((tx) => {
      for (const id of ['i0', 'i2', 'i3', 'i4']) tx.del('items', id);
    });
    expect(store.reader.count('items')).toBe(0);
    expect(store.reader.collections('')).toEqual([]);
    await store.transact((tx) => tx.put('items', 'again', { id: 'again' }));
    expect(store.reader.count('items')).toBe(1);
  });
});
