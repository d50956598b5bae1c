import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Low, Memory } from 'lowdb';
import {
  applyOps,
  assertStoreDocument,
  documentFromState,
  emptyState,
  normalizeDocument,
  stateFromDocument,
  type JournalEntry,
  type JsonRecord,
  type StoreDocument,
  type StoreOp,
  type StoreState,
} from './document.ts';
import { JournaledJsonFile, SNAPSHOT_LAYOUT_VERSION, removeLeftoverSnapshots, type KeptOrder } from './journaled-file.ts';
import { acquireFileLock, type FileLock } from './lock.ts';
import { RecordMap } from './record-map.ts';
import { PostgresLog, StoreUnavailableError, type CatchUp } from './postgres.ts';
import { messageOf } from '../error-message.ts';

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
  /** how many records findBy would return, in O(1) */
  countBy(collection: string, field: string, value: string): number;
  /**
   * Every record of `collection` in `compare` order, from an order the store keeps through writes
   * under the name `key` (the same key must always come with the same order: a key is saved with
   * the snapshot, so a change of the order needs a new key). Lists walk it and stop once their
   * page is full, instead of sorting the collection per request. Walk it before the next write.
   */
  sorted<T extends JsonRecord = JsonRecord>(collection: string, key: string, compare: (a: T, b: T) => number): Iterable<T>;
  put(collection: string, id: string, record: JsonRecord): void;
  del(collection: string, id: string): void;
  drop(collection: string): void;
}

export interface StoreOptions {
  /** file path of the snapshot; omitted = memory store */
  file?: string;
  /** journal size (bytes) below which no compaction happens; compaction also waits for the journal to outgrow the snapshot */
  minCompactionBytes?: number;
  /** a postgres:// URL: the shared store of several replicas (see postgres.ts); excludes `file` */
  postgres?: string;
  /** shared store: log rows after which a replica writes a snapshot (default 10,000) */
  snapshotEvery?: number;
  /** shared store: told about errors of idle database connections */
  onDatabaseError?: (err: Error) => void;
  /**
   * file store: told when a snapshot slice read after the start (see record-map.ts) is damaged;
   * only a slice whose checksum was made to match its damage, or a file changed in place, gets that far
   */
  onDamage?: (err: Error) => void;
}

interface QueuedTransaction {
  fn: (tx: Tx) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** a transaction queued by transactSoon */
interface SoonTransaction {
  fn: (tx: Tx) => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const DELETED = Symbol('deleted');

/** how long transactSoon's queued transactions wait for others to join them */
export const SOON_MS = 10;
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

  lookup(doc: StoreState, collection: string, field: string, key: string): IdSet | undefined {
    let fields = this.byCollection.get(collection);
    if (!fields) this.byCollection.set(collection, (fields = new Map()));
    let index = fields.get(field);
    if (!index) {
      index = new Map();
      const records = doc.collections.get(collection);
      if (records) for (const [id, record] of records) add(index, indexKey(record[field]), id);
      fields.set(field, index);
    }
    return index.get(key);
  }

  /** to be called before `op` is applied to `doc` */
  update(doc: StoreState, op: StoreOp): void {
    if (this.byCollection.size === 0) return;
    const fields = this.byCollection.get(op.c);
    if (!fields) return;
    if (op.op === 'drop') {
      this.byCollection.delete(op.c);
      return;
    }
    const old = doc.collections.get(op.c)?.get(op.id);
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
  if (ids.size === 1) index.set(key, ids.values().next().value as string); // a set of size 1 has a first value
}

type Compare = (a: JsonRecord, b: JsonRecord) => number;

/** at most this many orders are kept per collection; the oldest is dropped (and rebuilt if asked again) */
const MAX_SORTED_VIEWS_PER_COLLECTION = 4;

/**
 * Sorted views of collections (see Tx.sorted): built on first use per (collection, key), or taken
 * from the order the snapshot saved (see KeptOrder), and kept in order as operations are applied
 * (binary search, then one splice). A view holds ids: a collection loaded from a snapshot reads a
 * record's line only when a list reaches it.
 */
class SortedViews {
  /**
   * a view lists ids, or, when taken from the snapshot and its collection is still as loaded,
   * file positions (see RecordMap.recordAt): the first write to the collection turns them into ids
   */
  private readonly byCollection = new Map<string, Map<string, { compare: Compare; ids: string[]; positions?: readonly number[] }>>();

