import { crc32 } from 'node:zlib';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, type StoreOptions } from './store.ts';
import { StoreFileError, type JsonRecord } from './document.ts';

const opened: Store[] = [];

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'apitwin-lazy-')), 'db.json');
}

async function openStore(file: string, options: Omit<StoreOptions, 'file'> = {}): Promise<Store> {
  const store = await Store.open({ file, minCompactionBytes: 1 << 30, ...options });
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});

type Item = JsonRecord & { id: string; name: string; n: number };
const byName = (a: JsonRecord, b: JsonRecord) => String(a.name).localeCompare(String(b.name)) || String(a.id).localeCompare(String(b.id));

/** a closed store file with `count` items (names in an order other than their ids') and a small collection */
async function storeFile(count: number, keepOrder = false): Promise<string> {
  const file = tempFile();
  const store = await openStore(file);
  await store.transact((tx) => {
    for (let i = 0; i < count; i++) tx.put('items', `i${i}`, { id: `i${i}`, name: `n${(i * 7919) % count}`, n: i });
    tx.put('small', 's', { id: 's', name: 'small' });
  });
  if (keepOrder) [...store.reader.sorted('items', 'by-name', byName)];
  await store.close();
  return file;
}

/** what the store holds, in its iteration order */
const contents = (store: Store) => JSON.stringify(store.exportDocument().collections);

describe('store › records read when first used', () => {
  it('opens a large collection without parsing its records, reads one line for one record, and the rest in the background', async () => {
    const file = await storeFile(3000);
    const store = await openStore(file);
    const lines = Math.ceil(3000 / 256);
    expect(store.snapshotSlicesUnread).toBe(lines);
    expect(store.reader.count('items')).toBe(3000);
    expect(store.reader.get<Item>('items', 'i1000')).toMatchObject({ id: 'i1000', n: 1000 });
    expect(store.snapshotSlicesUnread).toBe(lines - 1);
    await expect.poll(() => store.snapshotSlicesUnread, { timeout: 5000 }).toBe(0);
    expect(store.reader.get<Item>('items', 'i2999')).toMatchObject({ id: 'i2999', n: 2999 });
  });

  it('keeps the order, writes and deletes of records whose lines are not read yet', async () => {
    const file = await storeFile(3000);
    const memory = await Store.open();
    await memory.transact((tx) => {
      for (let i = 0; i < 3000; i++) tx.put('items', `i${i}`, { id: `i${i}`, name: `n${(i * 7919) % 3000}`, n: i });
      tx.put('small', 's', { id: 's', name: 'small' });
    });
    const store = await openStore(file);
    const change = (s: Store) =>
      s.transact((tx) => {
        tx.put('items', 'i5', { id: 'i5', name: 'changed', n: -5 }); // an unread line's record replaced: it keeps its place
        tx.del('items', 'i2000'); // an unread line's record deleted
        tx.put('items', 'new', { id: 'new', name: 'new', n: 3000 }); // after every other
      });
    await change(store);
    await change(memory);
    // a delete reads the record it deletes (a delete of nothing is no write): one line; the others stay unread
    expect(store.snapshotSlicesUnread).toBe(Math.ceil(3000 / 256) - 1);
    expect(store.reader.get('items', 'i2000')).toBeUndefined();
    expect(contents(store)).toBe(contents(memory));
    await store.close();
    const reopened = await openStore(file);
    expect(contents(reopened)).toBe(contents(memory));
  });

  it('compacts while lines are unread, reading them as the walk reaches them', async () => {
    const file = await storeFile(3000);
    const first = await openStore(file);
    const expected = contents(first);
    await first.close();
    const store = await openStore(file);
    expect(store.snapshotSlicesUnread).toBeGreaterThan(0);
    await store.transact((tx) => tx.put('items', 'i7', { id: 'i7', name: 'seven', n: 7 }));
    await store.compactNow();
    const after = contents(store);
    expect(after).not.toBe(expected);
    await store.close();
    expect(contents(await openStore(file))).toBe(after);
  });

  it('refuses at open a records line whose bytes do not match their checksum, naming the line', async () => {
    const file = await storeFile(600);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"n":301}', '"n":302}'));
    const err = await Store.open({ file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreFileError);
    expect((err as Error).message).toContain('damaged line 5 (its records, or the collection, count or ids on the line before, do not match their checksum');
  });

  it('a damaged line whose checksum was made to match: refused at open when it is parsed there, reported when read later', async () => {
    const file = await storeFile(600);
    const lines = readFileSync(file, 'utf8').split('\n');
    /** replaces records line `at` with `records`, and the slice's checksum with theirs */
    const forged = (at: number, records: string) => {
      const copy = [...lines];
      const head = copy[at - 1]!;
      const { c, n } = JSON.parse(head) as { c: string; n: number };
      const ids = head.slice(head.indexOf(',"ids":[') + ',"ids":'.length, -1);
      copy[at] = records;
      copy[at - 1] = head.replace(/"crc":\d+/, `"crc":${crc32(records, crc32(ids, crc32(`${JSON.stringify(c)},${n}`)))}`);
      return copy.join('\n');
    };
    const small = lines.findIndex((l) => l.startsWith('{"c":"small"')) + 1;
    writeFileSync(file, forged(small, '[null]'));
    const refused = await Store.open({ file }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreFileError);
    expect((refused as Error).message).toContain(`damaged line ${small + 1} (record 0 is not an object)`);

    const large = 4; // the second records line of items (records 256–511)
    const ids = (JSON.parse(lines[large - 1]!) as { ids: string[] }).ids;
    writeFileSync(file, forged(large, JSON.stringify(ids.map((id, i) => (i === 3 ? 'oops' : { id })))));
    const damage: Error[] = [];
    const store = await openStore(file, { onDamage: (e) => damage.push(e) });
    expect(store.reader.get('items', 'i0')).toMatchObject({ id: 'i0' });
    expect(() => store.reader.get('items', 'i300')).toThrow(StoreFileError);
    await expect.poll(() => damage.length, { timeout: 5000 }).toBe(1);
    expect(damage[0]!.message).toContain(`damaged line ${large + 1} (record 3 is not an object)`);
  });
});

