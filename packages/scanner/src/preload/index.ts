/**
 * HSTS preload eligibility, decided offline from a {@link Retrieval} by
 * hstspreload's rules and issue codes (the library behind hstspreload.org),
 * so `barbican scan` can say "hstspreload.org would refuse this, because…"
 * before anyone submits.
 *
 * The flow follows hstspreload's `EligibleDomainResponse`:
 * 1. domain format (errors stop here), then the eTLD+1 rule;
 * 2. the first HTTPS response (cannot connect or invalid chain stop here);
 * 3. SHA-1 in the chain (root excluded) and the negotiated cipher suite;
 * 4. the HSTS header of that response, the HTTP redirect chain (first
 *    redirect to `https://<same host>` carrying a preloadable header), the
 *    HTTPS redirect chain (no plain-HTTP hop, at most 3 redirects), and the
 *    www check.
 *
 * Differences, all because we read a recorded {@link Retrieval} instead of
 * dialling: the HTTPS chain starts at the URL the user gave (hstspreload
 * uses `/`); the www probe and the TLS facts come from the caller.
 *
 * @see https://hstspreload.org/#submission-requirements
 * @see https://github.com/chromium/hstspreload
 * @example
 * ```ts
 * const { eligible, errors } = preloadEligibility(retrieval, { policy: 'bulk-1-year' });
 * ```
 * @module
 */
import { parseHsts } from '@barbican/core/parsers';
import { headerValues, type Chain, type Finding, type Retrieval, type Severity } from '../model.ts';
import type { TlsReport } from '../tls/types.ts';
import { checkDomainFormat, checkDomainLevel, publicSuffixOf } from './domain.ts';
import {
  checkResponseHeaders,
  combine,
  eligibleHeaderString,
  noIssues,
  type PreloadIssue,
  type PreloadIssues,
  type PreloadPolicy,
} from './header.ts';

export {
  parsePreloadHeader,
  eligibleHeader,
  eligibleHeaderString,
  removableHeaderString,
  checkResponseHeaders,
  EIGHTEEN_WEEKS,
  ONE_YEAR,
  TEN_YEARS,
} from './header.ts';
export type { PreloadIssue, PreloadIssues, PreloadPolicy, PreloadHeader } from './header.ts';
export { checkDomainFormat, checkDomainLevel } from './domain.ts';

/** Options for {@link preloadEligibility}. */
export interface PreloadOptions {
  /** `bulk-1-year` (default, max-age ≥ 31 536 000) or `bulk-18-weeks` (≥ 10 886 400). */
  readonly policy?: PreloadPolicy;
  /** The TLS probe of the HTTPS host: enables the `domain.tls.*` and cipher checks. */
  readonly tls?: TlsReport;
}

/** The verdict: eligible when there is no error. Codes are hstspreload's, in its order. */
export interface PreloadEligibility {
  readonly eligible: boolean;
  readonly errors: string[];
  readonly warnings: string[];
  /** Every error and warning as a finding with a fix. */
  readonly findings: Finding[];
}

/** hstspreload gives up after this many redirects. */
export const MAX_REDIRECTS = 3;
/** Longest recorded chain we walk, whatever the retriever kept. */
const CHAIN_BOUND = 32;

/**
 * eTLDs whose owners cannot serve HTTPS on `www.<name>`; hstspreload waives
 * the www check for them.
 */
const WWW_WAIVED_ETLDS = new Set(['appspot.com']);

/** The AEAD + ECDHE suites hstspreload accepts on TLS ≤ 1.2 (OpenSSL and IANA names). */
const MODERN_SUITES = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
]);

/** Statuses Go's HTTP client follows (hstspreload records exactly these hops). */
const FOLLOWED = new Set([301, 302, 303, 307, 308]);

interface Redirects {
  /** Each redirect target, in order (hstspreload's `chain`). */
  readonly targets: URL[];
  readonly issues: PreloadIssues;
}

