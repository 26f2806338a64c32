/**
 * Everything else a security reviewer checks on a site, beyond the
 * Observatory tests, CSP and preload: Permissions-Policy, fingerprinting
 * headers, cookies, CORS, caching of sensitive responses, COOP/COEP/CORP,
 * legacy headers, TLS and HPKP pins against the served chain.
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
import {
  OWASP_REMOVE_HEADERS,
  parseCacheControl,
  parsePermissionsPolicy,
  parsePublicKeyPins,
  parseReferrerPolicy,
  parseServer,
  parseSetCookie,
} from '@barbican/core';
import {
  finalResponse,
  headerValues,
  PROBE_ORIGIN,
  type CapturedResponse,
  type Finding,
  type Retrieval,
  type Severity,
} from '../model.ts';
import type { TlsCertificate, TlsReport } from '../tls/types.ts';
import { FINDING_CODES, type FindingCode } from './catalog.ts';
import { isSessionLike } from './cookies.ts';

export { FINDING_CODES } from './catalog.ts';
export type { FindingCode, FindingCodeInfo } from './catalog.ts';
export { isSessionLike } from './cookies.ts';

/** Findings per check are capped so a hostile server cannot flood the report. */
const MAX_PER_CHECK = 50;

/**
 * Features whose delegation to every origin hands a third-party frame the
 * user's camera, location, payment sheet, devices or credentials.
 */
export const POWERFUL_FEATURES: readonly string[] = Object.freeze([
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'serial',
  'hid',
  'bluetooth',
  'midi',
  'display-capture',
  'clipboard-read',
  'clipboard-write',
  'screen-wake-lock',
  'xr-spatial-tracking',
  'publickey-credentials-get',
  'publickey-credentials-create',
  'otp-credentials',
  'identity-credentials-get',
  'idle-detection',
  'local-fonts',
  'window-management',
  'accelerometer',
  'gyroscope',
  'magnetometer',
  'ambient-light-sensor',
  'browsing-topics',
]);

const RECOMMENDED_PP =
  'Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), bluetooth=(), display-capture=(), browsing-topics=()';

function finding(
  code: FindingCode,
  header: string,
  message: string,
  fix: string,
  extra: { severity?: Severity; value?: string; directive?: string } = {},
): Finding {
  const info = FINDING_CODES[code];
  const base: Finding = {
    code,
    severity: extra.severity ?? info.severity,
    header,
    message,
    fix,
    spec: info.spec,
  };
  return {
    ...base,
    ...(extra.directive === undefined ? {} : { directive: extra.directive }),
    ...(extra.value === undefined ? {} : { value: extra.value }),
  };
}

function permissionsPolicy(res: CapturedResponse): Finding[] {
  const values = headerValues(res, 'permissions-policy');
  if (values.length === 0)
    return [
      finding(
        'permissions-policy.missing',
        'permissions-policy',
        'No Permissions-Policy header: any page or frame may prompt for camera, microphone, location and other powerful features.',
        `Turn off what the site does not use: ${RECOMMENDED_PP}`,
      ),
    ];
  // Several fields combine into one Dictionary (RFC 9651 §4.2).
  const value = values.join(', ');
  const parsed = parsePermissionsPolicy(value);
  if (!parsed.valid) {
    const why = parsed.problems.find((p) => p.severity === 'error')?.message ?? 'syntax error';
    return [
      finding(
        'permissions-policy.invalid',
        'permissions-policy',
        `Permissions-Policy is not a valid structured-field dictionary (${why}), so browsers ignore all of it.`,
        `Use the structured-field syntax, e.g. ${RECOMMENDED_PP}`,
        { value },
      ),
    ];
  }
  const out: Finding[] = [];
  for (const p of parsed.problems) {
    if (out.length >= MAX_PER_CHECK) break;
    if (p.severity !== 'warning') continue;
    out.push(
      finding(
        'permissions-policy.entry-ignored',
        'permissions-policy',
        `Permissions-Policy: ${p.message}`,
        'Remove the entry or correct it (feature names are lower-case; origins are quoted strings such as "https://maps.example").',
        { value },
      ),
    );
  }
  for (const d of parsed.directives) {
    if (out.length >= MAX_PER_CHECK) break;
    const all = d.allowlist === '*' || (Array.isArray(d.allowlist) && d.allowlist.includes('*'));
    if (all && POWERFUL_FEATURES.includes(d.feature))
      out.push(
        finding(
          'permissions-policy.feature.wildcard',
          'permissions-policy',
          `${d.feature} is allowed for every origin: any embedded third-party frame can request it.`,
          `Allow it only where needed: ${d.feature}=(self) — or ${d.feature}=() if unused.`,
          { directive: d.feature, value: '*' },
        ),
      );
  }
  return out;
}

