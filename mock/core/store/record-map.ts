import { closeSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { StoreFileError, isPlainObject, type JsonRecord } from './document.ts';
import { messageOf } from '../error-message.ts';

/**
 * A snapshot file whose large collections' slices are parsed when first needed (layout 3, see
 * journaled-file.ts). Parsing a 100k-record snapshot whole costs ~250 ms of a 2-core machine's
 * time (JSON.parse, plus the collector promoting every record to the old generation), and even
 * putting its 100k ids in a Map costs ~45 ms; the load only checks each slice's CRC-32 and notes
 * where its ids and records are. The store reads the rest in short slices after the start
 * (`readFor`), or on first use, whichever comes first, from the file itself, kept open until then
 * (never held in memory whole; a compaction renames a new file over it, which leaves this one
 * readable). A slice read later is checked against its CRC-32 again.
 */
export class UnreadSnapshot {
  private fd: number | undefined;
  private readonly slices: UnreadSlice[] = [];
  /** slices before this index are read */
  private next = 0;
  private unreadCount = 0;

  constructor(
    fd: number,
    readonly file: string,
  ) {
    this.fd = fd;
  }

  /** a slice of `records` (see SliceBytes) */
  add(records: RecordMap, at: SliceBytes): void {
    const slice = new UnreadSlice(this, at);
    this.slices.push(slice);
    this.unreadCount++;
    records.addSlice(slice);
  }

  get done(): boolean {
    return this.unreadCount === 0;
  }

  get slicesUnread(): number {
    return this.unreadCount;
  }

  /**
   * Reads slices in file order for about `ms`; returns whether every slice is read. Throws the
   * StoreFileError of a damaged slice (one whose checksum was forged to match, or a file changed
   * in place since the start).
   */
  readFor(ms: number): boolean {
    const until = performance.now() + ms;
    while (this.next < this.slices.length && performance.now() < until) {
      const slice = this.slices[this.next]!;
      if (slice.owner) slice.owner.readSlice(slice);
      else this.next++; // read on demand already
    }
    return this.done;
  }

  /** the records of a slice, checked against the slice's CRC-32 (see parseRecordsLine) */
  parse(slice: UnreadSlice): JsonRecord[] {
    const { name, count, crc, ids, records, lineNo } = slice.at;
    // the ids array, `}\n`, then the records line: one read
    const bytes = this.read(ids.at, records.at + records.length - ids.at, lineNo);
    const idsBytes = bytes.subarray(0, ids.length);
    const recordsBytes = bytes.subarray(records.at - ids.at);
    if (sliceChecksum(JSON.stringify(name), count, idsBytes, recordsBytes) !== crc) {
      throw this.damaged(lineNo, 'its records, or the ids on the line before, no longer match their checksum: the file was changed since the start');
    }
    return parseRecordsLine(recordsBytes.toString('utf8'), count, (why) => this.damaged(lineNo, why));
  }

  /** the ids of a slice (see parseIdsLine; checked against the CRC-32 when its records are read) */
  parseIds(slice: UnreadSlice): string[] {
    const { ids, count, lineNo } = slice.at;
    return parseIdsLine(this.read(ids.at, ids.length, lineNo - 1).toString('utf8'), count, (why) => this.damaged(lineNo - 1, why));
  }

  private read(at: number, length: number, lineNo: number): Buffer {
    if (this.fd === undefined) throw new Error(`${this.file} was closed before its records were read`);
    const bytes = Buffer.allocUnsafe(length);
    for (let got = 0; got < length; ) {
      const n = readSync(this.fd, bytes, got, length - got, at + got);
      if (n === 0) throw this.damaged(lineNo, 'the file was cut short since the start');
      got += n;
    }
    return bytes;
  }

  private damaged(lineNo: number, why: string): StoreFileError {
    return new StoreFileError(`${this.file} has a damaged line ${lineNo} (${why}). It was left untouched.`, 'corrupt', this.file);
  }

  /** called once per slice, when its records are in their collection */
  sliceRead(): void {
    if (--this.unreadCount === 0) {
      this.slices.length = 0;
      this.next = 0;
      this.close();
    }
  }

  /** lets the file go (when every slice is read, or the store closes) */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** where a slice of records is in the snapshot file, and what its CRC-32 covers (see sliceChecksum) */
export interface SliceBytes {
  name: string;
  count: number;
  crc: number;
  ids: { at: number; length: number };
  records: { at: number; length: number };
  /** of its records line */
  lineNo: number;
}

/** One slice of records of a snapshot, not read into its collection yet. */
export class UnreadSlice {
  /** the collection holding it, until its records are in it */
  owner: RecordMap | undefined;
  /** its records, when parsed before its collection took them (a list reading them by position) */
  records: JsonRecord[] | undefined;
  /** its index among its collection's slices, and the file position of its first record */
  index = 0;
  first = 0;
  private idList: string[] | undefined;

  constructor(
    readonly snapshot: UnreadSnapshot,
    readonly at: SliceBytes,
  ) {}

  /** its ids, parsed on first use */
  get ids(): readonly string[] {
    return (this.idList ??= this.snapshot.parseIds(this));
  }
}

/** the CRC-32 of a slice's collection name (as JSON), count and ids array, to be continued over its records line */
export function sliceHeadChecksum(quotedName: string, count: number, ids: string | Buffer): number {
  return crc32(ids, crc32(`${quotedName},${count}`));
}

/** the CRC-32 of a slice: its collection's name (as JSON), count, ids array and records line */
export function sliceChecksum(quotedName: string, count: number, ids: string | Buffer, records: string | Buffer): number {
  return crc32(records, sliceHeadChecksum(quotedName, count, ids));
}

/**
 * A large collection loaded from a snapshot, read as it is used. Its ids go into the Map on the
 * first keyed access or iteration (all of them, in file order, so sizes and iteration order are
 * those of the file), each mapped to its UnreadSlice until the slice's records are read; reading a
 * record reads its slice, and iteration reads slice by slice as it goes (a compaction walking the
 * collection in slices never parses it all at once). Until the collection is first written, a
 * record can also be read by its position in the file (`recordAt`): an order saved with the
 * snapshot lists positions, and the first list after a start walks it without the Map. Once
 * every slice is read it is a plain Map in all but name.
 */
export class RecordMap extends Map<string, JsonRecord> {
  private readonly slices: UnreadSlice[] = [];
  /** slices whose ids are in the Map */
  private indexed = 0;
  /** slices whose records are not in the Map */
  private unread = 0;
  private filed = 0;
  /** not written since the load: file positions still name its records */
  private pristine = true;

  addSlice(slice: UnreadSlice): void {
    slice.owner = this;
    slice.index = this.slices.length;
    slice.first = this.filed;
    this.slices.push(slice);
    this.filed += slice.at.count;
    this.unread++;
  }

  /** how many records the file lists (ids listed twice counted twice) */
  get recordsFiled(): number {
    return this.filed;
  }

  /** not written since the load (see recordAt) */
  get asLoaded(): boolean {
    return this.pristine;
  }

  /** the record at file position `p`, while the collection is as loaded */
  recordAt(p: number): JsonRecord {
    const slice = this.sliceAt(p);
    if (slice.owner !== this) return super.get(slice.ids[p - slice.first]!)!; // read into the Map already (so indexed)
    slice.records ??= slice.snapshot.parse(slice);
    return slice.records[p - slice.first]!;
  }

  /** the id at file position `p` */
  idAt(p: number): string {
    const slice = this.sliceAt(p);
    return slice.ids[p - slice.first]!;
  }

  private sliceAt(p: number): UnreadSlice {
    let lo = 0;
    let hi = this.slices.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.slices[mid]!.first <= p) lo = mid;
      else hi = mid - 1;
    }
    return this.slices[lo]!;
  }

  /** puts the ids of the slices up to `through` (all by default) in the Map, in file order */
  private index(through = this.slices.length - 1): void {
    while (this.indexed <= through) {
      const slice = this.slices[this.indexed++]!;
      // an id listed again in a later slice is that slice's record (as a later put would be)
      for (const id of slice.ids) super.set(id, slice as unknown as JsonRecord); // a placeholder only this class sees: every read goes through get or the iterators below
    }
  }

  /** puts the records of `slice` in place of the placeholders that still name it */
  readSlice(slice: UnreadSlice): void {
    if (slice.owner !== this) return;
    this.index(slice.index);
    const records = slice.records ?? slice.snapshot.parse(slice);
    slice.owner = undefined;
    slice.records = undefined;
    this.unread--;
    const placeholder = slice as unknown as JsonRecord; // as put by index()
    for (let i = 0; i < records.length; i++) {
      const id = slice.ids[i]!;
      if (super.get(id) !== placeholder) continue; // written or deleted since the load, or listed again later
      const record = records[i]!;
      // the record's id and its key are equal strings: keep one of them (~56 bytes × records)
      if (record.id === id) record.id = id;
      super.set(id, record);
    }
    slice.snapshot.sliceRead();
  }

  override get(id: string): JsonRecord | undefined {
    if (this.indexed < this.slices.length) this.index();
    const value = super.get(id);
    if (this.unread === 0 || !(value instanceof UnreadSlice)) return value;
    this.readSlice(value);
    return super.get(id);
  }

  override has(id: string): boolean {
    if (this.indexed < this.slices.length) this.index();
    return super.has(id);
  }

  override get size(): number {
    if (this.indexed < this.slices.length) this.index();
    return super.size;
  }

  override set(id: string, record: JsonRecord): this {
    if (this.indexed < this.slices.length) this.index();
    this.pristine = false;
    return super.set(id, record);
  }

  override delete(id: string): boolean {
    if (this.indexed < this.slices.length) this.index();
    this.pristine = false;
    return super.delete(id);
  }

  override clear(): void {
    for (const slice of this.slices) {
      if (slice.owner !== this) continue;
      slice.owner = undefined;
      slice.records = undefined;
      this.unread--;
      slice.snapshot.sliceRead();
    }
    this.indexed = this.slices.length;
    this.pristine = false;
    super.clear();
  }

  override keys(): MapIterator<string> {
    if (this.indexed < this.slices.length) this.index();
    return super.keys();
  }

  override values(): MapIterator<JsonRecord> {
    if (this.indexed < this.slices.length) this.index();
    return this.unread === 0 ? super.values() : this.readingValues();
  }

  override entries(): MapIterator<[string, JsonRecord]> {
    if (this.indexed < this.slices.length) this.index();
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
      if (entry[1] instanceof UnreadSlice) {
        this.readSlice(entry[1]);
        entry[1] = super.get(entry[0])!; // the slice just read holds this id
      }
      yield entry;
    }
  }

  private *readingValues(): MapIterator<JsonRecord> {
    for (const [, record] of this.readingEntries()) yield record;
  }
}

/** a slice's ids: a JSON array of `count` strings, or the error `damaged` makes of why not */
export function parseIdsLine(text: string, count: number, damaged: (why: string) => Error): string[] {
  return parseCountedArray(text, count, 'ids', damaged, (id): id is string => typeof id === 'string', () => 'an id that is not a string');
}

/** a records line: a JSON array of `count` objects, or the error `damaged` makes of why not */
export function parseRecordsLine(text: string, count: number, damaged: (why: string) => Error): JsonRecord[] {
  return parseCountedArray(text, count, 'records', damaged, isPlainObject, (i) => `record ${i} is not an object`);
}

function parseCountedArray<T>(text: string, count: number, what: string, damaged: (why: string) => Error, isItem: (item: unknown) => item is T, notItem: (i: number) => string): T[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (err) {
    throw damaged(messageOf(err));
  }
  if (!Array.isArray(items) || items.length !== count) throw damaged(`not the ${count} ${what} its slice counts`);
  for (let i = 0; i < items.length; i++) if (!isItem(items[i])) throw damaged(notItem(i));
  return items as T[]; // each checked by isItem just above
}
