/**
 * Turns Observatory results into {@link Finding}s a reviewer can act on:
 * one per non-passing test (the result code is the finding code), plus the
 * COOP and COEP results that Observatory's unreleased main scores but 1.4.x
 * does not, reported outside the score.
 *
 * @module
 */
import { parseCoep, parseCoop } from '@barbican/core/parsers';
import type { Finding, Severity } from '../model.ts';
import { joinedHeader, type ObservatoryInput } from './inputs.ts';
import { scoreModifier } from './scoring.ts';

const MDN = 'https://developer.mozilla.org/en-US/docs/Web';

/** The header each test is about, and the MDN guide that explains it. */
export const TEST_INFO: Readonly<Record<string, { header: string; spec: string }>> = {
  'content-security-policy': {
    header: 'content-security-policy',
    spec: `${MDN}/Security/Practical_implementation_guides/CSP`,
  },
  cookies: {
    header: 'set-cookie',
    spec: `${MDN}/Security/Practical_implementation_guides/Cookies`,
  },
  'cross-origin-resource-sharing': {
    header: 'access-control-allow-origin',
    spec: `${MDN}/Security/Practical_implementation_guides/CORS`,
  },
  redirection: {
    header: 'redirects',
    spec: `${MDN}/Security/Practical_implementation_guides/TLS#http_redirection`,
  },
  'referrer-policy': {
    header: 'referrer-policy',
    spec: `${MDN}/Security/Practical_implementation_guides/Referrer_policy`,
  },
  'strict-transport-security': {
    header: 'strict-transport-security',
    spec: `${MDN}/Security/Practical_implementation_guides/TLS#http_strict_transport_security_implementation`,
  },
  'subresource-integrity': { header: 'content', spec: `${MDN}/Security/Subresource_Integrity` },
  'x-content-type-options': {
    header: 'x-content-type-options',
    spec: `${MDN}/Security/Practical_implementation_guides/MIME_types`,
  },
  'x-frame-options': {
    header: 'x-frame-options',
    spec: `${MDN}/Security/Practical_implementation_guides/Clickjacking`,
  },
  'cross-origin-resource-policy': {
    header: 'cross-origin-resource-policy',
    spec: `${MDN}/Security/Practical_implementation_guides/CORP`,
  },
};

const HSTS_VALUE = 'Strict-Transport-Security: max-age=63072000; includeSubDomains; preload';
const REDIRECT_FIX =
  'Answer every plain-HTTP request with a 301 to https:// on the same host (e.g. `Location: https://<host>/<path>`), then redirect onward over HTTPS.';
const CERT_FIX =
  'Serve a certificate chain that verifies for this host (e.g. from Let’s Encrypt or your cloud provider).';