  get(doc: StoreState, collection: string, key: string, compare: Compare): Iterable<JsonRecord> {
    let views = this.byCollection.get(collection);
    if (!views) this.byCollection.set(collection, (views = new Map()));
    let view = views.get(key);
    const records = doc.collections.get(collection);
    if (!view) {
      const saved = doc.keptOrders?.get(collection);
      const positions = records instanceof RecordMap && records.asLoaded ? saved?.get(key) : undefined;
      saved?.delete(key);
      if (positions) view = { compare, ids: [], positions };
      else {
        const entries = records ? [...records] : [];
        entries.sort((a, b) => compare(a[1], b[1]));
        view = { compare, ids: entries.map((e) => e[0]) };
      }
      if (views.size >= MAX_SORTED_VIEWS_PER_COLLECTION) views.delete(views.keys().next().value as string); // a full map has a first key
      views.set(key, view);
    }
    if (view.positions) return rowsAt(records as RecordMap, view.positions); // a view keeps positions only for a RecordMap
    return rowsOf(records, view.ids);
  }

  /**
   * the orders kept for `collection`, to be saved with a snapshot: its views, and the orders the
   * loaded snapshot saved that no list has used yet, while the collection is as loaded (so a run
   * that lists nothing does not leave the next start to sort every record)
   */
  keptOrders(doc: StoreState, collection: string): KeptOrder[] {
    const views = this.byCollection.get(collection);
    const records = doc.collections.get(collection);
    const kept = views ? [...views].map(([key, view]) => ({ key, ids: idsOf(view, records) })) : [];
    const saved = doc.keptOrders?.get(collection);
    if (saved && records instanceof RecordMap && records.asLoaded) {
      for (const [key, positions] of saved) if (!views?.has(key)) kept.push({ key, ids: positions.map((p) => records.idAt(p)) });
    }
    return kept;
  }

  /** to be called before `op` is applied to `doc` */
  update(doc: StoreState, op: StoreOp): void {
    if (this.byCollection.size === 0) return;
    const views = this.byCollection.get(op.c);
    if (!views) return;
    if (op.op === 'drop') {
      this.byCollection.delete(op.c);
      return;
    }
    const records = doc.collections.get(op.c);
    const old = records?.get(op.id);
    for (const view of views.values()) {
      const { compare } = view;
      const ids = idsOf(view, records);
      const at = (i: number) => records!.get(ids[i]!)!; // a view lists ids of records the collection holds
      if (old) {
        let i = bound(ids.length, (mid) => compare(at(mid), old) < 0);
        while (i < ids.length && ids[i] !== op.id) i++;
        if (i < ids.length) ids.splice(i, 1);
      }
      if (op.op === 'put') ids.splice(bound(ids.length, (mid) => compare(at(mid), op.v) <= 0), 0, op.id);
    }
  }

