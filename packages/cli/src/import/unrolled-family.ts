/**
 * KrakenD's httpsecure and Traefik's headers middleware are both built on
 * unrolled/secure, so the three share one set of options under three
 * spellings (`sts_seconds`, `stsSeconds`, `STSSeconds`). This module maps
 * that shared set once; each source file supplies its spelling and extras.
 *
 * @module
 */
import { parseXFrameOptions } from '@barbican/core/parsers';
import { cspFromString, type ImportBuilder, type SourceReader } from './common.ts';

/** The options unrolled/secure defines, by a canonical (camelCase) name. */
export type UnrolledOption =
  | 'allowedHosts'
  | 'allowedHostsAreRegex'
  | 'hostsProxyHeaders'
  | 'sslRedirect'
  | 'sslTemporaryRedirect'
  | 'sslHost'
  | 'sslPort'
  | 'sslForceHost'
  | 'sslProxyHeaders'
  | 'stsSeconds'
  | 'stsIncludeSubdomains'
  | 'stsPreload'
  | 'forceSTSHeader'
  | 'frameDeny'
  | 'customFrameOptionsValue'
  | 'contentTypeNosniff'
  | 'browserXssFilter'
  | 'customBrowserXssValue'
  | 'contentSecurityPolicy'
  | 'contentSecurityPolicyReportOnly'
  | 'publicKey'
  | 'referrerPolicy'
  | 'featurePolicy'
  | 'permissionsPolicy'
  | 'crossOriginOpenerPolicy'
  | 'crossOriginEmbedderPolicy'
  | 'crossOriginResourcePolicy'
  | 'xDnsPrefetchControl'
  | 'xPermittedCrossDomainPolicies'
  | 'expectCTHeader'
  | 'isDevelopment';

/** How one source spells the options it has (absent = the source lacks it). */
export type Spelling = Partial<Record<UnrolledOption, string>>;

/** One source's options read by their canonical names, and the builder they map onto. */
interface Unrolled {
  readonly r: SourceReader;
  readonly b: ImportBuilder;
  /** The source's key for an option, if it has it. */
  readonly key: (o: UnrolledOption) => string | undefined;
  readonly str: (o: UnrolledOption) => string | undefined;
  readonly bool: (o: UnrolledOption) => boolean | undefined;
  /** The option's path in the source, for warnings. */
  readonly at: (o: UnrolledOption) => string;
}

function unrolled(r: SourceReader, b: ImportBuilder, names: Spelling): Unrolled {
  const key = (o: UnrolledOption): string | undefined => names[o];
  return {
    r,
    b,
    key,
    str: (o) => {
      const k = key(o);
      return k === undefined ? undefined : r.string(k);
    },
    bool: (o) => {
      const k = key(o);
      return k === undefined ? undefined : r.bool(k);
    },
    at: (o) => r.at(key(o) ?? o),
  };
}

/**
 * Maps the unrolled/secure options found in `r` onto `b`. Semantics follow
 * unrolled/secure: nothing is sent unless configured, custom values beat the
 * boolean switches, HSTS needs a max-age above 0. The steps run in the order
 * of unrolled/secure's own option list, which is the order of the warnings.
 */
export function mapUnrolledOptions(r: SourceReader, b: ImportBuilder, names: Spelling): void {
  const u = unrolled(r, b, names);
  mapHsts(u);
  mapCsp(u);
  mapFrameOptions(u);
  mapXssAndSniffing(u);
  mapRawHeaders(u);
  mapAllowedHosts(u);
  mapProxyHeaders(u);
  mapSslRedirect(u);
  mapUnsupportedAndDevelopment(u);
}

