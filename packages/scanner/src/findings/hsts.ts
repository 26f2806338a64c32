/**
 * HSTS sent over plain HTTP, where browsers ignore it. (HSTS on HTTPS is the
 * Observatory's and the preload checker's topic.)
 *
 * @see https://www.rfc-editor.org/rfc/rfc6797#section-8.1
 * @module
 */
import { headerValues, type Finding, type Retrieval } from '../model.ts';
import { finding } from './finding.ts';

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
