/**
 * The scanner's data model, shared by retrieval, every analyser and every
 * reporter. Analysers are pure functions from a {@link Retrieval} to data;
 * reporters (text, JSON, SARIF, Markdown) only format it.
 *
 * The JSON shape of {@link ScanResult} is a public, stable contract
 * (`barbican scan --json`).
 *
 * @module
 */

/** How bad a finding is. `high` fails `--fail-under` checks first. */
export type Severity = 'high' | 'medium' | 'low' | 'info';

/** One thing a security reviewer would point out, with how to fix it. */
export interface Finding {
  /** Stable code, e.g. `csp.script-src.unsafe-inline` or an Observatory/hstspreload code. */
  readonly code: string;
  readonly severity: Severity;
  /** The response header concerned (lower-case), or a pseudo-area such as `tls` or `redirects`. */
  readonly header: string;
  /** For CSP findings: the directive. For drift findings about one request: its scheme, `https` or `http`. */
  readonly directive?: string;
  /** The offending value (CSP: the source expression). */
  readonly value?: string;
  readonly message: string;
  /** A concrete fix: the header or directive rewritten, or the step to take. */
  readonly fix: string;
  /** Link to the spec or MDN section. */
  readonly spec: string;
  /**
   * Set when this finding stands for several: the same code in the same
   * directive (or header) for many values, aggregated so a report stays
   * bounded. `value` is the first; `more` names some of the others.
   */
  readonly instances?: number;
  /** Some of the other values an aggregated finding stands for (see `instances`). */
  readonly more?: readonly string[];
}

/** One HTTP response as received, with nothing normalised away. */
export interface CapturedResponse {
  /** The URL requested. */
  readonly url: string;
  readonly status: number;
  /** Header lines in the order received; names lower-cased; duplicates kept. */
  readonly headers: readonly (readonly [string, string])[];
  /** For HTTPS: whether the certificate chain verified against the trust store (or `--ca`). */
  readonly verified?: boolean;
  /** The start of the body (bounded), for HTML checks (SRI, meta CSP). */
  readonly body?: string;
}

/** A redirect chain from a starting URL, first request first. */
export interface Chain {
  readonly responses: readonly CapturedResponse[];
  /** Set when the chain could not be followed to the end (too many redirects, TLS failure, timeout). */
  readonly error?: string;
}

/** Everything fetched for one site; the analysers' only input. */
export interface Retrieval {
  /** The URL the user asked for. */
  readonly url: string;
  /** Starting from `http://host[:httpPort]/path`. */
  readonly http: Chain;
  /** Starting from `https://host[:httpsPort]/path`. */
  readonly https: Chain;
  /** The final URL, fetched again with an `Origin` header, for the CORS test. */
  readonly cors?: CapturedResponse;
  /** True when `--insecure` was used: results are marked. */
  readonly insecure?: boolean;
  /**
   * The hstspreload www check: whether `www.<host>:443` accepts TCP and, if it
   * does, whether a TLS handshake succeeds there. `'no-tcp'` when nothing
   * listens; absent when not probed (the check is then skipped).
   */
  readonly www?: { readonly tlsOk: boolean } | 'no-tcp';
}

/**
 * The `Origin` sent with the CORS request ({@link Retrieval.cors}). A server
 * that echoes it back in `Access-Control-Allow-Origin` reflects any origin.
 * `.example` is reserved (RFC 2606), so no real site owns it.
 */
export const PROBE_ORIGIN = 'https://barbican-probe.example';

/** One Observatory test's outcome, with its result code and score modifier. */
export interface ObservatoryTestResult {
  readonly result: string;
  readonly scoreModifier: number;
  readonly pass: boolean;
}

/**
 * `ScanResult.drift` (`scan --policy`): how many differences from the policy
 * were found and what the drift probes cost. The differences themselves are
 * findings with codes `drift.*`.
 */