  clear(): void {
    this.byCollection.clear();
  }
}

/** a view's ids, turning its file positions into ids first */
function idsOf(view: { ids: string[]; positions?: readonly number[] }, records: Map<string, JsonRecord> | undefined): string[] {
  if (view.positions) {
    const loaded = records as RecordMap; // a view keeps positions only for a RecordMap
    view.ids = view.positions.map((p) => loaded.idAt(p));
    view.positions = undefined;
  }
  return view.ids;
}

/** the records at file positions `positions` of a collection as loaded */
function* rowsAt(records: RecordMap, positions: readonly number[]): Generator<JsonRecord> {
  for (const p of positions) yield records.recordAt(p);
}

/** the records of `ids`, read as they are reached */
function* rowsOf(records: Map<string, JsonRecord> | undefined, ids: readonly string[]): Generator<JsonRecord> {
  if (!records) return;
  for (const id of ids) yield records.get(id)!; // a view lists ids of records the collection holds
}

/** the first index in [0, n) for which `before` is false (it is true for a prefix) */
function bound(n: number, before: (mid: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** how long the store waits after opening a file before it reads the rest of its snapshot in the background */
const BACKGROUND_READ_DELAY_MS = 100;
/** the longest the background read holds the event loop at a time */
const BACKGROUND_READ_SLICE_MS = 5;

export class Store {
  private pending: JournalEntry[] = [];
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;
  private flushScheduled = false;
  private closed = false;
  private readonly indexes = new FieldIndexes();
  private readonly sortedViews = new SortedViews();
  /** stops the background read of the snapshot (see readInBackground) */
  private stopBackgroundRead: (() => void) | undefined;
  /** Object.values of collections not written since (a copy is handed out: callers may sort it) */
  private readonly valuesCache = new Map<string, JsonRecord[]>();
  readonly stats = { transactions: 0, flushes: 0 };
  /** a compaction under way (see compact) */
  private compaction: Promise<void> | undefined;
  readonly reader: Tx;
  /** shared store: transactions waiting for the write lock */
  private queued: QueuedTransaction[] = [];
  private writing = false;
  /** shared store: settles when every transaction queued so far has committed or failed */
  private ownWritesSettled: Promise<void> = Promise.resolve();
  private ownWritesOpen = 0;
  private syncInFlight: Promise<void> | undefined;
  private syncNext: Promise<void> | undefined;
  private lastSnapshotSeq = 0;
  private snapshotting = false;
  private readonly applyListeners = new Set<() => void>();
  /** transactions queued by transactSoon, and the collections they write */
  private soon: SoonTransaction[] = [];
  private readonly soonCollections = new Set<string>();
  private soonTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly low: Low<StoreState>,
    private readonly journal: JournaledJsonFile | undefined,
    private readonly lock: FileLock | undefined,
    private readonly minCompactionBytes: number,
    /** the PostgreSQL log of a shared store */
    readonly shared?: PostgresLog,
    private readonly snapshotEvery = 10_000,
  ) {
    this.reader = this.readView();
  }

  static async open(options: StoreOptions = {}): Promise<Store> {
    if (options.postgres) {
      const log = await PostgresLog.connect(options.postgres, options.onDatabaseError);
      try {
        const low = new Low<StoreState>(new Memory<StoreState>(), emptyState());
        const store = new Store(low, undefined, undefined, 0, log, options.snapshotEvery);
        store.applyCatchUp(await log.catchUp(0));
        store.lastSnapshotSeq = store.seq;
        return store;
      } catch (err) {
        await log.close();
        throw err;
      }
    }
    if (!options.file) {
      const low = new Low<StoreState>(new Memory<StoreState>(), emptyState());
      return new Store(low, undefined, undefined, 0);
    }
    const file = resolve(options.file);
    mkdirSync(dirname(file), { recursive: true });
    const lock = acquireFileLock(file);
    try {
      removeLeftoverSnapshots(file);
      const adapter = new JournaledJsonFile(file);
      const low = new Low<StoreState>(adapter, emptyState());
      await low.read();
      const store = new Store(low, adapter, lock, options.minCompactionBytes ?? 8 * 1024 * 1024);
      adapter.keptOrdersOf = (c) => store.sortedViews.keptOrders(store.low.data, c);
      if (low.data.unread) store.readInBackground(low.data.unread, options.onDamage);
      if (adapter.snapshotBytes === 0) await low.write(); // a new file: make it recognizable at once
      // a file of the earlier layout is rewritten in the current one, beside the running store; so is a
      // journal that outgrew its snapshot (a twin stopped before its compaction), instead of at the first write
      else if (adapter.layoutVersion !== SNAPSHOT_LAYOUT_VERSION || adapter.journalBytes > Math.max(store.minCompactionBytes, adapter.snapshotBytes)) void store.compactNow();
      return store;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * Reads the snapshot slices the load left unparsed (see record-map.ts), a few at a time once
   * the start is over, until every record is parsed or the document is replaced or closed.
   */
  private readInBackground(unread: NonNullable<StoreState['unread']>, onDamage: ((err: Error) => void) | undefined): void {
    const slice = () => {
      this.stopBackgroundRead = undefined;
      if (this.closed || this.low.data.unread !== unread) return;
      try {
        if (unread.readFor(BACKGROUND_READ_SLICE_MS)) this.low.data.unread = undefined;
        else {
          const next = setImmediate(slice);
          this.stopBackgroundRead = () => clearImmediate(next);
        }
      } catch (err) {
        onDamage?.(err instanceof Error ? err : new Error(messageOf(err)));
      }
    };
    const first = setTimeout(slice, BACKGROUND_READ_DELAY_MS);
    this.stopBackgroundRead = () => clearTimeout(first);
  }

  get file(): string | undefined {
    return this.journal?.file;
  }

  /** slices of the snapshot loaded at open whose records are not read yet (see record-map.ts) */
  get snapshotSlicesUnread(): number {
    return this.low.data.unread?.slicesUnread ?? 0;
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
    if (this.soon.length > 0) this.runSoon();
    if (this.shared) {
      const written = new Promise<R>((resolve, reject) => {
        this.queued.push({ fn, resolve: resolve as (value: unknown) => void, reject }); // the queue holds transactions of any result type; fn's result is R
        if (!this.writing) void this.runSharedWrites();
      });
      this.ownWritesOpen++;
      const settled = () => {
        this.ownWritesOpen--;
      };
      this.ownWritesSettled = written.then(settled, settled);
      return written;
    }
    const { result, ops } = this.runLocal(fn);
    if (ops.length === 0) return Promise.resolve(result);
    const doc = this.low.data;
    this.stats.transactions++;
    if (!this.journal) return Promise.resolve(result);
    this.pending.push({ s: doc.seq, ops });
    return new Promise<R>((resolvePromise, reject) => {
      this.waiters.push({ resolve: () => resolvePromise(result), reject });
      this.scheduleFlush();
    });
  }

  /**
   * Queues `fn`, a transaction that writes only to `collections`, to run together with the others
   * queued within SOON_MS, as one transaction (one journal entry, one flush): for bookkeeping
   * written on every call and awaited by no client, such as audit events. Queued transactions
   * run, in the order they were queued, SOON_MS after the first of them, or earlier: before any
   * other transaction, before a read of one of `collections`, and before a flush, export, restore
   * or close. So no reader ever sees the store without them, and they are ordered with every
   * other transaction as if each had run when it was queued; a crash loses at most the last
   * SOON_MS of them (never an acknowledged write). Each stays atomic: when one throws, the batch
   * is undone and each runs as a transaction of its own. Resolves when durable (as transact). A
   * shared store runs `fn` as a transaction at once (its writes are batched already).
   */
  transactSoon(collections: readonly string[], fn: (tx: Tx) => void): Promise<void> {
    if (this.closed || this.shared) return this.transact(fn);
    return new Promise<void>((resolve, reject) => {
      this.soon.push({ fn, resolve, reject });
      for (const c of collections) this.soonCollections.add(c);
      this.soonTimer ??= setTimeout(() => this.runSoon(), SOON_MS);
    });
  }

  /** runs what transactSoon queued, as one transaction (see there) */
  private runSoon(): void {
    if (this.soonTimer) {
      clearTimeout(this.soonTimer);
      this.soonTimer = undefined;
    }
    if (this.soon.length === 0) return;
    const batch = this.soon;
    this.soon = [];
    this.soonCollections.clear();
    let done: Promise<unknown>;
    try {
      done = this.transact((tx) => {
        for (const item of batch) item.fn(tx);
      });
    } catch {
      // one of them threw and nothing was applied: each on its own, so the others still happen
      for (const item of batch) {
        try {
          this.transact(item.fn).then(item.resolve, item.reject);
        } catch (err) {
          item.reject(err);
        }
      }
      return;
    }
    done.then(
      () => {
        for (const item of batch) item.resolve();
      },
      (err: unknown) => {
        for (const item of batch) item.reject(err);
      },
    );
  }

  /** runs what transactSoon queued when it writes to collection `c` (before `c` is read) */
  private settleSoon(c: string): void {
    if (this.soonCollections.has(c)) this.runSoon();
  }

  /**
   * Runs `fn` against an overlay and, if it returns, applies its writes to the document (one seq
   * more when it wrote anything). Returns the ops and, for a shared store, how to undo them.
   */
  private runLocal<R>(fn: (tx: Tx) => R, undo?: StoreOp[]): { result: R; ops: StoreOp[] } {
    const overlay: Overlay = new Map();
    const dropped = new Set<string>();
    const ops: StoreOp[] = [];
    const tx = this.overlayView(overlay, dropped, ops);
    const result = fn(tx);
    if (result instanceof Promise) throw new Error('store.transact() takes a synchronous function');
    if (ops.length === 0) return { result, ops };
    const doc = this.low.data;
    // ops are applied in order, so one op at a time keeps the indexes right for repeated ids
    for (const op of ops) {
      if (undo) undo.push(...inverseOf(doc, op));
      this.applyOp(doc, op);
    }
    doc.seq++;
    return { result, ops };
  }

  /** applies one operation to the document, keeping what the store derives from it (indexes, sorted views, values) in step */
  private applyOp(doc: StoreState, op: StoreOp): void {
    doc.keptOrders?.delete(op.c);
    this.indexes.update(doc, op);
    this.sortedViews.update(doc, op);
    this.valuesCache.delete(op.c);
    applyOps(doc, [op]);
  }

  /** forgets what the store derived from a document it no longer holds */
  private clearDerived(): void {
    this.indexes.clear();
    this.sortedViews.clear();
    this.valuesCache.clear();
  }

  /** applies committed entries of other replicas (and a snapshot, when this one fell too far behind) */
  private applyCatchUp(c: CatchUp): void {
    let doc = this.low.data;
    if ('document' in c && c.document.seq > doc.seq) {
      this.low.data = doc = c.document;
      this.clearDerived();
    }
    let applied = false;
    for (const entry of c.entries) {
      if (entry.s <= doc.seq) continue;
      if (entry.s !== doc.seq + 1) throw new StoreUnavailableError(`the log skips from transaction ${doc.seq} to ${entry.s}`);
      for (const op of entry.ops) this.applyOp(doc, op);
      doc.seq = entry.s;
      applied = true;
    }
    if (applied || 'document' in c) for (const listener of this.applyListeners) listener();
  }

  /**
   * Calls `listener` after this replica applied writes committed by other replicas (a shared
   * store's shared settings — the clock, say — follow them). Returns the unsubscribe.
   */
  onRemoteChange(listener: () => void): () => void {
    this.applyListeners.add(listener);
    return () => this.applyListeners.delete(listener);
  }

  /**
   * Shared store: resolves once this replica has applied every write committed before the call
   * and every write it queued itself before the call — a write made after an answer went out (an
   * audit event) is seen by the next request (one query when nothing is queued); rejects with
   * StoreUnavailableError when the database cannot be reached. Other stores: undefined (nothing
   * to wait for).
   */
  sync(): Promise<void> | undefined {
    if (!this.shared) return undefined;
    if (this.ownWritesOpen > 0) return this.ownWritesSettled.then(() => this.catchUp());
    return this.catchUp();
  }

  /** one catch-up query that started after the call (a query already under way may have missed writes committed since) */
  private catchUp(): Promise<void> {
    const log = this.shared!;
    if (!this.syncInFlight) {
      this.syncInFlight = log
        .catchUp(this.low.data.seq)
        .then((c) => this.applyCatchUp(c))
        .finally(() => {
          this.syncInFlight = undefined;
        });
      return this.syncInFlight;
    }
    // a query already under way may have started before this call: wait for the next one
    this.syncNext ??= this.syncInFlight
      .catch(() => {})
      .then(() => {
        this.syncNext = undefined;
        return this.catchUp();
      });
    return this.syncNext;
  }

  /** Shared store: runs queued transactions in batches, each batch one PostgreSQL transaction under the write lock. */
  private async runSharedWrites(): Promise<void> {
    this.writing = true;
    const log = this.shared!;
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, 256);
        const done: Array<{ item: QueuedTransaction; result: unknown }> = [];
        const undo: StoreOp[] = [];
        let seqBefore: number | undefined;
        try {
          await log.write(
            () => this.low.data.seq,
            (c) => this.applyCatchUp(c),
            () => {
              seqBefore = this.low.data.seq;
              const entries: JournalEntry[] = [];
              for (const item of batch) {
                try {
                  const { result, ops } = this.runLocal(item.fn, undo);
                  if (ops.length > 0) entries.push({ s: this.low.data.seq, ops });
                  done.push({ item, result });
                } catch (err) {
                  item.reject(err);
                }
              }
              return entries;
            },
          );
        } catch (err) {
          if (seqBefore !== undefined) this.undo(undo, seqBefore);
          const failure = err instanceof StoreUnavailableError ? err : new StoreUnavailableError(messageOf(err), { cause: err });
          for (const { item } of done) item.reject(failure);
          // transactions that never reached the database (the lock or catch-up failed) fail too
          for (const item of batch) if (!done.some((d) => d.item === item)) item.reject(failure);
          continue;
        }
        this.stats.transactions += done.length;
        for (const { item, result } of done) item.resolve(result);
        this.maybeSnapshot();
      }
    } finally {
      this.writing = false;
    }
  }

  /** reverts the writes of a batch that did not commit */
  private undo(undo: StoreOp[], seq: number): void {
    const doc = this.low.data;
    for (let i = undo.length - 1; i >= 0; i--) {
      this.applyOp(doc, undo[i]!);
    }
    doc.seq = seq;
  }

  private maybeSnapshot(): void {
    const log = this.shared!;
    const doc = this.low.data;
    if (this.snapshotting || doc.seq - this.lastSnapshotSeq < this.snapshotEvery) return;
    this.snapshotting = true;
    const seq = doc.seq;
    const text = JSON.stringify(documentFromState(doc));
    log
      .writeSnapshot(seq, text)
      .then(() => {
        this.lastSnapshotSeq = seq;
      })
      .catch(() => {
        // the next write tries again
      })
      .finally(() => {
        this.snapshotting = false;
      });
  }

  /** Replaces the whole document (snapshot restore) and persists it as a new snapshot. */
  async replaceDocument(next: unknown): Promise<void> {
    assertStoreDocument(next, 'snapshot');
    this.runSoon();
    if (this.shared) {
      // one logged transaction that empties the document and writes every record of the snapshot
      const source = stateFromDocument(normalizeDocument(structuredClone(next)));
      await this.transact((tx) => {
        for (const name of tx.collections('')) tx.drop(name);
        for (const [name, records] of source.collections) {
          for (const [id, record] of records) tx.put(name, id, record);
        }
      });
      return;
    }
    await this.idle();
    const doc = stateFromDocument(normalizeDocument(structuredClone(next)));
    doc.seq = this.low.data.seq + 1;
    this.low.data.unread?.close();
    this.low.data = doc;
    this.clearDerived();
    if (this.journal) await this.low.write();
  }

  /** A deep copy of the document, for snapshot export. */
  exportDocument(): StoreDocument {
    this.runSoon();
    return structuredClone(documentFromState(this.low.data));
  }

  /** Resolves once nothing is being written: every transaction durable and no compaction under way. */
  async idle(): Promise<void> {
    do {
      await this.flush();
      await this.compaction;
    } while (this.soon.length > 0 || this.pending.length > 0 || this.flushing || this.compaction);
  }

  async flush(): Promise<void> {
    this.runSoon();
    while (this.flushing || this.pending.length > 0) {
      if (!this.flushing) await this.runFlush();
      else await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.runSoon();
    if (this.shared) {
      while (this.writing || this.queued.length > 0) await new Promise((r) => setTimeout(r, 5));
      this.closed = true;
      await this.shared.close();
      return;
    }
    await this.idle();
    this.closed = true;
    this.stopBackgroundRead?.();
    if (this.journal) {
      if (this.journal.journalBytes > 0) await this.low.write();
      await this.journal.close();
    }
    this.low.data.unread?.close();
    this.lock?.release();
  }

  /**
   * Stops using the file at once, writing nothing more and releasing its lock: for a store file
   * found damaged after the start (see StoreOptions.onDamage), which is to be left as it is.
   */
  abandon(): void {
    this.closed = true;
    this.stopBackgroundRead?.();
    this.low.data.unread?.close();
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

  /** Starts a compaction now (file store; unless one is under way) and resolves when it is done. */
  compactNow(): Promise<void> {
    if (!this.journal) return Promise.resolve();
    this.compaction ??= this.compact().finally(() => {
      this.compaction = undefined;
    });
    return this.compaction;
  }

  /**
   * Compaction beside the running store (see JournaledJsonFile.writeSnapshotGradually): the snapshot
   * is written in slices while transactions and appends go on; then, between two appends, the
   * journal is cut to what was appended since the compaction began.
   */
  private async compact(): Promise<void> {
    const journal = this.journal!;
    const doc = this.low.data;
    const seq = doc.seq;
    // entries appended from here on may be newer than the snapshot: they stay in the journal
    const from = journal.journalBytes;
    try {
      await journal.writeSnapshotGradually(doc, seq);
      while (this.flushing) await new Promise((r) => setImmediate(r));
      this.flushing = true;
      try {
        await journal.rotateJournal(from);
      } finally {
        this.flushing = false;
        if (this.pending.length > 0) this.scheduleFlush();
      }
    } catch {
      // the journal still holds everything: nothing is lost, and the next flush tries again
      await journal.cleanup().catch(() => undefined);
    }
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
      if (this.journal.journalBytes > Math.max(this.minCompactionBytes, this.journal.snapshotBytes)) void this.compactNow();
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
    // every read of a collection that queued transactions write runs them first (see transactSoon)
    const soon = this.soonCollections;
    return {
      get: <T extends JsonRecord>(c: string, id: string) => {
        if (soon.size !== 0) this.settleSoon(c);
        return collections().get(c)?.get(id) as T | undefined; // the store holds untyped records: the caller names its collection's record type
      },
      values: <T extends JsonRecord>(c: string) => {
        if (soon.size !== 0) this.settleSoon(c);
        let cached = this.valuesCache.get(c);
        if (!cached) {
          const coll = collections().get(c);
          if (!coll) return [];
          this.valuesCache.set(c, (cached = [...coll.values()]));
        }
        return cached.slice() as T[]; // the store holds untyped records: the caller names its collection's record type
      },
      sorted: <T extends JsonRecord>(c: string, key: string, compare: (a: T, b: T) => number) => {
        if (soon.size !== 0) this.settleSoon(c);
        // the store holds untyped records: the caller names its collection's record type (and its compare takes it)
        return this.sortedViews.get(this.low.data, c, key, compare as Compare) as Iterable<T>;
      },
      count: (c: string) => {
        if (soon.size !== 0) this.settleSoon(c);
        return collections().get(c)?.size ?? 0;
      },
      collections: (prefix: string) => {
        if (soon.size !== 0) this.runSoon();
        const names: string[] = [];
        for (const name of collections().keys()) if (name.startsWith(prefix)) names.push(name);
        return names;
      },
      findBy: <T extends JsonRecord>(c: string, field: string, value: string) => {
        if (soon.size !== 0) this.settleSoon(c);
        const key = indexKey(value);
        const ids = key === undefined ? undefined : this.indexes.lookup(this.low.data, c, field, key);
        if (ids === undefined) return [];
        const records = collections().get(c)!;
        // the store holds untyped records: the caller names its collection's record type
        if (typeof ids === 'string') return [records.get(ids) as T];
        const out: T[] = [];
        for (const id of ids) out.push(records.get(id) as T); // (the same)
        return out;
      },
      countBy: (c: string, field: string, value: string) => {
        if (soon.size !== 0) this.settleSoon(c);
        const key = indexKey(value);
        const ids = key === undefined ? undefined : this.indexes.lookup(this.low.data, c, field, key);
        return ids === undefined ? 0 : typeof ids === 'string' ? 1 : ids.size;
      },
      put: readOnly,
      del: readOnly,
      drop: readOnly,
    };
  }

  private overlayView(overlay: Overlay, dropped: Set<string>, ops: StoreOp[]): Tx {
    const base = this.reader;
    // collection → id → index in `ops` of the record's last put, while nothing after it in this
    // transaction deleted it or dropped its collection: a record put again replaces that put (one
    // op per record in the journal, e.g. a counter bumped by every audit event of a batch)
    const lastPut = new Map<string, Map<string, number>>();
    const layer = (c: string) => {
      let m = overlay.get(c);
      if (!m) overlay.set(c, (m = new Map()));
      return m;
    };
    const get = <T extends JsonRecord>(c: string, id: string): T | undefined => {
      const staged = overlay.get(c)?.get(id);
      if (staged === DELETED) return undefined;
      if (staged) return staged as T; // the store holds untyped records: the caller names its collection's record type
      return dropped.has(c) ? undefined : base.get<T>(c, id);
    };
    const values = <T extends JsonRecord>(c: string): T[] => {
      const staged = overlay.get(c);
      const fromBase = dropped.has(c) ? [] : base.values<T>(c);
      if (!staged) return fromBase;
      const out: T[] = [];
      const baseColl = dropped.has(c) ? undefined : this.low.data.collections.get(c);
      if (baseColl) {
        for (const [id, record] of baseColl) {
          const s = staged.get(id);
          // the store holds untyped records: the caller names its collection's record type
          if (s === undefined) out.push(record as T);
          else if (s !== DELETED) out.push(s as T); // (the same)
        }
      }
      for (const [id, s] of staged) {
        if (s !== DELETED && !baseColl?.has(id)) out.push(s as T); // the store holds untyped records: the caller names its collection's record type
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
          if (!staged?.has(String(r.id))) out.push(r);
        }
      }
      if (staged) {
        for (const s of staged.values()) {
          if (s !== DELETED && indexKey(s[field]) === key) out.push(s as T); // the store holds untyped records: the caller names its collection's record type
        }
      }
      return out;
    };
    return {
      get,
      values,
      findBy,
      countBy: (c, field, value) => (overlay.has(c) || dropped.has(c) ? findBy(c, field, value).length : base.countBy(c, field, value)),
      sorted: <T extends JsonRecord>(c: string, key: string, compare: (a: T, b: T) => number): Iterable<T> =>
        overlay.has(c) || dropped.has(c) ? values<T>(c).sort(compare) : base.sorted<T>(c, key, compare),
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
        let puts = lastPut.get(c);
        if (!puts) lastPut.set(c, (puts = new Map()));
        const earlier = puts.get(id);
        if (earlier !== undefined) ops[earlier] = { op: 'put', c, id, v: frozen };
        else {
          puts.set(id, ops.length);
          ops.push({ op: 'put', c, id, v: frozen });
        }
      },
      del: (c, id) => {
        if (get(c, id) === undefined) return;
        layer(c).set(id, DELETED);
        lastPut.get(c)?.delete(id);
        ops.push({ op: 'del', c, id });
      },
      drop: (c) => {
        dropped.add(c);
        overlay.delete(c);
        lastPut.delete(c);
        ops.push({ op: 'drop', c });
      },
    };
  }
}

/** the ops that undo `op` on `doc` as it is before `op` is applied */
function inverseOf(doc: StoreState, op: StoreOp): StoreOp[] {
  const coll = doc.collections.get(op.c);
  if (op.op === 'drop') {
    if (!coll) return [];
    // applied in reverse order by undo: the puts restore the collection
    return [...coll].map(([id, v]): StoreOp => ({ op: 'put', c: op.c, id, v }));
  }
  const before = coll?.get(op.id);
  return [before === undefined ? { op: 'del', c: op.c, id: op.id } : { op: 'put', c: op.c, id: op.id, v: before }];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze(Reflect.get(value, key));
  }
  return value;
}