/** The redirect targets of a recorded chain, and too_many / follow_error. */
function followRedirects(chain: Chain, initialUrl: string): Redirects {
  const targets: URL[] = [];
  const issues = noIssues();
  const responses = chain.responses.slice(0, CHAIN_BOUND);
  for (const res of responses) {
    if (!FOLLOWED.has(res.status)) break;
    const location = headerValues(res, 'location')[0];
    if (location === undefined) break;
    let target: URL;
    try {
      target = new URL(location, res.url);
    } catch {
      issues.errors.push({
        code: 'redirects.follow_error',
        message: `Redirect error: ${res.url} redirects to an invalid URL \`${location}\`.`,
      });
      return { targets, issues };
    }
    targets.push(target);
    if (targets.length > MAX_REDIRECTS) {
      issues.errors.push({
        code: 'redirects.too_many',
        message: `There are more than ${MAX_REDIRECTS} redirects starting from \`${initialUrl}\`.`,
      });
      return { targets, issues };
    }
  }
  if (chain.error !== undefined && chain.error !== '')
    issues.errors.push({
      code: 'redirects.follow_error',
      message: `Redirect error: ${chain.error}`,
    });
  return { targets, issues };
}

/** Every hop must stay on HTTPS: one plain-HTTP hop lets an attacker strip TLS. */
function secureChain(initialUrl: string, targets: readonly URL[]): PreloadIssues {
  const issues = noIssues();
  for (const [i, u] of targets.entries()) {
    if (u.protocol !== 'https:') {
      issues.errors.push(
        i === 0
          ? {
              code: 'redirects.insecure.initial',
              message: `\`${initialUrl}\` redirects to an insecure page: \`${u.href}\``,
            }
          : {
              code: 'redirects.insecure.subsequent',
              message: `\`${initialUrl}\` redirects to an insecure page on redirect #${i + 1}: \`${u.href}\``,
            },
      );
      break;
    }
  }
  return issues;
}

/**
 * The HTTP side: HSTS sent over HTTP (useless), then the first redirect
 * must go to `https://<same host>` and carry a preloadable header there, so
 * that a browser arriving over HTTP learns HSTS for the bare domain.
 */
function httpRedirects(
  r: Retrieval,
  domain: string,
): { general: PreloadIssues; firstRedirectHsts: PreloadIssues } {
  const general = noIssues();
  const firstRedirectHsts = noIssues();
  const first = r.http.responses[0];
  const initialUrl = first?.url ?? `http://${domain}`;
  if (first === undefined) {
    general.warnings.push({
      code: 'redirects.http.does_not_exist',
      message: `The site appears to be unavailable over plain HTTP (${initialUrl}${r.http.error === undefined ? '' : `: ${r.http.error}`}). Users typing the bare name in an old browser cannot reach it; fine if you do not want to support them.`,
    });
    return { general, firstRedirectHsts };
  }
  if (headerValues(first, 'strict-transport-security').length > 0)
    general.warnings.push({
      code: 'redirects.http.useless_header',
      message: `The HTTP page at ${initialUrl} sends an HSTS header. Browsers ignore HSTS over HTTP (RFC 6797 §8.1); remove it there.`,
    });
  const { targets, issues } = followRedirects(r.http, initialUrl);
  combine(general, issues);
  const target = targets[0];
  if (target === undefined) {
    general.errors.push({
      code: 'redirects.http.no_redirect',
      message: `\`${initialUrl}\` does not redirect to \`https://${domain}\`.`,
    });
    return { general, firstRedirectHsts };
  }
  if (target.protocol === 'https:' && target.hostname === domain) {
    const landed = r.http.responses[1];
    if (landed === undefined) {
      // Cannot connect to the redirect target: it masks the chain checks.
      firstRedirectHsts.errors.push({
        code: 'redirects.http.first_redirect.invalid',
        message: `\`${initialUrl}\` redirects to \`${target.href}\`, which could not be fetched${r.http.error === undefined ? '' : `: ${r.http.error}`}.`,
      });
      return { general, firstRedirectHsts };
    }
    // hstspreload checks this response against the 1-year rule whatever the policy.
    const hsts = checkResponseHeaders(headerValues(landed, 'strict-transport-security'), (v) =>
      eligibleHeaderString(v, 'bulk-1-year'),
    );
    const firstError = hsts.errors[0];
    if (firstError !== undefined)
      firstRedirectHsts.errors.push({
        code: 'redirects.http.first_redirect.no_hsts',
        message: `\`${initialUrl}\` redirects to \`${target.href}\`, which does not serve an HSTS header that meets the preload requirements. First error: ${firstError.code}.`,
      });
    combine(general, secureChain(initialUrl, targets));
    return { general, firstRedirectHsts };
  }
  if (target.hostname === `www.${domain}`) {
    general.errors.push({
      code: 'redirects.http.www_first',
      message: `\`${initialUrl}\` (HTTP) should first redirect to \`https://${domain}\` before adding www; it redirects to \`${target.href}\`. Otherwise browsers record HSTS only for the www name, not the whole domain.`,
    });
    return { general, firstRedirectHsts };
  }
  general.errors.push({
    code: 'redirects.http.first_redirect.insecure',
    message: `\`${initialUrl}\` (HTTP) redirects to \`${target.href}\`; its first redirect should be to a secure page on the same host (\`https://${domain}\`).`,
  });
  return { general, firstRedirectHsts };
}

