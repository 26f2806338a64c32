/**
 * The report store: migrations on open, one transaction per write batch,
 * and the dashboard's queries — the same SQL on SQLite and PostgreSQL.
 *
 * @module
 */
import { statSync } from 'node:fs';
import type {
  DetailValue,
  DropReason,
  Durability,
  DropRow,
  GroupBy,
  GroupRow,
  IncomingReport,
  ReportQuery,
  ReportRecord,
  ReportType,
  TimelinePoint,
} from '../model.ts';
import { isPlainObject } from '@barbican/core/parsers';
import { BarbicanError } from '../errors.ts';
import type { Driver, ReportRows, ReportRowValues, Row } from './driver.ts';
import { openPostgres } from './postgres.ts';
import { rowKey } from './row-ids.ts';
import { MIGRATIONS, SCHEMA_VERSION, VERSION_TABLE } from './schema.ts';
import { openSqlite } from './sqlite.ts';

export type { Driver } from './driver.ts';
export { SCHEMA_VERSION } from './schema.ts';

/** Milliseconds per hour and per day: the chart's bucket and the de-duplication unit. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** One de-duplicated row to add: a report and how often it arrived in the batch. */
export interface RowWrite {
  readonly report: IncomingReport;
  readonly day: number;
  readonly count: number;
  readonly firstReceivedAt: number;
  readonly lastReceivedAt: number;
  readonly firstGeneratedAt: number | null;
  readonly lastGeneratedAt: number | null;
}

/** Reports per site, type and hour, for the chart. */
export interface CountWrite {
  readonly site: string;
  readonly type: ReportType;
  readonly bucket: number;
  readonly count: number;
}

/** Dropped reports per site, reason and hour. */
export interface DropWrite {
  readonly site: string;
  readonly reason: DropReason;
  readonly bucket: number;
  readonly count: number;
}

/** Everything one transaction writes. */
export interface WriteBatch {
  readonly rows: readonly RowWrite[];
  readonly counts: readonly CountWrite[];
  readonly drops: readonly DropWrite[];
}

/** A new report row. */
const INSERT_REPORT = `INSERT INTO barbican_reports (fingerprint, day, site, type, url, directive,
  blocked_url, blocked_host, source_file, line, col, disposition, sample, status_code, policy,
  details, user_agent, client, count, first_received_at, last_received_at, first_generated_at,
  last_generated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`;

/** A new report row, or the merge into the row with its key (PostgreSQL). */
const UPSERT_REPORT = `${INSERT_REPORT}
ON CONFLICT (fingerprint, day) DO UPDATE SET
  count = barbican_reports.count + excluded.count,
  first_received_at = CASE WHEN excluded.first_received_at < barbican_reports.first_received_at
    THEN excluded.first_received_at ELSE barbican_reports.first_received_at END,
  last_received_at = CASE WHEN excluded.last_received_at > barbican_reports.last_received_at
    THEN excluded.last_received_at ELSE barbican_reports.last_received_at END,
  user_agent = CASE WHEN excluded.last_received_at >= barbican_reports.last_received_at
    THEN excluded.user_agent ELSE barbican_reports.user_agent END,
  client = CASE WHEN excluded.last_received_at >= barbican_reports.last_received_at
    THEN excluded.client ELSE barbican_reports.client END,
  first_generated_at = CASE WHEN barbican_reports.first_generated_at IS NULL
      OR excluded.first_generated_at < barbican_reports.first_generated_at
    THEN excluded.first_generated_at ELSE barbican_reports.first_generated_at END,
  last_generated_at = CASE WHEN barbican_reports.last_generated_at IS NULL
      OR excluded.last_generated_at > barbican_reports.last_generated_at
    THEN excluded.last_generated_at ELSE barbican_reports.last_generated_at END`;

/**
 * Merges a report row into the stored row `$1` if it still has that key
 * (`$2`, `$3`): the same merge as the upsert's (SQLite). Every right-hand
 * side reads the row as it was before the update.
 */
