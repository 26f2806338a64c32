/**
 * The SQLite driver: `node:sqlite` (built into Node ≥ 22.13, no native
 * build). Reads and migrations run on the main thread's connection. Where
 * write batches run depends on what a commit waits for:
 *
 * - durability `process` (`synchronous=NORMAL`): a commit appends to the
 *   WAL and never waits for the disk, so it runs on the main thread, inline
 *   — handing a batch to another thread cost more than writing it
 *   (measured: about 9 µs per row in JSON and messages against 5–7 µs to
 *   insert it, plus a wait for the scheduler at each hand-off). The disk
 *   work, checkpoints, runs on a checkpoint thread (`sqlite-checkpoint.ts`).
 * - durability `power` (`synchronous=FULL`): a commit waits for a disk sync,
 *   so batches run on a writer thread with a connection of its own
 *   (`sqlite-writer.ts`), and waiting never stalls requests.
 *
 * An in-memory database has no file to share: it writes on the main thread.
 *
 * @see https://nodejs.org/api/sqlite.html
 * @module
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Durability } from '../model.ts';
import type { Driver, Queryable, ReportRows, Row, WriteStatement } from './driver.ts';
import { params, SqliteConnection, type WriteOp } from './sqlite-connection.ts';

/** Runs a synchronous call and hands its result or error over as a promise. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Main-thread transactions per database file in this process. Statements
 * are synchronous but a transaction's body awaits, so without this a second
 * connection to the same file (another store in the same process) would
 * block the event loop in busy_timeout while the first waits for its turn.
 * Other processes are kept apart by SQLite's own lock.
 */
const fileLocks = new Map<string, Promise<unknown>>();

interface Pending {
  resolve(changes: number[]): void;
  reject(error: Error): void;
}

/** The writer thread for one database file. */
class Writer {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  constructor(file: string, durability: Durability) {
    this.#worker = new Worker(new URL('./sqlite-writer.ts', import.meta.url), {
      workerData: { file, durability },
    });
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; changes?: number[]; error?: string }) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (m.error === undefined) p?.resolve(m.changes ?? []);
      else p?.reject(new Error(m.error));
    });
    this.#worker.on('error', (error: Error) => this.#failAll(error));
    this.#worker.on('exit', () => this.#failAll(new Error('the SQLite writer thread exited')));
  }

  #failAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  write(ops: readonly WriteOp[], reports: ReportRows | undefined): Promise<number[]> {
    const id = this.#next++;
    // A batch in flight keeps the process alive until it is durable.
    this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // One string, not nested arrays: structuring a batch's rows cost more
      // than parsing them (measured: postMessage was the main thread's top cost).
      this.#worker.postMessage({ id, ops: JSON.stringify({ ops, reports }) });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

class SqliteDriver implements Driver {
  readonly dialect = 'sqlite';
  readonly pipelined = true;
  readonly #connection: SqliteConnection;
  readonly #file: string;
  readonly #memory: boolean;
  readonly #durability: Durability;
  /** Commits run on this thread (see the module's comment). */
  readonly #inline: boolean;
  #writer: Writer | undefined;
  #checkpointer: Worker | undefined;

  constructor(file: string, durability: Durability) {
    this.#memory = file === ':memory:';
    this.#file = this.#memory ? `:memory:${Math.random()}` : resolve(file);
    this.#durability = durability;
    this.#inline = this.#memory || durability === 'process';
    this.#connection = new SqliteConnection(file, durability, {
      autocheckpoint: this.#memory || !this.#inline,
    });
  }

  /** Starts the checkpoint thread with the first inline write to a file. */
  #checkpoints(): void {
    if (this.#memory || this.#checkpointer !== undefined) return;
    this.#checkpointer = new Worker(new URL('./sqlite-checkpoint.ts', import.meta.url), {
      workerData: { file: this.#file },
    });
    this.#checkpointer.unref();
    // Should it ever die, this connection checkpoints again itself (inside
    // some commit, as SQLite does by default) rather than let the WAL grow.
    this.#checkpointer.on('error', () => undefined);
    this.#checkpointer.on('exit', () => {
      if (this.#connection.db.isOpen) this.#connection.db.exec('PRAGMA wal_autocheckpoint = 10000');
    });
  }

  all(sql: string, values: readonly unknown[] = []): Promise<Row[]> {
    return attempt(() => this.#connection.prepare(sql).all(...params(values)) as Row[]);
  }

  run(sql: string, values: readonly unknown[] = []): Promise<number> {
    return attempt(() => Number(this.#connection.prepare(sql).run(...params(values)).changes));
  }

  write(statements: readonly WriteStatement[], reports?: ReportRows): Promise<number[]> {
    const ops = statements.map((s) => ({ sql: s.sql, rows: s.rows.map(params) }));
    if (this.#inline) {
      this.#checkpoints();
      return attempt(() => this.#connection.writeBatch(ops, reports));
    }
    this.#writer ??= new Writer(this.#file, this.#durability);
    return this.#writer.write(ops, reports);
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
    const db = this.#connection.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn(this);
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#writer?.close();
    this.#checkpointer?.removeAllListeners('exit');
    await this.#checkpointer?.terminate();
    if (this.#connection.db.isOpen) this.#connection.db.close();
  }
}

/**
 * Opens (creating if needed) an SQLite database file, or `:memory:`.
 *
 * @example
 * ```ts
 * const driver = openSqlite('reports.db', 'power');
 * ```
 */
export function openSqlite(file: string, durability: Durability = 'process'): Driver {
  return new SqliteDriver(file, durability);
}