function tlsChecks(tls: TlsReport): PreloadIssues {
  const issues = noIssues();
  // The root is excluded: its self-signature is never checked by clients.
  const sha1 = tls.chain.find((c) => !c.selfSigned && /sha-?1/i.test(c.signatureAlgorithm));
  if (sha1 !== undefined)
    issues.errors.push({
      code: 'domain.tls.sha1',
      message: `A certificate in the chain is signed with SHA-1 (${sha1.signatureAlgorithm}): ${sha1.subject}. SHA-1 collisions are practical, so such signatures prove nothing.`,
    });
  const { protocol, cipher } = tls.negotiated;
  if (protocol !== '' && protocol !== 'TLSv1.3' && cipher !== '' && !MODERN_SUITES.has(cipher))
    issues.warnings.push({
      code: 'tls.obsolete_cipher_suite',
      message: `The connection used ${protocol} with ${cipher}, not an ECDHE key exchange with an AEAD cipher.`,
    });
  return issues;
}

/** The host name a Retrieval is about (brackets of IPv6 literals removed). */
function hostOf(r: Retrieval): string {
  for (const candidate of [r.url, r.https.responses[0]?.url, r.http.responses[0]?.url]) {
    if (candidate === undefined) continue;
    try {
      const h = new URL(candidate).hostname;
      return h.startsWith('[') ? h.slice(1, -1) : h;
    } catch {
      // Try the next candidate; a bare name is handled below.
    }
  }
  return r.url.toLowerCase();
}

/**
 * Whether hstspreload.org would accept the site, by its rules and codes,
 * from recorded responses only (no network). Never throws.
 *
 * @see https://hstspreload.org/#submission-requirements
 * @example
 * ```ts
 * const v = preloadEligibility(retrieval);
 * if (!v.eligible) console.log(v.errors); // ['header.preloadable.preload.missing']
 * ```
 */
