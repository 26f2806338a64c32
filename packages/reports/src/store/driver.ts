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

/** A database connection (or pool). */
export interface Driver extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs every statement over its rows in one transaction and resolves,
   * with the rows each statement changed, once the commit is durable.
   * Nothing is written when it rejects. (SQLite: on its writer thread.)
   */
  write(statements: readonly WriteStatement[]): Promise<number[]>;
  /**
   * Runs `fn` in one transaction, committed when it resolves (durably: the
   * SQLite WAL is synced, PostgreSQL's commit returns) and rolled back when it
   * throws. `lock` takes the schema lock first, so concurrent collectors
   * starting together run the migrations once.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: { lock?: boolean }): Promise<T>;
  close(): Promise<void>;
}
