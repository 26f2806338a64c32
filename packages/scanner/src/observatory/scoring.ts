/**
 * Observatory 1.4.x scoring: the modifier of every result code, which codes
 * pass, and the grade chart. Values match `@mdn/mdn-http-observatory@1.4.8`
 * (algorithm version 4); a test keeps this table in sync with the package.
 *
 * @see https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring
 * @module
 */

/** Every result code Observatory 1.4.x can emit, with its score modifier. */
export const SCORE_MODIFIERS: Readonly<Record<string, number>> = {
  // content-security-policy
  'csp-implemented-with-no-unsafe-default-src-none': 10,
  'csp-implemented-with-no-unsafe': 5,
  'csp-implemented-with-unsafe-inline-in-style-src-only': 0,
  'csp-implemented-with-insecure-scheme-in-passive-content-only': -10,
  'csp-implemented-with-unsafe-eval': -10,
  'csp-implemented-with-unsafe-inline': -20,
  'csp-implemented-with-insecure-scheme': -20,
  'csp-header-invalid': -25,
  'csp-not-implemented': -25,
  'csp-not-implemented-but-reporting-enabled': -25,
  'csp-implemented-but-duplicate-directives': 0,
  // cookies
  'cookies-secure-with-httponly-sessions-and-samesite': 5,
  'cookies-secure-with-httponly-sessions': 0,
  'cookies-not-found': 0,
  'cookies-without-secure-flag-but-protected-by-hsts': -5,
  'cookies-session-without-secure-flag-but-protected-by-hsts': -10,
  'cookies-without-secure-flag': -20,
  'cookies-samesite-flag-invalid': -20,
  'cookies-anticsrf-without-samesite-flag': -20,
  'cookies-session-without-httponly-flag': -30,
  'cookies-session-without-secure-flag': -40,
  // cross-origin-resource-sharing
  'cross-origin-resource-sharing-not-implemented': 0,
  'cross-origin-resource-sharing-implemented-with-public-access': 0,
  'cross-origin-resource-sharing-implemented-with-restricted-access': 0,
  'cross-origin-resource-sharing-implemented-with-universal-access': -50,
  // redirection
  'redirection-all-redirects-preloaded': 0,
  'redirection-to-https': 0,
  'redirection-not-needed-no-http': 0,
  'redirection-off-host-from-http': -5,
  'redirection-not-to-https-on-initial-redirection': -10,
  'redirection-not-to-https': -20,
  'redirection-missing': -20,
  'redirection-invalid-cert': -20,
  // referrer-policy
  'referrer-policy-private': 5,
  'referrer-policy-not-implemented': 0,
  'referrer-policy-unsafe': -5,
  'referrer-policy-header-invalid': -5,
  // strict-transport-security
  'hsts-preloaded': 5,
  'hsts-implemented-max-age-at-least-six-months': 0,
  'hsts-implemented-max-age-less-than-six-months': -10,
  'hsts-not-implemented': -20,
  'hsts-header-invalid': -20,
  'hsts-not-implemented-no-https': -20,
  'hsts-invalid-cert': -20,
  // subresource-integrity
  'sri-implemented-and-all-scripts-loaded-securely': 5,
  'sri-implemented-and-external-scripts-loaded-securely': 5,
  'sri-not-implemented-response-not-html': 0,
  'sri-not-implemented-but-no-scripts-loaded': 0,
  'sri-not-implemented-but-all-scripts-loaded-from-secure-origin': 0,
  'sri-not-implemented-but-external-scripts-loaded-securely': -5,
  'sri-implemented-but-external-scripts-not-loaded-securely': -20,
  'sri-not-implemented-and-external-scripts-not-loaded-securely': -50,
  'html-not-parseable': -20,
  // x-content-type-options
  'x-content-type-options-nosniff': 0,
  'x-content-type-options-not-implemented': -5,
  'x-content-type-options-header-invalid': -5,
  // x-frame-options (1.4.x: SAMEORIGIN/DENY earn nothing; only frame-ancestors earns +5)
  'x-frame-options-implemented-via-csp': 5,
  'x-frame-options-sameorigin-or-deny': 0,
  'x-frame-options-allow-from-origin': 0,
  'x-frame-options-not-implemented': -20,
  'x-frame-options-header-invalid': -20,
  // cross-origin-resource-policy
  'corp-not-implemented': 0,
  'corp-implemented-with-same-origin': 10,
  'corp-implemented-with-same-site': 10,
  'corp-implemented-with-cross-origin': 0,
  'corp-header-invalid': -5,
};

/** The score modifier of a result code (0 for an unknown code, as Observatory does). */
export function scoreModifier(result: string): number {
  return SCORE_MODIFIERS[result] ?? 0;
}

/**
 * Below this uncurved score, bonuses are ignored: only a site that already
 * earns an A without them can climb to A+ (Observatory's `MINIMUM_SCORE_FOR_EXTRA_CREDIT`).
 */
export const MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;

/** Grade for each multiple of 5 from 0 to 100 (Observatory's grade chart). */
export const GRADE_CHART: ReadonlyMap<number, string> = new Map([
  [100, 'A+'],
  [95, 'A'],
  [90, 'A'],
  [85, 'A-'],
  [80, 'B+'],
  [75, 'B'],
  [70, 'B'],
  [65, 'B-'],
  [60, 'C+'],
  [55, 'C'],
  [50, 'C'],
  [45, 'C-'],
  [40, 'D+'],
  [35, 'D'],
  [30, 'D'],
  [25, 'D-'],
  [20, 'F'],
  [15, 'F'],
  [10, 'F'],
  [5, 'F'],
  [0, 'F'],
]);

/**
 * The grade for a raw score: negative scores count as 0, the score is rounded
 * down to a multiple of 5, and anything above 100 grades as 100 (A+). The
 * returned score is floored at 0 but not capped (Observatory reports 135).
 *
 * @example gradeForScore(112) // { score: 112, grade: 'A+' }
 */
export function gradeForScore(raw: number): { score: number; grade: string } {
  const score = Math.max(raw, 0);
  const key = Math.min(score - (score % 5), 100);
  // Every multiple of 5 in [0, 100] is in the chart; a non-integer score
  // (impossible from integer modifiers) would fall back to F.
  return { score, grade: GRADE_CHART.get(key) ?? 'F' };
}

/**
 * Observatory's curve: start at 100, add every negative modifier
 * (uncurved); if that is still at least 90, add the bonuses too.
 *
 * @example totalScore([-5, 10, 5]) // 110
 */
export function totalScore(modifiers: readonly number[]): number {
  let uncurved = 100;
  let withExtraCredit = 100;
  for (const m of modifiers) {
    withExtraCredit += m;
    if (m < 0) uncurved += m;
  }
  return uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtraCredit : uncurved;
}
