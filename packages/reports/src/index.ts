/**
 * `@barbican/reports`: a self-hosted collector for browsers' security
 * reports (CSP, NEL, COOP, COEP, Permissions-Policy, deprecation,
 * intervention, HPKP, Expect-CT), its dashboard, and a CSP learned from
 * what browsers reported. SQLite by default, PostgreSQL by URL.
 *
 * @example
 * ```ts
 * import { openStore, startCollector } from '@barbican/reports';
 * const store = await openStore('sqlite:reports.db');
 * const collector = await startCollector({ store, port: 8700 });
 * // Content-Security-Policy: …; report-uri http://127.0.0.1:8700/report/shop
 * ```
 * @module
 */
export { startCollector, type Collector, type CollectorOptions } from './server.ts';
export {
  createIngest,
  type Ingest,
  type IngestOptions,
  type IngestStats,
  type SiteRule,
} from './ingest.ts';
export { openStore, ReportStore, redact, SCHEMA_VERSION, DAY_MS, HOUR_MS } from './store/index.ts';
export type { WriteBatch, RowWrite, StoreOptions } from './store/index.ts';
export { WriteQueue, QueueFullError } from './store/queue.ts';
export { parseReports, type ParseContext } from './normalize/index.ts';
export { noiseReason } from './filters.ts';
export { fingerprint } from './fingerprint.ts';
export {
  learnPolicy,
  type LearnOptions,
  type LearnResult,
  type Allowed,
  type Refused,
} from './learn/index.ts';
export { createDashboard, dashboardPolicyOptions } from './dashboard/index.ts';
export { esc } from './dashboard/html.ts';
export { WINDOWS } from './dashboard/page.ts';
export * from './model.ts';
export { REPORTS_ERROR_CODES, type ReportsErrorCode } from './errors.ts';
