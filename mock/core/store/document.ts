/**
 * The shape of the persisted store document and of the journal entries that change it.
 * State is plain JSON: named collections of records keyed by id. Vendors partition their
 * collections by tenant through the collection name (see mock/synqly/state.ts, mock/connxio/state.ts).
 */

export const STORE_FORMAT = 'apitwin-store';
export const STORE_VERSION = 1;

export type JsonRecord = { [key: string]: unknown };
export type Collections = Record<string, Record<string, JsonRecord>>;

export interface StoreDocument {
  format: typeof STORE_FORMAT;
  version: typeof STORE_VERSION;
  /** sequence number of the last transaction folded into this document */
  seq: number;
  collections: Collections;
}

export type StoreOp =
  | { op: 'put'; c: string; id: string; v: JsonRecord }
  | { op: 'del'; c: string; id: string }
  | { op: 'drop'; c: string };

/** One committed transaction: what the journal holds, one per line. */
export interface JournalEntry {
  s: number;
  ops: StoreOp[];
}

export function emptyDocument(): StoreDocument {
  return { format: STORE_FORMAT, version: STORE_VERSION, seq: 0, collections: dictionary() };
}

/**
 * The document as the store holds it in memory: collections and their records in Maps. A Map
 * iterates lazily, so a compaction can walk a collection of 300k records a slice at a time
 * (enumerating the keys of a large object is one uninterruptible O(n) step), and any id or name
 * (`__proto__`, `constructor`…) is just a key.
 */
export interface StoreState {
  /** sequence number of the last transaction folded into this state */
  seq: number;
  collections: Map<string, Map<string, JsonRecord>>;
  /**
   * orders saved with the snapshot this state was loaded from (collection → order key → the file
   * positions of its records in order, see journaled-file.ts KeptOrder); a collection's are
   * dropped when it is written
   */
  keptOrders?: Map<string, Map<string, number[]>>;
  /** the snapshot lines whose records are not parsed yet (see record-map.ts UnreadSnapshot) */
  unread?: { readFor(ms: number): boolean; close(): void; readonly done: boolean; readonly slicesUnread: number };
}

export function emptyState(): StoreState {
  return { seq: 0, collections: new Map() };
}

/** The state of a checked document (see assertStoreDocument); shares its records. */
export function stateFromDocument(doc: StoreDocument): StoreState {
  const collections = new Map<string, Map<string, JsonRecord>>();
  for (const name of Object.keys(doc.collections)) {
    const records = doc.collections[name]!;
    const coll = new Map<string, JsonRecord>();
    for (const id of Object.keys(records)) coll.set(id, records[id]!);
    if (coll.size > 0) collections.set(name, coll);
  }
  return { seq: doc.seq, collections };
}

/** The JSON document of a state (export, PostgreSQL snapshots); shares its records. */
export function documentFromState(state: StoreState): StoreDocument {
  const collections = dictionary<Record<string, JsonRecord>>();
  for (const [name, coll] of state.collections) {
    const records = dictionary<JsonRecord>();
    for (const [id, record] of coll) records[id] = record;
    collections[name] = records;
  }
  return { format: STORE_FORMAT, version: STORE_VERSION, seq: state.seq, collections };
}

/**
 * Collections and the collection table are null-prototype objects: an id or a name such as
 * `__proto__`, `constructor` or `valueOf` is just a key, never an inherited member.
 */
function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>; // Object.create is typed any
}

/** Makes a parsed document's collection table and collections null-prototype (see dictionary). */
export function normalizeDocument(doc: StoreDocument): StoreDocument {
  const table = dictionary<Record<string, JsonRecord>>();
  for (const name of Object.keys(doc.collections)) {
    const coll = doc.collections[name]!;
    if (Object.getPrototypeOf(coll) !== null) Object.setPrototypeOf(coll, null);
    table[name] = coll;
  }
  doc.collections = table;
  return doc;
}

/** Applies operations to a state; a collection left empty is removed. */
export function applyOps(state: StoreState, ops: readonly StoreOp[]): void {
  for (const op of ops) {
    if (op.op === 'put') {
      let coll = state.collections.get(op.c);
      if (!coll) state.collections.set(op.c, (coll = new Map()));
      coll.set(op.id, op.v);
    } else if (op.op === 'del') {
      const coll = state.collections.get(op.c);
      if (coll?.delete(op.id) && coll.size === 0) state.collections.delete(op.c);
    } else {
      state.collections.delete(op.c);
    }
  }
}

export class StoreFileError extends Error {
  constructor(
    message: string,
    readonly reason: 'corrupt' | 'foreign' | 'locked' | 'unsupported-version',
    readonly file: string,
  ) {
    super(message);
    this.name = 'StoreFileError';
  }
}

/** Checks that a parsed snapshot is one of ours; throws a StoreFileError naming the file otherwise. */
export function assertStoreDocument(value: unknown, file: string): asserts value is StoreDocument {
  const doc = value as Partial<StoreDocument> | null; // each member is checked below before it is trusted
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || doc.format !== STORE_FORMAT) {
    throw new StoreFileError(
      `${file} is not an apitwin store (no "format": "${STORE_FORMAT}" marker). ` +
        'It was left untouched; point --db at another file or move this one away.',
      'foreign',
      file,
    );
  }
  if (doc.version !== STORE_VERSION) {
    throw new StoreFileError(
      `${file} is an apitwin store of version ${String(doc.version)}, this apitwin reads version ${STORE_VERSION}. It was left untouched.`,
      'unsupported-version',
      file,
    );
  }
  if (typeof doc.seq !== 'number' || !Number.isSafeInteger(doc.seq) || doc.seq < 0 || !isPlainObject(doc.collections)) {
    throw new StoreFileError(`${file} is an apitwin store with a damaged header (seq/collections). It was left untouched.`, 'corrupt', file);
  }
  const collections: Record<string, unknown> = doc.collections;
  for (const name of Object.keys(collections)) {
    const coll = collections[name];
    if (!isPlainObject(coll)) {
      throw new StoreFileError(`${file} has a damaged collection "${name}" (not an object of records). It was left untouched.`, 'corrupt', file);
    }
    for (const id in coll) {
      if (!isPlainObject(coll[id])) {
        throw new StoreFileError(`${file} has a damaged record "${id}" in collection "${name}" (not an object). It was left untouched.`, 'corrupt', file);
      }
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed journal entry's shape; returns what is wrong with it, or undefined when it is sound. */
export function journalEntryProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'not an object';
  if (typeof value.s !== 'number' || !Number.isSafeInteger(value.s) || value.s < 1) return 'no transaction number';
  if (!Array.isArray(value.ops)) return 'no list of operations';
  for (let i = 0; i < value.ops.length; i++) {
    const op: unknown = value.ops[i];
    if (!isPlainObject(op)) return `operation ${i} is not an object`;
    if (typeof op.c !== 'string') return `operation ${i} names no collection`;
    if (op.op === 'drop') continue;
    if (op.op !== 'put' && op.op !== 'del') return `operation ${i} is of an unknown kind`;
    if (typeof op.id !== 'string') return `operation ${i} names no record id`;
    if (op.op === 'put' && !isPlainObject(op.v)) return `operation ${i} puts no record`;
  }
  return undefined;
}
