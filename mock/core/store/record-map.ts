import { performance } from 'node:perf_hooks';
import { StoreFileError, isPlainObject, type JsonRecord } from './document.ts';
import { messageOf } from '../error-message.ts';

/**
 * The bytes of a snapshot file whose record lines are parsed when first needed (layout 3, see
 * journaled-file.ts). Parsing a 100k-record snapshot whole costs ~250 ms of a 2-core machine's
 * time (JSON.parse plus the collections that promote every record to the old generation); the
 * load only parses each line's ids and checks the records line's CRC-32, and the store reads the
 * rest in short slices after start (`readFor`) or on first use, whichever comes first. Once every
 * line is read the bytes are let go.
 */
export class UnreadSnapshot {
  private bytes: Buffer | undefined;
  private readonly chunks: UnreadChunk[] = [];
  /** chunks before this index are read */
  private next = 0;
  private unreadCount = 0;

  constructor(
    bytes: Buffer,
    readonly file: string,
  ) {
    this.bytes = bytes;
  }

  /** a records line of `records` (its ids already in it) */
  add(records: RecordMap, ids: readonly string[], start: number, end: number, lineNo: number): void {
    const chunk = new UnreadChunk(this, ids, start, end, lineNo);
    this.chunks.push(chunk);
    this.unreadCount++;
    records.addUnread(chunk);
  }

  get done(): boolean {
    return this.unreadCount === 0;
  }

  get linesUnread(): number {
    return this.unreadCount;
  }

  /**
   * Reads lines in file order for about `ms`; returns whether every line is read. Throws the
   * StoreFileError of a damaged line (only a line whose checksum was forged to match gets here).
   */
  readFor(ms: number): boolean {
    const until = performance.now() + ms;
    while (this.next < this.chunks.length && performance.now() < until) {
      const chunk = this.chunks[this.next]!;
      if (chunk.owner) chunk.owner.readChunk(chunk);
      else this.next++; // read on demand already
    }
    return this.done;
  }

  /** the records of a line (see parseRecordsLine) */
  parse(chunk: UnreadChunk): JsonRecord[] {
    const text = this.bytes!.toString('utf8', chunk.start, chunk.end);
    return parseRecordsLine(text, chunk.ids.length, (why) => new StoreFileError(`${this.file} has a damaged line ${chunk.lineNo} (${why}). It was left untouched.`, 'corrupt', this.file));
  }

  /** called once per chunk, when it has been read */
  chunkRead(): void {
    if (--this.unreadCount === 0) {
      this.bytes = undefined;
      this.chunks.length = 0;
      this.next = 0;
    } else {
      while (this.next < this.chunks.length && !this.chunks[this.next]!.owner) this.next++;
    }
  }
}

/** One records line of a snapshot, not parsed yet: the value its records' ids map to until then. */
export class UnreadChunk {
  /** the collection holding it, until it is read */
  owner: RecordMap | undefined;

  constructor(
    readonly snapshot: UnreadSnapshot,
    readonly ids: readonly string[],
    readonly start: number,
    readonly end: number,
    readonly lineNo: number,
  ) {}
}

/**
 * A collection's records, some of which may still be unread snapshot lines: each id is in the Map
 * from the load on (so sizes, key lookups and iteration order are those of the file), mapped to
 * its UnreadChunk until the chunk is read. Reading a record, or iterating values, reads its chunk
 * first; iteration reads chunk by chunk as it goes (a compaction walking the collection in slices
 * never parses it all at once). Once every chunk is read it is a plain Map in all but name.
 */
export class RecordMap extends Map<string, JsonRecord> {
  private unread = 0;

  addUnread(chunk: UnreadChunk): void {
    chunk.owner = this;
    // an id listed again in a later line is that line's record (as a later put would be)
    for (const id of chunk.ids) super.set(id, chunk as unknown as JsonRecord); // a placeholder only this class sees: every read goes through get or the iterators below
    this.unread++;
  }

  /** parses `chunk` and puts its records in place of the placeholders that still name it */
  readChunk(chunk: UnreadChunk): void {
    if (chunk.owner !== this) return;
    const records = chunk.snapshot.parse(chunk);
    chunk.owner = undefined;
    this.unread--;
    const placeholder = chunk as unknown as JsonRecord; // as put by addUnread
    for (let i = 0; i < records.length; i++) {
      const id = chunk.ids[i]!;
      if (super.get(id) !== placeholder) continue; // written or deleted since the load
      const record = records[i]!;
      // the record's id and its key are equal strings: keep one of them (~56 bytes × records)
      if (record.id === id) record.id = id;
      super.set(id, record);
    }
    chunk.snapshot.chunkRead();
  }

  override get(id: string): JsonRecord | undefined {
    const value = super.get(id);
    if (this.unread === 0 || !(value instanceof UnreadChunk)) return value;
    this.readChunk(value);
    return super.get(id);
  }

  override values(): MapIterator<JsonRecord> {
    return this.unread === 0 ? super.values() : this.readingValues();
  }

  override entries(): MapIterator<[string, JsonRecord]> {
    return this.unread === 0 ? super.entries() : this.readingEntries();
  }

  override [Symbol.iterator](): MapIterator<[string, JsonRecord]> {
    return this.entries();
  }

  override forEach(fn: (value: JsonRecord, key: string, map: Map<string, JsonRecord>) => void, thisArg?: unknown): void {
    for (const [id, record] of this.entries()) fn.call(thisArg, record, id, this);
  }

  private *readingEntries(): MapIterator<[string, JsonRecord]> {
    for (const entry of super.entries()) {
      if (entry[1] instanceof UnreadChunk) {
        this.readChunk(entry[1]);
        entry[1] = super.get(entry[0])!; // the chunk just read holds this id
      }
      yield entry;
    }
  }

  private *readingValues(): MapIterator<JsonRecord> {
    for (const [, record] of this.readingEntries()) yield record;
  }
}

/** a records line: a JSON array of `count` objects, or the error `damaged` makes of why not */
export function parseRecordsLine(text: string, count: number, damaged: (why: string) => Error): JsonRecord[] {
  let records: unknown;
  try {
    records = JSON.parse(text);
  } catch (err) {
    throw damaged(messageOf(err));
  }
  if (!Array.isArray(records) || records.length !== count) throw damaged(`not the ${count} records its ids line lists`);
  for (let i = 0; i < records.length; i++) if (!isPlainObject(records[i])) throw damaged(`record ${i} is not an object`);
  return records as JsonRecord[]; // each checked to be a plain object just above
}
