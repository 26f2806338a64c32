/**
 * Cookies: Secure, HttpOnly, SameSite and the __Host-/__Secure- prefixes.
 * Reading a Set-Cookie line is core's job (`parseSetCookie`, RFC 6265bis
 * §5.6); this module judges what it read.
 *
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html
 * @module
 */
import { isIP } from 'node:net';
import { parseSetCookie, type SetCookieParseResult } from '@barbican/core/parsers';
import { getPublicSuffix } from 'tldts';
import { headerValues, type CapturedResponse, type Finding } from '../model.ts';
import { finding, MAX_PER_CHECK } from './finding.ts';

/**
 * Names that usually hold a session or credential: stealing one is logging
 * in as the user, so HttpOnly (no `document.cookie` access from an XSS) matters.
 */
export function isSessionLike(name: string): boolean {
  return /sess|sid|auth|token|jwt|login|remember|user_?id|csrf|xsrf|saml|oidc|identity|credential/i.test(
    name,
  );
}

/**
 * True when the cookie expires as it arrives: a logout or deletion cookie
 * (`Max-Age=0`, an `Expires` in the past). RFC 6265bis §5.7: Max-Age wins
 * over Expires, and a cookie whose expiry-time is in the past is removed
 * from the store, not kept: it is no live cookie to review.
 */
function expiresOnArrival(c: SetCookieParseResult, now: number): boolean {
  if (c.maxAge !== undefined) return c.maxAge <= 0;
  return c.expires !== undefined && c.expires <= now;
}

/**
 * Why the browser ignores the cookie for its Domain, or undefined when it
 * stores it. RFC 6265bis §5.7 steps 5 and 6: a domain-attribute that is a
 * public suffix (unless it is the host itself), or that the request host
 * does not domain-match (§5.1.3: equal, or a suffix after a dot of a host
 * that is not an IP address), makes the user agent ignore the cookie.
 */
function domainRejection(c: SetCookieParseResult, host: string): string | undefined {
  const domain = c.domain;
  if (domain === undefined || domain === host) return undefined;
  if (getPublicSuffix(domain, { allowPrivateDomains: true }) === domain) {
    return `its Domain=${domain} is a public suffix`;
  }
  if (isIP(host) !== 0 || !host.endsWith(`.${domain}`)) {
    return `its Domain=${domain} does not domain-match the host ${host}`;
  }
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return '';
  }
}

/** The reviewer's cookie findings: one pass over the response's Set-Cookie lines. */
export function cookieFindings(
  res: CapturedResponse,
  https: boolean,
  now: number = Date.now(),
): Finding[] {
  const out: Finding[] = [];
  const host = hostOf(res.url);
  for (const line of headerValues(res, 'set-cookie').slice(0, MAX_PER_CHECK)) {
    const c = parseSetCookie(line);
    if (expiresOnArrival(c, now)) continue;
    const rejected = domainRejection(c, host);
    if (rejected !== undefined) {
      out.push(
        finding(
          'cookie.domain.rejected',
          'set-cookie',
          `Browsers ignore the cookie ${c.name} entirely: ${rejected} (RFC 6265bis §5.7). Whatever it was meant to do does not happen.`,
          `Drop the Domain attribute (a host-only cookie), or set a Domain that ${host} is inside of`,
          { value: line },
        ),
      );
      continue;
    }
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
