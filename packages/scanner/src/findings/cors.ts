/**
 * CORS: a wildcard with credentials, the null origin, and an Origin echoed
 * back to the scanner's probe.
 *
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 * @module
 */
import {
  headerValues,
  PROBE_ORIGIN,
  type CapturedResponse,
  type Finding,
  type Retrieval,
} from '../model.ts';
import { finding } from './finding.ts';

/** The reviewer's CORS findings, from the CORS probe and the main response. */
export function corsFindings(r: Retrieval, main: CapturedResponse | undefined): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const res of [r.cors, main]) {
    if (res === undefined) continue;
    const acao = headerValues(res, 'access-control-allow-origin')[0]?.trim();
    if (acao === undefined) continue;
    const creds = headerValues(res, 'access-control-allow-credentials')[0]?.trim() === 'true';
    let f: Finding | undefined;
    if (acao === '*' && creds)
      f = finding(
        'cors.wildcard-with-credentials',
        'access-control-allow-origin',
        'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true. Browsers refuse this combination, which usually means someone will "fix" it by reflecting the Origin.',
        'List the trusted origins and echo only those (with Vary: Origin); drop Allow-Credentials if the API is public.',
        { value: acao },
      );
    else if (acao === 'null')
      f = finding(
        'cors.null-origin',
        'access-control-allow-origin',
        `Access-Control-Allow-Origin: null${creds ? ' with credentials' : ''}: sandboxed iframes, data: URLs and local files all have the null origin, so any site can read these responses.`,
        'Never allow the null origin; allow only named https:// origins.',
        { severity: creds ? 'high' : 'medium', value: acao },
      );
    else if (res === r.cors && acao === PROBE_ORIGIN)
      f = finding(
        'cors.origin-reflected',
        'access-control-allow-origin',
        `The server echoed the probe's Origin (${PROBE_ORIGIN}) back${creds ? ' with Access-Control-Allow-Credentials: true: any website can read authenticated responses as the visitor' : ': any website can read these responses (like *)'}.`,
        'Compare the Origin with an allowlist of exact origins before echoing it, and add Vary: Origin.',
        { severity: creds ? 'high' : 'low', value: acao },
      );
    if (f !== undefined && !seen.has(f.code)) {
      seen.add(f.code);
      out.push(f);
    }
  }
  return out;
}
