/**
 * One SQLite connection as the collector opens it, shared by the main
 * thread (reads, migrations) and the writer thread (every write batch):
 * WAL journal, `synchronous=FULL`, a busy timeout, cached statements, and
 * PostgreSQL-style `$1` placeholders.
 *
 * @see https://www.sqlite.org/wal.html
 * @module
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** A value SQLite binds. */
export type Param = null | number | bigint | string | Uint8Array;

/** One statement of a write batch and the rows to run it with. */
export interface WriteOp {
  readonly sql: string;
  readonly rows: readonly (readonly Param[])[];
}

/** `$12` → `?12`: SQLite's numbered parameters bind positionally, like PostgreSQL's. */
function toSqlite(sql: string): string {
  return sql.replace(/\$(\d+)/g, '?$1');
}

/** JavaScript values → what SQLite binds (booleans as 0/1, undefined as NULL). */
export function params(values: readonly unknown[]): Param[] {
  return values.map((v) => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return v as Param;
  });
}

/** A connection with its statement cache. */
export class SqliteConnection {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(file: string) {
    this.db = new DatabaseSync(file);
    // WAL: readers (the dashboard) never block the writer. FULL: the WAL is
    // synced at every commit, so an acknowledged report survives a crash or
    // a power cut, not only a killed process. busy_timeout: several
    // collectors (or this process's writer thread) may share one file.
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = FULL');
    this.db.exec('PRAGMA busy_timeout = 5000');
  }

  /** The cached prepared statement for `sql`. */
  prepare(sql: string): StatementSync {
    let st = this.#statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(toSqlite(sql));
      this.#statements.set(sql, st);
    }
    return st;
  }

  /**
   * Runs every op in one transaction and commits (durably: FULL syncs the
   * WAL). Returns the rows each op changed. Rolls back and throws on error.
   */
  writeBatch(ops: readonly WriteOp[]): number[] {
    // IMMEDIATE takes the write lock now, so two writers on one file wait
    // for each other (busy_timeout) instead of failing at COMMIT.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const changes = ops.map((op) => {
        const st = this.prepare(op.sql);
        let n = 0;
        for (const row of op.rows) n += Number(st.run(...row).changes);
        return n;
      });
      this.db.exec('COMMIT');
      return changes;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }
}
