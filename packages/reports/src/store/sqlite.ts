/**
 * The SQLite driver: `node:sqlite` (built into Node ≥ 22.13, no native
 * build), WAL journal, `synchronous=FULL` so a commit is on disk when it
 * returns. Statements are prepared once and cached.
 *
 * @see https://nodejs.org/api/sqlite.html
 * @see https://www.sqlite.org/wal.html
 * @module
 */
import { resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Driver, Queryable, Row } from './driver.ts';

/** `$12` → `?12`: SQLite's numbered parameters bind positionally, like PostgreSQL's. */
function toSqlite(sql: string): string {
  return sql.replace(/\$(\d+)/g, '?$1');
}

type Param = null | number | bigint | string | Uint8Array;

function params(values: readonly unknown[]): Param[] {
  return values.map((v) => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return v as Param;
  });
}

/** Runs a synchronous call and hands its result or error over as a promise. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Write transactions per database file in this process. Statements are
 * synchronous but a transaction's body awaits, so without this a second
 * connection to the same file (another store in the same process) would
 * block the event loop in busy_timeout while the first waits for its turn.
 * Other processes are kept apart by SQLite's own lock.
 */
const fileLocks = new Map<string, Promise<unknown>>();

class SqliteDriver implements Driver {
  readonly dialect = 'sqlite';
  readonly #db: DatabaseSync;
  readonly #file: string;
  readonly #statements = new Map<string, StatementSync>();

  constructor(file: string) {
    this.#file = file === ':memory:' ? `:memory:${Math.random()}` : resolve(file);
    this.#db = new DatabaseSync(file);
    // WAL: readers (the dashboard) never block the writer. FULL: the WAL is
    // synced at every commit, so an acknowledged report survives a crash or
    // a power cut, not only a killed process. busy_timeout: several
    // collectors may share one file.
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec('PRAGMA synchronous = FULL');
    this.#db.exec('PRAGMA busy_timeout = 5000');
  }

  #prepare(sql: string): StatementSync {
    let st = this.#statements.get(sql);
    if (st === undefined) {
      st = this.#db.prepare(toSqlite(sql));
      this.#statements.set(sql, st);
    }
    return st;
  }

  all(sql: string, values: readonly unknown[] = []): Promise<Row[]> {
    return attempt(() => this.#prepare(sql).all(...params(values)) as Row[]);
  }

  run(sql: string, values: readonly unknown[] = []): Promise<number> {
    return attempt(() => Number(this.#prepare(sql).run(...params(values)).changes));
  }

  upsert(sql: string, rows: readonly (readonly unknown[])[]): Promise<void> {
    return attempt(() => {
      const st = this.#prepare(sql);
      for (const row of rows) st.run(...params(row));
    });
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const previous = fileLocks.get(this.#file) ?? Promise.resolve();
    const next = previous.then(
      () => this.#transaction(fn),
      () => this.#transaction(fn),
    );
    const settled = next.catch(() => undefined);
    fileLocks.set(this.#file, settled);
    void settled.then(() => {
      if (fileLocks.get(this.#file) === settled) fileLocks.delete(this.#file);
    });
    return next;
  }

  async #transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // IMMEDIATE takes the write lock now, so two collectors on one file
    // wait for each other (busy_timeout) instead of failing at COMMIT.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn(this);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}

/**
 * Opens (creating if needed) an SQLite database file.
 *
 * @example
 * ```ts
 * const driver = openSqlite('reports.db');
 * ```
 */
export function openSqlite(file: string): Driver {
  return new SqliteDriver(file);
}
