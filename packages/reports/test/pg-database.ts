/**
 * A fresh PostgreSQL database per test file (or per call), on the test
 * cluster from scripts/services.ts, so parallel test files never share
 * tables. Dropped at cleanup.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from '../../../scripts/services.ts';

/** Creates databases on the test cluster and drops them again. */
export class PgDatabases {
  readonly #created: string[] = [];

  /** A new empty database; returns its URL. */
  async create(): Promise<string> {
    const admin = await postgresUrl();
    const name = `barbican_reports_${process.pid}_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    this.#created.push(name);
    return admin.replace(/\/[^/?]*(\?.*)?$/, `/${name}`);
  }

  /** Runs raw SQL on the database at `url`; resolves its rows. */
  async raw(url: string, sql: string): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }

  /** Drops every database this instance created. */
  async dropAll(): Promise<void> {
    const client = new pg.Client({ connectionString: await postgresUrl() });
    await client.connect();
    try {
      for (const name of this.#created.splice(0)) {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
  }
}
