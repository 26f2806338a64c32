/**
 * What went wrong while fetching, as findings: a grade from plain HTTP
 * because HTTPS failed must say why HTTPS failed, in every format, not only
 * in the JSON `errors` list.
 *
 * @module
 */
import { gradableResponse, type Finding, type Retrieval } from '../model.ts';
import { finding } from './finding.ts';

/** Findings on the chains' errors (each error string starts with its `BARBICAN_E_SCAN_*` code). */
export function fetchFindings(r: Retrieval): Finding[] {
  const out: Finding[] = [];
  const https = gradableResponse(r.https);
  const http = gradableResponse(r.http);
  if (r.https.error !== undefined && https === undefined && http !== undefined) {
    out.push(
      finding(
        'fetch.https-failed',
        'https',
        `HTTPS gave no response to grade (${r.https.error}), so this grade comes from the plain-HTTP response. Browsers that try HTTPS see the same failure.`,
        'Serve HTTPS on port 443 with a valid certificate, and redirect HTTP to it.',
        { value: r.https.error },
      ),
    );
  }
  if (r.http.error !== undefined && http === undefined) {
    out.push(
      finding(
        'fetch.http-failed',
        'http',
        `The plain-HTTP request failed (${r.http.error}), so the redirect to HTTPS could not be checked.`,
        'Answer http:// with one redirect to the https:// URL (301 or 308).',
        { value: r.http.error },
      ),
    );
  }
  const graded = https === undefined ? r.http : r.https;
  if (graded.error !== undefined && (https ?? http) !== undefined) {
    out.push(
      finding(
        'fetch.incomplete',
        https === undefined ? 'http' : 'https',
        `The graded response was cut off (${graded.error}): the headers are complete, but checks on the page body (<meta> policies, scripts) saw only part of it.`,
        'Serve the page within the timeout (--timeout), or scan a smaller page.',
        { value: graded.error },
      ),
    );
  }
  return out;
}
