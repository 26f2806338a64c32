/**
 * The database schema, as numbered migrations run in order on start. One
 * text for SQLite and PostgreSQL: only types both read the same way
 * (TEXT, INTEGER, BIGINT) and plain SQL. Tables carry a `barbican_` prefix,
 * so a PostgreSQL database can be shared with the application.
 *
 * One difference, from version 2: SQLite's report table has no unique
 * (fingerprint, day) key but a row id (its writer remembers the ids of the
 * rows it wrote: `row-ids.ts`); PostgreSQL keeps the key, which several
 * collectors sharing one database need. The queries are the same: they
 * group rows by fingerprint either way.
 *
 * Times are milliseconds since the epoch (BIGINT); `day` is whole UTC days
 * since the epoch, the unit of de-duplication and retention.
 *
 * @module
 */

/** One migration: its version and the statements that bring the schema to it. */
export interface Migration {
  readonly version: number;
  /** Run on both databases. */
  readonly statements?: readonly string[];
  /** Run on SQLite only, after `statements`. */
  readonly sqlite?: readonly string[];
  /** Run on PostgreSQL only, after `statements`. */
  readonly postgres?: readonly string[];
}

/** The table recording which migrations ran. */
export const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS barbican_schema_version (
  version INTEGER PRIMARY KEY,
  applied_at BIGINT NOT NULL
)`;

/** The report table's columns in version 1, in order. */
const V1_COLUMNS = `fingerprint, day, site, type, url, directive, blocked_url, blocked_host,
  source_file, line, col, disposition, sample, status_code, policy, details, user_agent, client,
  count, first_received_at, last_received_at, first_generated_at, last_generated_at`;

/** Every migration, oldest first. Never edit a released one: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE barbican_reports (
        fingerprint TEXT NOT NULL,
        day INTEGER NOT NULL,
        site TEXT NOT NULL,
        type TEXT NOT NULL,
        url TEXT,
        directive TEXT,
        blocked_url TEXT,
        blocked_host TEXT,
        source_file TEXT,
        line INTEGER,
        col INTEGER,
        disposition TEXT,
        sample TEXT,
        status_code INTEGER,
        policy TEXT,
        details TEXT NOT NULL,
        user_agent TEXT,
        client TEXT,
        count BIGINT NOT NULL,
        first_received_at BIGINT NOT NULL,
        last_received_at BIGINT NOT NULL,
        first_generated_at BIGINT,
        last_generated_at BIGINT,
        PRIMARY KEY (fingerprint, day)
      )`,
      'CREATE INDEX barbican_reports_site_day ON barbican_reports (site, day)',
      'CREATE INDEX barbican_reports_day ON barbican_reports (day)',
      `CREATE TABLE barbican_report_counts (
        site TEXT NOT NULL,
        type TEXT NOT NULL,
        bucket BIGINT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (site, type, bucket)
      )`,
      `CREATE TABLE barbican_report_drops (
        site TEXT NOT NULL,
        reason TEXT NOT NULL,
        bucket BIGINT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (site, reason, bucket)
      )`,
    ],
  },
  {
    // SQLite: the same columns and secondary indexes, the unique key
    // replaced by a row id (SQLite cannot drop a primary key: the table is
    // copied). Measured: a new row cost 12–16 µs with the key, 2.6 without.
    version: 2,
    sqlite: [
      `CREATE TABLE barbican_reports_v2 (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        day INTEGER NOT NULL,
        site TEXT NOT NULL,
        type TEXT NOT NULL,
        url TEXT,
        directive TEXT,
        blocked_url TEXT,
        blocked_host TEXT,
        source_file TEXT,
        line INTEGER,
        col INTEGER,
        disposition TEXT,
        sample TEXT,
        status_code INTEGER,
        policy TEXT,
        details TEXT NOT NULL,
        user_agent TEXT,
        client TEXT,
        count BIGINT NOT NULL,
        first_received_at BIGINT NOT NULL,
        last_received_at BIGINT NOT NULL,
        first_generated_at BIGINT,
        last_generated_at BIGINT
      )`,
      `INSERT INTO barbican_reports_v2 (${V1_COLUMNS}) SELECT ${V1_COLUMNS} FROM barbican_reports`,
      'DROP TABLE barbican_reports',
      'ALTER TABLE barbican_reports_v2 RENAME TO barbican_reports',
      'CREATE INDEX barbican_reports_site_day ON barbican_reports (site, day)',
      'CREATE INDEX barbican_reports_day ON barbican_reports (day)',
    ],
    postgres: [],
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);
