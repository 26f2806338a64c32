/**
 * The little a store needs from a database, so one set of queries serves
 * SQLite and PostgreSQL. SQL is written once with PostgreSQL's `$1`
 * placeholders; the SQLite driver reads them as SQLite's numbered `?1`.
 *
 * @module
 */

/** A result row: column name → value (numbers for integers, strings for text, null). */
export type Row = Readonly<Record<string, unknown>>;

/** Something queries run on: the driver itself, or a transaction. */
export interface Queryable {
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** One statement of a write batch and the rows to run it with (each row once). */
export interface WriteStatement {
  readonly sql: string;
  readonly rows: readonly (readonly unknown[])[];
}

/**
 * Report rows, at most one per de-duplication key in a batch. How a driver
 * keeps one row per key is its own: PostgreSQL, shared by several
 * collectors, upserts on its unique (fingerprint, day) key; SQLite, whose
 * table has no such index (it is the cost of a new row: see `row-ids.ts`),
 * updates the row whose id it remembers and appends the others.
 */
export interface ReportRows {
  /** One-row `INSERT … VALUES (…) ON CONFLICT (fingerprint, day) DO UPDATE …`, bound to `values`. */
  readonly upsert: string;
  /** The same `INSERT … VALUES (…)` without the conflict clause. */
  readonly insert: string;
  /** `UPDATE … WHERE id = $1 AND fingerprint = $2 AND day = $3`, bound to the id, then `merge`. */
  readonly update: string;
  /** Selects `id, fingerprint, day` of rows from day `$1` on, newest first, at most `$2`. */
  readonly recent: string;
  /** The day from which rows are worth remembering (yesterday). */
  readonly recentSince: number;
  readonly rows: readonly ReportRowValues[];
}

/** One report row: its key, its columns, and what merges it into an existing row. */
export interface ReportRowValues {
  readonly key: string;
  readonly values: readonly unknown[];
  /** Fingerprint, day, then the values the update merges. */
  readonly merge: readonly unknown[];
}

/** A database connection (or pool). */
export interface Driver extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Whether {@link Driver.write} may be called again before the previous
   * call settled: batches are then committed one by one in call order (the
   * SQLite writer thread takes them as messages). When false, the store
   * waits for each commit before the next.
   */
  readonly pipelined: boolean;
  /**
   * Writes `reports` (if given), then every statement over its rows, in one
   * transaction, and resolves, with the rows each statement changed, once
   * the commit is durable. Nothing is written when it rejects. (SQLite: on
   * its writer thread.)
   */
  write(statements: readonly WriteStatement[], reports?: ReportRows): Promise<number[]>;
  /**
   * Runs `fn` in one transaction, committed when it resolves (durably: the
   * SQLite WAL is synced, PostgreSQL's commit returns) and rolled back when it
   * throws. `lock` takes the schema lock first, so concurrent collectors
   * starting together run the migrations once.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: { lock?: boolean }): Promise<T>;
  close(): Promise<void>;
}
