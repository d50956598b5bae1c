/**
 * The message journal: every message the twin accepted for delivery to an integration (Connxio
 * messaging and Custom APIs) and every v1 resend request, newest last, queryable and clearable through the control API. Like
 * the request journal it is control state, not data: kept in memory, bounded, never persisted.
 */

export type MessageChannel = 'message' | 'batch' | 'eventgrid' | 'custom-api' | 'resend';

export interface DeliveredMessage {
  id: number;
  at: string;
  companyId: string;
  subscriptionId: string;
  integrationId: string;
  interchangeId: string;
  /** which entry point accepted it */
  channel: MessageChannel;
  /** `v1`/`v2`/`v3` for the Messaging API, null for Custom APIs */
  apiVersion: string | null;
  /** how the caller authenticated: key + bearer, webhook mode, or keyless (integration with useApiKey=false) */
  auth: 'bearer' | 'webhook' | 'keyless';
  /** the API key's id (null when keyless) */
  keyId: string | null;
  contentType: string | null;
  messageEncoding: string;
  fileName: string | null;
  /** the message decoded as text with its encoding */
  body: string;
  /** the message bytes, base64 */
  bodyBase64: string;
  /** `cx-*` request headers, prefix kept, values as strings */
  preDefinedUserProperties: Record<string, string>;
  synchronous: boolean;
  /** Custom API deliveries: which API and route took the call */
  customApi?: { id: string; title: string; method: string; route: string; path: string; params: Record<string, string>; query: Record<string, unknown> };
  /** v1 resend requests (channel `resend`): which endpoint, and what it asked for (a SAS signature redacted) */
  resend?: { kind: 'archeo' | 'restart'; contentSasUri: string | null; resendDateTime: string | null };
}

export interface MessageQuery {
  companyId?: string;
  integrationId?: string;
  subscriptionId?: string;
  channel?: MessageChannel;
  interchangeId?: string;
  limit?: number;
}

export interface MessageJournal {
  record(entry: Omit<DeliveredMessage, 'id'>): DeliveredMessage;
  /** newest first */
  query(q?: MessageQuery): DeliveredMessage[];
  /** removes every entry, or only those matching companyId / integrationId; returns how many */
  clear(filter?: { companyId?: string; integrationId?: string }): number;
  readonly size: number;
  /** a shared journal (PostgreSQL store): writes what this replica queued, then reads what every replica recorded; call before `query` and `clear` */
  sync?(): Promise<void>;
}

export function messageMatches(e: DeliveredMessage, q: MessageQuery): boolean {
  return (
    (q.companyId === undefined || e.companyId === q.companyId) &&
    (q.integrationId === undefined || e.integrationId.toLowerCase() === q.integrationId.toLowerCase()) &&
    (q.subscriptionId === undefined || e.subscriptionId === q.subscriptionId) &&
    (q.channel === undefined || e.channel === q.channel) &&
    (q.interchangeId === undefined || e.interchangeId === q.interchangeId)
  );
}

/**
 * The message text the in-memory journal keeps, at most (besides its count): each entry holds its
 * message twice (as text and as base64), so 10,000 messages of up to the 1 MiB body limit would
 * otherwise hold over 20 GiB. The oldest entries go first; the newest is always kept.
 */
export const MESSAGE_JOURNAL_BYTES = 64 << 20;

/** what an entry weighs, roughly: its two copies of the message and the rest (ids, headers…) */
function entryBytes(e: DeliveredMessage): number {
  return e.body.length + e.bodyBase64.length + 1024;
}

export function createMessageJournal(capacity = 10_000, maxBytes = MESSAGE_JOURNAL_BYTES): MessageJournal {
  let entries: DeliveredMessage[] = [];
  let totalBytes = 0;
  let nextId = 1;
  const matches = messageMatches;
  return {
    record(entry) {
      const stored = structuredClone({ ...entry, id: nextId++ });
      entries.push(stored);
      totalBytes += entryBytes(stored);
      let drop = 0;
      while (drop < entries.length - 1 && (entries.length - drop > capacity || totalBytes > maxBytes)) totalBytes -= entryBytes(entries[drop++]!);
      if (drop > 0) entries.splice(0, drop);
      return structuredClone(stored);
    },
    query(q = {}) {
      const limit = Math.min(Math.max(q.limit ?? 100, 1), capacity);
      return structuredClone(entries.filter((e) => matches(e, q)).slice(-limit).reverse());
    },
    clear(filter = {}) {
      const before = entries.length;
      entries = filter.companyId === undefined && filter.integrationId === undefined ? [] : entries.filter((e) => !matches(e, filter));
      totalBytes = 0;
      for (const e of entries) totalBytes += entryBytes(e);
      return before - entries.length;
    },
    get size() {
      return entries.length;
    },
  };
}
