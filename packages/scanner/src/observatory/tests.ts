/**
 * The Observatory 1.4.x tests other than CSP, each a pure function of
 * {@link ObservatoryInput}, reproducing the released package's decisions so
 * the result codes match. Comments mark where those decisions differ from
 * the specs; the spec-faithful alternatives live in `spec.ts`.
 *
 * @module
 */
import { PROBE_ORIGIN } from '../model.ts';
import { cspTest } from './csp.ts';
import {
  firstHeader,
  joinedHeader,
  HTML_TYPES,
  mimeType,
  type ObservatoryInput,
} from './inputs.ts';
import { scripts } from './html.ts';

/** A test's raw outcome (the modifier comes from the score table). */
export interface Outcome {
  readonly result: string;
  readonly pass: boolean;
}

/** Options shared by the tests. */
export interface TestOptions {
  /** Whether a host is on Chromium's HSTS preload list (itself or via an includeSubDomains parent). */
  readonly preloaded: (host: string) => boolean;
  /** The registrable domain (eTLD+1) of a host, or null for IP addresses and single labels. */
  readonly registrableDomain: (host: string) => string | null;
}

/** Keeps the worse of two results by their position in `order` (later is worse). */
function worse(next: string, prev: string | undefined, order: readonly string[]): string {
  if (prev === undefined) return next;
  return order.indexOf(next) > order.indexOf(prev) ? next : prev;
}

/** `strict-transport-security`: the first HSTS value of the final HTTPS response. */
export function hstsTest(input: ObservatoryInput, opts: TestOptions): Outcome {
  let result = 'hsts-not-implemented';
  const https = input.https;
  if (https === undefined) result = 'hsts-not-implemented-no-https';
  else if (!https.verified) result = 'hsts-invalid-cert';
  else {
    const header = firstHeader(https.response, 'strict-transport-security');
    if (header !== null) result = gradeHstsValue(header.slice(0, 1024));
  }
  // The preload list overrides everything once HTTPS answered at all.
  if (https !== undefined && opts.preloaded(input.hostname)) result = 'hsts-preloaded';
  const pass =
    result === 'hsts-preloaded' || result === 'hsts-implemented-max-age-at-least-six-months';
  return { result, pass };
}

/** 180 days: Observatory's "six months", rounded down to match common configs. */
export const SIX_MONTHS = 15_552_000;

/**
 * max-age as Observatory reads it: the last `max-age=` by a lenient integer
 * parse (trailing junk accepted), so a quoted value — valid per RFC 6797
 * §6.1 — is NaN, and NaN is never "less than six months". The reviewer
 * compares this with the RFC reading to report what Observatory misses.
 */
export function observatoryHstsMaxAge(value: string): number | undefined {
  let maxAge: number | undefined;
  for (const part of value.split(';')) {
    const p = part.trim().toLowerCase();
    if (p.startsWith('max-age=')) maxAge = Number.parseInt(p.slice(8, 128), 10);
  }
  return maxAge;
}

function gradeHstsValue(value: string): string {
  // Node joins repeated lines with ", ", so any comma means "sent twice".
  if (value.includes(',')) return 'hsts-header-invalid';
  const maxAge = observatoryHstsMaxAge(value);
  if (maxAge === undefined) return 'hsts-header-invalid';
  return maxAge < SIX_MONTHS
    ? 'hsts-implemented-max-age-less-than-six-months'
    : 'hsts-implemented-max-age-at-least-six-months';
}