export function preloadEligibility(r: Retrieval, opts: PreloadOptions = {}): PreloadEligibility {
  const policy: PreloadPolicy = opts.policy === 'bulk-18-weeks' ? 'bulk-18-weeks' : 'bulk-1-year';
  const domain = hostOf(r);
  const issues = noIssues();
  let headerValue: string | undefined;
  const done = (): PreloadEligibility => finish(issues, domain, headerValue, policy);

  combine(issues, checkDomainFormat(domain));
  if (issues.errors.length > 0) return done();
  const level = checkDomainLevel(domain);
  combine(issues, level);

  const first = r.https.responses[0];
  const tls = opts.tls;
  if (first === undefined) {
    // hstspreload retries without verification to tell a bad chain from no TLS.
    if (tls !== undefined && tls.chain.length > 0 && !tls.verified)
      issues.errors.push(invalidChain(domain, tls));
    else
      issues.errors.push({
        code: 'domain.tls.cannot_connect',
        message: `Cannot connect to https://${domain} using TLS${r.https.error === undefined ? '' : ` (${r.https.error})`}.`,
      });
    return done();
  }
  if (first.verified === false || tls?.verified === false) {
    issues.errors.push(invalidChain(domain, tls));
    return done();
  }
  if (tls !== undefined) combine(issues, tlsChecks(tls));

  const stsValues = headerValues(first, 'strict-transport-security');
  if (stsValues.length === 1) headerValue = stsValues[0];
  const responseIssues = checkResponseHeaders(stsValues, (v) => eligibleHeaderString(v, policy));
  combine(issues, responseIssues);

  const http = httpRedirects(r, domain);
  combine(issues, http.general);
  // Header problems on the redirect target would repeat the ones just reported.
  if (responseIssues.errors.length === 0) combine(issues, http.firstRedirectHsts);

  const httpsInitial = first.url;
  const https = followRedirects(r.https, httpsInitial);
  combine(issues, https.issues);
  combine(issues, secureChain(httpsInitial, https.targets));

  const suffix = publicSuffixOf(domain);
  const wwwWaived =
    level.errors.length > 0 || (suffix !== undefined && WWW_WAIVED_ETLDS.has(suffix));
  if (!wwwWaived && r.www !== undefined && r.www !== 'no-tcp' && !r.www.tlsOk)
    issues.errors.push({
      code: 'domain.www.no_tls',
      message: `www.${domain} accepts connections on port 443 but not a TLS handshake. People type www by habit, and preloading covers it.`,
    });
  return done();
}

function invalidChain(domain: string, tls: TlsReport | undefined): PreloadIssue {
  const why = tls?.verifyError === undefined ? '' : ` (${tls.verifyError})`;
  return {
    code: 'domain.tls.invalid_cert_chain',
    message: `https://${domain} serves an incomplete or invalid certificate chain${why}. Preloading would turn this into an error users cannot click through.`,
  };
}

interface CodeInfo {
  readonly severity: Severity;
  readonly header: string;
  readonly fix: string;
  readonly spec: string;
}

const HSTSPRELOAD = 'https://hstspreload.org/#submission-requirements';
const RFC6797 = 'https://www.rfc-editor.org/rfc/rfc6797#section-6.1';

/** What a code's fix text may name: the domain and the header to send. */
interface InfoContext {
  readonly domain: string;
  /** The Strict-Transport-Security line that meets the policy. */
  readonly good: string;
}

type InfoRule = (c: InfoContext) => CodeInfo;

function hstsInfo(severity: Severity, fix: string, spec = HSTSPRELOAD): CodeInfo {
  return { severity, header: 'strict-transport-security', fix, spec };
}

/** A CodeInfo builder for one area, with the hstspreload requirements as spec. */
const area =
  (header: string) =>
  (severity: Severity, fix: string): CodeInfo => ({ severity, header, fix, spec: HSTSPRELOAD });
const redirectInfo = area('redirects');
const domainInfo = area('domain');
const tlsInfo = area('tls');

