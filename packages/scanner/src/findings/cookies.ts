/**
 * Cookie heuristics for the reviewer. Reading a Set-Cookie line is core's
 * job (`parseSetCookie`, RFC 6265bis §5.6); this module only judges names.
 *
 * @module
 */

/**
 * Names that usually hold a session or credential: stealing one is logging
 * in as the user, so HttpOnly (no `document.cookie` access from an XSS) matters.
 */
export function isSessionLike(name: string): boolean {
  return /sess|sid|auth|token|jwt|login|remember|user_?id|csrf|xsrf|saml|oidc|identity|credential/i.test(
    name,
  );
}
