import type { Logger } from 'pino';
import { messageMatches, type DeliveredMessage, type MessageJournal } from './message-journal.ts';
import { selectJournalRecords, type JournalRecord, type RequestJournal } from './request-journal.ts';
import type { JournalTableOp, PostgresLog } from './store/postgres.ts';

/**
 * The request and message journals of replicas on one PostgreSQL store: one bounded table every
 * replica appends to. Recording never waits for the database: entries are queued and written in
 * batches, in the background. A read (`sync`) first writes this replica's queue, then reads the
 * newest rows every replica wrote, so a replica lists what it answered itself and what the others
 * answered before. A batch the database refuses (an outage) is logged and dropped: the journals are
 * control state, not data.
 */

const REQUESTS = 'requests';
const MESSAGES = 'messages';

class JournalWriter {
  private queue: JournalTableOp[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly log: PostgresLog,
    private readonly capacity: Record<string, number>,
    private readonly logger: Logger,
  ) {}

  append(kind: string, entry: unknown): void {
    const last = this.queue.at(-1);
    if (last && last.kind === kind && 'append' in last) last.append.push(entry);
    else this.queue.push({ kind, append: [entry] });
    this.schedule();
  }

  clear(kind: string, filter: Array<{ field: string; value: string; ignoreCase?: boolean }> = []): void {
    this.queue.push({ kind, clear: filter });
    this.schedule();
  }

  /** resolves once everything queued before the call is written (or dropped) */
  flush(): Promise<void> {
    this.scheduled = false;
    const ops = this.queue;
    this.queue = [];
    if (ops.length > 0) {
      this.writing = this.writing.then(() =>
        this.log.writeJournals(ops, this.capacity).catch((err: Error) => this.logger.warn({ err: err.message, ops: ops.length }, 'journal entries could not be written to the shared store; dropped')),
      );
    }
    return this.writing;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      if (this.scheduled) void this.flush();
    });
  }
}

export interface SharedJournals {
  requests: RequestJournal;
  messages: MessageJournal;
  /** writes whatever is still queued (a replica that stops calls it before closing its store) */
  flush(): Promise<void>;
}

export function createSharedJournals(log: PostgresLog, requestCapacity: number, logger: Logger, messageCapacity = 10_000): SharedJournals {
  const requestCap = Math.max(1, requestCapacity);
  const writer = new JournalWriter(log, { [REQUESTS]: requestCap, [MESSAGES]: messageCapacity }, logger);
  // what the last sync read, oldest first; ids are the rows' seq
  let requestRows: JournalRecord[] = [];
  let messageRows: DeliveredMessage[] = [];

  const requests: RequestJournal = {
    record(entry) {
      writer.append(REQUESTS, entry);
    },
    query(q = {}) {
      return selectJournalRecords(requestRows, q, requestCap);
    },
    clear() {
      requestRows = [];
      writer.clear(REQUESTS);
    },
    get size() {
      return requestRows.length;
    },
    async sync() {
      await writer.flush();
      // this module appends the journal's entries, so it knows their type
      requestRows = (await log.readJournal(REQUESTS, requestCap)).map((r) => ({ ...(r.entry as Omit<JournalRecord, 'id'>), id: r.seq }));
    },
  };

  const messages: MessageJournal = {
    record(entry) {
      const copy = structuredClone(entry);
      writer.append(MESSAGES, copy);
      // the id is the row's, known once written; callers use the entry, not its id
      return { ...copy, id: 0 };
    },
    query(q = {}) {
      const limit = Math.min(Math.max(q.limit ?? 100, 1), messageCapacity);
      return structuredClone(messageRows.filter((e) => messageMatches(e, q)).slice(-limit).reverse());
    },
    clear(filter = {}) {
      const before = messageRows.length;
      messageRows = messageRows.filter((e) => !((filter.companyId === undefined && filter.integrationId === undefined) || messageMatches(e, filter)));
      const where: Array<{ field: string; value: string; ignoreCase?: boolean }> = [];
      if (filter.companyId !== undefined) where.push({ field: 'companyId', value: filter.companyId });
      if (filter.integrationId !== undefined) where.push({ field: 'integrationId', value: filter.integrationId, ignoreCase: true });
      writer.clear(MESSAGES, where);
      return before - messageRows.length;
    },
    get size() {
      return messageRows.length;
    },
    async sync() {
      await writer.flush();
      // (the same)
      messageRows = (await log.readJournal(MESSAGES, messageCapacity)).map((r) => ({ ...(r.entry as Omit<DeliveredMessage, 'id'>), id: r.seq }));
    },
  };

  return { requests, messages, flush: () => writer.flush() };
}
