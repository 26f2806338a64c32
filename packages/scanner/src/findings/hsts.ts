/**
 * HSTS sent over plain HTTP, where browsers ignore it; and a short max-age
 * Observatory cannot see. (HSTS on HTTPS is otherwise the Observatory's and
 * the preload checker's topic.)
 *
 * @see https://www.rfc-editor.org/rfc/rfc6797#section-8.1
 * @module
 */
import { parseHsts } from '@barbican/core/parsers';
import { headerValues, type CapturedResponse, type Finding, type Retrieval } from '../model.ts';
import { observatoryHstsMaxAge, SIX_MONTHS } from '../observatory/tests.ts';
import { finding } from './finding.ts';

/**
 * A max-age under six months that Observatory's lenient reading misses:
 * `max-age="300"` is valid syntax (RFC 6797 §6.1: the value is a token or a
 * quoted-string) and browsers honour it as 300 seconds, while Observatory
 * reads NaN and passes it. When both readings agree, Observatory's own
 * finding already says it, and one problem is reported once.
 */
export function hstsMaxAgeFindings(res: CapturedResponse): Finding[] {
  const value = headerValues(res, 'strict-transport-security')[0];
  if (value === undefined) return [];
  const rfc = parseHsts(value);
  if (!rfc.valid || rfc.maxAge === undefined || rfc.maxAge >= SIX_MONTHS) return [];
  if (observatoryHstsMaxAge(value) === rfc.maxAge) return [];
  return [
    finding(
      'hsts.max-age.short',
      'strict-transport-security',
      `Strict-Transport-Security max-age is ${rfc.maxAge} seconds: the quoted value is valid (RFC 6797 §6.1) and browsers honour it, but under six months it leaves returning visitors open to SSL stripping.`,
      'Strict-Transport-Security: max-age=63072000; includeSubDomains (two years, unquoted, as most tools expect)',
      { value },
    ),
  ];
}

/** The reviewer's finding on the HTTP chain: HSTS sent over plain HTTP. */
export function hstsOverHttpFindings(r: Retrieval): Finding[] {
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