function fingerprinting(res: CapturedResponse): Finding[] {
  const out: Finding[] = [];
  for (const server of headerValues(res, 'server').slice(0, 4)) {
    if (parseServer(server).revealsVersion)
      out.push(
        finding(
          'fingerprint.server.version',
          'server',
          `Server: ${server} tells attackers which software and version to target.`,
          'Remove the version (nginx: server_tokens off; Apache: ServerTokens Prod) or drop the header: Barbican removes it with headers.server.',
          { value: server },
        ),
      );
  }
  const seen = new Set<string>();
  for (const name of OWASP_REMOVE_HEADERS) {
    const lower = name.toLowerCase();
    if (lower === 'server' || seen.has(lower) || out.length >= MAX_PER_CHECK) continue;
    seen.add(lower);
    const value = headerValues(res, lower)[0];
    if (value === undefined) continue;
    out.push(
      lower === 'x-powered-by'
        ? finding(
            'fingerprint.x-powered-by',
            lower,
            `X-Powered-By: ${value} names the framework behind the site.`,
            'Stop sending it (Express: app.disable("x-powered-by"); PHP: expose_php = Off); Barbican strips it with removeHeaders.',
            { value },
          )
        : finding(
            'fingerprint.header',
            lower,
            `${name}: ${value} reveals internals (server, framework or tracing) that help an attacker.`,
            `Strip ${name} at the edge; Barbican's removeHeaders (OWASP list) does it.`,
            { value },
          ),
    );
  }
  return out;
}

