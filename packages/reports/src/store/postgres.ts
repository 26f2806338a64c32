/**
 * The PostgreSQL driver: a `pg` pool, so several collectors behind a load
 * balancer share one database. BIGINT and NUMERIC come back as numbers
 * (counts and millisecond times stay far below 2⁵³).
 *
 * @see https://node-postgres.com/
 * @module
 */
import pg from 'pg';
import type { Driver, Queryable, ReportRows, Row, WriteStatement } from './driver.ts';

/**
 * Parsers for this pool only (the global `pg.types` is left alone): int8
 * and numeric, which `pg` returns as strings, become numbers.
 */
const types = new pg.TypeOverrides();
types.setTypeParser(20, Number); // int8: counts, times in ms
types.setTypeParser(1700, Number); // numeric: SUM() before the CAST

/** A PostgreSQL statement holds at most 65 535 parameters; stay well under. */
const MAX_PARAMS = 30_000;

const VALUES = /VALUES\s*\(([^)]*)\)/i;

/** Expands a one-row `VALUES ($1, …, $k)` into `rows` tuples. */
function multiRow(sql: string, rows: number): string {
  const match = VALUES.exec(sql);
  if (match === null) throw new Error('upsert needs an INSERT … VALUES (…) statement');
  const width = (match[1] ?? '').split(',').length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(`$${r * width + c}`);
    tuples.push(`(${cells.join(', ')})`);
  }
  // A function replacer: in a replacement string `$1` would mean the first group.
  return sql.replace(VALUES, () => `VALUES ${tuples.join(', ')}`);
}

class Session implements Queryable {
  readonly #client: pg.Pool | pg.PoolClient;
  constructor(client: pg.Pool | pg.PoolClient) {
    this.#client = client;
  }
  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.#client.query(sql, params as unknown[])).rows as Row[];
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.#client.query(sql, params as unknown[])).rowCount ?? 0;
  }
  /**
   * Runs a one-row `INSERT … VALUES ($1, …) ON CONFLICT …` for every row,
   * several rows per statement. Rows must not repeat a conflict key.
   */
  async upsert(sql: string, rows: readonly (readonly unknown[])[]): Promise<void> {
    const width = rows[0]?.length ?? 1;
    const per = Math.max(1, Math.floor(MAX_PARAMS / width));
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      await this.#client.query(multiRow(sql, chunk.length), chunk.flat());
    }
  }
}

class PostgresDriver extends Session implements Driver {
  readonly dialect = 'postgres';
  // Two transactions from the pool could commit out of order and lock the
  // same hot counter rows in different orders: one at a time.
  readonly pipelined = false;
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    super(pool);
    this.#pool = pool;
  }

  async transaction<T>(fn: (tx: Session) => Promise<T>, opts: { lock?: boolean } = {}): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // One lock id for Barbican's schema: collectors starting together
      // migrate one after the other (released at COMMIT or ROLLBACK).
      if (opts.lock === true) await client.query('SELECT pg_advisory_xact_lock(7302145611)');
      const result = await fn(new Session(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  write(statements: readonly WriteStatement[], reports?: ReportRows): Promise<number[]> {
    return this.transaction(async (tx) => {
      // The unique (fingerprint, day) key de-duplicates across collectors.
      if (reports !== undefined && reports.rows.length > 0) {
        await tx.upsert(
          reports.upsert,
          reports.rows.map((r) => r.values),
        );
      }
      const changes: number[] = [];
      for (const s of statements) {
        if (/^\s*INSERT\b/i.test(s.sql)) {
          await tx.upsert(s.sql, s.rows);
          changes.push(s.rows.length);
        } else {
          let n = 0;
          for (const row of s.rows) n += await tx.run(s.sql, row);
          changes.push(n);
        }
      }
      return changes;
    });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/**
 * Connects a pool to `url` (`postgres://user@host:port/db`). Connection
 * errors surface on the first query.
 *
 * @example
 * ```ts
 * const driver = openPostgres('postgres://barbican@127.0.0.1:5432/reports');
 * ```
 */
export function openPostgres(url: string, opts: { max?: number } = {}): Driver {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    types,
    connectionTimeoutMillis: 10_000,
    application_name: 'barbican-reports',
  });
  // An idle client losing its connection must not crash the collector; the
  // next query reconnects or fails with an error the caller handles.
  pool.on('error', () => undefined);
  return new PostgresDriver(pool);
}
