import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Low, Memory } from 'lowdb';
import {
  applyOps,
  assertStoreDocument,
  collectionSize,
  emptyDocument,
  normalizeDocument,
  type JournalEntry,
  type JsonRecord,
  type StoreDocument,
  type StoreOp,
} from './document.ts';
import { JournaledJsonFile, removeLeftoverSnapshots } from './journaled-file.ts';
import { acquireFileLock, type FileLock } from './lock.ts';

/**
 * Read access to the collections, and write access inside a transaction. Records handed out are
 * shared with the store: treat them as read-only and `put` a new object to change one.
 */
export interface Tx {
  get<T extends JsonRecord = JsonRecord>(collection: string, id: string): T | undefined;
  values<T extends JsonRecord = JsonRecord>(collection: string): T[];
  count(collection: string): number;
  /** names of the collections that start with `prefix` */
  collections(prefix: string): string[];
  /**
   * The records whose `field` equals `value` ignoring case (string fields only), through an index
   * the store keeps per collection and field once asked: O(matches), not O(collection).
   */
  findBy<T extends JsonRecord = JsonRecord>(collection: string, field: string, value: string): T[];
  put(collection: string, id: string, record: JsonRecord): void;
  del(collection: string, id: string): void;
  drop(collection: string): void;
}

export interface StoreOptions {
  /** file path of the snapshot; omitted = memory store */
  file?: string;
  /** journal size (bytes) below which no compaction happens; compaction also waits for the journal to outgrow the snapshot */
  minCompactionBytes?: number;
}

const DELETED = Symbol('deleted');
type Overlay = Map<string, Map<string, JsonRecord | typeof DELETED>>;