function cookies(res: CapturedResponse, https: boolean): Finding[] {
  const out: Finding[] = [];
  for (const line of headerValues(res, 'set-cookie').slice(0, MAX_PER_CHECK)) {
    const c = parseSetCookie(line);
    const session = isSessionLike(c.name);
    const label = c.name === '' ? 'a cookie without a name' : `cookie ${c.name}`;
    const add = (f: Finding): void => {
      out.push(f);
    };
    if (!c.secure)
      add(
        finding(
          'cookie.secure.missing',
          'set-cookie',
          `The ${label} lacks Secure, so browsers also send it over plain HTTP, where anyone on the network can read it.`,
          `Add Secure: Set-Cookie: ${c.name}=…; Secure; HttpOnly; SameSite=Lax; Path=/`,
          { severity: session ? 'high' : 'medium', value: line },
        ),
      );
    if (session && !c.httpOnly)
      add(
        finding(
          'cookie.httponly.missing',
          'set-cookie',
          `The ${label} looks like a session or credential cookie but lacks HttpOnly: one XSS reads it from document.cookie.`,
          `Add HttpOnly: Set-Cookie: ${c.name}=…; Secure; HttpOnly; SameSite=Lax; Path=/`,
          { value: line },
        ),
      );
    // RFC 6265bis §5.6.7: the last SameSite decides; an unknown value is "default".
    const sameSite = c.sameSite;
    if (sameSite === undefined)
      add(
        finding(
          'cookie.samesite.missing',
          'set-cookie',
          `The ${label} has no SameSite attribute; browsers differ on the default (Lax, or None in some), so cross-site requests may carry it (CSRF).`,
          `Say it: SameSite=Lax (or Strict for session cookies that never need cross-site navigation).`,
          { value: line },
        ),
      );
    else if (sameSite === 'default')
      add(
        finding(
          'cookie.samesite.invalid',
          'set-cookie',
          `The ${label} has SameSite=${c.sameSiteValue ?? ''}, which is not Strict, Lax or None; browsers fall back to their default.`,
          'Use SameSite=Lax or SameSite=Strict.',
          { value: line },
        ),
      );
    else if (sameSite === 'none' && !c.secure)
      add(
        finding(
          'cookie.samesite.none-insecure',
          'set-cookie',
          `The ${label} has SameSite=None without Secure; browsers reject such cookies.`,
          'Add Secure, or use SameSite=Lax if cross-site use is not needed.',
          { value: line },
        ),
      );
    // Prefix matching is case-insensitive in RFC 6265bis, closing a bypass
    // where `__host-` was accepted without the guarantees.
    if (c.prefix === '__Host-') {
      const wrong: string[] = [];
      if (!c.secure) wrong.push('it lacks Secure');
      if (c.domain !== undefined) wrong.push('it sets Domain');
      if (c.path !== '/') wrong.push('its Path is not /');
      if (!https) wrong.push('it was set over plain HTTP');
      if (wrong.length > 0)
        add(
          finding(
            'cookie.prefix.host',
            'set-cookie',
            `The __Host- cookie ${c.name} is rejected by browsers: ${wrong.join(', ')}. The prefix promises a host-only, HTTPS-only cookie that subdomains cannot overwrite.`,
            `Set-Cookie: ${c.name}=…; Secure; Path=/; HttpOnly; SameSite=Lax (no Domain), over HTTPS`,
            { value: line },
          ),
        );
    } else if (c.prefix === '__Secure-' && (!c.secure || !https)) {
      add(
        finding(
          'cookie.prefix.secure',
          'set-cookie',
          `The __Secure- cookie ${c.name} is rejected by browsers: it must carry Secure and be set over HTTPS.`,
          `Set-Cookie: ${c.name}=…; Secure; HttpOnly; SameSite=Lax; Path=/, over HTTPS`,
          { value: line },
        ),
      );
    }
  }
  return out;
}

