/**
 * Legacy and leaky settings: an X-XSS-Protection that turns the auditor on,
 * and a referrer policy of unsafe-url, from the header or from a
 * `<meta name="referrer">` that overrides it (including the legacy
 * keyword "always").
 *
 * @module
 */
import { parseReferrerPolicy } from '@barbican/core/parsers';
import { headerValues, htmlBody, type CapturedResponse, type Finding } from '../model.ts';
import { metaContents } from '../observatory/html.ts';
import { finding, MAX_PER_CHECK } from './finding.ts';

/**
 * HTML's legacy meta referrer keywords and the policy each stands for
 * ("always" is unsafe-url).
 *
 * @see https://html.spec.whatwg.org/multipage/semantics.html#meta-referrer
 */
const LEGACY_META_REFERRER: Readonly<Record<string, string>> = {
  never: 'no-referrer',
  default: 'strict-origin-when-cross-origin',
  always: 'unsafe-url',
  'origin-when-crossorigin': 'origin-when-cross-origin',
};

/**
 * The document's referrer policy when it is unsafe-url: the header's, then
 * each `<meta name="referrer">` of an HTML document in order, the last
 * valid one winning (a meta overrides the header).
 */
function unsafeUrlPolicy(
  res: CapturedResponse,
): { header: string | undefined; meta: string | undefined } | undefined {
  const rp = headerValues(res, 'referrer-policy');
  const header = rp.length === 0 ? undefined : rp.join(', ');
  let policy = header === undefined ? undefined : parseReferrerPolicy(header).policy;
  let meta: string | undefined;
  const html = htmlBody(res);
  if (html !== undefined && /referrer/i.test(html)) {
    for (const content of metaContents(html, 'referrer').slice(0, MAX_PER_CHECK)) {
      const lower = content.trim().toLowerCase();
      const mapped = LEGACY_META_REFERRER[lower] ?? lower;
      const parsed = parseReferrerPolicy(mapped).policy;
      // An invalid value leaves the policy as it was; a valid one replaces it.
      if (parsed === undefined || mapped.includes(',')) continue;
      policy = parsed;
      meta = content.trim();
    }
  }
  return policy === 'unsafe-url' ? { header, meta } : undefined;
}

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
  const leak = unsafeUrlPolicy(res);
  if (leak !== undefined) {
    out.push(
      finding(
        'referrer-policy.unsafe-url',
        'referrer-policy',
        leak.meta === undefined
          ? 'Referrer-Policy: unsafe-url sends the full URL, including paths and query strings that may hold tokens, to every site and even over plain HTTP.'
          : `<meta name="referrer" content="${leak.meta}">${leak.meta.toLowerCase() === 'unsafe-url' ? '' : ` (a legacy spelling of unsafe-url)`} overrides the Referrer-Policy header${leak.header === undefined ? '' : ` (${leak.header})`}: the full URL, with paths and query strings that may hold tokens, goes to every site and even over plain HTTP.`,
        leak.meta === undefined
          ? 'Referrer-Policy: strict-origin-when-cross-origin (or no-referrer)'
          : 'Remove the <meta name="referrer">, or set content="strict-origin-when-cross-origin"',
        { value: leak.meta ?? leak.header ?? 'unsafe-url' },
      ),
    );
  }
  return out;
}
