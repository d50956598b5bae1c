import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreFileError } from './document.ts';
import { StoreUnavailableError } from './postgres.ts';
import { Store } from './store.ts';
import { startCluster, type Cluster } from './testing/postgres-cluster.ts';

let cluster: Cluster;
let n = 0;
const freshDb = () => cluster.createDatabase(`store_${++n}`);

beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster?.destroy());

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('store on PostgreSQL', () => {
  it('creates its schema in an empty database and keeps every acknowledged write across a restart', async () => {
    const url = await freshDb();
    const a = await Store.open({ postgres: url });
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.transact((tx) => tx.put('items', `i${i}`, { id: `i${i}`, n: i }))));
    await a.transact((tx) => tx.del('items', 'i7'));
    await a.close();
    const meta = await query<{ key: string; value: string }>(url, 'SELECT key, value FROM apitwin_meta ORDER BY key');
    expect(meta).toEqual([
      { key: 'format', value: 'apitwin-store' },
      { key: 'schema_version', value: '2' },
    ]);
    const b = await Store.open({ postgres: url });
    expect(b.reader.count('items')).toBe(49);
    expect(b.reader.get('items', 'i7')).toBeUndefined();
    expect(b.reader.get('items', 'i8')).toEqual({ id: 'i8', n: 8 });
    expect(b.seq).toBe(51);
    await b.close();
  });

  it('refuses a foreign database and a newer schema with one line, leaving them untouched', async () => {
    const foreign = await freshDb();
    await query(foreign, 'CREATE TABLE orders (id int)');
    const err = await Store.open({ postgres: foreign }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreFileError);
    expect((err as Error).message).toMatch(/holds tables that are not apitwin's \(orders\)/);
    expect((err as Error).message).not.toContain('\n');
    expect((await query<{ name: string }>(foreign, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`)).map((r) => r.name)).toEqual(['orders']);

    const newer = await freshDb();
    await (await Store.open({ postgres: newer })).close();
    await query(newer, `UPDATE apitwin_meta SET value = '99' WHERE key = 'schema_version'`);
    const err2 = await Store.open({ postgres: newer }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err2 as StoreFileError).reason).toBe('unsupported-version');
    expect((err2 as Error).message).toMatch(/schema version 99, this apitwin reads up to 2/);
  });

  it('two stores on one database: each sees the other\'s writes after sync, and checks inside transactions hold across them', async () => {
    const url = await freshDb();
    const [a, b] = await Promise.all([Store.open({ postgres: url }), Store.open({ postgres: url })]);
    await a.transact((tx) => tx.put('items', 'x', { id: 'x', name: 'Alpha' }));
    expect(b.reader.get('items', 'x')).toBeUndefined();
    await b.sync();
    expect(b.reader.get('items', 'x')).toEqual({ id: 'x', name: 'Alpha' });
    expect(b.reader.findBy('items', 'name', 'alpha')).toHaveLength(1);

    // 100 transactions, half through each store, each claiming one name only if nobody holds it
    const claim = (s: Store, i: number) =>
      s.transact((tx) => {
        if (tx.findBy('names', 'name', 'shared').length > 0) throw new Error('taken');
        tx.put('names', `n${i}`, { id: `n${i}`, name: 'shared' });
      });
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => claim(i % 2 ? a : b, i)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await Promise.all([a.sync(), b.sync()]);
    expect(a.reader.count('names')).toBe(1);
    expect(b.reader.values('names')).toEqual(a.reader.values('names'));
    expect(a.seq).toBe(b.seq);
    await Promise.all([a.close(), b.close()]);
  });

  it('sync waits for the writes this store queued before it: a write made after an answer is seen by the next request', async () => {
    const url = await freshDb();
    const a = await Store.open({ postgres: url });
    // another session holds the write lock, so the queued write cannot commit until it lets go
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [0x61706974_01]);
    const write = a.transact((tx) => tx.put('items', 'late', { id: 'late' }));
    let synced = false;
    const sync = a.sync()!.then(() => {
      synced = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(synced).toBe(false);
    await holder.query('SELECT pg_advisory_unlock($1)', [0x61706974_01]);
    await sync;
    expect(a.reader.get('items', 'late')).toEqual({ id: 'late' });
    await write;
    await holder.end();
    await a.close();
  });

  it('while the database is down, writes and syncs fail with StoreUnavailableError and change nothing; both recover on their own', async () => {
    const url = await freshDb();
    const a = await Store.open({ postgres: url });
    await a.transact((tx) => tx.put('items', 'kept', { id: 'kept' }));
    cluster.stopServer('immediate');
    try {
      const write = a.transact((tx) => {
        tx.put('items', 'lost', { id: 'lost' });
        tx.del('items', 'kept');
      });
      await expect(write).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(a.sync()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(a.reader.get('items', 'kept')).toEqual({ id: 'kept' });
      expect(a.reader.get('items', 'lost')).toBeUndefined();
      expect(a.seq).toBe(1);
    } finally {
      cluster.startServer();
    }
    await a.transact((tx) => tx.put('items', 'after', { id: 'after' }));
    const b = await Store.open({ postgres: url });
    expect(b.reader.values('items').map((r) => r.id).sort()).toEqual(['after', 'kept']);
    await Promise.all([a.close(), b.close()]);
  });

  it('undoes a failed batch exactly (puts, deletes and dropped collections) when the commit fails', async () => {
    const url = await freshDb();
    const a = await Store.open({ postgres: url });
    await a.transact((tx) => {
      tx.put('keep', '1', { id: '1', name: 'one' });
      tx.put('keep', '2', { id: '2', name: 'two' });
      tx.put('gone', 'g', { id: 'g' });
    });
    expect(a.reader.findBy('keep', 'name', 'ONE')).toHaveLength(1);
    // the append fails inside the database
    await query(url, `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`);
    await query(url, `CREATE TRIGGER refuse BEFORE INSERT ON apitwin_log FOR EACH ROW EXECUTE FUNCTION refuse()`);
    const failed = a.transact((tx) => {
      tx.put('keep', '1', { id: '1', name: 'uno' });
      tx.del('keep', '2');
      tx.drop('gone');
      tx.put('new', 'n', { id: 'n' });
    });
    await expect(failed).rejects.toThrow(/refused/);
    expect(a.reader.values('keep')).toEqual([
      { id: '1', name: 'one' },
      { id: '2', name: 'two' },
    ]);
    expect(a.reader.findBy('keep', 'name', 'one')).toHaveLength(1);
    expect(a.reader.findBy('keep', 'name', 'uno')).toHaveLength(0);
    expect(a.reader.get('gone', 'g')).toEqual({ id: 'g' });
    expect(a.reader.count('new')).toBe(0);
    expect(a.seq).toBe(1);
    await query(url, 'DROP TRIGGER refuse ON apitwin_log');
    await a.transact((tx) => tx.put('keep', '3', { id: '3' }));
    expect(a.seq).toBe(2);
    await a.close();
  });

  it('writes snapshots and drops the rows they cover; a replica that fell behind catches up from the snapshot', async () => {
    const url = await freshDb();
    const a = await Store.open({ postgres: url, snapshotEvery: 10 });
    const lagging = await Store.open({ postgres: url });
    for (let i = 0; i < 35; i++) await a.transact((tx) => tx.put('items', `i${i}`, { id: `i${i}` }));
    await expect.poll(async () => (await query<{ seq: string }>(url, 'SELECT seq FROM apitwin_snapshot')).map((r) => Number(r.seq))).toEqual([30]);
    const rows = await query<{ s: string }>(url, 'SELECT s FROM apitwin_log ORDER BY s');
    expect(Number(rows[0]!.s)).toBe(30);
    await lagging.sync();
    expect(lagging.seq).toBe(35);
    expect(lagging.reader.count('items')).toBe(35);
    const fresh = await Store.open({ postgres: url });
    expect(fresh.reader.values('items')).toEqual(a.reader.values('items'));
    await Promise.all([a.close(), lagging.close(), fresh.close()]);
  });

  it('a snapshot restore is one logged transaction every replica applies', async () => {
    const url = await freshDb();
    const [a, b] = await Promise.all([Store.open({ postgres: url }), Store.open({ postgres: url })]);
    await a.transact((tx) => tx.put('old', '1', { id: '1' }));
    await b.replaceDocument({ format: 'apitwin-store', version: 1, seq: 7, collections: { fresh: { f: { id: 'f' } } } });
    await a.sync();
    expect(a.reader.collections('')).toEqual(['fresh']);
    expect(a.exportDocument().collections).toEqual(b.exportDocument().collections);
    await Promise.all([a.close(), b.close()]);
  });
});