/** `redirection`: the HTTP chain must go to HTTPS, on the same host first. */
export function redirectionTest(input: ObservatoryInput, opts: TestOptions): Outcome {
  let result: string;
  const route = input.httpRoute;
  if (input.http === undefined) result = 'redirection-not-needed-no-http';
  else if (!input.http.verified) result = 'redirection-invalid-cert';
  else if (route.every((e) => opts.preloaded(e.url.hostname))) {
    result = 'redirection-all-redirects-preloaded';
  } else if (route.length === 1) result = 'redirection-missing';
  else if (route[route.length - 1]?.url.protocol !== 'https:') result = 'redirection-not-to-https';
  else if (route[1]?.url.protocol === 'http:')
    result = 'redirection-not-to-https-on-initial-redirection';
  else if (
    route[0]?.url.protocol === 'http:' &&
    route[1]?.url.protocol === 'https:' &&
    route[0].url.hostname !== route[1].url.hostname
  ) {
    // HSTS set on another host's response does not protect this one.
    result = 'redirection-off-host-from-http';
  } else result = 'redirection-to-https';
  const pass = [
    'redirection-not-needed-no-http',
    'redirection-all-redirects-preloaded',
    'redirection-to-https',
  ].includes(result);
  return { result, pass };
}

const COOKIE_ORDER = [
  'cookies-without-secure-flag-but-protected-by-hsts',
  'cookies-without-secure-flag',
  'cookies-session-without-secure-flag-but-protected-by-hsts',
  'cookies-samesite-flag-invalid',
  'cookies-anticsrf-without-samesite-flag',
  'cookies-session-without-httponly-flag',
  'cookies-session-without-secure-flag',
];

/**
 * Observatory's raw SameSite check: any `;`-separated part whose text before
 * its first `=` is `samesite` must carry lax, strict or none before any
 * second `=`. (It also matches a cookie *named* samesite.)
 */
function invalidSameSite(line: string): boolean {
  for (const part of line.trim().split(';')) {
    const [key = '', value] = part.trim().split('=');
    if (key.trim().toLowerCase() !== 'samesite') continue;
    if (!value) return true;
    if (!['lax', 'strict', 'none'].includes(value.trim().toLowerCase())) return true;
  }
  return false;
}

/** `cookies`: Secure everywhere, HttpOnly on session cookies, SameSite on anti-CSRF tokens. */
export function cookiesTest(input: ObservatoryInput, opts: TestOptions): Outcome {
  const hsts = hstsTest(input, opts).pass;
  let result: string | undefined;
  for (const line of joinedHeader(input.auto, 'set-cookie')) {
    if (invalidSameSite(line))
      result = worse('cookies-samesite-flag-invalid', result, COOKIE_ORDER);
  }
  // Heroku's affinity cookie is ignored (mozilla/http-observatory#282).
  const jar = input.cookies.filter((c) => c.name !== '' && c.name !== 'heroku-session-affinity');
  if (jar.length === 0) result = 'cookies-not-found';
  let missingSameSite = false;
  for (const c of jar) {
    const key = c.name.toLowerCase();
    const session = key.includes('login') || key.includes('sess');
    const antiCsrf = key.includes('csrf');
    // SameSite=None is only honoured on Secure cookies.
    if (!c.secure && c.sameSite === 'none')
      result = worse('cookies-samesite-flag-invalid', result, COOKIE_ORDER);
    if (!c.secure) {
      result = worse(
        hsts ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag',
        result,
        COOKIE_ORDER,
      );
    }
    if (antiCsrf && c.sameSite === undefined) {
      result = worse('cookies-anticsrf-without-samesite-flag', result, COOKIE_ORDER);
    }
    if (session && !c.secure) {
      result = worse(
        hsts
          ? 'cookies-session-without-secure-flag-but-protected-by-hsts'
          : 'cookies-session-without-secure-flag',
        result,
        COOKIE_ORDER,
      );
    }
    if (session && !c.httpOnly)
      result = worse('cookies-session-without-httponly-flag', result, COOKIE_ORDER);
    if (c.sameSite === undefined) missingSameSite = true;
  }
  result ??= missingSameSite
    ? 'cookies-secure-with-httponly-sessions'
    : 'cookies-secure-with-httponly-sessions-and-samesite';
  const pass = [
    'cookies-not-found',
    'cookies-secure-with-httponly-sessions-and-samesite',
    'cookies-secure-with-httponly-sessions',
  ].includes(result);
  return { result, pass };
}

/**
 * `cross-origin-resource-sharing`. Observatory never sees the `Origin` it
 * sent, so a reflected origin is "restricted"; with `spec` true a reflected
 * {@link PROBE_ORIGIN} plus `Access-Control-Allow-Credentials: true` is
 * graded as universal access, as it should be.
 */