/** Strict-Transport-Security, and forceSTSHeader. */
function mapHsts({ r, b, key, bool, at }: Unrolled): void {
  const stsKey = key('stsSeconds');
  let stsSeconds: number | undefined;
  if (stsKey !== undefined) {
    const v = r.raw(stsKey);
    // KrakenD's JSON decoding accepts floats (and Traefik's YAML may give
    // strings of digits); both mean whole seconds.
    if (typeof v === 'string' && /^\d{1,12}$/.test(v)) stsSeconds = Number(v);
    else if (v != null) stsSeconds = r.number(stsKey);
  }
  const include = bool('stsIncludeSubdomains') ?? false;
  const preload = bool('stsPreload') ?? false;
  if (stsSeconds !== undefined) {
    if (!Number.isInteger(stsSeconds)) {
      b.lossy(at('stsSeconds'), `${stsSeconds} seconds rounded down to ${Math.floor(stsSeconds)}`);
      stsSeconds = Math.floor(stsSeconds);
    }
    if (stsSeconds === 0) b.header('hsts', false, at('stsSeconds'));
    else {
      b.header(
        'hsts',
        { maxAge: stsSeconds, includeSubDomains: include, preload },
        at('stsSeconds'),
      );
    }
  }
  const force = bool('forceSTSHeader');
  if (force === true) b.option('forceStsHeader', true, at('forceSTSHeader'));
}

/**
 * `script-src $NONCE` has no other source: once `$NONCE` is taken out the
 * directive parses as valueless (`true`); as a nonce target it is the empty
 * list, which the policy fills with the per-request nonce.
 */
