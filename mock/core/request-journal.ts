import type { NearMiss } from './stubs.ts';

/**
 * The request journal: the last N requests with their responses, secrets redacted before they
 * are kept, queryable through the control API. Control state, not data: it is not persisted.
 */

export interface JournalRecord {
  id: number;
  at: string;
  listener: string;
  vendor: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  operationId?: string;
  status: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  requestBody?: unknown;
  responseHeaders?: Record<string, string>;
  responseBody?: unknown;
  /** the stub that answered instead of the handler */
  stub?: { id: string; name?: string };
  /** stubs of this operation that did not match, and the predicates that failed */
  nearMisses?: NearMiss[];
}

export interface JournalQuery {
  vendor?: string;
  operationId?: string;
  method?: string;
  status?: number;
  pathContains?: string;
  sinceId?: number;
  limit?: number;
}

export interface RequestJournal {
  /**
   * Keeps `entry`; `bytes` is what its bodies weigh (their JSON size, as received and sent), by
   * which the in-memory journal bounds its total besides its count.
   */
  record(entry: Omit<JournalRecord, 'id'>, bytes?: number): void;
  query(q?: JournalQuery): JournalRecord[];
  clear(): void;
  readonly size: number;
  /** a shared journal (PostgreSQL store): writes what this replica queued, then reads what every replica recorded; call before `query` */
  sync?(): Promise<void>;
}

/** the entries matching `q`, newest first (entries are oldest first) */
export function selectJournalRecords(entries: readonly JournalRecord[], q: JournalQuery, capacity: number): JournalRecord[] {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), capacity);
  const matched = entries.filter(
    (e) =>
      (q.vendor === undefined || e.vendor === q.vendor) &&
      (q.operationId === undefined || e.operationId === q.operationId) &&
      (q.method === undefined || e.method === q.method.toUpperCase()) &&
      (q.status === undefined || e.status === q.status) &&
      (q.pathContains === undefined || e.path.includes(q.pathContains)) &&
      (q.sinceId === undefined || e.id > q.sinceId),
  );
  return matched.slice(-limit).reverse();
}

const SECRET_HEADERS = new Set(['authorization', 'connxio-api-key', 'cookie', 'set-cookie', 'x-apitwin-admin-token', 'ocp-apim-subscription-key', 'proxy-authorization']);
const SECRET_FIELD = /^(secret|token|.*_secret|secret_.*|password|.*password|.*_key|private_key|access_token|refresh_token|token_secret|key|apiKey|api_key|clientSecret|secretAccessKey|integrator_key|credential|session|session_token)$/i;
export const REDACTED = '[redacted]';

/** the redaction of frozen header objects whose values are all strings (so nothing in them can change): made once, shared */
const redactedFrozen = new WeakMap<object, Readonly<Record<string, string>>>();

export function redactHeaders(headers: Record<string, unknown>): Record<string, string> {
  if (!Object.isFrozen(headers)) return redactHeadersOf(headers);
  let redacted = redactedFrozen.get(headers);
  if (!redacted) {
    redacted = Object.freeze(redactHeadersOf(headers));
    if (Object.values(headers).every((v) => typeof v === 'string')) redactedFrozen.set(headers, redacted);
  }
  return redacted;
}