/** index key of a field value: the lowercased string, or undefined for values that are not strings */
function indexKey(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** ids of the records with one index key: a single id (the usual case, e.g. unique names) or several */
type IdSet = string | Set<string>;

/**
 * Secondary indexes, built on first use per (collection, field) and kept up to date as operations
 * are applied: lowercased field value → ids of the records holding it.
 */
class FieldIndexes {
  /** collection → field → key → ids */
  private readonly byCollection = new Map<string, Map<string, Map<string, IdSet>>>();

  lookup(doc: StoreDocument, collection: string, field: string, key: string): IdSet | undefined {
    let fields = this.byCollection.get(collection);
    if (!fields) this.byCollection.set(collection, (fields = new Map()));
    let index = fields.get(field);
    if (!index) {
      index = new Map();
      const records = doc.collections[collection];
      if (records) for (const id in records) add(index, indexKey(records[id]![field]), id);
      fields.set(field, index);
    }
    return index.get(key);
  }

  /** to be called before `op` is applied to `doc` */
  update(doc: StoreDocument, op: StoreOp): void {
    if (this.byCollection.size === 0) return;
    const fields = this.byCollection.get(op.c);
    if (!fields) return;
    if (op.op === 'drop') {
      this.byCollection.delete(op.c);
      return;
    }
    const old = doc.collections[op.c]?.[op.id];
    for (const [field, index] of fields) {
      if (old) remove(index, indexKey(old[field]), op.id);
      if (op.op === 'put') add(index, indexKey(op.v[field]), op.id);
    }
  }

  clear(): void {
    this.byCollection.clear();
  }
}

function add(index: Map<string, IdSet>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = index.get(key);
  if (ids === undefined) index.set(key, id);
  else if (typeof ids === 'string') {
    if (ids !== id) index.set(key, new Set([ids, id]));
  } else ids.add(id);
}

function remove(index: Map<string, IdSet>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = index.get(key);
  if (ids === undefined) return;
  if (typeof ids === 'string') {
    if (ids === id) index.delete(key);
    return;
  }
  ids.delete(id);
  if (ids.size === 1) index.set(key, ids.values().next().value as string);
}

export class Store {
  private pending: JournalEntry[] = [];
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;
  private flushScheduled = false;
  private closed = false;
  private readonly indexes = new FieldIndexes();
  readonly stats = { transactions: 0, flushes: 0 };
  readonly reader: Tx;

  private constructor(
    private readonly low: Low<StoreDocument>,
    private readonly journal: JournaledJsonFile | undefined,
    private readonly lock: FileLock | undefined,
    private readonly minCompactionBytes: number,
  ) {
    this.reader = this.readView();
  }

  static async open(options: StoreOptions = {}): Promise<Store> {
    if (!options.file) {
      const low = new Low<StoreDocument>(new Memory<StoreDocument>(), emptyDocument());
      return new Store(low, undefined, undefined, 0);
    }
    const file = resolve(options.file);
    mkdirSync(dirname(file), { recursive: true });
    const lock = acquireFileLock(file);
    try {
      removeLeftoverSnapshots(file);
      const adapter = new JournaledJsonFile(file);
      const low = new Low<StoreDocument>(adapter, emptyDocument());
      await low.read();
      const store = new Store(low, adapter, lock, options.minCompactionBytes ?? 8 * 1024 * 1024);
      if (adapter.snapshotBytes === 0) await low.write(); // a new file: make it recognizable at once
      return store;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  get file(): string | undefined {
    return this.journal?.file;
  }

  get seq(): number {
    return this.low.data.seq;
  }

  get journalStats(): JournaledJsonFile['stats'] | undefined {
    return this.journal?.stats;
  }

  /**
   * Runs `fn` against a private overlay; if it returns, its writes are applied at once (later
   * readers see them) and the promise resolves when they are durable. If it throws, nothing is
   * applied. `fn` must be synchronous, so transactions never interleave.
   */
  transact<R>(fn: (tx: Tx) => R): Promise<R> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const overlay: Overlay = new Map();
    const dropped = new Set<string>();
    const ops: StoreOp[] = [];
    const tx = this.overlayView(overlay, dropped, ops);
    const result = fn(tx);
    if (result instanceof Promise) throw new Error('store.transact() takes a synchronous function');
    if (ops.length === 0) return Promise.resolve(result);
    const doc = this.low.data;
    // ops are applied in order, so one op at a time keeps the indexes right for repeated ids
    for (const op of ops) {
      this.indexes.update(doc, op);
      applyOps(doc, [op]);
    }
    doc.seq++;
    this.stats.transactions++;
    if (!this.journal) return Promise.resolve(result);
    this.pending.push({ s: doc.seq, ops });
    return new Promise<R>((resolvePromise, reject) => {
      this.waiters.push({ resolve: () => resolvePromise(result), reject });
      this.scheduleFlush();
    });
  }

  /** Replaces the whole document (snapshot restore) and persists it as a new snapshot. */
  async replaceDocument(next: unknown): Promise<void> {
    assertStoreDocument(next, 'snapshot');
    await this.flush();
    const doc = normalizeDocument(structuredClone(next));
    doc.seq = this.low.data.seq + 1;
    this.low.data = doc;
    this.indexes.clear();
    if (this.journal) await this.low.write();
  }

  /** A deep copy of the document, for snapshot export. */
  exportDocument(): StoreDocument {
    return structuredClone(this.low.data);
  }

  async flush(): Promise<void> {
    while (this.flushing || this.pending.length > 0) {
      if (!this.flushing) await this.runFlush();
      else await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.journal) {
      if (this.journal.journalBytes > 0) await this.low.write();
      await this.journal.close();
    }
    this.lock?.release();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.runFlush();
    });
  }

  /** Group commit: every transaction committed since the last flush goes out in one append. */
  private async runFlush(): Promise<void> {
    if (this.flushing || this.pending.length === 0 || !this.journal) return;
    this.flushing = true;
    const entries = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      await this.journal.append(entries);
      this.stats.flushes++;
      for (const w of waiters) w.resolve();
      if (this.journal.journalBytes > Math.max(this.minCompactionBytes, this.journal.snapshotBytes)) {
        await this.low.write();
      }
    } catch (err) {
      for (const w of waiters) w.reject(err);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.scheduleFlush();
    }
  }

  private readView(): Tx {
    const collections = () => this.low.data.collections;
    const readOnly = (): never => {
      throw new Error('writes happen inside store.transact()');
    };
    return {
      get: <T extends JsonRecord>(c: string, id: string) => collections()[c]?.[id] as T | undefined,
      values: <T extends JsonRecord>(c: string) => Object.values(collections()[c] ?? {}) as T[],
      count: (c: string) => {
        const coll = collections()[c];
        return coll ? collectionSize(coll) : 0;
      },
      collections: (prefix: string) => Object.keys(collections()).filter((name) => name.startsWith(prefix)),
      findBy: <T extends JsonRecord>(c: string, field: string, value: string) => {
        const key = indexKey(value);
        const ids = key === undefined ? undefined : this.indexes.lookup(this.low.data, c, field, key);
        if (ids === undefined) return [];
        const records = collections()[c]!;
        if (typeof ids === 'string') return [records[ids] as T];
        const out: T[] = [];
        for (const id of ids) out.push(records[id] as T);
        return out;
      },
      put: readOnly,
      del: readOnly,
      drop: readOnly,
    };
  }

  private overlayView(overlay: Overlay, dropped: Set<string>, ops: StoreOp[]): Tx {
    const base = this.reader;
    const layer = (c: string) => {
      let m = overlay.get(c);
      if (!m) overlay.set(c, (m = new Map()));
      return m;
    };
    const get = <T extends JsonRecord>(c: string, id: string): T | undefined => {
      const staged = overlay.get(c)?.get(id);
      if (staged === DELETED) return undefined;
      if (staged) return staged as T;
      return dropped.has(c) ? undefined : base.get<T>(c, id);
    };
    const values = <T extends JsonRecord>(c: string): T[] => {
      const staged = overlay.get(c);
      const fromBase = dropped.has(c) ? [] : base.values<T>(c);
      if (!staged) return fromBase;
      const out: T[] = [];
      const baseColl = dropped.has(c) ? undefined : this.low.data.collections[c];
      if (baseColl) {
        for (const id in baseColl) {
          const s = staged.get(id);
          if (s === undefined) out.push(baseColl[id] as T);
          else if (s !== DELETED) out.push(s as T);
        }
      }
      for (const [id, s] of staged) {
        if (s !== DELETED && !(baseColl && id in baseColl)) out.push(s as T);
      }
      return out;
    };
    const findBy = <T extends JsonRecord>(c: string, field: string, value: string): T[] => {
      const key = indexKey(value);
      if (key === undefined) return [];
      const staged = overlay.get(c);
      const out: T[] = [];
      if (!dropped.has(c)) {
        for (const r of base.findBy<T>(c, field, value)) {
          if (!staged?.has(r.id as string)) out.push(r);
        }
      }
      if (staged) {
        for (const s of staged.values()) {
          if (s !== DELETED && indexKey(s[field]) === key) out.push(s as T);
        }
      }
      return out;
    };
    return {
      get,
      values,
      findBy,
      count: (c) => (overlay.has(c) || dropped.has(c) ? values(c).length : base.count(c)),
      collections: (prefix) => {
        const names = new Set(base.collections(prefix).filter((n) => !dropped.has(n)));
        for (const [name, m] of overlay) {
          if (name.startsWith(prefix) && [...m.values()].some((v) => v !== DELETED)) names.add(name);
        }
        return [...names];
      },
      put: (c, id, record) => {
        const frozen = deepFreeze(record);
        layer(c).set(id, frozen);
        ops.push({ op: 'put', c, id, v: frozen });
      },
      del: (c, id) => {
        if (get(c, id) === undefined) return;
        layer(c).set(id, DELETED);
        ops.push({ op: 'del', c, id });
      },
      drop: (c) => {
        dropped.add(c);
        overlay.delete(c);
        ops.push({ op: 'drop', c });
      },
    };
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