function nonceOnly(
  directives: Record<string, string[] | boolean>,
  nonced: readonly string[],
): Record<string, string[] | boolean> {
  const out: Record<string, string[] | boolean> = {};
  for (const [name, v] of Object.entries(directives)) {
    Object.defineProperty(out, name, {
      value: v === true && nonced.includes(name) ? [] : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Content-Security-Policy (and Report-Only): parsed into directives. */
function mapCsp({ b, str, at }: Unrolled): void {
  for (const [o, k] of [
    ['contentSecurityPolicy', 'csp'],
    ['contentSecurityPolicyReportOnly', 'cspReportOnly'],
  ] as const) {
    const raw = str(o);
    if (raw === undefined || raw.trim() === '') continue;
    // unrolled/secure replaces $NONCE with a per-request nonce; Barbican's
    // `nonce` option does the same for the directives that carried it.
    const nonced = raw
      .split(';')
      .filter((d) => /(?:^|\s)\$NONCE(?:\s|$)/.test(d))
      .map((d) => d.trim().split(/\s+/)[0] ?? '');
    const { value: parsed, duplicates } = cspFromString(
      raw.replace(/(^|\s)\$NONCE(?=\s|;|$)/g, '$1'),
    );
    const value =
      nonced.length > 0 && typeof parsed !== 'string'
        ? { directives: nonceOnly(parsed.directives, nonced), nonce: nonced }
        : parsed;
    for (const d of duplicates) {
      b.lossy(
        at(o),
        `directive ${d} appears twice; browsers apply the first, so only that one is imported`,
      );
    }
    b.header(k, value, at(o));
  }
}

/** X-Frame-Options: a custom value beats frameDeny. */
function mapFrameOptions({ b, str, bool, at }: Unrolled): void {
  const frameDeny = bool('frameDeny') === true;
  const customFrame = str('customFrameOptionsValue');
  if (customFrame !== undefined && customFrame !== '') {
    const parsed = parseXFrameOptions(customFrame);
    if (parsed.valid) {
      b.header('xFrameOptions', { action: parsed.action }, at('customFrameOptionsValue'));
    } else if (parsed.allowFrom) {
      allowFromToFrameAncestors(b, customFrame, at('customFrameOptionsValue'));
    } else b.header('xFrameOptions', customFrame, at('customFrameOptionsValue'));
  } else if (frameDeny) {
    b.header('xFrameOptions', { action: 'DENY' }, at('frameDeny'));
  }
}

/** X-Content-Type-Options, and X-XSS-Protection (a custom value beats the switch). */
function mapXssAndSniffing({ b, str, bool, at }: Unrolled): void {
  if (bool('contentTypeNosniff') === true)
    b.header('xContentTypeOptions', true, at('contentTypeNosniff'));
  const customXss = str('customBrowserXssValue');
  const xssFilter = bool('browserXssFilter') === true;
  if (customXss !== undefined && customXss !== '') {
    b.header('xXssProtection', customXss, at('customBrowserXssValue'));
  } else if (xssFilter) {
    b.header('xXssProtection', '0', at('browserXssFilter'));
    b.lossy(
      at('browserXssFilter'),
      'the source sends "X-XSS-Protection: 1; mode=block"; imported as "0", because the filter was removed from browsers and could be abused to remove scripts. Set headers.xXssProtection to "1; mode=block" to keep the old value',
    );
  }
}

/** Headers carried as raw strings, Feature-Policy and Public-Key-Pins. */
function mapRawHeaders({ b, str, at }: Unrolled): void {
  for (const [o, k, header] of [
    ['referrerPolicy', 'referrerPolicy', 'Referrer-Policy'],
    ['permissionsPolicy', 'permissionsPolicy', 'Permissions-Policy'],
    ['crossOriginOpenerPolicy', '', 'Cross-Origin-Opener-Policy'],
    ['crossOriginEmbedderPolicy', '', 'Cross-Origin-Embedder-Policy'],
    ['crossOriginResourcePolicy', '', 'Cross-Origin-Resource-Policy'],
    ['xDnsPrefetchControl', 'xDnsPrefetchControl', 'X-DNS-Prefetch-Control'],
    [
      'xPermittedCrossDomainPolicies',
      'xPermittedCrossDomainPolicies',
      'X-Permitted-Cross-Domain-Policies',
    ],
    ['expectCTHeader', 'expectCt', 'Expect-CT'],
  ] as const) {
    const raw = str(o);
    if (raw === undefined || raw === '') continue;
    if (k !== '') b.header(k, raw, at(o));
    else if (!b.headerByName(header, raw, at(o))) {
      b.lossy(at(o), `Barbican has no ${header} option yet; not imported`);
    }
  }
  const feature = str('featurePolicy');
  if (feature !== undefined && feature !== '') {
    if (!b.headerByName('Feature-Policy', feature, at('featurePolicy'))) {
      b.lossy(
        at('featurePolicy'),
        'Feature-Policy is superseded by Permissions-Policy (different syntax) and is not imported; write headers.permissionsPolicy instead',
      );
    }
  }
  const pins = str('publicKey');
  if (pins !== undefined && pins !== '') b.header('publicKeyPins', pins, at('publicKey'));
}

/** allowedHosts, with unrolled's implicitly anchored regexes written /^…$/. */
function mapAllowedHosts({ r, b, key, bool, at }: Unrolled): void {
  const hosts =
    key('allowedHosts') === undefined ? undefined : r.stringList(key('allowedHosts') ?? '');
  const regex = bool('allowedHostsAreRegex') === true;
  if (hosts !== undefined && hosts.length > 0) {
    const list = regex ? hosts.map((h) => `/^(?:${h})$/`) : hosts;
    b.option('allowedHosts', list, at('allowedHosts'));
    b.lossy(
      at('allowedHosts'),
      'a host that is not allowed gets 400 from Barbican (the source answers 500); entries with a port match only that port, as before',
    );
  }
}

/** hostsProxyHeaders and sslProxyHeaders → proxyHeaders, trusted only from trustedProxies. */
function mapProxyHeaders({ r, b, key, at }: Unrolled): void {
  const proxyHosts =
    key('hostsProxyHeaders') === undefined
      ? undefined
      : r.stringList(key('hostsProxyHeaders') ?? '');
  const proxyProto =
    key('sslProxyHeaders') === undefined ? undefined : r.stringMap(key('sslProxyHeaders') ?? '');
  const proxy: Record<string, unknown> = {};
  if (proxyHosts !== undefined && proxyHosts.length > 0) {
    proxy.host = proxyHosts[0];
    if (proxyHosts.length > 1) {
      b.lossy(
        at('hostsProxyHeaders'),
        `Barbican reads one host header; only ${proxyHosts[0] ?? ''} is imported`,
      );
    }
  }
  if (proxyProto !== undefined && proxyProto.length > 0) {
    proxy.proto = Object.fromEntries(proxyProto);
  }
  if (Object.keys(proxy).length > 0) {
    const from = at(proxyProto === undefined ? 'hostsProxyHeaders' : 'sslProxyHeaders');
    b.option('proxyHeaders', proxy, from);
    b.lossy(
      from,
      'the source believes these headers from any client; Barbican believes them only from trustedProxies, so add your proxies\' addresses (e.g. "trustedProxies": ["private"]) or HTTPS will not be detected behind them',
    );
  }
}

/** sslRedirect with its status, host and port. */
function mapSslRedirect({ r, b, key, str, bool, at }: Unrolled): void {
  if (bool('sslRedirect') !== true) {
    // Without the redirect these options do nothing in the source either.
    bool('sslTemporaryRedirect');
    str('sslHost');
    if (key('sslPort') !== undefined) r.raw(key('sslPort') ?? '');
    return;
  }
  const redirect: Record<string, unknown> = {};
  if (bool('sslTemporaryRedirect') === true) redirect.status = 307;
  const host = str('sslHost');
  if (host !== undefined && host !== '') redirect.host = host;
  const portKey = key('sslPort');
  if (portKey !== undefined && r.has(portKey)) {
    const raw = r.raw(portKey);
    const port = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : raw;
    if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) {
      if (port !== 443) redirect.port = port;
    } else b.lossy(at('sslPort'), 'not a port number; not imported');
  }
  b.option('sslRedirect', Object.keys(redirect).length === 0 ? true : redirect, at('sslRedirect'));
}

/** sslForceHost (not supported) and isDevelopment. */
function mapUnsupportedAndDevelopment({ b, bool, at }: Unrolled): void {
  if (bool('sslForceHost') === true) {
    b.lossy(
      at('sslForceHost'),
      'redirecting HTTPS requests to sslHost is not supported; not imported',
    );
  }
  if (bool('isDevelopment') === true) {
    b.option('development', true, at('isDevelopment'));
  }
}

/**
 * `X-Frame-Options: ALLOW-FROM origin` is ignored by every current browser
 * (so framing is in fact allowed everywhere); CSP `frame-ancestors origin`
 * is what it meant, and what Barbican writes instead.
 */
function allowFromToFrameAncestors(b: ImportBuilder, value: string, from: string): void {
  const origin = value.trim().slice('ALLOW-FROM'.length).trim();
  const current = b.getHeader('csp');
  if (origin === '' || typeof current === 'string') {
    b.lossy(
      from,
      'ALLOW-FROM is ignored by every current browser and is not imported; list the framing origin in CSP frame-ancestors instead',
    );
    return;
  }
  const base = (current as { directives?: Record<string, unknown> } | undefined)?.directives ?? {};
  if (Object.hasOwn(base, 'frame-ancestors')) {
    b.lossy(
      from,
      'ALLOW-FROM is ignored by current browsers; the CSP already has frame-ancestors, so it is not imported',
    );
    return;
  }
  // Keep the rest of the CSP options (its nonce targets): only a directive is added.
  const options = typeof current === 'object' && current !== null ? current : {};
  b.header('csp', { ...options, directives: { ...base, 'frame-ancestors': [origin] } }, from);
  // The preset's DENY would contradict the origin the source allowed.
  b.header('xFrameOptions', false, from);
  b.lossy(
    from,
    `ALLOW-FROM is ignored by every current browser; imported as CSP frame-ancestors ${origin}, which they honour`,
  );
}