function cors(r: Retrieval, main: CapturedResponse | undefined): Finding[] {
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

/** Paths that usually serve per-user or credential material. */
const SENSITIVE_PATH =
  /log-?in|sign-?in|auth|account|admin|session|token|oauth|password|profile|dashboard/i;

function caching(res: CapturedResponse): Finding[] {
  const setsCookie = headerValues(res, 'set-cookie').length > 0;
  let path = '';
  try {
    path = new URL(res.url).pathname;
  } catch {
    // An unparsable URL only loses the path heuristic.
  }
  const authLooking =
    res.status === 401 ||
    headerValues(res, 'www-authenticate').length > 0 ||
    SENSITIVE_PATH.test(path);
  if (!setsCookie && !authLooking) return [];
  const value = headerValues(res, 'cache-control').join(', ');
  const cc = parseCacheControl(value);
  const why = setsCookie ? 'sets cookies' : 'looks authenticated';
  const out: Finding[] = [];
  if (setsCookie && cc.directives.some((d) => d.name === 'public'))
    out.push(
      finding(
        'cache.sensitive.public',
        'cache-control',
        "The response sets cookies and says Cache-Control: public: a shared cache or CDN may store it and hand one user's cookie to the next.",
        'Cache-Control: no-store',
        { value },
      ),
    );
  if (!cc.noStore)
    out.push(
      finding(
        'cache.sensitive.not-no-store',
        'cache-control',
        `The response ${why} but Cache-Control ${value === '' ? 'is absent' : `is "${value}"`}: browsers, proxies and the back button may keep a copy of private data.`,
        'Cache-Control: no-store',
        { ...(value === '' ? {} : { value }) },
      ),
    );
  return out;
}

function legacy(res: CapturedResponse): Finding[] {
  const out: Finding[] = [];
  const xxp = headerValues(res, 'x-xss-protection')[0];
  if (xxp !== undefined && xxp.trim() !== '0')
    out.push(
      finding(
        'x-xss-protection.enabled',
        'x-xss-protection',
        `X-XSS-Protection: ${xxp} turns on the XSS auditor where it still exists; its blocking was abused to leak cross-site data and to disable legitimate scripts.`,
        'X-XSS-Protection: 0 (and rely on Content-Security-Policy)',
        { value: xxp },
      ),
    );
  const rp = headerValues(res, 'referrer-policy');
  if (rp.length > 0) {
    const value = rp.join(', ');
    if (parseReferrerPolicy(value).policy === 'unsafe-url')
      out.push(
        finding(
          'referrer-policy.unsafe-url',
          'referrer-policy',
          'Referrer-Policy: unsafe-url sends the full URL, including paths and query strings that may hold tokens, to every site and even over plain HTTP.',
          'Referrer-Policy: strict-origin-when-cross-origin (or no-referrer)',
          { value },
        ),
      );
  }
  return out;
}

function hstsOverHttp(r: Retrieval): Finding[] {
  for (const res of r.http.responses.slice(0, 32)) {
    if (!res.url.toLowerCase().startsWith('http:')) continue;
    const sts = headerValues(res, 'strict-transport-security')[0];
    if (sts !== undefined)
      return [
        finding(
          'hsts.over-http',
          'strict-transport-security',
          `${res.url} sends Strict-Transport-Security over plain HTTP; browsers ignore it there (RFC 6797 §8.1), and an attacker could alter it.`,
          'Send Strict-Transport-Security only on HTTPS responses and redirect HTTP to HTTPS.',
          { value: sts },
        ),
      ];
  }
  return [];
}

/** What OpenSSL's verify error codes mean for a site owner. */
const VERIFY_REASONS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the server clock)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed root that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'the server does not send the intermediate certificate(s) needed to reach a trusted root',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'the issuer is unknown: a missing intermediate or a private CA (use --ca)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is not valid for this host name',
  HOSTNAME_MISMATCH: 'the certificate is not valid for this host name',
  CERT_REVOKED: 'the certificate has been revoked',
};

/** Suites with no real security left, by OpenSSL/IANA name fragments. */
const BROKEN_CIPHER =
  /NULL|EXP|anon|ADH|AECDH|RC4|RC2|IDEA|(?:^|[-_])DES[-_]|3DES|DES-CBC3|SEED|MD5/i;

function cipherClass(name: string): 'broken' | 'no-fs' | 'cbc' | undefined {
  if (BROKEN_CIPHER.test(name)) return 'broken';
  // TLS 1.3 suites (TLS_AES_*, TLS_CHACHA20_*) always use ephemeral keys.
  const tls13 = /^TLS_(?:AES|CHACHA20)_/i.test(name);
  if (!tls13 && !/ECDHE|DHE|EDH/i.test(name)) return 'no-fs';
  if (/CBC|AES(?:128|256)?-SHA|CAMELLIA/i.test(name) && !/GCM|CCM|POLY1305/i.test(name))
    return 'cbc';
  return undefined;
}

