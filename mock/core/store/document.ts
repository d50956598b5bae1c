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
  return { format: STORE_FORMAT, version: STORE_VERSION, seq: 0, collections: {} };
}

export function applyOps(doc: StoreDocument, ops: readonly StoreOp[]): void {
  for (const op of ops) {
    if (op.op === 'put') {
      (doc.collections[op.c] ??= {})[op.id] = op.v;
    } else if (op.op === 'del') {
      const coll = doc.collections[op.c];
      if (coll) {
        delete coll[op.id];
        if (isEmpty(coll)) delete doc.collections[op.c];
      }
    } else {
      delete doc.collections[op.c];
    }
  }
}

function isEmpty(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
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
  if (typeof doc.seq !== 'number' || !doc.collections || typeof doc.collections !== 'object') {
    throw new StoreFileError(`${file} is an apitwin store with a damaged header (seq/collections). It was left untouched.`, 'corrupt', file);
  }
}
