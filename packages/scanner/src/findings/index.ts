/**
 * Everything else a security reviewer checks on a site, beyond the
 * Observatory tests (which own COOP, COEP and CORP), CSP and preload: one
 * module per topic — Permissions-Policy, fingerprinting headers, cookies,
 * CORS, caching of sensitive responses, legacy headers, HSTS over HTTP, TLS
 * and HPKP pins against the served chain. This module only composes them.
 *
 * Pure: findings are data, each with a concrete fix and a spec link. Codes
 * and their meaning are listed in {@link FINDING_CODES} and
 * `docs/scan-findings.md`.
 *
 * @example
 * ```ts
 * for (const f of reviewFindings(retrieval, tlsReport)) console.log(f.code, f.fix);
 * ```
 * @module
 */
import { finalResponse, type Finding, type Retrieval } from '../model.ts';
import type { TlsReport } from '../tls/types.ts';
import { cachingFindings } from './caching.ts';
import { cookieFindings } from './cookies.ts';
import { corsFindings } from './cors.ts';
import { fetchFindings } from './fetch.ts';
import { fingerprintingFindings } from './fingerprinting.ts';
import { hpkpFindings } from './hpkp.ts';
import { hstsMaxAgeFindings, hstsOverHttpFindings } from './hsts.ts';
import { legacyFindings } from './legacy.ts';
import { permissionsPolicyFindings } from './permissions-policy.ts';
import { tlsFindings } from './tls.ts';

export { FINDING_CODES } from './catalog.ts';
export type { FindingCode, FindingCodeInfo } from './catalog.ts';
export { isSessionLike } from './cookies.ts';
export { POWERFUL_FEATURES } from './permissions-policy.ts';

/**
 * The reviewer's findings for one site: the final HTTPS response (or the
 * final HTTP one when HTTPS failed), the CORS probe, the HTTP chain and the
 * TLS report. Never throws on any header list.
 *
 * @param r What was fetched.
 * @param tls The TLS probe of the HTTPS host, when available.
 * @see https://owasp.org/www-project-secure-headers/
 * @example
 * ```ts
 * reviewFindings(retrieval, tls).filter((f) => f.severity === 'high');
 * ```
 */
export function reviewFindings(r: Retrieval, tls?: TlsReport): Finding[] {
  const httpsFinal = finalResponse(r.https);
  const main = httpsFinal ?? finalResponse(r.http);
  const out: Finding[] = [];
  const run = (check: () => Finding[]): void => {
    try {
      out.push(...check());
    } catch {
      // A check that trips over hostile input loses its findings, never the scan.
    }
  };
  if (main !== undefined) {
    const isHttps = main.url.toLowerCase().startsWith('https:');
    run(() => permissionsPolicyFindings(main));
    run(() => fingerprintingFindings(main));
    run(() => cookieFindings(main, isHttps));
    run(() => cachingFindings(main));
    run(() => legacyFindings(main));
    if (isHttps) run(() => hstsMaxAgeFindings(main));
    run(() => hpkpFindings(main, tls));
  }
  run(() => fetchFindings(r));
  run(() => corsFindings(r, main));
  run(() => hstsOverHttpFindings(r));
  if (tls !== undefined) run(() => tlsFindings(tls, r.insecure === true));
  return out;
}
