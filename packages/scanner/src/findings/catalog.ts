/**
 * Every finding code the reviewer ({@link reviewFindings}) and the drift
 * check (`driftFindings`, `scan --policy`) can emit, with its default
 * severity, a one-line summary and the spec it rests on. `docs/scan-findings.md`
 * lists the same codes, and a test keeps the two in sync.
 *
 * @module
 */
import type { Severity } from '../model.ts';

/** What a reviewer finding code means. */
export interface FindingCodeInfo {
  /** The usual severity; a few codes raise or lower it (noted in the docs). */
  readonly severity: Severity;
  readonly summary: string;
  readonly spec: string;
}

const PP = 'https://w3c.github.io/webappsec-permissions-policy/';
const COOKIE = 'https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html';
const CORS = 'https://fetch.spec.whatwg.org/#http-cors-protocol';
const TLS = 'https://www.rfc-editor.org/rfc/rfc9325';
const HPKP = 'https://www.rfc-editor.org/rfc/rfc7469';
const OWASP = 'https://owasp.org/www-project-secure-headers/#div-bestpractices';
/** Drift is Barbican's own check: its codes point at the page that explains them. */
const DRIFT = 'https://github.com/barbican/barbican/blob/main/docs/scan.md#drift-scan---policy';
const LOSSES =
  'https://github.com/barbican/barbican/blob/main/docs/scan.md#expected-losses---target';