const UPDATE_REPORT = `UPDATE barbican_reports SET
  count = count + $4,
  first_received_at = CASE WHEN $5 < first_received_at THEN $5 ELSE first_received_at END,
  last_received_at = CASE WHEN $6 > last_received_at THEN $6 ELSE last_received_at END,
  user_agent = CASE WHEN $6 >= last_received_at THEN $7 ELSE user_agent END,
  client = CASE WHEN $6 >= last_received_at THEN $8 ELSE client END,
  first_generated_at = CASE WHEN first_generated_at IS NULL OR $9 < first_generated_at
    THEN $9 ELSE first_generated_at END,
  last_generated_at = CASE WHEN last_generated_at IS NULL OR $10 > last_generated_at
    THEN $10 ELSE last_generated_at END
WHERE id = $1 AND fingerprint = $2 AND day = $3`;

/** The newest rows from a day on: what a restarted SQLite writer remembers. */
const RECENT_REPORTS = `SELECT id, fingerprint, day FROM barbican_reports WHERE day >= $1
ORDER BY id DESC LIMIT $2`;

/** Report rows deleted per retention transaction on SQLite. */
const PRUNE_CHUNK = 5_000;

/** Up to `$2` report rows from before day `$1` (SQLite: by the row id of schema 2). */
const PRUNE_REPORTS_CHUNK = `DELETE FROM barbican_reports WHERE id IN
  (SELECT id FROM barbican_reports WHERE day < $1 LIMIT $2)`;

const UPSERT_COUNT = `INSERT INTO barbican_report_counts (site, type, bucket, count)
VALUES ($1, $2, $3, $4)
ON CONFLICT (site, type, bucket) DO UPDATE SET count = barbican_report_counts.count + excluded.count`;

const UPSERT_DROP = `INSERT INTO barbican_report_drops (site, reason, bucket, count)
VALUES ($1, $2, $3, $4)
ON CONFLICT (site, reason, bucket) DO UPDATE SET count = barbican_report_drops.count + excluded.count`;

/** The record's columns, aggregated over the days a fingerprint was seen in the window. */
const RECORD_COLUMNS = `fingerprint, MAX(site) AS site, MAX(type) AS type, MAX(url) AS url,
  MAX(directive) AS directive, MAX(blocked_url) AS blocked_url, MAX(blocked_host) AS blocked_host,
  MAX(source_file) AS source_file, MAX(line) AS line, MAX(col) AS col,
  MAX(disposition) AS disposition, MAX(sample) AS sample, MAX(status_code) AS status_code,
  MAX(policy) AS policy, MAX(details) AS details, MAX(user_agent) AS user_agent,
  MAX(client) AS client, CAST(SUM(count) AS BIGINT) AS n,
  MIN(first_received_at) AS first_received_at, MAX(last_received_at) AS last_received_at,
  MIN(first_generated_at) AS first_generated_at, MAX(last_generated_at) AS last_generated_at`;

/** Dashboard group → column (a fixed table: never a user string in SQL). */
const GROUP_COLUMNS: Readonly<Record<GroupBy, string>> = {
  site: 'site',
  type: 'type',
  directive: 'directive',
  blockedHost: 'blocked_host',
  sourceFile: 'source_file',
};

/** Filter → column, for the fields that filter by equality. */
const FILTER_COLUMNS = [
  ['site', 'site'],
  ['type', 'type'],
  ['directive', 'directive'],
  ['blockedHost', 'blocked_host'],
  ['sourceFile', 'source_file'],
] as const;

const MAX_LIMIT = 10_000;