export interface DriftSummary {
  /** Number of `drift.*` findings; a CI gate fails on anything above 0. */
  readonly count: number;
  /**
   * Differences a declared loss of the deployment target explains
   * (`loss.expected` findings, with `--target`): not drift, not in `count`.
   */
  readonly expectedLosses: number;
  /** HTTP requests sent for drift beyond the scan's own. */
  readonly requests: number;
  /** TLS handshakes sent for drift beyond the scan's own probe. */
  readonly handshakes: number;
  readonly elapsedMs: number;
  /** False when some probe did not finish: see the `drift.tls.incomplete` finding. */
  readonly complete: boolean;
}

/** `barbican scan --json` prints one of these per URL. */
export interface ScanResult {
  readonly url: string;
  readonly finalUrl: string;
  readonly grade: string;
  readonly score: number;
  /** Keyed by Observatory test name, e.g. `content-security-policy`. */
  readonly tests: Readonly<Record<string, ObservatoryTestResult>>;
  readonly findings: readonly Finding[];
  readonly preload: {
    readonly eligible: boolean;
    readonly errors: readonly string[];
    readonly warnings: readonly string[];
  };
  readonly tls: unknown;
  readonly insecure?: boolean;
  /** With `--policy`: how many `drift.*` findings, and what the drift probes cost. */
  readonly drift?: DriftSummary;
  /**
   * Why a chain ended early, one line per chain (`BARBICAN_E_SCAN_*: url:
   * reason`): HTTPS that timed out while the grade comes from HTTP, a body
   * cut off, an HTTP redirect loop. Empty when both chains completed.
   */
  readonly errors: readonly string[];
}

/**
 * A URL that could not be scanned, in the place of its {@link ScanResult}:
 * `barbican scan --json` prints one entry per URL asked for, whatever
 * succeeded, so its shape never depends on the network.
 */
export interface ScanFailure {
  readonly url: string;
  readonly error: { readonly code: string; readonly message: string };
}

/** What scanning one URL gave: a result or the reason there is none. */
export type ScanOutcome = ScanResult | ScanFailure;

/** True for a {@link ScanFailure}. */
export function isScanFailure(outcome: ScanOutcome): outcome is ScanFailure {
  return 'error' in outcome;
}

/** True for a {@link ScanResult}. */
export function isScanResult(outcome: ScanOutcome): outcome is ScanResult {
  return !isScanFailure(outcome);
}

/**
 * A chain's final response, if it can be graded: a chain that stopped on a
 * redirect it could not follow (too many hops, a loop, a `file:` or
 * `javascript:` Location) has no final page to grade, while one cut off
 * after the headers (a trickling body) keeps the headers it got.
 */
export function gradableResponse(chain: Chain): CapturedResponse | undefined {
  const last = finalResponse(chain);
  if (last === undefined) return undefined;
  if (chain.error !== undefined && last.status >= 300 && last.status <= 399) return undefined;
  return last;
}

/** All values of a header in a captured response (name case-insensitive), in order. */
export function headerValues(response: CapturedResponse | undefined, name: string): string[] {
  if (response === undefined) return [];
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of response.headers) if (n === lower) out.push(v);
  return out;
}

/** Media types whose documents process `<meta>` policies (HTML's http-equiv and name=referrer). */
const HTML_MEDIA_TYPES: ReadonlySet<string> = new Set(['text/html', 'application/xhtml+xml']);

/**
 * The response's body when it is an HTML document, else undefined. Media
 * types are case-insensitive (RFC 9110 §8.3.1): `TEXT/HTML` is HTML, and its
 * `<meta>` policies apply. The last Content-Type line wins, as browsers
 * extract it (Fetch §"extract a MIME type"). (Observatory compares the first
 * line case-sensitively; its analyser keeps doing so, on purpose.)
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.3.1
 * @example
 * ```ts
 * htmlBody({ url, status: 200, headers: [['content-type', 'TEXT/HTML']], body: '<p>' }); // '<p>'
 * ```
 */
export function htmlBody(response: CapturedResponse): string | undefined {
  const body = response.body;
  if (body === undefined || body === '') return undefined;
  const types = headerValues(response, 'content-type');
  const essence = (types[types.length - 1] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return HTML_MEDIA_TYPES.has(essence) ? body : undefined;
}

/** The last response of a chain, if any. */
export function finalResponse(chain: Chain): CapturedResponse | undefined {
  return chain.responses[chain.responses.length - 1];
}