/** The reviewer's finding codes. */
export const FINDING_CODES = {
  'permissions-policy.missing': {
    severity: 'low',
    summary: 'No Permissions-Policy: every embedded frame may ask for powerful features',
    spec: PP,
  },
  'permissions-policy.invalid': {
    severity: 'medium',
    summary: 'Permissions-Policy is not a valid structured-field dictionary; browsers ignore it',
    spec: `${PP}#algo-parse-policy`,
  },
  'permissions-policy.entry-ignored': {
    severity: 'info',
    summary: 'A Permissions-Policy entry browsers ignore (unknown feature or bad origin)',
    spec: `${PP}#algo-parse-policy`,
  },
  'permissions-policy.feature.wildcard': {
    severity: 'medium',
    summary: 'A powerful feature is delegated to every origin (*)',
    spec: `${PP}#allowlists`,
  },
  'fingerprint.server.version': {
    severity: 'low',
    summary: 'Server reveals software and version',
    spec: 'https://www.rfc-editor.org/rfc/rfc9110#section-10.2.4',
  },
  'fingerprint.x-powered-by': {
    severity: 'low',
    summary: 'X-Powered-By reveals the framework',
    spec: OWASP,
  },
  'fingerprint.header': {
    severity: 'info',
    summary: 'A header on the OWASP remove list (server, framework or tracing internals)',
    spec: OWASP,
  },
  'cookie.secure.missing': {
    severity: 'medium',
    summary: 'Cookie without Secure can leak over plain HTTP (high for session-like names)',
    spec: `${COOKIE}#name-the-secure-attribute`,
  },
  'cookie.httponly.missing': {
    severity: 'medium',
    summary: 'Session-like cookie without HttpOnly is readable by injected scripts',
    spec: `${COOKIE}#name-the-httponly-attribute`,
  },
  'cookie.samesite.missing': {
    severity: 'low',
    summary: 'Cookie without SameSite relies on the browser default for cross-site requests',
    spec: `${COOKIE}#name-the-samesite-attribute`,
  },
  'cookie.samesite.invalid': {
    severity: 'low',
    summary: 'SameSite value is not Strict, Lax or None; browsers use their default',
    spec: `${COOKIE}#name-the-samesite-attribute`,
  },
  'cookie.samesite.none-insecure': {
    severity: 'medium',
    summary: 'SameSite=None without Secure: browsers reject the cookie',
    spec: `${COOKIE}#name-the-samesite-attribute`,
  },
  'cookie.prefix.host': {
    severity: 'medium',
    summary:
      '__Host- cookie without Secure, with Domain, or with a Path other than /: browsers reject it',
    spec: `${COOKIE}#name-the-__host-prefix`,
  },
  'cookie.prefix.secure': {
    severity: 'medium',
    summary: '__Secure- cookie without Secure: browsers reject it',
    spec: `${COOKIE}#name-the-__secure-prefix`,
  },
  'cors.wildcard-with-credentials': {
    severity: 'low',
    summary:
      'Access-Control-Allow-Origin: * with credentials (browsers refuse it; the intent is unsafe)',
    spec: CORS,
  },
  'cors.origin-reflected': {
    severity: 'high',
    summary: 'Any Origin is echoed back (high with credentials, low without)',
    spec: CORS,
  },
  'cors.null-origin': {
    severity: 'high',
    summary: 'Access-Control-Allow-Origin: null (sandboxed frames and data: URLs have that origin)',
    spec: 'https://w3c.github.io/webappsec-cors-for-developers/#avoid-returning-access-control-allow-origin-null',
  },
  'cache.sensitive.not-no-store': {
    severity: 'low',
    summary: 'A response that sets cookies or looks authenticated may be stored by caches',
    spec: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.5',
  },
  'cache.sensitive.public': {
    severity: 'medium',
    summary:
      'Cache-Control: public on a response that sets cookies: shared caches may serve it to others',
    spec: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.9',
  },
  'x-xss-protection.enabled': {
    severity: 'low',
    summary: 'X-XSS-Protection other than 0: the retired XSS auditor enabled cross-site leaks',
    spec: 'https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-XSS-Protection',
  },
  'referrer-policy.unsafe-url': {
    severity: 'medium',
    summary:
      'Referrer-Policy unsafe-url sends full URLs (paths, queries) to every site, even over HTTP',
    spec: 'https://w3c.github.io/webappsec-referrer-policy/#referrer-policy-unsafe-url',
  },
  'hsts.over-http': {
    severity: 'info',
    summary: 'Strict-Transport-Security sent over HTTP, where browsers ignore it',
    spec: 'https://www.rfc-editor.org/rfc/rfc6797#section-7.2',
  },
  'tls.protocol.tls1': {
    severity: 'medium',
    summary: 'TLS 1.0 offered (deprecated by RFC 8996)',
    spec: 'https://www.rfc-editor.org/rfc/rfc8996',
  },
  'tls.protocol.tls1_1': {
    severity: 'medium',
    summary: 'TLS 1.1 offered (deprecated by RFC 8996)',
    spec: 'https://www.rfc-editor.org/rfc/rfc8996',
  },
  'tls.protocol.no-tls1_3': {
    severity: 'info',
    summary: 'TLS 1.3 not offered',
    spec: TLS,
  },
  'tls.cipher.broken': {
    severity: 'high',
    summary: 'A broken cipher suite is accepted (NULL, EXPORT, DES, RC4, 3DES, MD5, anonymous)',
    spec: `${TLS}#section-4.1`,
  },
  'tls.cipher.no-forward-secrecy': {
    severity: 'medium',
    summary: 'A suite without forward secrecy (static RSA key exchange) is accepted',
    spec: `${TLS}#section-4.1`,
  },
  'tls.cipher.cbc': {
    severity: 'low',
    summary: 'A CBC-mode suite is accepted (padding-oracle history; prefer AEAD)',
    spec: `${TLS}#section-4.2`,
  },
  'tls.chain.unverified': {
    severity: 'high',
    summary: 'The certificate chain does not verify',
    spec: 'https://www.rfc-editor.org/rfc/rfc5280#section-6',
  },
  'tls.cert.expired': {
    severity: 'high',
    summary: 'The certificate has expired',
    spec: 'https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5',
  },
  'tls.cert.invalid-date': {
    severity: 'high',
    summary: 'A certificate of the chain has a validity date that is not a valid date',
    spec: 'https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5',
  },
  'tls.cert.expiring': {
    severity: 'medium',
    summary: 'The certificate expires within 30 days',
    spec: 'https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5',
  },
  'tls.key.weak': {
    severity: 'high',
    summary: 'RSA key under 2048 bits or EC key under 256 bits',
    spec: 'https://cabforum.org/working-groups/server/baseline-requirements/requirements/#6152-key-sizes',
  },
  'tls.signature.weak': {
    severity: 'high',
    summary: 'A certificate (root excluded) is signed with SHA-1 or MD5',
    spec: 'https://www.rfc-editor.org/rfc/rfc9155',
  },
  'hpkp.obsolete': {
    severity: 'info',
    summary: 'Public-Key-Pins is obsolete: no current browser enforces it',
    spec: HPKP,
  },
  'hpkp.invalid': {
    severity: 'low',
    summary: 'Public-Key-Pins does not parse as RFC 7469 requires',
    spec: `${HPKP}#section-2.1`,
  },
  'hpkp.no_live_pin': {
    severity: 'medium',
    summary: 'No pin matches a key in the served chain (old browsers would lock users out)',
    spec: `${HPKP}#section-2.6`,
  },
  'hpkp.no_backup_pin': {
    severity: 'medium',
    summary: 'Every pin is in the served chain: no backup key, so losing the key bricks the site',
    spec: `${HPKP}#section-4.3`,
  },
  'hsts.max-age.short': {
    severity: 'medium',
    summary:
      'HSTS max-age under six months that Observatory cannot read (a quoted value, valid per RFC 6797)',
    spec: 'https://www.rfc-editor.org/rfc/rfc6797#section-6.1.1',
  },
  'cookie.domain.rejected': {
    severity: 'medium',
    summary:
      'A cookie whose Domain the response host does not domain-match: browsers ignore it entirely',
    spec: `${COOKIE}#section-5.7`,
  },
  'fetch.https-failed': {
    severity: 'high',
    summary: 'HTTPS did not give a response to grade; the grade comes from plain HTTP',
    spec: 'https://www.rfc-editor.org/rfc/rfc9110#section-4.2.2',
  },
  'fetch.http-failed': {
    severity: 'low',
    summary: 'The plain-HTTP request failed, so the redirect to HTTPS could not be checked',
    spec: 'https://www.rfc-editor.org/rfc/rfc6797#section-7.2',
  },
  'fetch.incomplete': {
    severity: 'info',
    summary:
      'The graded response was cut off (a slow or oversized body); body checks saw part of it',
    spec: 'https://www.rfc-editor.org/rfc/rfc9110#section-6.4',
  },
  'drift.header.missing': {
    severity: 'medium',
    summary: 'A header the policy sets is not sent',
    spec: DRIFT,
  },
  'drift.header.different': {
    severity: 'medium',
    summary: 'A header means something other than the policy says (compared by meaning, not bytes)',
    spec: DRIFT,
  },
  'drift.header.duplicate': {
    severity: 'low',
    summary: 'A header the policy sets once is sent several times (two layers both add it)',
    spec: DRIFT,
  },
  'drift.header.extra': {
    severity: 'low',
    summary: 'A security header the policy leaves off is sent',
    spec: DRIFT,
  },
  'drift.fingerprint.present': {
    severity: 'low',
    summary: 'A fingerprinting header the policy removes is sent',
    spec: DRIFT,
  },
  'drift.hsts.over-http': {
    severity: 'low',
    summary: 'Strict-Transport-Security sent over plain HTTP, where the policy sends none',
    spec: DRIFT,
  },
  'drift.redirect.missing': {
    severity: 'medium',
    summary: 'Plain HTTP is not redirected to HTTPS, but the policy redirects',
    spec: DRIFT,
  },
  'drift.redirect.status': {
    severity: 'low',
    summary: 'The HTTPS redirect uses another status than the policy',
    spec: DRIFT,
  },
  'drift.redirect.location': {
    severity: 'medium',
    summary: 'The HTTPS redirect goes somewhere other than the policy says',
    spec: DRIFT,
  },
  'drift.host.accepted': {
    severity: 'medium',
    summary:
      'A Host the policy does not allow is served (2xx) or redirected to, where the policy refuses it',
    spec: DRIFT,
  },
  'drift.probe.failed': {
    severity: 'medium',
    summary: 'The HTTPS request the policy would serve got no response',
    spec: DRIFT,
  },
  'drift.tls.protocol.accepted': {
    severity: 'medium',
    summary: 'A TLS version the policy does not allow is accepted (high for TLS 1.0 and 1.1)',
    spec: DRIFT,
  },
  'drift.tls.protocol.refused': {
    severity: 'medium',
    summary: 'A TLS version the policy allows is refused',
    spec: DRIFT,
  },
  'drift.tls.cipher.accepted': {
    severity: 'medium',
    summary:
      'A cipher suite the policy does not list is accepted (high when broken, low when recommended)',
    spec: DRIFT,
  },
  'drift.tls.cipher.refused': {
    severity: 'low',
    summary: 'A cipher suite the policy lists is refused although the certificate allows it',
    spec: DRIFT,
  },
  'drift.tls.curve.accepted': {
    severity: 'low',
    summary:
      'A TLS 1.3 key exchange (group) the policy does not list is accepted (high when broken, medium when weak)',
    spec: DRIFT,
  },
  'drift.tls.curve.refused': {
    severity: 'low',
    summary: 'A TLS 1.3 key exchange (group) the policy lists is refused',
    spec: DRIFT,
  },
  'drift.tls.incomplete': {
    severity: 'info',
    summary: 'Some TLS probes did not finish (timeout or time budget): their drift is unknown',
    spec: DRIFT,
  },
  'loss.expected': {
    severity: 'info',
    summary:
      'A difference from the policy that the deployment target declared it cannot avoid (a lossy export; scan --target): not drift',
    spec: LOSSES,
  },
} as const satisfies Record<string, FindingCodeInfo>;

/** A reviewer finding code. */
export type FindingCode = keyof typeof FINDING_CODES;