function tlsFindings(tls: TlsReport, insecure: boolean): Finding[] {
  const out: Finding[] = [];
  const where = `${tls.host}:${tls.port}`;
  if (tls.protocols.TLSv1)
    out.push(
      finding(
        'tls.protocol.tls1',
        'tls',
        `${where} accepts TLS 1.0 (BEAST, no AEAD ciphers, SHA-1 handshake MACs).`,
        'Offer only TLS 1.2 and 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; Node: minVersion: "TLSv1.2").',
      ),
    );
  if (tls.protocols['TLSv1.1'])
    out.push(
      finding(
        'tls.protocol.tls1_1',
        'tls',
        `${where} accepts TLS 1.1, deprecated since 2021.`,
        'Offer only TLS 1.2 and 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; Node: minVersion: "TLSv1.2").',
      ),
    );
  if (!tls.protocols['TLSv1.3'] && (tls.protocols['TLSv1.2'] || tls.negotiated.protocol !== ''))
    out.push(
      finding(
        'tls.protocol.no-tls1_3',
        'tls',
        `${where} does not offer TLS 1.3 (faster handshakes, only forward-secret AEAD suites).`,
        'Enable TLS 1.3 (OpenSSL 1.1.1+; nginx: ssl_protocols TLSv1.2 TLSv1.3).',
      ),
    );
  const ciphers = [...tls.weakCiphersAccepted];
  if (tls.negotiated.protocol !== 'TLSv1.3' && tls.negotiated.cipher !== '')
    ciphers.push(tls.negotiated.cipher);
  const seen = new Set<string>();
  for (const c of ciphers.slice(0, MAX_PER_CHECK)) {
    if (seen.has(c)) continue;
    seen.add(c);
    const cls = cipherClass(c);
    const fix =
      'Allow only ECDHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2 (e.g. Mozilla\'s "intermediate" configuration) plus TLS 1.3.';
    if (cls === 'broken')
      out.push(
        finding('tls.cipher.broken', 'tls', `${where} accepts ${c}, a broken cipher suite.`, fix, {
          value: c,
        }),
      );
    else if (cls === 'no-fs')
      out.push(
        finding(
          'tls.cipher.no-forward-secrecy',
          'tls',
          `${where} accepts ${c}: with static RSA key exchange, whoever later gets the private key decrypts recorded traffic.`,
          fix,
          { value: c },
        ),
      );
    else if (cls === 'cbc')
      out.push(
        finding(
          'tls.cipher.cbc',
          'tls',
          `${where} accepts ${c}, a CBC-mode suite (Lucky13 and padding-oracle history).`,
          fix,
          { value: c },
        ),
      );
  }
  if (!tls.verified) {
    const code = tls.verifyError ?? '';
    const reason = VERIFY_REASONS[code] ?? (code === '' ? 'verification failed' : code);
    out.push(
      finding(
        'tls.chain.unverified',
        'tls',
        `The certificate chain of ${where} does not verify: ${reason}${code !== '' && reason !== code ? ` (${code})` : ''}.${insecure ? ' The scan ran with --insecure.' : ''} Browsers show a full-page error.`,
        'Serve the leaf and all intermediates, from a publicly trusted CA, valid for this host name and in date (a private CA: pass it with --ca).',
        { ...(code === '' ? {} : { value: code }) },
      ),
    );
  }
  const leaf = tls.chain[0];
  if (leaf !== undefined) {
    if (tls.daysToExpiry < 0)
      out.push(
        finding(
          'tls.cert.expired',
          'tls',
          `The certificate for ${where} expired on ${leaf.notAfter}.`,
          'Renew the certificate now, and automate renewal (ACME) with monitoring.',
          { value: leaf.notAfter },
        ),
      );
    else if (tls.daysToExpiry <= 30)
      out.push(
        finding(
          'tls.cert.expiring',
          'tls',
          `The certificate for ${where} expires in ${tls.daysToExpiry} day(s) (${leaf.notAfter}).`,
          'Renew now, and automate renewal (ACME renews 30 days ahead).',
          { value: leaf.notAfter },
        ),
      );
  }
  for (const cert of tls.chain.slice(0, 10)) {
    const weak = weakKey(cert);
    if (weak !== undefined)
      out.push(
        finding(
          'tls.key.weak',
          'tls',
          `${cert.subject} has a ${weak} key, within reach of well-funded attackers.`,
          'Reissue with an RSA 2048-bit (or larger) key or an EC P-256 key.',
          { value: weak },
        ),
      );
    // A root's self-signature is never checked by clients; skip it.
    if (!cert.selfSigned && /sha-?1|md5/i.test(cert.signatureAlgorithm))
      out.push(
        finding(
          'tls.signature.weak',
          'tls',
          `${cert.subject} is signed with ${cert.signatureAlgorithm}; collisions make such signatures forgeable.`,
          'Reissue the certificate with a SHA-256 (or stronger) signature.',
          { value: cert.signatureAlgorithm },
        ),
      );
  }
  return out;
}

