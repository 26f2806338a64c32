/**
 * Caching of sensitive responses: a response that sets cookies or looks
 * authenticated should say Cache-Control: no-store.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2
 * @module
 */
import { parseCacheControl } from '@barbican/core/parsers';
import { headerValues, type CapturedResponse, type Finding } from '../model.ts';
import { finding } from './finding.ts';

/** Paths that usually serve per-user or credential material. */
const SENSITIVE_PATH =
  /log-?in|sign-?in|auth|account|admin|session|token|oauth|password|profile|dashboard/i;

/** The reviewer's caching findings for one response. */
export function cachingFindings(res: CapturedResponse): Finding[] {
  const setsCookie = headerValues(res, 'set-cookie').length > 0;
  let path = '';
  try {
    path = new URL(res.url).pathname;
  } catch {
    // An unparsable URL only loses the path heuristic.
  }
  const authLooking =
    res.status === 401 ||
    headerValues(res, 'www-authenticate').length > 0 ||
    SENSITIVE_PATH.test(path);
  if (!setsCookie && !authLooking) return [];
  const value = headerValues(res, 'cache-control').join(', ');
  const cc = parseCacheControl(value);
  const why = setsCookie ? 'sets cookies' : 'looks authenticated';
  const out: Finding[] = [];
  if (setsCookie && cc.directives.some((d) => d.name === 'public'))
    out.push(
      finding(
        'cache.sensitive.public',
        'cache-control',
        "The response sets cookies and says Cache-Control: public: a shared cache or CDN may store it and hand one user's cookie to the next.",
        'Cache-Control: no-store',
        { value },
      ),
    );
  if (!cc.noStore)
    out.push(
      finding(
        'cache.sensitive.not-no-store',
        'cache-control',
        `The response ${why} but Cache-Control ${value === '' ? 'is absent' : `is "${value}"`}: browsers, proxies and the back button may keep a copy of private data.`,
        'Cache-Control: no-store',
        { ...(value === '' ? {} : { value }) },
      ),
    );
  return out;
}
