import type pg from 'pg';
import { STORE_FORMAT, StoreFileError, assertStoreDocument, stateFromDocument, type JournalEntry, type StoreState } from './document.ts';
import { messageOf } from '../error-message.ts';
import { errnoCode } from '../narrow.ts';

/**
 * The PostgreSQL persistence of a shared store: the same document and journal entries as the file
 * store, kept as an ordered, append-only log every replica appends to and replays.
 *
 * - `apitwin_log(s, ops)`: one committed transaction per row, `s` contiguous from 1. A writer takes
 *   a transaction-level advisory lock, reads the rows it has not applied yet, runs its transactions
 *   against the caught-up document and appends their rows; the commit releases the lock. So
 *   replicas write one at a time, each on the latest state: uniqueness checks, ETags and cascades
 *   hold across replicas as in one process.
 * - `apitwin_snapshot(seq, doc)`: the document at `seq`, written now and then so a replica starts
 *   (or catches up after a long absence) without replaying the whole log; rows below the newest
 *   snapshot are then deleted (the row at its seq is kept, so a lagging replica notices the gap).
 * - `apitwin_lease(name, holder, expires_at)`: leases for background work one replica at a time does.
 * - `apitwin_meta`: format marker and schema version; a newer or foreign schema is refused.
 */

export const PG_SCHEMA_VERSION = 2;
/** advisory lock keys ('apit' + 1, + 2) */
const WRITE_LOCK = 0x61706974_01;
const MIGRATE_LOCK = 0x61706974_02;

/** The database cannot be reached or failed a statement: requests get a 503 until it is back. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** what a replica needs to catch up: the rows after its position, or the newest snapshot when those rows are gone */
export type CatchUp = { entries: JournalEntry[] } | { document: StoreState; entries: JournalEntry[] };