function weakKey(cert: TlsCertificate): string | undefined {
  const type = cert.keyType.toLowerCase();
  if ((type === 'rsa' || type === 'rsa-pss' || type === 'dsa') && cert.keyBits < 2048)
    return `${cert.keyBits}-bit ${type.toUpperCase()}`;
  if (type === 'ec' && cert.keyBits < 256) return `${cert.keyBits}-bit EC`;
  return undefined;
}

function hpkp(res: CapturedResponse, tls: TlsReport | undefined): Finding[] {
  const out: Finding[] = [];
  for (const [name, reportOnly] of [
    ['public-key-pins', false],
    ['public-key-pins-report-only', true],
  ] as const) {
    const value = headerValues(res, name)[0];
    if (value === undefined) continue;
    out.push(
      finding(
        'hpkp.obsolete',
        name,
        `${name} is obsolete: Chrome and Firefox removed HPKP in version 72, and a wrong pin once locked users out for months.`,
        `Remove ${name}; use Certificate Transparency monitoring and CAA records instead.`,
        { value },
      ),
    );
    const parsed = parsePublicKeyPins(value, { reportOnly });
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error !== undefined)
      out.push(
        finding(
          'hpkp.invalid',
          name,
          `${name} is invalid: ${error.message}.`,
          `Remove the header, or fix it: ${name}: pin-sha256="<live key>"; pin-sha256="<backup key>"; max-age=5184000`,
          { value },
        ),
      );
    if (tls === undefined || tls.chain.length === 0 || parsed.pins.length === 0) continue;
    const served = new Set(tls.chain.map((c) => c.spkiSha256));
    const live = parsed.pins.filter((p) => served.has(p));
    const backup = parsed.pins.filter((p) => !served.has(p));
    // Enforced pins that fail would lock users out of a browser still honouring them.
    const severity: Severity = reportOnly ? 'low' : 'medium';
    if (live.length === 0)
      out.push(
        finding(
          'hpkp.no_live_pin',
          name,
          `None of the ${parsed.pins.length} pin(s) matches a key in the served chain (${tls.chain.length} certificate(s); a pinned root that the server does not send cannot be checked here).`,
          'Pin the SPKI SHA-256 of the leaf or an intermediate you serve (openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64) — or remove the header.',
          { severity, value },
        ),
      );
    else if (backup.length === 0)
      out.push(
        finding(
          'hpkp.no_backup_pin',
          name,
          'Every pin matches a key in the served chain: without a backup pin for a key kept offline, losing or rotating the key bricks the site (RFC 7469 §4.3 makes browsers ignore such a set).',
          'Add a pin-sha256 for a spare key kept offline — or remove the header.',
          { severity, value },
        ),
      );
  }
  return out;
}

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
    run(() => permissionsPolicy(main));
    run(() => fingerprinting(main));
    run(() => cookies(main, isHttps));
    run(() => caching(main));
    run(() => legacy(main));
    run(() => hpkp(main, tls));
  }
  run(() => cors(r, main));
  run(() => hstsOverHttp(r));
  if (tls !== undefined) run(() => tlsFindings(tls, r.insecure === true));
  return out;
}