describe('store › records read when first used, from the file', () => {
  it('reads a slice from the file kept open, checks it against its checksum again, and lets the file go once all are read', async () => {
    const file = await storeFile(600);
    const store = await openStore(file);
    // the snapshot changed in place after the start (same length): the slice read now no longer matches
    const text = readFileSync(file, 'utf8');
    const at = Buffer.byteLength(text.slice(0, text.indexOf('"n":300}')));
    const fd = openSync(file, 'r+');
    writeSync(fd, '"n":301}', at);
    closeSync(fd);
    expect(() => store.reader.get('items', 'i300')).toThrow(/damaged line 5 \(its records, or the ids on the line before, no longer match their checksum/);
    expect(store.reader.get('items', 'i0')).toMatchObject({ id: 'i0', n: 0 });
  });

  it('lets the file go at close: records not read by then are no longer readable, and nothing is left open', async () => {
    const file = await storeFile(600);
    const store = await openStore(file);
    const holding = () => readdirSync('/proc/self/fd').some((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false; // closed meanwhile (the listing's own descriptor)
      }
    });
    expect(holding()).toBe(true);
    await store.close();
    expect(holding()).toBe(false);
    expect(() => store.reader.get('items', 'i300')).toThrow('was closed before its records were read');
  });
});

describe('store › orders kept with the snapshot', () => {
  it('a list order saved at close is used after the restart: no record compared or parsed but those walked', async () => {
    const file = await storeFile(3000, true);
    expect(readFileSync(file, 'utf8')).toContain('{"v":"items","k":"by-name","p":[');
    const store = await openStore(file);
    let compared = 0;
    const counting = (a: JsonRecord, b: JsonRecord) => (compared++, byName(a, b));
    const first = [];
    for (const r of store.reader.sorted<Item>('items', 'by-name', counting)) {
      first.push(r.name);
      if (first.length === 3) break;
    }
    expect(first).toEqual(['n0', 'n1', 'n10']);
    expect(compared).toBe(0);
    expect(store.snapshotSlicesUnread).toBeGreaterThan(Math.ceil(3000 / 256) - 4);
    // the order is kept through writes from then on
    await store.transact((tx) => tx.put('items', 'z', { id: 'z', name: 'n0', n: -1 }));
    const all = [...store.reader.sorted<Item>('items', 'by-name', counting)].map((r) => r.id);
    const expected = store.reader.values<Item>('items').sort(byName).map((r) => r.id);
    expect(all).toEqual(expected);
    expect(compared).toBeGreaterThan(0);
  });

  it('outlives a run that did not list the collection: saved again with the next snapshot while the collection is as loaded', async () => {
    const file = await storeFile(3000, true);
    // a run that lists nothing but writes elsewhere (its close writes a new snapshot), then one that compacts
    const quiet = await openStore(file);
    await quiet.transact((tx) => tx.put('small', 't', { id: 't', name: 'other' }));
    await quiet.close();
    const compacting = await openStore(file);
    await compacting.transact((tx) => tx.put('small', 'u', { id: 'u', name: 'another' }));
    await compacting.compactNow();
    await compacting.close();
    expect(readFileSync(file, 'utf8')).toContain('{"v":"items","k":"by-name","p":[');
    const store = await openStore(file);
    let compared = 0;
    const first = [];
    for (const r of store.reader.sorted<Item>('items', 'by-name', (a, b) => (compared++, byName(a, b)))) {
      first.push(r.name);
      if (first.length === 3) break;
    }
    expect(first).toEqual(['n0', 'n1', 'n10']);
    expect(compared).toBe(0);
    // a run that wrote to the collection saves no order it did not keep itself
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    const writer = await openStore(file);
    await writer.transact((tx) => tx.put('items', 'i1', { id: 'i1', name: 'renamed', n: 1 }));
    await writer.close();
    expect(readFileSync(file, 'utf8')).not.toContain('"k":"by-name"');
  });

  it('is not used when the collection changed after the snapshot (journal replayed) or was written before the first list', async () => {
    const file = await storeFile(3000, true);
    const store = await openStore(file);
    await store.transact((tx) => tx.put('items', 'i3', { id: 'i3', name: 'a-first', n: 3 }));
    // a copy of the files as a twin killed now leaves them: the journal changes items after the snapshot
    const copy = tempFile();
    writeFileSync(copy, readFileSync(file));
    writeFileSync(`${copy}.journal`, readFileSync(`${file}.journal`));
    for (const s of [store, await openStore(copy)]) {
      let compared = 0;
      const rows = [...s.reader.sorted<Item>('items', 'by-name', (a, b) => (compared++, byName(a, b)))];
      expect(compared).toBeGreaterThan(0);
      expect(rows[0]!.id).toBe('i3');
      expect(rows.map((r) => r.id)).toEqual(s.reader.values<Item>('items').sort(byName).map((r) => r.id));
    }
  });

  it('is ignored when its positions are not each record once (a damaged or foreign order)', async () => {
    const file = await storeFile(600, true);
    const text = readFileSync(file, 'utf8');
    const [, positions] = /"k":"by-name","p":\[([^\]]*)\]/.exec(text)!;
    const p = positions!.split(',');
    for (const bad of [[p[1], ...p.slice(1)], p.slice(1), [...p, '600'], ['"x"', ...p.slice(1)]]) {
      writeFileSync(file, text.replace(positions!, bad.join(',')));
      const store = await openStore(file);
      let compared = 0;
      const rows = [...store.reader.sorted<Item>('items', 'by-name', (a, b) => (compared++, byName(a, b)))].map((r) => r.id);
      expect(compared).toBeGreaterThan(0);
      expect(rows).toEqual(store.reader.values<Item>('items').sort(byName).map((r) => r.id));
      await store.close();
      opened.splice(opened.indexOf(store), 1);
    }
  });
});

