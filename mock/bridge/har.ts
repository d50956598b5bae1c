import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Entry, Har, Header } from 'har-format';
import { messageOf } from '../core/error-message.ts';
import { errnoCode } from '../core/narrow.ts';
import { isPlainObject } from '../core/store/document.ts';

/**
 * HAR 1.2 files (http://www.softwareishard.com/blog/har-12-spec/): written entry by entry, each
 * write leaving a complete, valid file on disk (a crash keeps every entry recorded so far), and
 * read back from any tool (browser devtools, proxies) with a one-line error when malformed.
 */

/** apitwin's own fields on an entry (HAR custom fields start with `_`). */
export interface ApitwinEntryFields {
  vendor: 'synqly' | 'connxio';
  /** undefined when no operation of the vendor's spec has this method and path */
  operationId?: string;
  /** the credentials the request carried (as placeholders) and whether the upstream accepted them (not 401) */
  credentials?: Array<{ header: string; placeholder: string; accepted: boolean }>;
  /** spec violations of the live request and response (empty = conforms) */
  violations: { request: string[]; response: string[] };
}

export type ApitwinEntry = Entry & { _apitwin?: ApitwinEntryFields };

const TAIL = ']}}';

/** A HAR file being written: `add` appends one entry and syncs it before returning. */
export interface HarWriter {
  add(entry: ApitwinEntry): void;
  close(): void;
  readonly entries: number;
}

export function createHarWriter(file: string, creator: { name: string; version: string; comment?: string }): HarWriter {
  const fd = openSync(file, 'w');
  const head = JSON.stringify({ log: { version: '1.2', creator, entries: [] } });
  // `{"log":{…,"entries":[]}}` → everything up to the entries' closing bracket, then the tail
  const prefix = head.slice(0, head.length - TAIL.length);
  writeSync(fd, prefix + TAIL, 0);
  fsyncSync(fd);
  let position = Buffer.byteLength(prefix);
  let count = 0;
  let closed = false;
  return {
    add(entry) {
      if (closed) throw new Error('the HAR file is closed');
      const chunk = (count === 0 ? '' : ',') + JSON.stringify(entry);
      // one positional write replaces the old tail: the file ends with a complete `]}}` again
      const bytes = Buffer.from(chunk + TAIL);
      writeSync(fd, bytes, 0, bytes.length, position);
      fsyncSync(fd);
      position += Buffer.byteLength(chunk);
      count++;
    },
    close() {
      if (closed) return;
      closed = true;
      if (fstatSync(fd).size !== position + TAIL.length) throw new Error('the HAR file changed under the recorder');
      closeSync(fd);
    },
    get entries() {
      return count;
    },
  };
}

/** A HAR file that cannot be used: its message is one line naming what is wrong. */
export class HarError extends Error {
  override name = 'HarError';
}

/** A HAR whose entries may carry apitwin's fields (a foreign HAR's entries simply have none). */
export type ApitwinHar = Omit<Har, 'log'> & { log: Omit<Har['log'], 'entries'> & { entries: ApitwinEntry[] } };

/** Reads a HAR file; entries need a request (method, url) and a response (status). */
export function readHar(file: string): ApitwinHar {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HarError(`cannot read ${file}: ${errnoCode(err) ?? messageOf(err)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new HarError(`${file} is not JSON: ${messageOf(err).split('\n')[0]}`);
  }
  const entries = isPlainObject(doc) && isPlainObject(doc.log) ? doc.log.entries : undefined;
  if (!Array.isArray(entries)) throw new HarError(`${file} is not a HAR file: no log.entries array`);
  entries.forEach((e, i) => {
    const r = isPlainObject(e) && isPlainObject(e.request) ? e.request : undefined;
    const s = isPlainObject(e) && isPlainObject(e.response) ? e.response : undefined;
    if (typeof r?.method !== 'string' || typeof r.url !== 'string') throw new HarError(`${file}: log.entries[${i}] has no request method and url`);
    if (typeof s?.status !== 'number') throw new HarError(`${file}: log.entries[${i}] has no response status`);
    try {
      new URL(r.url);
    } catch {
      throw new HarError(`${file}: log.entries[${i}].request.url is not an absolute URL: ${r.url.slice(0, 100)}`);
    }
  });
  // checked above: the members the twin reads are there; the rest is the HAR tool's business
  return doc as ApitwinHar;
}

export function headerList(headers: Record<string, string | string[] | undefined>): Header[] {
  const out: Header[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push({ name, value: v });
  }
  return out;
}

export function headerOf(headers: Header[] | undefined, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers?.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** The text of an entry's response body (base64 content decoded). */
export function responseText(entry: Entry): string | undefined {
  const c = entry.response.content;
  if (c?.text === undefined) return undefined;
  return c.encoding === 'base64' ? Buffer.from(c.text, 'base64').toString('utf8') : c.text;
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Why a fetch failed, in a word (ECONNREFUSED, ENOTFOUND, bad port…). */
export function networkCause(err: unknown): string {
  // fetch's TypeError carries the socket error (or an AggregateError of them) as its cause
  const cause = (err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? messageOf(err);
}