const MIGRATIONS: Array<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE apitwin_meta (key text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE apitwin_log (s bigint PRIMARY KEY, ops text NOT NULL, committed_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE apitwin_snapshot (seq bigint PRIMARY KEY, doc text NOT NULL, written_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE apitwin_lease (name text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL);
      INSERT INTO apitwin_meta (key, value) VALUES ('format', '${STORE_FORMAT}'), ('schema_version', '1');
    `,
  },
  {
    // the request and message journals: control state every replica appends to and reads (shared-journals.ts)
    version: 2,
    sql: `
      CREATE TABLE apitwin_journal (seq bigserial PRIMARY KEY, kind text NOT NULL, entry jsonb NOT NULL);
      CREATE INDEX apitwin_journal_kind_seq ON apitwin_journal (kind, seq);
    `,
  },
];

/** one change to a shared journal, applied in the order queued */
export type JournalTableOp =
  | { kind: string; append: unknown[] }
  | { kind: string; clear: Array<{ field: string; value: string; ignoreCase?: boolean }> };

/** the URL without its password, for messages */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export function isPostgresUrl(value: string | undefined): value is string {
  return !!value && /^postgres(ql)?:\/\//i.test(value);
}

export class PostgresLog {
  readonly stats = { writes: 0, rows: 0, catchUps: 0, snapshots: 0 };
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly url: string,
  ) {}

  /** Connects, creates or migrates the schema; refuses a database of a newer or foreign schema (StoreFileError). */
  static async connect(url: string, onError: (err: Error) => void = () => {}): Promise<PostgresLog> {
    // loaded here, not at the top: a twin on a file or memory store starts without the driver (it loads undici)
    const { default: driver } = await import('pg');
    const pool = new driver.Pool({
      connectionString: url,
      max: 8,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10_000,
      query_timeout: 15_000,
      application_name: 'apitwin',
    });
    // an idle client whose server went away: the next checkout reconnects
    pool.on('error', onError);
    // a connection that breaks while checked out reports it on the client too: never an unhandled 'error'
    pool.on('connect', (client) => client.on('error', onError));
    const log = new PostgresLog(pool, url);
    try {
      await log.migrate();
    } catch (err) {
      await pool.end().catch(() => {});
      if (err instanceof StoreFileError) throw err;
      throw new StoreFileError(`${redactUrl(url)}: cannot open the store (${messageOf(err)})`, 'corrupt', redactUrl(url));
    }
    return log;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
      try {
        const tables = (await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`)).rows.map((r) => r.name);
        let version = 0;
        if (tables.includes('apitwin_meta')) {
          const meta = new Map((await client.query<{ key: string; value: string }>('SELECT key, value FROM apitwin_meta')).rows.map((r) => [r.key, r.value]));
          if (meta.get('format') !== STORE_FORMAT) throw this.refuse(`is not an apitwin store (apitwin_meta has no format "${STORE_FORMAT}"); it was left untouched`, 'foreign');
          version = Number(meta.get('schema_version'));
          if (!Number.isInteger(version) || version < 1) throw this.refuse('has a damaged apitwin_meta (schema_version); it was left untouched', 'corrupt');
          if (version > PG_SCHEMA_VERSION) throw this.refuse(`holds an apitwin store of schema version ${version}, this apitwin reads up to ${PG_SCHEMA_VERSION}; it was left untouched`, 'unsupported-version');
        } else if (tables.length > 0) {
          const names = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
          throw this.refuse(`holds tables that are not apitwin's (${names}); give apitwin a database of its own. It was left untouched`, 'foreign');
        }
        for (const m of MIGRATIONS) {
          if (m.version <= version) continue;
          await inTransaction(client, async () => {
            await client.query(m.sql);
            await client.query(`UPDATE apitwin_meta SET value = $1 WHERE key = 'schema_version'`, [String(m.version)]);
          });
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]).catch(() => {});
      }
    } finally {
      client.release();
    }
  }

  private refuse(what: string, reason: 'foreign' | 'corrupt' | 'unsupported-version'): StoreFileError {
    return new StoreFileError(`${redactUrl(this.url)} ${what}.`, reason, redactUrl(this.url));
  }

  /** The rows after `seq`; the newest snapshot and the rows after it when the rows right after `seq` were compacted away. */
  async catchUp(seq: number, client?: pg.ClientBase): Promise<CatchUp> {
    const q = client ?? this.pool;
    const rows = (await this.run(() => q.query<{ s: string; ops: string }>('SELECT s, ops FROM apitwin_log WHERE s > $1 ORDER BY s', [seq]))).rows;
    if (rows.length === 0 || Number(rows[0]!.s) === seq + 1) return { entries: rows.map(toEntry) };
    this.stats.catchUps++;
    const snap = (await this.run(() => q.query<{ seq: string; doc: string }>('SELECT seq, doc FROM apitwin_snapshot ORDER BY seq DESC LIMIT 1'))).rows[0];
    if (!snap || Number(snap.seq) + 1 < Number(rows[0]!.s)) {
      throw new StoreUnavailableError(`the log skips from transaction ${seq} to ${rows[0]!.s} and no snapshot covers the gap`);
    }
    const document = parseSnapshot(snap.doc, this.url);
    return { document, entries: rows.filter((r) => Number(r.s) > document.seq).map(toEntry) };
  }

  /**
   * One write: under the write lock, `catchUp` gets what this replica has not applied yet, then
   * `stage` runs the queued transactions on the caught-up document and returns their entries,
   * which are appended and committed. Resolves once committed; rejects (StoreUnavailableError)
   * when anything failed, in which case nothing was committed — or, if the connection broke
   * during COMMIT, possibly everything: the caller undoes its local changes and the next catch-up
   * brings back whatever did commit.
   */
  async write(localSeq: () => number, apply: (c: CatchUp) => void, stage: () => JournalEntry[]): Promise<number> {
    if (this.closed) throw new StoreUnavailableError('the store is closed');
    const client = await this.run(() => this.pool.connect());
    let broken = false;
    try {
      await this.run(() => client.query('BEGIN'));
      await this.run(() => client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]));
      apply(await this.catchUp(localSeq(), client));
      const entries = stage();
      if (entries.length === 0) {
        await this.run(() => client.query('COMMIT'));
        return 0;
      }
      await this.run(() =>
        client.query('INSERT INTO apitwin_log (s, ops) SELECT * FROM unnest($1::bigint[], $2::text[])', [entries.map((e) => e.s), entries.map((e) => JSON.stringify(e.ops))]),
      );
      await this.run(() => client.query('COMMIT'));
      this.stats.writes++;
      this.stats.rows += entries.length;
      return entries.length;
    } catch (err) {
      broken = true;
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Stores the document as a snapshot and drops the rows it covers (but its own last row). */
  async writeSnapshot(seq: number, doc: string): Promise<void> {
    await this.run(async () => {
      const client = await this.pool.connect();
      try {
        await inTransaction(client, async () => {
          await client.query('INSERT INTO apitwin_snapshot (seq, doc) VALUES ($1, $2) ON CONFLICT (seq) DO NOTHING', [seq, doc]);
          await client.query('DELETE FROM apitwin_snapshot WHERE seq < $1', [seq]);
          await client.query('DELETE FROM apitwin_log WHERE s < $1', [seq]);
        });
      } finally {
        client.release();
      }
    });
    this.stats.snapshots++;
  }

  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs`: true when `holder` holds it now.
   * A lease whose holder stopped renewing it is taken over once it expired.
   */
  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const result = await this.run(() =>
      this.pool.query<{ holder: string }>(
        `INSERT INTO apitwin_lease (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
           WHERE apitwin_lease.holder = EXCLUDED.holder OR apitwin_lease.expires_at < now()
         RETURNING holder`,
        [name, holder, ttlMs],
      ),
    );
    return result.rows.length === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.run(() => this.pool.query('DELETE FROM apitwin_lease WHERE name = $1 AND holder = $2', [name, holder]));
  }

  /**
   * Applies journal changes in one transaction, then trims each journal touched to its newest
   * `capacity[kind]` rows.
   */
  async writeJournals(ops: JournalTableOp[], capacity: Record<string, number>): Promise<void> {
    await this.run(async () => {
      const client = await this.pool.connect();
      try {
        await inTransaction(client, async () => {
          const kinds = new Set<string>();
          for (const op of ops) {
            kinds.add(op.kind);
            if ('append' in op) {
              await client.query('INSERT INTO apitwin_journal (kind, entry) SELECT $1, e FROM unnest($2::jsonb[]) WITH ORDINALITY AS t(e, n) ORDER BY n', [op.kind, op.append.map(toJsonb)]);
            } else {
              const params: unknown[] = [op.kind];
              const where = op.clear.map((c) => {
                params.push(c.field, c.value);
                const field = `entry->>$${params.length - 1}`;
                return c.ignoreCase ? `lower(${field}) = lower($${params.length})` : `${field} = $${params.length}`;
              });
              await client.query(`DELETE FROM apitwin_journal WHERE kind = $1${where.map((w) => ` AND ${w}`).join('')}`, params);
            }
          }
          for (const kind of kinds) {
            await client.query(
              'DELETE FROM apitwin_journal WHERE kind = $1 AND seq <= (SELECT seq FROM apitwin_journal WHERE kind = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)',
              [kind, Math.max(1, capacity[kind] ?? 1000)],
            );
          }
        });
      } finally {
        client.release();
      }
    });
  }

  /** the newest `limit` entries of a journal, oldest first, each with its seq */
  async readJournal(kind: string, limit: number): Promise<Array<{ seq: number; entry: unknown }>> {
    const rows = (
      await this.run(() => this.pool.query<{ seq: string; entry: unknown }>('SELECT seq, entry FROM apitwin_journal WHERE kind = $1 ORDER BY seq DESC LIMIT $2', [kind, limit]))
    ).rows;
    return rows.reverse().map((r) => ({ seq: Number(r.seq), entry: r.entry }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** database errors become StoreUnavailableError (503), naming the cause */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`the PostgreSQL store is unavailable (${messageOf(err) || errnoCode(err) || 'no answer'})`, { cause: err });
    }
  }
}

/** runs `work` between BEGIN and COMMIT on `client`; rolls back and rethrows when it fails */
async function inTransaction(client: pg.ClientBase, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** jsonb refuses the NUL character; a journal entry keeps U+FFFD in its place */
function toJsonb(value: unknown): string {
  return JSON.stringify(value).replaceAll('\\u0000', '\\ufffd');
}

function toEntry(row: { s: string; ops: string }): JournalEntry {
  return { s: Number(row.s), ops: JSON.parse(row.ops) as JournalEntry['ops'] }; // rows are written by this class from checked entries only
}

function parseSnapshot(text: string, url: string): StoreState {
  const parsed: unknown = JSON.parse(text);
  assertStoreDocument(parsed, `${redactUrl(url)} (apitwin_snapshot)`);
  return stateFromDocument(parsed);
}
