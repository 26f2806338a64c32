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
  /**
   * Runs a one-row `INSERT … VALUES ($1, …) ON CONFLICT …` for every row
   * (PostgreSQL: several rows per statement; SQLite: one prepared statement).
   * Rows must not repeat a conflict key.
   */
  upsert(sql: string, rows: readonly (readonly unknown[])[]): Promise<void>;
}

/** A database connection (or pool). */
export interface Driver extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in one transaction, committed when it resolves (durably: the
   * SQLite WAL is synced, PostgreSQL's commit returns) and rolled back when it
   * throws. `lock` takes the schema lock first, so concurrent collectors
   * starting together run the migrations once.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: { lock?: boolean }): Promise<T>;
  close(): Promise<void>;
}
