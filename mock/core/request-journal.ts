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
  record(entry: Omit<JournalRecord, 'id'>): void;
  query(q?: JournalQuery): JournalRecord[];
  clear(): void;
  readonly size: number;
}

const SECRET_HEADERS = new Set(['authorization', 'connxio-api-key', 'cookie', 'set-cookie', 'x-apitwin-admin-token', 'ocp-apim-subscription-key', 'proxy-authorization']);
const SECRET_FIELD = /^(secret|token|.*_secret|secret_.*|password|.*password|.*_key|private_key|access_token|refresh_token|token_secret|key|apiKey|api_key|clientSecret|secretAccessKey|integrator_key|credential)$/i;
export const REDACTED = '[redacted]';

export function redactHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/**
 * A deep copy with every value under a secret-looking field name replaced; inside an object under
 * such a name (e.g. `secret: {value}`) every string and number but a `type` discriminator is.
 */
export function redactBody(value: unknown, depth = 0, inSecret = false): unknown {
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => (inSecret && (typeof v === 'string' || typeof v === 'number') ? REDACTED : redactBody(v, depth + 1, inSecret)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const secret = (inSecret && k !== 'type') || SECRET_FIELD.test(k);
      out[k] = secret && (typeof v === 'string' || typeof v === 'number') ? REDACTED : redactBody(v, depth + 1, inSecret || SECRET_FIELD.test(k));
    }
    return out;
  }
  return value;
}

export function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) || SECRET_FIELD.test(k) ? REDACTED : v;
  return out;
}

export function createRequestJournal(capacity = 1000): RequestJournal {
  const entries: JournalRecord[] = [];
  let nextId = 1;
  return {
    record(entry) {
      entries.push({ ...entry, id: nextId++ });
      if (entries.length > capacity) entries.splice(0, entries.length - capacity);
    },
    query(q = {}) {
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
    },
    clear() {
      entries.length = 0;
    },
    get size() {
      return entries.length;
    },
  };
}