describe('store › a collection read on first use behaves as a Map', () => {
  type Step = { op: 'put'; i: number; n: number } | { op: 'del'; i: number } | { op: 'get'; i: number } | { op: 'list' } | { op: 'count' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ op: fc.constant('put' as const), i: fc.nat(1200), n: fc.integer() }),
    fc.record({ op: fc.constant('del' as const), i: fc.nat(1200) }),
    fc.record({ op: fc.constant('get' as const), i: fc.nat(1200) }),
    fc.record({ op: fc.constant('list' as const) }),
    fc.record({ op: fc.constant('count' as const) }),
  );

  it('any mix of reads, writes, deletes, counts and ordered lists on a store loaded from a file matches a memory store, and reloads the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 257, max: 900 }), fc.array(step, { maxLength: 40 }), async (count, steps) => {
        const file = await storeFile(count, true);
        const loaded = await openStore(file);
        const memory = await Store.open();
        await memory.transact((tx) => {
          for (let i = 0; i < count; i++) tx.put('items', `i${i}`, { id: `i${i}`, name: `n${(i * 7919) % count}`, n: i });
          tx.put('small', 's', { id: 's', name: 'small' });
        });
        for (const s of steps) {
          for (const store of [loaded, memory]) {
            if (s.op === 'put') await store.transact((tx) => tx.put('items', `i${s.i}`, { id: `i${s.i}`, name: `n${s.n}`, n: s.n }));
            if (s.op === 'del') await store.transact((tx) => tx.del('items', `i${s.i}`));
          }
          if (s.op === 'get') expect(loaded.reader.get('items', `i${s.i}`)).toEqual(memory.reader.get('items', `i${s.i}`));
          if (s.op === 'count') expect(loaded.reader.count('items')).toBe(memory.reader.count('items'));
          if (s.op === 'list') {
            const first = (store: Store) => [...store.reader.sorted<Item>('items', 'by-name', byName)].slice(0, 5).map((r) => r.id);
            expect(first(loaded)).toEqual(first(memory));
          }
        }
        expect(contents(loaded)).toBe(contents(memory));
        await loaded.close();
        opened.splice(opened.indexOf(loaded), 1);
        const reloaded = await openStore(file);
        expect(contents(reloaded)).toBe(contents(memory));
        await reloaded.close();
        opened.splice(opened.indexOf(reloaded), 1);
      }),
      { numRuns: 25 },
    );
  });
});