/** The WHERE clause for `q`, appending its parameters to `params`. */
function where(q: ReportQuery, params: unknown[], time: 'day' | 'bucket'): string {
  const clauses: string[] = [];
  for (const [key, column] of FILTER_COLUMNS) {
    const value = q[key];
    if (value === undefined) continue;
    if (value === null) clauses.push(`${column} IS NULL`);
    else {
      params.push(value);
      clauses.push(`${column} = $${params.length}`);
    }
  }
  if (q.since !== undefined) {
    if (time === 'day') {
      params.push(Math.floor(q.since / DAY_MS));
      clauses.push(`day >= $${params.length}`);
      params.push(q.since);
      clauses.push(`last_received_at >= $${params.length}`);
    } else {
      params.push(Math.floor(q.since / HOUR_MS) * HOUR_MS);
      clauses.push(`bucket >= $${params.length}`);
    }
  }
  return clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function details(v: unknown): Record<string, DetailValue> {
  if (typeof v !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(v);
    return isPlainObject(parsed) ? (parsed as Record<string, DetailValue>) : {};
  } catch {
    return {};
  }
}

function toRecord(row: Row): ReportRecord {
  const disposition = row['disposition'];
  return {
    fingerprint: String(row['fingerprint']),
    site: String(row['site']),
    type: String(row['type']) as ReportType,
    url: str(row['url']),
    directive: str(row['directive']),
    blockedUrl: str(row['blocked_url']),
    blockedHost: str(row['blocked_host']),
    sourceFile: str(row['source_file']),
    line: num(row['line']),
    column: num(row['col']),
    disposition: disposition === 'enforce' || disposition === 'report' ? disposition : null,
    sample: str(row['sample']),
    statusCode: num(row['status_code']),
    policy: str(row['policy']),
    details: details(row['details']),
    userAgent: str(row['user_agent']),
    client: str(row['client']),
    count: Number(row['n']),
    firstReceivedAt: Number(row['first_received_at']),
    receivedAt: Number(row['last_received_at']),
    firstGeneratedAt: num(row['first_generated_at']),
    generatedAt: num(row['last_generated_at']),
  };
}

/** A row's key, its columns, and what {@link UPDATE_REPORT} merges. */
function reportRow(w: RowWrite): ReportRowValues {
  const r = w.report;
  return {
    key: rowKey(r.fingerprint, w.day),
    values: rowParams(w),
    merge: [
      r.fingerprint,
      w.day,
      w.count,
      w.firstReceivedAt,
      w.lastReceivedAt,
      r.userAgent,
      r.client,
      w.firstGeneratedAt,
      w.lastGeneratedAt,
    ],
  };
}

function rowParams(w: RowWrite): unknown[] {
  const r = w.report;
  return [
    r.fingerprint,
    w.day,
    r.site,
    r.type,
    r.url,
    r.directive,
    r.blockedUrl,
    r.blockedHost,
    r.sourceFile,
    r.line,
    r.column,
    r.disposition,
    r.sample,
    r.statusCode,
    r.policy,
    JSON.stringify(r.details),
    r.userAgent,
    r.client,
    w.count,
    w.firstReceivedAt,
    w.lastReceivedAt,
    w.firstGeneratedAt,
    w.lastGeneratedAt,
  ];
}

/**
 * Stored reports: written in batches, read by the dashboard, the CLI and
 * `learn`. Build one with {@link openStore}.
 */
export class ReportStore {
  readonly #driver: Driver;
  /** Write transactions run one at a time (SQLite has one connection). */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(driver: Driver) {
    this.#driver = driver;
  }

  /** `sqlite` or `postgres`. */
  get dialect(): Driver['dialect'] {
    return this.#driver.dialect;
  }

  /** Whether a batch may be written while another commits (see {@link Driver.pipelined}). */
  get pipelined(): boolean {
    return this.#driver.pipelined;
  }

  /** Runs the migrations this database has not seen (under the schema lock). */
  async migrate(): Promise<number> {
    return this.#driver.transaction(
      async (tx) => {
        await tx.run(VERSION_TABLE);
        const rows = await tx.all('SELECT MAX(version) AS v FROM barbican_schema_version');
        const current = Number(rows[0]?.['v'] ?? 0);
        if (current > SCHEMA_VERSION) {
          throw new BarbicanError(
            'BARBICAN_E_REPORTS_DB',
            `the database schema is version ${current}, newer than this Barbican's ${SCHEMA_VERSION}`,
            { hint: 'Upgrade Barbican, or point --db at another database' },
          );
        }
        for (const m of MIGRATIONS) {
          if (m.version <= current) continue;
          const dialect = this.#driver.dialect;
          for (const statement of [...(m.statements ?? []), ...(m[dialect] ?? [])]) {
            await tx.run(statement);
          }
          await tx.run(
            'INSERT INTO barbican_schema_version (version, applied_at) VALUES ($1, $2)',
            [m.version, Date.now()],
          );
        }
        return Math.max(current, SCHEMA_VERSION);
      },
      { lock: true },
    );
  }

  /** The schema version recorded in the database. */
  async schemaVersion(): Promise<number> {
    const rows = await this.#driver.all('SELECT MAX(version) AS v FROM barbican_schema_version');
    return Number(rows[0]?.['v'] ?? 0);
  }

  /**
   * Runs a write after the previous one settled, or at once when the
   * driver keeps the order itself; `close` waits for all of them.
   */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#driver.pipelined ? fn() : this.#writes.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    const previous = this.#writes;
    this.#writes = previous.then(() => settled);
    return next;
  }

  /**
   * Writes a batch in one transaction. Resolves only after the commit is
   * durable; a rejection means nothing of the batch was written.
   */
  write(batch: WriteBatch, now = Date.now()): Promise<void> {
    const statements = [
      { sql: UPSERT_COUNT, rows: batch.counts.map((c) => [c.site, c.type, c.bucket, c.count]) },
      { sql: UPSERT_DROP, rows: batch.drops.map((d) => [d.site, d.reason, d.bucket, d.count]) },
    ].filter((st) => st.rows.length > 0);
    const reports: ReportRows = {
      upsert: UPSERT_REPORT,
      insert: INSERT_REPORT,
      update: UPDATE_REPORT,
      recent: RECENT_REPORTS,
      recentSince: Math.floor(now / DAY_MS) - 1,
      rows: batch.rows.map(reportRow),
    };
    return this.#serial(async () => {
      await this.#driver.write(statements, reports.rows.length > 0 ? reports : undefined);
    });
  }

  /** De-duplicated reports matching `q`, latest first. */
  async list(q: ReportQuery = {}): Promise<ReportRecord[]> {
    const params: unknown[] = [];
    const filter = where(q, params, 'day');
    params.push(Math.min(Math.max(1, q.limit ?? 100), MAX_LIMIT));
    const rows = await this.#driver.all(
      `SELECT ${RECORD_COLUMNS} FROM barbican_reports ${filter}
       GROUP BY fingerprint ORDER BY MAX(last_received_at) DESC, fingerprint LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  /**
   * One de-duplicated report by fingerprint (all days), or undefined. Give
   * its site when known: SQLite has no index by fingerprint (see
   * `schema.ts`), and the site's index narrows the search to its rows.
   */
  async get(fingerprint: string, site?: string): Promise<ReportRecord | undefined> {
    const rows = await this.#driver.all(
      site === undefined
        ? `SELECT ${RECORD_COLUMNS} FROM barbican_reports WHERE fingerprint = $1 GROUP BY fingerprint`
        : `SELECT ${RECORD_COLUMNS} FROM barbican_reports WHERE site = $2 AND fingerprint = $1
           GROUP BY fingerprint`,
      site === undefined ? [fingerprint] : [fingerprint, site],
    );
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  /** Report counts grouped by one dimension, largest first (at most `limit`, default 20). */
  async groups(by: GroupBy, q: ReportQuery = {}, limit = 20): Promise<GroupRow[]> {
    const column = GROUP_COLUMNS[by];
    const params: unknown[] = [];
    const filter = where(q, params, 'day');
    params.push(Math.min(Math.max(1, limit), MAX_LIMIT));
    const rows = await this.#driver.all(
      `SELECT ${column} AS k, CAST(SUM(count) AS BIGINT) AS n FROM barbican_reports ${filter}
       GROUP BY ${column} ORDER BY n DESC, k LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ key: str(r['k']), count: Number(r['n']) }));
  }

  /** Reports per hour (site and type filters apply; other filters are ignored). */
  async timeline(q: ReportQuery = {}): Promise<TimelinePoint[]> {
    const params: unknown[] = [];
    const filter = where({ site: q.site, type: q.type, since: q.since }, params, 'bucket');
    const rows = await this.#driver.all(
      `SELECT bucket, CAST(SUM(count) AS BIGINT) AS n FROM barbican_report_counts ${filter}
       GROUP BY bucket ORDER BY bucket`,
      params,
    );
    return rows.map((r) => ({ bucket: Number(r['bucket']), count: Number(r['n']) }));
  }

  /** Dropped reports by site and reason. */
  async drops(q: Pick<ReportQuery, 'site' | 'since'> = {}): Promise<DropRow[]> {
    const params: unknown[] = [];
    const filter = where({ site: q.site, since: q.since }, params, 'bucket');
    const rows = await this.#driver.all(
      `SELECT site, reason, CAST(SUM(count) AS BIGINT) AS n FROM barbican_report_drops ${filter}
       GROUP BY site, reason ORDER BY site, reason`,
      params,
    );
    return rows.map((r) => ({
      site: String(r['site']),
      reason: String(r['reason']) as DropReason,
      count: Number(r['n']),
    }));
  }

  /** The sites that have stored reports. */
  async sites(): Promise<string[]> {
    const rows = await this.#driver.all(
      'SELECT DISTINCT site FROM barbican_report_counts ORDER BY site',
    );
    return rows.map((r) => String(r['site']));
  }

  /**
   * Deletes everything received before `before` (retention); returns the
   * report rows deleted. On SQLite, whose commits may run on the main
   * thread, report rows go {@link PRUNE_CHUNK} per transaction, with the
   * event loop free in between: a day of a million rows must not stop the
   * collector for seconds.
   */
  async prune(before: number): Promise<number> {
    const day = Math.floor(before / DAY_MS);
    const bucket = Math.floor(before / HOUR_MS) * HOUR_MS;
    let n = 0;
    if (this.#driver.dialect === 'sqlite') {
      for (;;) {
        const [deleted = 0] = await this.#serial(() =>
          this.#driver.write([{ sql: PRUNE_REPORTS_CHUNK, rows: [[day, PRUNE_CHUNK]] }]),
        );
        n += deleted;
        if (deleted < PRUNE_CHUNK) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return this.#serial(async () => {
      const [reports = 0] = await this.#driver.write([
        { sql: 'DELETE FROM barbican_reports WHERE day < $1', rows: [[day]] },
        { sql: 'DELETE FROM barbican_report_counts WHERE bucket < $1', rows: [[bucket]] },
        { sql: 'DELETE FROM barbican_report_drops WHERE bucket < $1', rows: [[bucket]] },
      ]);
      return n + reports;
    });
  }

  /** Closes the connection (or pool) after pending writes. */
  async close(): Promise<void> {
    await this.#writes;
    await this.#driver.close();
  }
}

