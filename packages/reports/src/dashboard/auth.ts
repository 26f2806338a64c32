/**
 * Dashboard access. Bound to loopback, the dashboard needs no login (the
 * Host check stops DNS rebinding). Bound to any other address it needs a
 * token: sent as `Authorization: Bearer …` (API, scripts) or exchanged once
 * on the login form for an HttpOnly, SameSite=Strict session cookie.
 *
 * Comparisons hash both sides with SHA-256 and compare the digests with
 * `timingSafeEqual`, so neither the token's bytes nor its length leak
 * through timing.
 *
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const COOKIE = 'barbican_reports';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function same(a: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(a), expected);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The dashboard's access check. */
export interface Auth {
  /** False when no token is configured (loopback). */
  readonly required: boolean;
  /** True when the request carries the token or a valid session cookie. */
  allows(req: IncomingMessage): boolean;
  /** True when `submitted` is the token (the login form). */
  accepts(submitted: string): boolean;
  /** The Set-Cookie value that signs the browser in. */
  sessionCookie(secure: boolean): string;
}

/**
 * Builds the check for `token` (undefined: open, for loopback only). The
 * session cookie is an HMAC of a fixed label under the token: it holds no
 * secret the token could be recovered from, survives restarts, and
 * changing the token signs every browser out.
 *
 * @example
 * ```ts
 * const auth = createAuth(process.env.BARBICAN_REPORTS_TOKEN);
 * if (!auth.allows(req)) return renderLogin(...);
 * ```
 */
export function createAuth(token: string | undefined): Auth {
  if (token === undefined) {
    return {
      required: false,
      allows: () => true,
      accepts: () => true,
      sessionCookie: () => '',
    };
  }
  const tokenDigest = digest(token);
  const session = createHmac('sha256', token)
    .update('barbican-reports-session/v1')
    .digest('base64url');
  const sessionDigest = digest(session);
  return {
    required: true,
    allows(req) {
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ') === true && same(auth.slice(7).trim(), tokenDigest))
        return true;
      const cookie = cookieValue(req, COOKIE);
      return cookie !== undefined && same(cookie, sessionDigest);
    },
    accepts: (submitted) => same(submitted, tokenDigest),
    sessionCookie: (secure) =>
      `${COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000${secure ? '; Secure' : ''}`,
  };
}