/** Families of header codes, matched by prefix in this order before the exact codes. */
const PREFIX_RULES: readonly (readonly [test: (code: string) => boolean, rule: InfoRule])[] = [
  [
    (code) => code.startsWith('header.parse.repeated.'),
    ({ good }) =>
      hstsInfo(
        'medium',
        `Send each directive once: ${good}. RFC 6797 §6.1 makes browsers ignore a header with a repeated directive, although hstspreload only warns.`,
        RFC6797,
      ),
  ],
  [
    (code) => code.startsWith('header.parse.') && code.includes('max_age'),
    ({ good }) =>
      hstsInfo(
        'low',
        `Write max-age as plain digits (no quotes, sign or spaces): ${good}`,
        RFC6797,
      ),
  ],
  [
    (code) => code.startsWith('header.parse.'),
    ({ good }) => hstsInfo('low', `Send exactly: ${good}`, RFC6797),
  ],
  [
    (code) => code === 'header.preloadable.max_age.over_10_years',
    ({ good }) => hstsInfo('info', `Two years is plenty: ${good}`),
  ],
  [
    (code) => code.startsWith('header.preloadable.') || code.startsWith('header.removable.'),
    ({ good }) => hstsInfo('low', `Send on every HTTPS response: ${good}`),
  ],
];

const insecureRedirect: InfoRule = () =>
  redirectInfo(
    'medium',
    'Redirect only to https:// URLs; a plain-HTTP hop lets a network attacker strip TLS.',
  );
const noHttpRedirect: InfoRule = ({ domain }) =>
  redirectInfo(
    'medium',
    `Answer every plain-HTTP request with 301 Location: https://${domain}/ (same host, same path).`,
  );
const notRegistrable: InfoRule = () =>
  domainInfo(
    'info',
    'Preloading applies to registrable DNS names only; check a public domain name instead.',
  );

/** Every other code hstspreload (or Barbican's port of it) reports. */
const EXACT_RULES: Readonly<Record<string, InfoRule>> = {
  'response.no_header': ({ good }) => hstsInfo('medium', `Send on every HTTPS response: ${good}`),
  'response.multiple_headers': ({ good }) =>
    hstsInfo(
      'medium',
      `Send one Strict-Transport-Security field (browsers use only the first): ${good}`,
      'https://www.rfc-editor.org/rfc/rfc6797#section-8.1',
    ),
  'redirects.too_many': ({ domain }) =>
    redirectInfo(
      'low',
      `Redirect in at most ${MAX_REDIRECTS} hops, ideally one: http://${domain}/ → https://${domain}/`,
    ),
  'redirects.follow_error': () =>
    redirectInfo('low', 'Make every redirect target reachable and every Location a valid URL.'),
  'redirects.insecure.initial': insecureRedirect,
  'redirects.insecure.subsequent': insecureRedirect,
  'redirects.http.no_redirect': noHttpRedirect,
  'redirects.http.first_redirect.insecure': noHttpRedirect,
  'redirects.http.www_first': ({ domain }) =>
    redirectInfo(
      'low',
      `Redirect http://${domain}/ to https://${domain}/ first, then to https://www.${domain}/ if you want www.`,
    ),
  'redirects.http.first_redirect.invalid': ({ domain }) =>
    redirectInfo('low', `Make https://${domain}/ reachable: HTTP redirects there.`),
  'redirects.http.first_redirect.no_hsts': ({ domain, good }) =>
    redirectInfo('low', `Send ${good} on https://${domain}/, the page HTTP redirects to.`),
  'redirects.http.does_not_exist': ({ domain }) =>
    redirectInfo('info', `Listen on port 80 and redirect to https://${domain}/ (optional).`),
  'redirects.http.useless_header': () =>
    redirectInfo(
      'info',
      'Send Strict-Transport-Security only on HTTPS responses; over HTTP an attacker could inject or strip it anyway.',
    ),
  'domain.format.is_ip_address': notRegistrable,
  'domain.format.public_suffix': notRegistrable,
  'domain.format.begins_with_dot': notRegistrable,
  'domain.format.ends_with_dot': notRegistrable,
  'domain.format.contains_double_dot': notRegistrable,
  'domain.format.invalid_characters': notRegistrable,
  'domain.is_subdomain': ({ domain }) =>
    domainInfo(
      'info',
      `Submit the registrable domain; its header with includeSubDomains covers ${domain}.`,
    ),
  'domain.www.no_tls': ({ domain }) =>
    domainInfo(
      'medium',
      `Serve a valid certificate for www.${domain}, or stop listening on its port 443.`,
    ),
  'domain.tls.cannot_connect': ({ domain }) =>
    tlsInfo('medium', `Serve HTTPS on https://${domain}/ with a publicly trusted certificate.`),
  'domain.tls.invalid_cert_chain': () =>
    tlsInfo(
      'high',
      'Serve the full chain (leaf and intermediates) signed by a publicly trusted CA, for this host name and in date.',
    ),
  'domain.tls.sha1': () =>
    tlsInfo('high', 'Reissue the certificates signed with SHA-1 with SHA-256 signatures.'),
  'tls.obsolete_cipher_suite': () =>
    tlsInfo(
      'low',
      'Prefer ECDHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2, and enable TLS 1.3.',
    ),
  'internal.domain.name.cannot_compute_etld1': () =>
    domainInfo('info', 'Check that the host name is a registrable domain under a public suffix.'),
};

