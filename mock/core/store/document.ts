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
 * Collections and the collection table are null-prototype objects: an id or a name such as
 * `__proto__`, `constructor` or `valueOf` is just a key, never an inherited member.
 */
function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
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

/**
 * Record counts of collections, kept once known: counting the keys of a large collection is
 * O(n) (so is `for…in` on one), and a delete must know whether it emptied its collection.
 */
const sizes = new WeakMap<object, number>();

/** the number of records in a collection object (O(1) once known) */
export function collectionSize(coll: Record<string, JsonRecord>): number {
  let n = sizes.get(coll);
  if (n === undefined) {
    n = Object.keys(coll).length;
    sizes.set(coll, n);
  }
  return n;
}

export function applyOps(doc: StoreDocument, ops: readonly StoreOp[]): void {
  for (const op of ops) {
    if (op.op === 'put') {
      const coll = (doc.collections[op.c] ??= dictionary());
      if (!(op.id in coll)) {
        const n = sizes.get(coll);
        if (n !== undefined) sizes.set(coll, n + 1);
      }
      coll[op.id] = op.v;
    } else if (op.op === 'del') {
      const coll = doc.collections[op.c];
      if (coll && op.id in coll) {
        delete coll[op.id];
        const n = sizes.get(coll);
        const left = n === undefined ? Object.keys(coll).length : n - 1;
        sizes.set(coll, left);
        if (left === 0) delete doc.collections[op.c];
      }
    } else {
      delete doc.collections[op.c];
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
  const doc = value as Partial<StoreDocument> | null;
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
  if (!Number.isSafeInteger(doc.seq) || (doc.seq as number) < 0 || !isPlainObject(doc.collections)) {
    throw new StoreFileError(`${file} is an apitwin store with a damaged header (seq/collections). It was left untouched.`, 'corrupt', file);
  }
  for (const name of Object.keys(doc.collections)) {
    const coll = (doc.collections as Record<string, unknown>)[name];
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed journal entry's shape; returns what is wrong with it, or undefined when it is sound. */
export function journalEntryProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'not an object';
  if (!Number.isSafeInteger(value.s) || (value.s as number) < 1) return 'no transaction number';
  if (!Array.isArray(value.ops)) return 'no list of operations';
  for (let i = 0; i < value.ops.length; i++) {
    const op = value.ops[i] as unknown;
    if (!isPlainObject(op)) return `operation ${i} is not an object`;
    if (typeof op.c !== 'string') return `operation ${i} names no collection`;
    if (op.op === 'drop') continue;
    if (op.op !== 'put' && op.op !== 'del') return `operation ${i} is of an unknown kind`;
    if (typeof op.id !== 'string') return `operation ${i} names no record id`;
    if (op.op === 'put' && !isPlainObject(op.v)) return `operation ${i} puts no record`;
  }
  return undefined;
}
