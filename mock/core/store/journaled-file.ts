import { closeSync, openSync, fsyncSync, fstatSync, readFileSync, readSync, existsSync, statSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import type { Adapter } from 'lowdb';
import {
  STORE_FORMAT,
  StoreFileError,
  applyOps,
  assertStoreDocument,
  documentFromState,
  emptyDocument,
  isPlainObject,
  journalEntryProblem,
  stateFromDocument,
  type JournalEntry,
  type JsonRecord,
  type StoreDocument,
  type StoreState,
} from './document.ts';
import { RecordMap, UnreadSnapshot, parseIdsLine, parseRecordsLine, sliceChecksum, sliceHeadChecksum } from './record-map.ts';
import { messageOf } from '../error-message.ts';
import { errnoCode } from '../narrow.ts';

/**
 * Version of the snapshot file's layout: a header line; for each collection, its records in slices
 * of at most LINE_RECORDS, each as two lines: `{"c": collection, "n": count, "crc": crc, "ids": [id, …]}`
 * and the records themselves, `[record, …]` in the order of the ids, where crc is the CRC-32 of
 * the collection's name and the count, the ids array's bytes and the records line's (see
 * sliceChecksum; an id listed again in a later slice is that slice's record); after a collection's records, the orders the store kept for it (see KeptOrder),
 * one line each; then an end line `{"records": n}` that counts the records, so a file cut at a line
 * boundary is refused like any other damage.
 *
 * The layout lets a start leave ids and records unparsed (see record-map.ts): it parses what comes
 * before `"ids"` and checks every slice's CRC-32, so damage is still refused before the twin serves
 * anything. Version 2 (`{"c": collection, "r": [[id, record], …]}` lines, parsed whole) and version
 * 1 (the whole document as one JSON object, as exported) are still read, and rewritten in this
 * layout by the compaction the store starts after loading one.
 */
export const SNAPSHOT_LAYOUT_VERSION = 3;
const LINE_RECORDS = 256;
/** how a slice's first line starts, and what comes before its ids */
const SLICE_START = Buffer.from('{"c":');
const IDS_MARK = Buffer.from(',"ids":[');

/**
 * An order the store keeps for a collection (see Store's sorted views), saved in the snapshot of
 * a collection of more than LINE_RECORDS records as the positions of its records in the file, so
 * that the first list after a start walks it instead of parsing and sorting every record. `key`
 * names the order (its compare function is the caller's; the caller puts a version in the key).
 * A saved order is used only while its collection is as the snapshot holds it.
 */
export interface KeptOrder {
  key: string;
  ids: readonly string[];
}

/** bounds of one slice of a gradual snapshot: it yields to the event loop after either */
export interface SnapshotSlice {
  ms: number;
  records: number;
}
const DEFAULT_SLICE: SnapshotSlice = { ms: 8, records: 2048 };
const SYNC_EVERY_BYTES = 4 << 20;
/** the whole-document write hands the file its text in chunks of about this many characters */
const WRITE_CHUNK_CHARS = 1 << 20;

/**
 * The snapshot of `state` (at transaction `seq`) line by line, walking the Maps lazily; `keptOrdersOf`
 * names the orders to save with a collection (see KeptOrder).
 */
function* snapshotLines(state: StoreState, seq: number, keptOrdersOf?: (collection: string) => readonly KeptOrder[]): Generator<{ text: string; records: number }> {
  yield { text: `{"format":${JSON.stringify(STORE_FORMAT)},"version":${SNAPSHOT_LAYOUT_VERSION},"seq":${seq}}\n`, records: 0 };
  let total = 0;
  for (const [name, coll] of state.collections) {
    const quotedName = JSON.stringify(name);
    const orders = coll.size > LINE_RECORDS ? keptOrdersOf?.(name) : undefined;
    // the position in the file of each record written, for the orders
    const positions = orders && orders.length > 0 ? new Map<string, number>() : undefined;
    let written = 0;
    let ids: string[] = [];
    let records = '';
    const lines = () => {
      records += ']';
      const idsText = JSON.stringify(ids);
      const text = `{"c":${quotedName},"n":${ids.length},"crc":${sliceChecksum(quotedName, ids.length, idsText, records)},"ids":${idsText}}\n${records}\n`;
      const n = ids.length;
      total += n;
      ids = [];
      records = '';
      return { text, records: n };
    };
    for (const [id, record] of coll) {
      positions?.set(id, written++);
      records += `${ids.length === 0 ? '[' : ','}${JSON.stringify(record)}`;
      if (ids.push(id) === LINE_RECORDS) yield lines();
    }
    if (ids.length > 0) yield lines();
    for (const order of positions ? orders! : []) {
      // an order that names a record the walk did not write (written since) is left out
      const at: number[] = [];
      for (const id of order.ids) {
        const p = positions!.get(id);
        if (p === undefined) break;
        at.push(p);
      }
      if (at.length === order.ids.length) yield { text: `{"v":${quotedName},"k":${JSON.stringify(order.key)},"p":[${at.join(',')}]}\n`, records: 0 };
    }
  }
  yield { text: `{"records":${total}}\n`, records: 0 };
}

/**
 * A lowdb adapter that keeps the document as a snapshot file plus an append-only journal beside
 * it (`<file>.journal`, one committed transaction per line).
 *
 * - `append(entries)` writes the entries in one write and fdatasyncs: the cost of a write is the
 *   size of the change, not of the document.
 * - `write(doc)` (lowdb's whole-document write) is the compaction: the snapshot is written to a
 *   temporary file, synced and renamed over the old one, then the journal is emptied. A crash
 *   between the rename and the truncation is harmless: entries at or below the snapshot's `seq`
 *   are skipped on load.
 * - `read()` loads the snapshot and replays the journal. A last line without its newline is a
 *   torn, never-acknowledged append and is cut off; anything else unreadable is refused.
 */
export class JournaledJsonFile implements Adapter<StoreState> {
  readonly journalFile: string;
  private journal: FileHandle | undefined;
  private journalSize = 0;
  /** snapshot size in bytes at the last read or compaction, used to pace compactions */
  snapshotBytes = 0;
  /** layout of the snapshot file as read (see SNAPSHOT_LAYOUT_VERSION); a compaction writes the current one */
  layoutVersion = SNAPSHOT_LAYOUT_VERSION;
  /** snapshotSlices and largestSlice (in records) of the gradual snapshots written */
  readonly stats = { appends: 0, appendedBytes: 0, compactions: 0, snapshotSlices: 0, largestSlice: 0 };
  /** the orders to save with a collection in the snapshots this file writes (see KeptOrder) */
  keptOrdersOf: ((collection: string) => readonly KeptOrder[]) | undefined;

  constructor(readonly file: string) {
    this.journalFile = `${file}.journal`;
  }

  get journalBytes(): number {
    return this.journalSize;
  }

  async read(): Promise<StoreState | null> {
    const snapshot = readSnapshot(this.file, this.journalFile);
    if (!snapshot) return null;
    this.snapshotBytes = snapshot.bytes;
    this.layoutVersion = snapshot.layoutVersion;
    const { validBytes, totalBytes } = replayJournal(snapshot.state, this.journalFile, this.file);
    await this.openJournal(validBytes < totalBytes ? validBytes : undefined);
    return snapshot.state;
  }

  private async openJournal(truncateTo?: number): Promise<void> {
    this.journal = await open(this.journalFile, 'a+');
    if (truncateTo !== undefined) {
      await this.journal.truncate(truncateTo);
      await this.journal.datasync();
    }
    this.journalSize = (await this.journal.stat()).size;
  }

  /** Appends committed transactions durably: one write, one fdatasync. */
  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (!this.journal) await this.openJournal();
    let text = '';
    for (const entry of entries) text += JSON.stringify(entry) + '\n';
    const bytes = Buffer.from(text, 'utf8');
    await this.journal!.write(bytes);
    await this.journal!.datasync();
    this.journalSize += bytes.length;
    this.stats.appends++;
    this.stats.appendedBytes += bytes.length;
  }

  /**
   * Whole-document write (at open, close and restore, when no transaction runs): a new snapshot,
   * then an empty journal. The snapshot goes out in chunks of about 1 MiB as its lines are made,
   * never as one string: the text of a 100k-record store is ~40 MiB, and building it whole (plus
   * its bytes) would add that much twice to the process's peak memory at every close.
   */
  async write(state: StoreState): Promise<void> {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w');
    let bytes = 0;
    try {
      let chunk = '';
      for (const line of snapshotLines(state, state.seq, this.keptOrdersOf)) {
        chunk += line.text;
        if (chunk.length >= WRITE_CHUNK_CHARS) {
          bytes += (await handle.write(chunk)).bytesWritten;
          chunk = '';
        }
      }
      if (chunk.length > 0) bytes += (await handle.write(chunk)).bytesWritten;
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    syncDirectory(dirname(this.file));
    if (!this.journal) await this.openJournal();
    await this.journal!.truncate(0);
    await this.journal!.datasync();
    this.journalSize = 0;
    this.snapshotBytes = bytes;
    this.layoutVersion = SNAPSHOT_LAYOUT_VERSION;
    this.stats.compactions++;
  }

  /**
   * Compaction without holding the event loop: a snapshot of `state` as of transaction `seq`,
   * written in slices of at most `slice.records` records or `slice.ms` of serialising each, while
   * transactions go on (and are appended to the journal). The collections are Maps walked by
   * their iterators, so no step enumerates a whole collection. They keep changing meanwhile, so
   * the snapshot may also hold effects of later transactions (a record written after the walk
   * began, or a dropped collection's records); that is harmless, because every operation writes,
   * deletes or drops a whole record or collection: replaying the journal's entries after `seq`
   * over it ends in the same state. Then `rotateJournal` drops what the snapshot made redundant.
   * Returns the snapshot's size.
   */
  async writeSnapshotGradually(state: StoreState, seq: number, slice: SnapshotSlice = DEFAULT_SLICE): Promise<number> {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w');
    let bytes = 0;
    try {
      let chunk = '';
      let sliceStart = performance.now();
      let sliceRecords = 0;
      let unsynced = 0;
      const out = async () => {
        this.stats.snapshotSlices++;
        this.stats.largestSlice = Math.max(this.stats.largestSlice, sliceRecords);
        const buf = Buffer.from(chunk, 'utf8');
        chunk = '';
        sliceRecords = 0;
        await handle.write(buf); // the event loop runs other work meanwhile
        bytes += buf.length;
        unsynced += buf.length;
        // the snapshot reaches the disk as it goes: one sync of the whole file at the end would
        // hold up the journal's fdatasyncs (the acknowledged writes) until all of it is written
        if (unsynced >= SYNC_EVERY_BYTES) {
          await handle.datasync();
          unsynced = 0;
        }
        sliceStart = performance.now();
      };
      for (const line of snapshotLines(state, seq, this.keptOrdersOf)) {
        chunk += line.text;
        sliceRecords += line.records;
        if (sliceRecords + LINE_RECORDS > slice.records || chunk.length > 1 << 20 || performance.now() - sliceStart > slice.ms) await out();
      }
      if (chunk.length > 0) await out();
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    syncDirectory(dirname(this.file));
    this.snapshotBytes = bytes;
    this.layoutVersion = SNAPSHOT_LAYOUT_VERSION;
    return bytes;
  }

  /**
   * Keeps only the journal written since byte `from` (the entries a gradual snapshot may not
   * hold): the tail goes to a new file, synced and renamed over the journal. Must not run while
   * an append is under way. A crash leaves either journal, both valid beside the new snapshot.
   */
  async rotateJournal(from: number): Promise<void> {
    if (!this.journal) await this.openJournal();
    const length = this.journalSize - from;
    const tail = Buffer.alloc(Math.max(0, length));
    if (length > 0) await this.journal!.read(tail, 0, length, from);
    const tmp = `${this.journalFile}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w');
    try {
      await handle.write(tail);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.journal!.close();
    this.journal = undefined;
    await rename(tmp, this.journalFile);
    syncDirectory(dirname(this.journalFile));
    await this.openJournal();
    this.stats.compactions++;
  }

  async close(): Promise<void> {
    await this.journal?.close();
    this.journal = undefined;
  }

  /** Removes leftover temporary files of this process (after a failed compaction). */
  async cleanup(): Promise<void> {
    await rm(`${this.file}.tmp-${process.pid}`, { force: true });
    await rm(`${this.journalFile}.tmp-${process.pid}`, { force: true });
  }
}

/** Refuses anything but a readable regular file, naming it. */
function checkStoreFile(path: string, file: string): void {
  let kind: string | undefined;
  try {
    const st = statSync(path);
    if (st.isDirectory()) kind = 'a directory';
    else if (!st.isFile()) kind = 'not a regular file';
    else return;
  } catch (err) {
    kind = `unreadable (${errnoCode(err) ?? messageOf(err)})`;
  }
  throw new StoreFileError(`${path} is ${kind}, not a store file; it was left untouched.`, 'corrupt', file);
}

/**
 * The lines of an open file, read in chunks into one reused buffer: neither the file's bytes nor
 * its text is ever held whole (a 30 MiB string or buffer costs its own allocation and page faults
 * on top of the parse). Each line is a span of that buffer, valid until the next line is asked
 * for, with its offset in the file; the last line comes with `complete: false` when it has no
 * newline.
 */
function* fileLineSpans(fd: number): Generator<{ buf: Buffer; start: number; end: number; at: number; complete: boolean }> {
  let buf = Buffer.allocUnsafe(1 << 20);
  let start = 0;
  let end = 0;
  let position = 0;
  let eof = false;
  for (;;) {
    const nl = buf.subarray(0, end).indexOf(0x0a, start);
    if (nl !== -1) {
      yield { buf, start, end: nl, at: position - end + start, complete: true };
      start = nl + 1;
      continue;
    }
    if (eof) {
      if (end > start) yield { buf, start, end, at: position - end + start, complete: false };
      return;
    }
    // keep the partial line at the front; a line longer than the buffer doubles it
    if (start > 0) {
      buf.copy(buf, 0, start, end);
      end -= start;
      start = 0;
    }
    if (end === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, end);
      buf = bigger;
    }
    const n = readSync(fd, buf, end, buf.length - end, position);
    if (n === 0) eof = true;
    else {
      end += n;
      position += n;
    }
  }
}

/** the lines of an open file as text (see fileLineSpans); `bytes` is a line's length in the file, without its newline */
function* fileLines(fd: number): Generator<{ text: string; complete: boolean; bytes: number }> {
  for (const { buf, start, end, complete } of fileLineSpans(fd)) yield { text: buf.toString('utf8', start, end), complete, bytes: end - start };
}

/**
 * Removes `<file>.tmp-<pid>` snapshots (and `<file>.journal.tmp-<pid>` journals) that crashed compactions left. Called while holding the
 * store's lock, so no other process is writing one: every such file is garbage of a dead process.
 */
export function removeLeftoverSnapshots(file: string): string[] {
  const dir = dirname(file);
  const prefixes = [`${basename(file)}.tmp-`, `${basename(file)}.journal.tmp-`];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (!prefix || !/^\d+$/.test(name.slice(prefix.length))) continue;
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isFile()) continue;
      unlinkSync(path);
      removed.push(path);
    } catch {
      // gone already
    }
  }
  return removed;
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readSnapshot(file: string, journalFile: string): { state: StoreState; bytes: number; layoutVersion: number } | null {
  if (!existsSync(file)) {
    if (existsSync(journalFile) && (checkStoreFile(journalFile, file), statSync(journalFile).size > 0)) {
      throw new StoreFileError(
        `${journalFile} exists without its snapshot ${file}; refusing to guess. Both were left untouched.`,
        'corrupt',
        file,
      );
    }
    return null;
  }
  checkStoreFile(file, file);
  const fd = openSync(file, 'r');
  let keep = false;
  try {
    const bytes = fstatSync(fd).size;
    const head = Buffer.alloc(1024);
    const version = layoutVersionOf(head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0)));
    if (version === undefined) return { state: readWholeDocument(readFileSync(fd).toString('utf8'), file), bytes, layoutVersion: 1 };
    if (version === 2) return { state: readLines(fileLines(fd), file), bytes, layoutVersion: version };
    if (version !== SNAPSHOT_LAYOUT_VERSION) {
      throw new StoreFileError(
        `${file} is an apitwin store of version ${String(version)}, this apitwin reads versions 1 to ${SNAPSHOT_LAYOUT_VERSION}. It was left untouched.`,
        'unsupported-version',
        file,
      );
    }
    const state = readLazyLayout(fd, file);
    if (state.unread) keep = true; // the records not read yet are read from it (see UnreadSnapshot)
    return { state, bytes, layoutVersion: version };
  } finally {
    if (!keep) closeSync(fd);
  }
}

/** the version of a file in a line layout (its first line a header of its own), or undefined for one JSON document */
function layoutVersionOf(text: string): unknown {
  const nl = text.indexOf('\n');
  if (nl === -1 || nl > 1024) return undefined;
  try {
    const header: unknown = JSON.parse(text.slice(0, nl));
    if (!isPlainObject(header) || header.format !== STORE_FORMAT || 'collections' in header) return undefined;
    return header.version;
  } catch {
    return undefined;
  }
}

/** a layout-1 file: the whole document as one JSON object */
function readWholeDocument(text: string, file: string): StoreState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StoreFileError(
      `${file} is not valid JSON (${messageOf(err)}); it was left untouched. Restore it from a snapshot or point --db at another file.`,
      'corrupt',
      file,
    );
  }
  assertStoreDocument(parsed, file);
  return stateFromDocument(parsed);
}

/** a file in the line layout (see SNAPSHOT_LAYOUT_VERSION), checked line by line as it is loaded */
function readLines(lines: Iterator<{ text: string; complete: boolean }>, file: string): StoreState {
  const damaged = (lineNo: number, why: string) =>
    new StoreFileError(`${file} has a damaged line ${lineNo} (${why}). It was left untouched.`, 'corrupt', file);
  const first = lines.next();
  const header = (first.done ? {} : JSON.parse(first.value.text)) as { seq?: unknown }; // checked by layoutVersionOf
  const seq = header.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw damaged(1, 'no transaction number');
  const state: StoreState = { seq, collections: new Map() };
  let lineNo = 1;
  let records = 0;
  let end: number | undefined;
  for (let next = lines.next(); !next.done; next = lines.next()) {
    lineNo++;
    if (!next.value.complete) throw damaged(lineNo, 'cut short');
    if (end !== undefined) throw damaged(lineNo, 'after the end line');
    let line: unknown;
    try {
      line = JSON.parse(next.value.text);
    } catch (err) {
      throw damaged(lineNo, messageOf(err));
    }
    if (!isPlainObject(line)) throw damaged(lineNo, 'not an object');
    if ('records' in line) {
      const count = line.records;
      if (typeof count !== 'number' || !Number.isSafeInteger(count)) throw damaged(lineNo, 'an end line without a count');
      end = count;
      continue;
    }
    const name = line.c;
    const pairs = line.r;
    if (typeof name !== 'string' || !Array.isArray(pairs)) throw damaged(lineNo, 'no collection name or records');
    let coll = state.collections.get(name);
    if (!coll) state.collections.set(name, (coll = new Map()));
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !isPlainObject(pair[1])) {
        throw damaged(lineNo, `record ${records} is not an [id, object] pair`);
      }
      const record = pair[1] as JsonRecord; // checked to be a plain object just above (Array.isArray leaves pair[1] any)
      // the key is the record's own id string when they are equal (they are, for every record the
      // twin writes): one string per record instead of two equal ones (~56 bytes × records)
      coll.set(record.id === pair[0] ? record.id : pair[0], record);
      records++;
    }
    if (coll.size === 0) state.collections.delete(name);
  }
  if (end === undefined) throw damaged(lineNo + 1, 'the end line is missing: the file was cut short');
  if (end !== records) throw damaged(lineNo, `the end line counts ${end} records, the file holds ${records}`);
  return state;
}

/**
 * A file in the current layout (see SNAPSHOT_LAYOUT_VERSION), read line by line through one reused
 * buffer: every line but the ids and records is parsed and checked now, and every slice's CRC-32;
 * the slices of a collection that fits one are parsed now, those of larger ones are read again
 * from the file (kept open, see UnreadSnapshot) when first used.
 */
function readLazyLayout(fd: number, file: string): StoreState {
  const damaged = (lineNo: number, why: string) =>
    new StoreFileError(`${file} has a damaged line ${lineNo} (${why}). It was left untouched.`, 'corrupt', file);
  const lines = fileLineSpans(fd);
  const first = lines.next();
  const header = (first.done ? {} : JSON.parse(first.value.buf.toString('utf8', first.value.start, first.value.end))) as { seq?: unknown }; // checked by layoutVersionOf
  const seq = header.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw damaged(1, 'no transaction number');
  const unread = new UnreadSnapshot(fd, file);
  const state: StoreState = { seq, collections: new Map() };
  const orders: Array<{ collection: string; key: string; positions: unknown[] }> = [];
  let lineNo = 1;
  let records = 0;
  let end: number | undefined;
  for (let next = lines.next(); !next.done; next = lines.next()) {
    lineNo++;
    const { buf, start, end: stop, at, complete } = next.value;
    if (!complete) throw damaged(lineNo, 'cut short');
    if (end !== undefined) throw damaged(lineNo, 'after the end line');
    // a slice's first line is parsed up to its ids, which are read with its records
    const idsMark = buf.compare(SLICE_START, 0, SLICE_START.length, start, start + SLICE_START.length) === 0 ? buf.indexOf(IDS_MARK, start) : -1;
    const slice = idsMark !== -1 && idsMark < stop && buf[stop - 1] === 0x7d;
    let line: unknown;
    try {
      line = JSON.parse(slice ? `${buf.toString('utf8', start, idsMark)}}` : buf.toString('utf8', start, stop));
    } catch (err) {
      throw damaged(lineNo, messageOf(err));
    }
    if (!isPlainObject(line)) throw damaged(lineNo, 'not an object');
    if (!slice) {
      if ('records' in line) {
        const count = line.records;
        if (typeof count !== 'number' || !Number.isSafeInteger(count)) throw damaged(lineNo, 'an end line without a count');
        end = count;
        continue;
      }
      if ('v' in line) {
        const { v: collection, k: key, p: positions } = line;
        if (typeof collection !== 'string' || typeof key !== 'string' || !Array.isArray(positions)) throw damaged(lineNo, 'an order without its collection, key or positions');
        orders.push({ collection, key, positions });
        continue;
      }
      throw damaged(lineNo, 'not a slice of records, an order or the end line');
    }
    const { c: name, n: count, crc } = line;
    if (typeof name !== 'string' || typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || typeof crc !== 'number') throw damaged(lineNo, 'no collection name, count or checksum');
    const idsStart = idsMark + IDS_MARK.length - 1; // at the ids array's [
    const idsEnd = stop - 1; // before the line's closing }
    const headCrc = sliceHeadChecksum(JSON.stringify(name), count, buf.subarray(idsStart, idsEnd));
    let coll = state.collections.get(name);
    if (!coll) state.collections.set(name, (coll = count < LINE_RECORDS ? new Map() : new RecordMap()));
    const idsText = coll instanceof RecordMap ? undefined : buf.toString('utf8', idsStart, idsEnd); // before the buffer moves on
    const ids = { at: at + idsStart - start, length: idsEnd - idsStart };
    lineNo++;
    const recordsLine = lines.next();
    if (recordsLine.done || !recordsLine.value.complete) throw damaged(lineNo, 'cut short');
    const r = recordsLine.value;
    if (crc32(r.buf.subarray(r.start, r.end), headCrc) !== crc) {
      throw damaged(lineNo, 'its records, or the collection, count or ids on the line before, do not match their checksum: the file was changed or damaged');
    }
    if (coll instanceof RecordMap) unread.add(coll, { name, count, crc, ids, records: { at: r.at, length: r.end - r.start }, lineNo });
    else {
      const idsLine = lineNo - 1;
      const recordIds = parseIdsLine(idsText!, count, (why) => damaged(idsLine, why));
      const parsed = parseRecordsLine(r.buf.toString('utf8', r.start, r.end), count, (why) => damaged(lineNo, why));
      for (let i = 0; i < count; i++) {
        const record = parsed[i]!;
        const id = recordIds[i]!;
        if (record.id === id) record.id = id; // one string for the key and the record's id
        coll.set(id, record);
      }
    }
    records += count;
  }
  if (end === undefined) throw damaged(lineNo + 1, 'the end line is missing: the file was cut short');
  if (end !== records) throw damaged(lineNo, `the end line counts ${end} records, the file holds ${records}`);
  for (const { collection, key, positions } of orders) {
    const coll = state.collections.get(collection);
    // derived data: an order that is not of this collection's records is left out (the store sorts them itself)
    if (!(coll instanceof RecordMap) || !isPermutation(positions, coll.recordsFiled)) continue;
    state.keptOrders ??= new Map();
    let byKey = state.keptOrders.get(collection);
    if (!byKey) state.keptOrders.set(collection, (byKey = new Map()));
    byKey.set(key, positions);
  }
  if (!unread.done) state.unread = unread;
  return state;
}

/** whether `positions` holds each integer of [0, n) once */
function isPermutation(positions: unknown[], n: number): positions is number[] {
  if (positions.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const p of positions) {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= n || seen[p] === 1) return false;
    seen[p] = 1;
  }
  return true;
}

/**
 * Applies the journal's entries newer than the document's seq to the document. Returns how many
 * bytes of the journal are whole lines; the rest is a torn, never-acknowledged tail.
 */
function replayJournal(doc: StoreState, journalFile: string, file: string): { validBytes: number; totalBytes: number } {
  if (!existsSync(journalFile)) return { validBytes: 0, totalBytes: 0 };
  checkStoreFile(journalFile, file);
  const fd = openSync(journalFile, 'r');
  try {
    return replayLines(doc, fileLines(fd), fstatSync(fd).size, journalFile, file);
  } finally {
    closeSync(fd);
  }
}

/**
 * The journal is read line by line through one reused buffer (see fileLines), like the snapshot:
 * a journal of tens of MiB (a twin stopped before it could compact) is never held whole, as bytes
 * or as text, on top of the records it rebuilds.
 */
function replayLines(doc: StoreState, lines: Iterator<{ text: string; complete: boolean; bytes: number }>, totalBytes: number, journalFile: string, file: string): { validBytes: number; totalBytes: number } {
  let offset = 0;
  for (let next = lines.next(); !next.done; next = lines.next()) {
    const { text, complete, bytes } = next.value;
    if (!complete) break;
    const nl = offset + bytes;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(text) as JournalEntry; // its shape is checked by journalEntryProblem next
    } catch {
      throw new StoreFileError(`${journalFile} has an unreadable entry at byte ${offset}; both files were left untouched.`, 'corrupt', file);
    }
    const problem = journalEntryProblem(entry);
    if (problem) {
      throw new StoreFileError(`${journalFile} has a malformed entry at byte ${offset} (${problem}); both files were left untouched.`, 'corrupt', file);
    }
    if (entry.s > doc.seq) {
      if (entry.s !== doc.seq + 1) {
        throw new StoreFileError(
          `${journalFile} skips from transaction ${doc.seq} to ${entry.s}; both files were left untouched.`,
          'corrupt',
          file,
        );
      }
      applyOps(doc, entry.ops);
      // a saved order is of the collection as the snapshot holds it
      if (doc.keptOrders) for (const op of entry.ops) doc.keptOrders.delete(op.c);
      doc.seq = entry.s;
    }
    offset = nl + 1;
  }
  return { validBytes: offset, totalBytes };
}

/** Loads a store file the way startup does, without locking or repairing it (for tests and tools). */
export function loadStoreFile(file: string): StoreDocument {
  const snapshot = readSnapshot(file, `${file}.journal`);
  if (!snapshot) return emptyDocument();
  replayJournal(snapshot.state, `${file}.journal`, file);
  return documentFromState(snapshot.state);
}

/** The snapshot file alone, without its journal (for tests). */
export function readSnapshotFile(file: string): { document: StoreDocument; layoutVersion: number } | undefined {
  const snapshot = readSnapshot(file, `${file}.journal`);
  return snapshot ? { document: documentFromState(snapshot.state), layoutVersion: snapshot.layoutVersion } : undefined;
}