const SQLITE = /^sqlite:(.+)$/;
const POSTGRES = /^postgres(?:ql)?:\/\//;

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** What a commit (and so a 2xx) survives on SQLite (default `process`); PostgreSQL ignores it. */
  readonly durability?: Durability;
}

/**
 * Opens the store named by a `--db` value and runs its migrations:
 * `sqlite:FILE` (`sqlite::memory:` for a throw-away one) or a
 * `postgres://…` URL.
 *
 * @example
 * ```ts
 * const store = await openStore('sqlite:reports.db', { durability: 'power' });
 * const latest = await store.list({ site: 'shop', limit: 10 });
 * ```
 */
export async function openStore(db: string, opts: StoreOptions = {}): Promise<ReportStore> {
  let driver: Driver | undefined;
  try {
    driver = openDriver(db, opts.durability ?? 'process');
    const store = new ReportStore(driver);
    await store.migrate();
    return store;
  } catch (error) {
    await driver?.close().catch(() => undefined);
    if (error instanceof BarbicanError) throw error;
    throw new BarbicanError('BARBICAN_E_REPORTS_DB', 'the database cannot be opened or migrated', {
      path: '--db',
      value: redact(db),
      hint: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
}

/** A database URL without its password, for messages. */
export function redact(db: string): string {
  return db.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

/**
 * SQLite opens whatever it is given and writes a `-journal` beside it: a
 * device (`/dev/zero` would get `/dev/zero-journal`), a FIFO (a read that
 * never returns) or a directory is refused before it is opened. A missing
 * file is fine: it becomes a new database.
 */
function checkSqliteFile(file: string, db: string): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined || stat.isFile()) return;
  throw new BarbicanError('BARBICAN_E_REPORTS_DB', 'the SQLite database is not a regular file', {
    path: '--db',
    value: redact(db),
    hint: 'name a database file (it is created if missing), e.g. sqlite:barbican-reports.db',
  });
}

function openDriver(db: string, durability: Durability): Driver {
  const sqlite = SQLITE.exec(db);
  if (sqlite !== null) {
    const file = sqlite[1] ?? '';
    if (file === ':memory:') return openSqlite(file, durability);
    checkSqliteFile(file, db);
    return openSqlite(file, durability);
  }
  if (POSTGRES.test(db)) return openPostgres(db);
  throw new BarbicanError('BARBICAN_E_REPORTS_DB', 'not a database the collector can use', {
    path: '--db',
    value: redact(db),
    allowed: 'sqlite:FILE or postgres://user@host:port/database',
  });
}