/** What is wrong, and the concrete fix, for every non-passing result code. */
const ADVICE: Readonly<Record<string, { message: string; fix: string }>> = {
  'csp-implemented-with-unsafe-eval': {
    message: "The CSP allows 'unsafe-eval' in script-src or style-src.",
    fix: "Remove eval()-style code, then drop 'unsafe-eval' from the policy.",
  },
  'csp-implemented-with-unsafe-inline': {
    message:
      "The CSP lets scripts run from 'unsafe-inline', data: or an overly broad source (or object-src/script-src is unrestricted).",
    fix: "Content-Security-Policy: default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none' (use nonces or hashes for inline scripts)",
  },
  'csp-implemented-with-insecure-scheme': {
    message: 'The CSP of an HTTPS site allows active content over http: or ftp:.',
    fix: 'Replace every http:// and ftp: source with its https:// equivalent.',
  },
  'csp-header-invalid': {
    message:
      "The CSP cannot be parsed as Observatory requires: a repeated directive, a policy shorter than 6 characters, or 'strict-dynamic' without a nonce or hash.",
    fix: "Content-Security-Policy: default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none' (each directive once)",
  },
  'csp-not-implemented': {
    message: 'No Content-Security-Policy is enforced.',
    fix: "Content-Security-Policy: default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  },
  'csp-not-implemented-but-reporting-enabled': {
    message: 'Only Content-Security-Policy-Report-Only is sent: nothing is enforced.',
    fix: 'Once the reports are clean, send the same policy as Content-Security-Policy.',
  },
  'cookies-without-secure-flag-but-protected-by-hsts': {
    message:
      'A cookie is set without Secure (HSTS keeps it off plain HTTP in browsers that saw the header).',
    fix: 'Add `; Secure` to every Set-Cookie.',
  },
  'cookies-session-without-secure-flag-but-protected-by-hsts': {
    message: 'A session cookie is set without Secure (HSTS mitigates).',
    fix: 'Set-Cookie: <name>=<value>; Path=/; Secure; HttpOnly; SameSite=Lax',
  },
  'cookies-without-secure-flag': {
    message: 'A cookie is set without Secure and no HSTS protects it: it can leak over plain HTTP.',
    fix: 'Add `; Secure` to every Set-Cookie, and send HSTS.',
  },
  'cookies-samesite-flag-invalid': {
    message: 'A cookie has an invalid SameSite value, or SameSite=None without Secure.',
    fix: 'Use `SameSite=Lax` or `SameSite=Strict` (SameSite=None only together with Secure).',
  },
  'cookies-anticsrf-without-samesite-flag': {
    message: 'An anti-CSRF cookie is set without SameSite.',
    fix: 'Add `; SameSite=Strict` to the anti-CSRF cookie.',
  },
  'cookies-session-without-httponly-flag': {
    message:
      'A session cookie is readable from JavaScript (no HttpOnly): one XSS steals the session.',
    fix: 'Set-Cookie: <name>=<value>; Path=/; Secure; HttpOnly; SameSite=Lax',
  },
  'cookies-session-without-secure-flag': {
    message:
      'A session cookie is set without Secure and no HSTS protects it: it can be sent over plain HTTP.',
    fix: 'Set-Cookie: <name>=<value>; Path=/; Secure; HttpOnly; SameSite=Lax',
  },
  'cross-origin-resource-sharing-implemented-with-universal-access': {
    message:
      'Any origin may read responses with the user’s credentials (reflected Origin plus credentials).',
    fix: 'Allow-list specific origins in Access-Control-Allow-Origin, or use `*` without Access-Control-Allow-Credentials.',
  },
  'redirection-off-host-from-http': {
    message: 'The first HTTP redirect goes to HTTPS on another host, so this host never sets HSTS.',
    fix: REDIRECT_FIX,
  },
  'redirection-not-to-https-on-initial-redirection': {
    message: 'The first HTTP redirect goes to another HTTP URL before reaching HTTPS.',
    fix: REDIRECT_FIX,
  },
  'redirection-not-to-https': { message: 'HTTP redirects, but not to HTTPS.', fix: REDIRECT_FIX },
  'redirection-missing': { message: 'HTTP does not redirect to HTTPS.', fix: REDIRECT_FIX },
  'redirection-invalid-cert': {
    message: 'The HTTP redirect chain reaches an HTTPS certificate that does not verify.',
    fix: CERT_FIX,
  },
  'referrer-policy-unsafe': {
    message: 'The Referrer-Policy leaks full URLs or origins to other sites.',
    fix: 'Referrer-Policy: strict-origin-when-cross-origin',
  },
  'referrer-policy-header-invalid': {
    message: 'The Referrer-Policy has no recognised token.',
    fix: 'Referrer-Policy: strict-origin-when-cross-origin',
  },
  'hsts-implemented-max-age-less-than-six-months': {
    message: 'HSTS max-age is below six months (15552000 s).',
    fix: HSTS_VALUE,
  },
  'hsts-not-implemented': {
    message: 'HTTPS responses carry no Strict-Transport-Security.',
    fix: HSTS_VALUE,
  },
  'hsts-header-invalid': {
    message: 'Strict-Transport-Security cannot be read (sent twice, or without max-age).',
    fix: `Send exactly one header: ${HSTS_VALUE}`,
  },
  'hsts-not-implemented-no-https': {
    message: 'The site is not available over HTTPS, so HSTS cannot be set.',
    fix: `Serve the site over HTTPS, then send ${HSTS_VALUE}`,
  },
  'hsts-invalid-cert': {
    message: 'The HTTPS certificate does not verify, so browsers ignore HSTS.',
    fix: CERT_FIX,
  },
  'sri-not-implemented-but-external-scripts-loaded-securely': {
    message: 'Scripts from other sites load without Subresource Integrity.',
    fix: 'Add integrity="sha384-…" crossorigin="anonymous" to each external <script>.',
  },
  'sri-implemented-but-external-scripts-not-loaded-securely': {
    message: 'External scripts carry integrity but load over HTTP or a protocol-relative URL.',
    fix: 'Load every external script from an https:// URL.',
  },
  'sri-not-implemented-and-external-scripts-not-loaded-securely': {
    message: 'External scripts load over HTTP or a protocol-relative URL, without integrity.',
    fix: 'Load every external script from an https:// URL with integrity="sha384-…" crossorigin="anonymous".',
  },
  'html-not-parseable': {
    message: 'The HTML could not be parsed.',
    fix: 'Serve well-formed HTML.',
  },
  'x-content-type-options-not-implemented': {
    message: 'X-Content-Type-Options is missing: browsers may sniff content types.',
    fix: 'X-Content-Type-Options: nosniff',
  },
  'x-content-type-options-header-invalid': {
    message: 'X-Content-Type-Options is not exactly `nosniff` (or is sent twice).',
    fix: 'X-Content-Type-Options: nosniff',
  },
  'x-frame-options-not-implemented': {
    message: 'Neither X-Frame-Options nor CSP frame-ancestors protects against clickjacking.',
    fix: "Content-Security-Policy: frame-ancestors 'none' (and X-Frame-Options: DENY for old browsers)",
  },
  'x-frame-options-header-invalid': {
    message: 'X-Frame-Options is not DENY, SAMEORIGIN or ALLOW-FROM (or is sent twice).',
    fix: "X-Frame-Options: DENY, plus Content-Security-Policy: frame-ancestors 'none'",
  },
  'corp-header-invalid': {
    message: 'Cross-Origin-Resource-Policy is not same-site, same-origin or cross-origin.',
    fix: 'Cross-Origin-Resource-Policy: same-origin',
  },
};

/** Severity from the score modifier: the more points lost, the more urgent. */
export function severityFor(result: string): Severity {
  const m = scoreModifier(result);
  if (m <= -25) return 'high';
  if (m <= -10) return 'medium';
  if (m < 0) return 'low';
  return 'info';
}

/** The finding for one non-passing test. */
export function testFinding(test: string, result: string): Finding {
  const info = TEST_INFO[test] ?? { header: test, spec: `${MDN}/HTTP/Headers` };
  const advice = ADVICE[result] ?? { message: `${test}: ${result}.`, fix: 'See the linked guide.' };
  return {
    code: result,
    severity: severityFor(result),
    header: info.header,
    message: `${test}: ${advice.message}`,
    fix: advice.fix,
    spec: info.spec,
  };
}

/**
 * COOP and COEP as Observatory's main branch grades them (not in 1.4.x, so
 * never in the score): a repeated header is invalid, the value is an RFC 9651
 * token. Only results worth acting on become findings.
 */
export function crossOriginIsolationFindings(input: ObservatoryInput): Finding[] {
  const out: Finding[] = [];
  const checks = [
    {
      name: 'cross-origin-opener-policy',
      prefix: 'coop',
      parse: (v: string) => parseCoop(v),
      good: ['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups'],
      fix: 'Cross-Origin-Opener-Policy: same-origin',
    },
    {
      name: 'cross-origin-embedder-policy',
      prefix: 'coep',
      parse: (v: string) => parseCoep(v),
      good: ['require-corp', 'credentialless'],
      fix: 'Cross-Origin-Embedder-Policy: require-corp (once every subresource opts in with CORP or CORS)',
    },
  ] as const;
  if (input.auto === undefined) return out;
  for (const c of checks) {
    const lines = input.auto.headers.filter(([n]) => n.toLowerCase() === c.name).map(([, v]) => v);
    const joined = joinedHeader(input.auto, c.name)[0];
    const spec = `${MDN}/HTTP/Reference/Headers/${c.name
      .split('-')
      .map((w) => `${w.slice(0, 1).toUpperCase()}${w.slice(1)}`)
      .join('-')}`;
    const note = ' Scored only by Observatory’s unreleased main branch, so not part of this score.';
    if (joined === undefined) {
      out.push({
        code: `${c.prefix}-not-implemented`,
        severity: 'info',
        header: c.name,
        message: `${c.name} is not set.${note}`,
        fix: c.fix,
        spec,
      });
      continue;
    }
    const parsed = lines.length === 1 ? c.parse(joined) : undefined;
    const policy = parsed?.valid === true ? parsed.policy : undefined;
    if (policy === undefined) {
      out.push({
        code: `${c.prefix}-header-invalid`,
        severity: 'low',
        header: c.name,
        value: joined,
        message: `${c.name} is invalid or sent more than once; browsers fall back to unsafe-none.${note}`,
        fix: c.fix,
        spec,
      });
    } else if (!(c.good as readonly string[]).includes(policy)) {
      out.push({
        code: `${c.prefix}-implemented-with-unsafe-none`,
        severity: 'info',
        header: c.name,
        value: joined,
        message: `${c.name} is unsafe-none: no isolation.${note}`,
        fix: c.fix,
        spec,
      });
    }
  }
  return out;
}