export function corsTest(input: ObservatoryInput, spec = false): Outcome {
  let result = 'cross-origin-resource-sharing-not-implemented';
  const acao = firstHeader(input.cors, 'access-control-allow-origin');
  if (input.cors !== undefined && acao) {
    const acac = firstHeader(input.cors, 'access-control-allow-credentials');
    if (acao.slice(0, 256).trim().toLowerCase() === '*') {
      result = 'cross-origin-resource-sharing-implemented-with-public-access';
    } else if (spec && acao.trim() === PROBE_ORIGIN && acac?.trim().toLowerCase() === 'true') {
      result = 'cross-origin-resource-sharing-implemented-with-universal-access';
    } else {
      result = 'cross-origin-resource-sharing-implemented-with-restricted-access';
    }
  }
  return {
    result,
    pass: result !== 'cross-origin-resource-sharing-implemented-with-universal-access',
  };
}

const REFERRER_PRIVATE = [
  'no-referrer',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
];
const REFERRER_UNSAFE = [
  'origin',
  'origin-when-cross-origin',
  'unsafe-url',
  'no-referrer-when-downgrade',
];

/** `referrer-policy`: header then meta; the last recognised token wins, as in browsers. */
export function referrerPolicyTest(input: ObservatoryInput): Outcome {
  if (input.auto === undefined) return { result: 'referrer-policy-not-implemented', pass: false };
  const values = [...joinedHeader(input.auto, 'referrer-policy')];
  if (input.httpEquiv.referrer !== undefined) values.push(input.httpEquiv.referrer);
  if (values.length === 0) return { result: 'referrer-policy-not-implemented', pass: true };
  const tokens = values
    .join(', ')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => REFERRER_PRIVATE.includes(t) || REFERRER_UNSAFE.includes(t));
  const policy = tokens[tokens.length - 1] ?? '';
  if (REFERRER_PRIVATE.includes(policy)) return { result: 'referrer-policy-private', pass: true };
  if (REFERRER_UNSAFE.includes(policy)) return { result: 'referrer-policy-unsafe', pass: false };
  return { result: 'referrer-policy-header-invalid', pass: false };
}

const SRI_ORDER = [
  'sri-implemented-and-all-scripts-loaded-securely',
  'sri-implemented-and-external-scripts-loaded-securely',
  'sri-implemented-but-external-scripts-not-loaded-securely',
  'sri-not-implemented-but-external-scripts-loaded-securely',
  'sri-not-implemented-and-external-scripts-not-loaded-securely',
  'sri-not-implemented-response-not-html',
];

