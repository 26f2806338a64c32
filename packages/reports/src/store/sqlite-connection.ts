/**
 * One SQLite connection as the collector opens it, shared by the main
 * thread (reads, migrations) and the writer thread (every write batch):
 * WAL journal, `synchronous` from the durability, a busy timeout, cached
 * statements, and PostgreSQL-style `$1` placeholders.
 *
 * @see https://www.sqlite.org/wal.html
 * @see https://www.sqlite.org/pragma.html#pragma_synchronous
 * @module
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Durability } from '../model.ts';
import type { ReportRows } from './driver.ts';
import { RowIds, rowKey, ROW_IDS_CAPACITY } from './row-ids.ts';

const SYNCHRONOUS: Readonly<Record<Durability, string>> = { process: 'NORMAL', power: 'FULL' };

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

const bindable = (v: unknown): Param => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as Param;
};

/**
 * JavaScript values → what SQLite binds (booleans as 0/1, undefined as
 * NULL). A report row needs no conversion: it is returned as it is, not
 * copied (one array less per stored report).
 */
export function params(values: readonly unknown[]): readonly Param[] {
  for (const v of values) {
    if (v === undefined || typeof v === 'boolean') return values.map(bindable);
  }
  return values as readonly Param[];
}

/** A connection with its statement cache and the ids of the report rows it wrote. */
export class SqliteConnection {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #ids: RowIds | undefined;

  /**
   * `autocheckpoint: false`: this connection never checkpoints the WAL
   * itself; another one does (see `sqlite-checkpoint.ts`).
   */
  constructor(
    file: string,
    durability: Durability = 'process',
    opts: { autocheckpoint?: boolean } = {},
  ) {
    this.db = new DatabaseSync(file);
    // WAL: readers (the dashboard) never block the writer, and a commit is
    // appended to one file. synchronous: see Durability. busy_timeout:
    // several collectors (or this process's writer thread) may share one file.
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec(`PRAGMA synchronous = ${SYNCHRONOUS[durability]}`);
    this.db.exec('PRAGMA busy_timeout = 5000');
    // A checkpoint copies each page changed since the last one back into
    // the database once, however often it changed: a WAL of 10 000 pages
    // (about 40 MiB) instead of SQLite's 1 000 makes the disk work rarer
    // and the pages written fewer. journal_size_limit gives the file back
    // afterwards.
    this.db.exec(`PRAGMA wal_autocheckpoint = ${opts.autocheckpoint === false ? 0 : 10000}`);
    this.db.exec(`PRAGMA journal_size_limit = ${64 * 1024 * 1024}`);
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
   * Writes `reports` (if given), then every op, in one transaction and
   * commits (as durably as the connection's {@link Durability}). Returns
   * the rows each op changed. Rolls back and throws on error.
   */
  writeBatch(ops: readonly WriteOp[], reports?: ReportRows): number[] {
    // IMMEDIATE takes the write lock now, so two writers on one file wait
    // for each other (busy_timeout) instead of failing at COMMIT.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      if (reports !== undefined) this.#writeReports(reports);
      const changes = ops.map((op) => {
        const st = this.prepare(op.sql);
        let n = 0;
        for (const row of op.rows) n += Number(st.run(...row).changes);
        return n;
      });
      this.db.exec('COMMIT');
      this.#ids?.commit();
      return changes;
    } catch (error) {
      this.#ids?.discard();
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Each row: an update by the id remembered for its key, else an append. */
  #writeReports(reports: ReportRows): void {
    const ids = (this.#ids ??= this.#recentIds(reports));
    const insert = this.prepare(reports.insert);
    const update = this.prepare(reports.update);
    for (const row of reports.rows) {
      const id = ids.get(row.key);
      // No change: the row was deleted (retention) or the id is not this key's.
      if (id !== undefined && Number(update.run(id, ...params(row.merge)).changes) > 0) continue;
      ids.stage(row.key, insert.run(...params(row.values)).lastInsertRowid);
    }
  }

  /** The ids of the newest rows of yesterday and today, so a restart keeps de-duplicating. */
  #recentIds(reports: ReportRows): RowIds {
    const ids = new RowIds(ROW_IDS_CAPACITY);
    const rows = this.prepare(reports.recent).all(reports.recentSince, ROW_IDS_CAPACITY);
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i] as { id: number; fingerprint: string; day: number };
      ids.stage(rowKey(r.fingerprint, r.day), r.id);
    }
    ids.commit();
    return ids;
  }
}
