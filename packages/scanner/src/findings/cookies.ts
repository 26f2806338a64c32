/**
 * Cookies: Secure, HttpOnly, SameSite and the __Host-/__Secure- prefixes.
 * Reading a Set-Cookie line is core's job (`parseSetCookie`, RFC 6265bis
 * §5.6); this module judges what it read.
 *
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html
 * @module
 */
import { parseSetCookie } from '@barbican/core/parsers';
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

/** The reviewer's cookie findings: one pass over the response's Set-Cookie lines. */
export function cookieFindings(res: CapturedResponse, https: boolean): Finding[] {
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
