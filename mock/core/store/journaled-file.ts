import { closeSync, openSync, fsyncSync, readFileSync, existsSync, statSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Adapter } from 'lowdb';
import {
  StoreFileError,
  applyOps,
  assertStoreDocument,
  journalEntryProblem,
  emptyDocument,
  normalizeDocument,
  type JournalEntry,
  type StoreDocument,
} from './document.ts';

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
export class JournaledJsonFile implements Adapter<StoreDocument> {
  readonly journalFile: string;
  private journal: FileHandle | undefined;
  private journalSize = 0;
  /** snapshot size in bytes at the last read or compaction, used to pace compactions */
  snapshotBytes = 0;
  readonly stats = { appends: 0, appendedBytes: 0, compactions: 0 };

  constructor(readonly file: string) {
    this.journalFile = `${file}.journal`;
  }

  get journalBytes(): number {
    return this.journalSize;
  }

  async read(): Promise<StoreDocument | null> {
    const doc = readSnapshot(this.file, this.journalFile);
    if (!doc) return null;
    this.snapshotBytes = doc.bytes;
    const { validBytes, totalBytes } = replayJournal(doc.document, this.journalFile, this.file);
    await this.openJournal(validBytes < totalBytes ? validBytes : undefined);
    return doc.document;
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

  /** Whole-document write: a new snapshot, then an empty journal. */
  async write(doc: StoreDocument): Promise<void> {
    const text = JSON.stringify(doc);
    const tmp = `${this.file}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w');
    try {
      await handle.write(text);
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
    this.snapshotBytes = Buffer.byteLength(text);
    this.stats.compactions++;
  }

  /**
   * Compaction without holding the event loop: a snapshot of `doc` as of transaction `seq`, written
   * in slices of at most `sliceMs` of serialising each, while transactions go on (and are appended
   * to the journal). Collections keep changing meanwhile, so the snapshot may also hold effects of
   * later transactions; that is harmless, because every operation writes, deletes or drops a whole
   * record or collection: replaying the journal's entries after `seq` over it ends in the same state.
   * Then `rotateJournal` drops what the snapshot made redundant. Returns the snapshot's size.
   */
  async writeSnapshotGradually(doc: StoreDocument, seq: number, sliceMs = 8): Promise<number> {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w');
    let bytes = 0;
    try {
      let chunk = `{"format":${JSON.stringify(doc.format)},"version":${doc.version},"seq":${seq},"collections":{`;
      let sliceStart = performance.now();
      const out = async () => {
        const buf = Buffer.from(chunk, 'utf8');
        chunk = '';
        await handle.write(buf);
        bytes += buf.length;
        sliceStart = performance.now();
      };
      let firstCollection = true;
      for (const name of Object.keys(doc.collections)) {
        const coll = doc.collections[name];
        if (!coll) continue; // dropped meanwhile
        chunk += `${firstCollection ? '' : ','}${JSON.stringify(name)}:{`;
        firstCollection = false;
        let firstRecord = true;
        let n = 0;
        for (const id of Object.keys(coll)) {
          const record = coll[id];
          if (record === undefined) continue; // deleted meanwhile
          chunk += `${firstRecord ? '' : ','}${JSON.stringify(id)}:${JSON.stringify(record)}`;
          firstRecord = false;
          if (++n % 256 === 0 && (chunk.length > 1 << 20 || performance.now() - sliceStart > sliceMs)) await out();
        }
        chunk += '}';
      }
      chunk += '}}';
      await out();
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    syncDirectory(dirname(this.file));
    this.snapshotBytes = bytes;
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

/** Reads one of the store's files; anything but a readable regular file is refused, naming it. */
function readStoreFile(path: string, file: string): Buffer {
  let kind: string | undefined;
  try {
    const st = statSync(path);
    if (st.isDirectory()) kind = 'a directory';
    else if (!st.isFile()) kind = 'not a regular file';
    else return readFileSync(path);
  } catch (err) {
    kind = `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  throw new StoreFileError(`${path} is ${kind}, not a store file; it was left untouched.`, 'corrupt', file);
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

function readSnapshot(file: string, journalFile: string): { document: StoreDocument; bytes: number } | null {
  if (!existsSync(file)) {
    if (existsSync(journalFile) && readStoreFile(journalFile, file).length > 0) {
      throw new StoreFileError(
        `${journalFile} exists without its snapshot ${file}; refusing to guess. Both were left untouched.`,
        'corrupt',
        file,
      );
    }
    return null;
  }
  const text = readStoreFile(file, file).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StoreFileError(
      `${file} is not valid JSON (${(err as Error).message}); it was left untouched. Restore it from a snapshot or point --db at another file.`,
      'corrupt',
      file,
    );
  }
  assertStoreDocument(parsed, file);
  return { document: normalizeDocument(parsed), bytes: Buffer.byteLength(text) };
}

/**
 * Applies the journal's entries newer than the document's seq to the document. Returns how many
 * bytes of the journal are whole lines; the rest is a torn, never-acknowledged tail.
 */
function replayJournal(doc: StoreDocument, journalFile: string, file: string): { validBytes: number; totalBytes: number } {
  if (!existsSync(journalFile)) return { validBytes: 0, totalBytes: 0 };
  const buf = readStoreFile(journalFile, file);
  let offset = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(0x0a, offset);
    if (nl === -1) break;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(buf.subarray(offset, nl).toString('utf8')) as JournalEntry;
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
      doc.seq = entry.s;
    }
    offset = nl + 1;
  }
  return { validBytes: offset, totalBytes: buf.length };
}

/** Loads a store file the way startup does, without locking or repairing it (for tests and tools). */
export function loadStoreFile(file: string): StoreDocument {
  const snapshot = readSnapshot(file, `${file}.journal`);
  if (!snapshot) return emptyDocument();
  replayJournal(snapshot.document, `${file}.journal`, file);
  return snapshot.document;
}
