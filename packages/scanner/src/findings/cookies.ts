/**
 * Set-Cookie as browsers read it (RFC 6265bis §5.6): the name and value
 * before the first `;`, then attributes whose names are matched
 * case-insensitively. Only what a reviewer needs; never throws.
 *
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#name-the-set-cookie-header-field
 * @module
 */

/** One parsed Set-Cookie line. */
export interface ParsedCookie {
  readonly name: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** The SameSite value as written (case kept), or undefined when absent. */
  readonly sameSite: string | undefined;
  readonly domain: string | undefined;
  readonly path: string | undefined;
}

/** Parses one Set-Cookie field value. */
export function parseSetCookie(line: string): ParsedCookie {
  const parts = line.split(';');
  const pair = parts[0] ?? '';
  const eq = pair.indexOf('=');
  // §5.6 step 4: no "=" means an empty name and the whole pair as the value.
  const name = eq === -1 ? '' : pair.slice(0, eq).trim();
  let secure = false;
  let httpOnly = false;
  let sameSite: string | undefined;
  let domain: string | undefined;
  let path: string | undefined;
  for (const attr of parts.slice(1, 64)) {
    const i = attr.indexOf('=');
    const key = (i === -1 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const value = i === -1 ? '' : attr.slice(i + 1).trim();
    // The last occurrence of an attribute wins (§5.7 step 8).
    if (key === 'secure') secure = true;
    else if (key === 'httponly') httpOnly = true;
    else if (key === 'samesite') sameSite = value;
    else if (key === 'domain') domain = value;
    else if (key === 'path') path = value;
  }
  return { name, secure, httpOnly, sameSite, domain, path };
}

/**
 * Names that usually hold a session or credential: stealing one is logging
 * in as the user, so HttpOnly (no `document.cookie` access from an XSS) matters.
 */
export function isSessionLike(name: string): boolean {
  return /sess|sid|auth|token|jwt|login|remember|user_?id|csrf|xsrf|saml|oidc|identity|credential/i.test(
    name,
  );
}