/** `subresource-integrity`: scripts from other sites need `integrity` and HTTPS. */
export function sriTest(input: ObservatoryInput, opts: TestOptions): Outcome {
  if (input.auto === undefined)
    return { result: 'sri-not-implemented-but-no-scripts-loaded', pass: false };
  let result: string | undefined;
  if (!HTML_TYPES.has(mimeType(input.auto))) result = 'sri-not-implemented-response-not-html';
  else {
    const tags = scripts(input.auto.body ?? '');
    const ownSite = opts.registrableDomain(input.hostname);
    let foreign = false;
    for (const tag of tags) {
      if (tag.src === '') continue;
      const integrity = tag.integrity !== null && tag.integrity !== '';
      const protocolRelative = /^\/\/[^/]/.test(tag.src);
      const absolute = /^https?:\/\//.test(tag.src);
      const relative = !protocolRelative && !absolute;
      let sameSite = true;
      let scheme: string | undefined;
      if (absolute) {
        scheme = tag.src.startsWith('https:') ? 'https:' : 'http:';
        try {
          sameSite = opts.registrableDomain(new URL(tag.src).hostname) === ownSite;
        } catch {
          // Observatory crashes on an unparseable absolute src; we call it foreign.
          sameSite = false;
        }
      }
      // Protocol-relative URLs count as foreign: they load over HTTP from HTTP pages.
      const secureOrigin = relative || (sameSite && !protocolRelative);
      if (!secureOrigin) foreign = true;
      const secureScheme =
        scheme === 'https:' || (relative && input.sessionUrl?.protocol === 'https:');
      if (!secureOrigin) {
        if (integrity && !secureScheme) {
          result = worse(
            'sri-implemented-but-external-scripts-not-loaded-securely',
            result,
            SRI_ORDER,
          );
        } else if (!integrity && secureScheme) {
          result = worse(
            'sri-not-implemented-but-external-scripts-loaded-securely',
            result,
            SRI_ORDER,
          );
        } else if (!integrity) {
          result = worse(
            'sri-not-implemented-and-external-scripts-not-loaded-securely',
            result,
            SRI_ORDER,
          );
        }
      } else if (integrity && secureScheme && result === undefined) {
        // Bonus even for same-site scripts that carry integrity.
        result = 'sri-implemented-and-all-scripts-loaded-securely';
      }
    }
    if (tags.length === 0) result = 'sri-not-implemented-but-no-scripts-loaded';
    else {
      result ??= foreign
        ? 'sri-implemented-and-external-scripts-loaded-securely'
        : 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin';
    }
  }
  const pass = [
    'sri-implemented-and-all-scripts-loaded-securely',
    'sri-implemented-and-external-scripts-loaded-securely',
    'sri-not-implemented-response-not-html',
    'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
    'sri-not-implemented-but-no-scripts-loaded',
  ].includes(result);
  return { result, pass };
}

/** `x-content-type-options`: exactly `nosniff` (an empty header counts as absent). */
export function xContentTypeOptionsTest(input: ObservatoryInput): Outcome {
  const header = firstHeader(input.auto, 'x-content-type-options');
  if (!header) return { result: 'x-content-type-options-not-implemented', pass: false };
  const ok = header.slice(0, 256).trim().toLowerCase() === 'nosniff';
  return ok
    ? { result: 'x-content-type-options-nosniff', pass: true }
    : { result: 'x-content-type-options-header-invalid', pass: false };
}

/** `x-frame-options`: DENY/SAMEORIGIN/ALLOW-FROM, or any CSP `frame-ancestors`. */
export function xFrameOptionsTest(input: ObservatoryInput): Outcome {
  if (input.auto === undefined) return { result: 'x-frame-options-not-implemented', pass: false };
  const header = firstHeader(input.auto, 'x-frame-options');
  let result = 'x-frame-options-not-implemented';
  if (header) {
    const xfo = header.slice(0, 1024).trim().toLowerCase();
    if (xfo === 'deny' || xfo === 'sameorigin') result = 'x-frame-options-sameorigin-or-deny';
    else if (xfo.startsWith('allow-from')) result = 'x-frame-options-allow-from-origin';
    else result = 'x-frame-options-header-invalid';
  }
  // Observatory reads frame-ancestors from the merged header+meta policy,
  // although browsers ignore it in a meta element.
  if (cspTest(input).policy?.has('frame-ancestors') === true)
    result = 'x-frame-options-implemented-via-csp';
  const pass = [
    'x-frame-options-allow-from-origin',
    'x-frame-options-sameorigin-or-deny',
    'x-frame-options-implemented-via-csp',
  ].includes(result);
  return { result, pass };
}

/** `cross-origin-resource-policy`: the first CORP value, trimmed and lowercased. */
export function corpTest(input: ObservatoryInput): Outcome {
  if (input.auto === undefined) return { result: 'corp-not-implemented', pass: false };
  const header = firstHeader(input.auto, 'cross-origin-resource-policy');
  const corp = header ? header.slice(0, 256).trim().toLowerCase() : '';
  let result = 'corp-not-implemented';
  if (corp === 'same-site') result = 'corp-implemented-with-same-site';
  else if (corp === 'same-origin') result = 'corp-implemented-with-same-origin';
  else if (corp === 'cross-origin') result = 'corp-implemented-with-cross-origin';
  else if (corp !== '') result = 'corp-header-invalid';
  return { result, pass: result !== 'corp-header-invalid' };
}