/**
 * Severity, area, fix and spec for every code. Preloading is opt-in, so a
 * missing requirement is `low`; what also weakens HTTPS for every visitor
 * (no redirect to HTTPS, HTTP hops, invalid chains) is `medium` or more.
 */
function codeInfo(code: string, domain: string, policy: PreloadPolicy): CodeInfo {
  const min = policy === 'bulk-18-weeks' ? 10_886_400 : 31_536_000;
  const good = `Strict-Transport-Security: max-age=${Math.max(min, 63_072_000)}; includeSubDomains; preload`;
  const context: InfoContext = { domain, good };
  for (const [test, rule] of PREFIX_RULES) if (test(code)) return rule(context);
  const rule = Object.hasOwn(EXACT_RULES, code) ? EXACT_RULES[code] : undefined;
  return rule?.(context) ?? domainInfo('low', 'See hstspreload.org for this requirement.');
}

/** RFC 6797's view of a header hstspreload rejects or warns about. */
function rfcNote(code: string, value: string | undefined): string {
  if (value === undefined || !code.startsWith('header.parse.')) return '';
  const rfc = parseHsts(value);
  if (code.startsWith('header.parse.repeated.'))
    return ' RFC 6797 §8.1: a repeated directive makes browsers ignore the whole header.';
  if (rfc.valid && code.includes('max_age'))
    return ` RFC 6797 §6.1.1 accepts this max-age (browsers would use ${String(rfc.maxAge)} s), but hstspreload does not.`;
  return '';
}

function finish(
  issues: PreloadIssues,
  domain: string,
  headerValue: string | undefined,
  policy: PreloadPolicy,
): PreloadEligibility {
  const findings: Finding[] = [];
  const toFinding = (issue: PreloadIssue, kind: 'error' | 'warning'): Finding => {
    const info = codeInfo(issue.code, domain, policy);
    const prefix = kind === 'error' ? 'Not preloadable' : 'Preload warning';
    const finding: Finding = {
      code: issue.code,
      severity: info.severity,
      header: info.header,
      message: `${prefix}: ${issue.message}${rfcNote(issue.code, headerValue)}`,
      fix: info.fix,
      spec: info.spec,
    };
    return info.header === 'strict-transport-security' && headerValue !== undefined
      ? { ...finding, value: headerValue }
      : finding;
  };
  for (const e of issues.errors) findings.push(toFinding(e, 'error'));
  for (const w of issues.warnings) findings.push(toFinding(w, 'warning'));
  return {
    eligible: issues.errors.length === 0,
    errors: issues.errors.map((i) => i.code),
    warnings: issues.warnings.map((i) => i.code),
    findings,
  };
}
