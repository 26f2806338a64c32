/**
 * The shapes every part of the collector shares: report types, the
 * normalised report, the stored (counted) record and the store's queries.
 * A leaf module: it imports nothing, so the import graph stays a tree.
 *
 * @module
 */

/**
 * The report types the collector stores. Legacy CSP reports (`report-uri`)
 * become `csp-violation`, exactly like the Reporting API's.
 *
 * @see https://w3c.github.io/reporting/#reports
 */
export const REPORT_TYPES = [
  'csp-violation',
  'network-error',
  'coop',
  'coep',
  'permissions-policy-violation',
  'deprecation',
  'intervention',
  'hpkp',
  'expect-ct',
] as const;

/** One report type. */
export type ReportType = (typeof REPORT_TYPES)[number];

/** A JSON scalar kept in a record's type-specific `details`. */
export type DetailValue = string | number | boolean | null;

/**
 * One report after validation and normalisation: every string bounded,
 * control characters replaced, query strings and fragments stripped (unless
 * configured), and numbers checked. Nothing in it is trusted: renderers
 * escape every field.
 */
export interface NormalizedReport {
  readonly type: ReportType;
  /** The document (or, for HPKP and Expect-CT, the host) the report is about. */
  readonly url: string | null;
  /**
   * What was violated: the effective directive for CSP, the error type for
   * NEL, the effective policy for COOP, the violation type for COEP, the
   * feature for Permissions-Policy, the id for deprecation and intervention.
   */
  readonly directive: string | null;
  /** The resource that was blocked or failed, or a keyword such as `inline` or `eval`. */
  readonly blockedUrl: string | null;
  /** The blocked URL's host (with a non-default port), lower case. */
  readonly blockedHost: string | null;
  readonly sourceFile: string | null;
  readonly line: number | null;
  readonly column: number | null;
  /** `enforce` or `report` (report-only); null when the browser did not say. */
  readonly disposition: 'enforce' | 'report' | null;
  /** The first characters of the blocked inline script or style (CSP `report-sample`). */
  readonly sample: string | null;
  readonly statusCode: number | null;
  /** The policy in force: CSP's original policy, or COOP/COEP's. */
  readonly policy: string | null;
  /** Type-specific fields, all bounded scalars. */
  readonly details: Readonly<Record<string, DetailValue>>;
  readonly userAgent: string | null;
  /** Milliseconds between the violation and the upload (Reporting API `age`). */
  readonly age: number | null;
}

/** A normalised report plus what the collector knows about its arrival. */
export interface IncomingReport extends NormalizedReport {
  readonly site: string;
  readonly receivedAt: number;
  /** The client's address, truncated (/24 for IPv4, /64 for IPv6). */
  readonly client: string | null;
  /** Identity of the de-duplicated row: a hash of the fields that make a report distinct. */
  readonly fingerprint: string;
}

/**
 * A stored, de-duplicated report: identical reports on one UTC day are one
 * row with a count. This is the `--json` shape of `barbican reports list`.
 */
export interface ReportRecord extends Omit<NormalizedReport, 'age' | 'userAgent'> {
  readonly fingerprint: string;
  readonly site: string;
  /** The user agent of the latest report. */
  readonly userAgent: string | null;
  /** The truncated address of the latest reporter. */
  readonly client: string | null;
  /** How many identical reports arrived in the window. */
  readonly count: number;
  readonly firstReceivedAt: number;
  /** When the latest of them arrived (ms since the epoch). */
  readonly receivedAt: number;
  /** receivedAt − age of the earliest: when the browser saw the first violation. */
  readonly firstGeneratedAt: number | null;
  /** receivedAt − age of the latest. */
  readonly generatedAt: number | null;
}

/** The durabilities a SQLite store offers, the default first: see {@link Durability}. */
export const DURABILITIES = ['process', 'power'] as const;

/**
 * What an acknowledged (committed) report survives.
 *
 * - `process`: the death of the collector (SIGKILL, a crash, an OOM kill).
 *   A commit returns once SQLite has handed the WAL frames to the
 *   operating system (`synchronous=NORMAL`); a power cut or a kernel crash
 *   can lose the commits the OS had not yet written back (never corrupts
 *   the database: WAL with NORMAL stays consistent).
 * - `power`: a power cut too. Every commit waits for the WAL to be synced
 *   to the disk (`synchronous=FULL`): one `fsync` per group commit.
 *
 * PostgreSQL ignores it: a commit there is as durable as the server's
 * `synchronous_commit` makes it (on by default: a power cut too).
 *
 * @see https://www.sqlite.org/pragma.html#pragma_synchronous
 */
export type Durability = (typeof DURABILITIES)[number];

/** Why a report was counted but not stored. */
export const DROP_REASONS = [
  'extension',
  'unactionable',
  'foreign-host',
  'unknown-type',
  'invalid',
  'ip-rate',
  'site-quota',
] as const;

/** One reason a report was dropped. */
export type DropReason = (typeof DROP_REASONS)[number];

/** Filters shared by the store's queries. */
export interface ReportQuery {
  readonly site?: string | undefined;
  readonly type?: ReportType | undefined;
  /** Only reports received at or after this time (ms since the epoch). */
  readonly since?: number | undefined;
  /** A directive; null = reports without one. */
  readonly directive?: string | null | undefined;
  readonly blockedHost?: string | null | undefined;
  readonly sourceFile?: string | null | undefined;
  /** At most this many records (default 100, at most 10 000). */
  readonly limit?: number | undefined;
}

/** The dimensions reports can be grouped by on the dashboard. */
export const GROUP_BY = ['site', 'type', 'directive', 'blockedHost', 'sourceFile'] as const;

/** One grouping dimension. */
export type GroupBy = (typeof GROUP_BY)[number];

/** One row of a grouping: the value (null = absent) and its report count. */
export interface GroupRow {
  readonly key: string | null;
  readonly count: number;
}

/** One point of the reports-over-time series. */
export interface TimelinePoint {
  /** Start of the hour (ms since the epoch, UTC). */
  readonly bucket: number;
  readonly count: number;
}

/** Dropped-report counters by reason. */
export interface DropRow {
  readonly site: string;
  readonly reason: DropReason;
  readonly count: number;
}