function redactHeadersOf(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** field names seen so far → whether they look secret (the set of names in use is small) */
const secretNames = new Map<string, boolean>();
/** Whether a JSON field of this name holds a secret (the journal and recordings redact it). */
export function isSecretName(k: string): boolean {
  let secret = secretNames.get(k);
  if (secret === undefined) {
    secret = SECRET_FIELD.test(k);
    if (secretNames.size < 10_000) secretNames.set(k, secret);
  }
  return secret;
}

/**
 * Whether the value a JSON Pointer (RFC 6901) into a request body addresses is secret, by the rule
 * `redactBody` applies: its own name looks secret, or it lies inside a secret-named field and is
 * not that field's `type` discriminator. For error bodies, which must not echo secrets.
 */
export function isSecretPointer(pointer: string): boolean {
  const parts = pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = parts.length - 1;
  return parts.some((p, i) => isSecretName(p) && (i === last || parts[last] !== 'type'));
}

/** Whether a query parameter or header of this name carries a secret (the journal redacts it). */
export function isSecretParameter(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_FIELD.test(name);
}

/**
 * Every value under a secret-looking field name replaced; inside an object under such a name
 * (e.g. `secret: {value}`) every string and number but a `type` discriminator is. Parts of the
 * value with nothing to redact are shared with it, not copied (the journal keeps what was sent,
 * which nobody changes afterwards), so journaling a large list costs a walk, not a deep copy.
 */
export function redactBody(value: unknown, depth = 0, inSecret = false): unknown {
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const r = inSecret && (typeof v === 'string' || typeof v === 'number') ? REDACTED : redactBody(v, depth + 1, inSecret);
      if (r !== v && !out) out = value.slice(0, i);
      if (out) out.push(r);
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>; // any non-array object: its own keys are walked
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = obj[k];
      const named = isSecretName(k);
      const secret = (inSecret && k !== 'type') || named;
      const r = secret && (typeof v === 'string' || typeof v === 'number') ? REDACTED : redactBody(v, depth + 1, inSecret || named);
      if (r !== v && !out) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]!] = obj[keys[j]!];
      }
      if (out) out[k] = r;
    }
    return out ?? value;
  }
  return value;
}

/** the redaction of every query without parameters (frozen: journal records share it) */
const NO_QUERY: Readonly<Record<string, unknown>> = Object.freeze({});

export function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  // (for…in stops at the first key: no array of keys for the common query without parameters)
  let empty = true;
  for (const _ in query) {
    empty = false;
    break;
  }
  if (empty) return NO_QUERY;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(query)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) || SECRET_FIELD.test(k) ? REDACTED : query[k];
  return out;
}

/**
 * The bodies the in-memory journal keeps, at most (besides its count): 1,000 entries of bodies up
 * to the 1 MiB body limit would otherwise hold a gigabyte. The oldest entries go first; the
 * newest is always kept.
 */
export const REQUEST_JOURNAL_BYTES = 32 << 20;

export function createRequestJournal(requestedCapacity = 1000, maxBytes = REQUEST_JOURNAL_BYTES): RequestJournal {
  const capacity = Math.max(1, requestedCapacity);
  // a ring: recording never moves the entries already kept
  const ring: Array<JournalRecord | undefined> = new Array(capacity);
  const sizes = new Float64Array(capacity);
  let totalBytes = 0;
  let head = 0;
  let count = 0;
  let nextId = 1;
  const dropOldest = () => {
    const oldest = (head - count + capacity) % capacity;
    ring[oldest] = undefined;
    totalBytes -= sizes[oldest]!;
    sizes[oldest] = 0;
    count--;
  };
  const entries = (): JournalRecord[] => {
    const out: JournalRecord[] = [];
    for (let i = 0; i < count; i++) out.push(ring[(head - count + i + capacity) % capacity]!);
    return out;
  };
  return {
    record(entry, bytes = 0) {
      const record = entry as JournalRecord; // the entry becomes the record: its id is set here
      record.id = nextId++;
      if (count === capacity) dropOldest();
      while (count > 0 && totalBytes + bytes > maxBytes) dropOldest();
      ring[head] = record;
      sizes[head] = bytes;
      totalBytes += bytes;
      head = (head + 1) % capacity;
      count++;
    },
    query(q = {}) {
      return selectJournalRecords(entries(), q, capacity);
    },
    clear() {
      ring.fill(undefined);
      sizes.fill(0);
      totalBytes = 0;
      count = 0;
    },
    get size() {
      return count;
    },
  };
}
