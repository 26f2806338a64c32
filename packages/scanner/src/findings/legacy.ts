/**
 * Legacy and leaky settings: an X-XSS-Protection that turns the auditor on,
 * and Referrer-Policy: unsafe-url.
 *
 * @module
 */
import { parseReferrerPolicy } from '@barbican/core/parsers';
import { headerValues, type CapturedResponse, type Finding } from '../model.ts';
import { finding } from './finding.ts';

/** The reviewer's findings on legacy headers for one response. */
export function legacyFindings(res: CapturedResponse): Finding[] {
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
