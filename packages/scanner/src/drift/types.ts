/**
 * What the drift check (`scan --policy`) looks at and what it reports
 * about itself. A leaf module: types only.
 *
 * @module
 */
export type { DeclaredLosses } from '@barbican/core';
import type { CapturedResponse } from '../model.ts';
export type { DriftSummary } from '../model.ts';
import type { GroupProbeReport, SuiteProbeReport } from '../tls/probe.ts';
import type { TlsReport } from '../tls/types.ts';

/**
 * The requests compared with the policy: the scan's own first HTTPS and
 * HTTP requests, the same URL over each scheme with a Host the policy does
 * not allow, and a page the site does not have ({@link MISSING_PAGE}) over
 * each scheme, so error answers (and redirects of other paths) are judged too.
 */
export type DriftProbeName =
  | 'https'
  | 'http'
  | 'https-unlisted-host'
  | 'http-unlisted-host'
  | 'https-missing-page'
  | 'http-missing-page';

/** One request sent and what came back. */
export interface DriftExchange {
  readonly probe: DriftProbeName;
  /** The URL requested (its scheme decides `https` in the engine's facts). */
  readonly url: string;
  /** The Host header sent. */
  readonly host: string;
  readonly response?: CapturedResponse;
  /** Why there is no response (a `BARBICAN_E_SCAN_*` code first). */
  readonly error?: string;
}

/** Everything the drift analyser compares with the policy. */
export interface DriftEvidence {
  readonly exchanges: readonly DriftExchange[];
  /** The scan's TLS probe (protocol versions), when TLS was probed and answered. */
  readonly tls?: TlsReport;
  /** The single-suite handshakes, when TLS was probed. */
  readonly suites?: SuiteProbeReport;
  /** The single-group TLS 1.3 handshakes, when TLS 1.3 was probed and accepted. */
  readonly groups?: GroupProbeReport;
  /** HTTP requests sent for drift beyond the scan's own. */
  readonly requests: number;
  readonly elapsedMs: number;
}

/**
 * The path requested to see a site's error answer (a 404, usually): the
 * policy's headers belong on it as on any page, and a server that adds
 * them to successful answers only (nginx's `add_header` without `always`,
 * Apache's `Header set` without `always`) is drift.
 */
export const MISSING_PAGE = '/barbican-drift-probe-missing-page';

/** The unlisted Host sent to check the host allow-list (`.invalid` never resolves: RFC 6761 §6.4). */
export const UNLISTED_HOST = 'barbican-drift-probe.invalid';
