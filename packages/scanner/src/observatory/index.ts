/**
 * Observatory-compatible grading: the ten tests of the released
 * `@mdn/mdn-http-observatory` 1.4.x with its result codes, score modifiers,
 * pass flags, curve and grade chart, so the same responses get the same
 * score, grade and codes as the Observatory users run today.
 *
 * Where Observatory departs from the specs, the compatible result stays in
 * `tests` (and the score); the spec-faithful result is in `spec` and, when it
 * differs, a finding says so. See `docs/scan-grading.md`.
 *
 * @see https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring
 * @example
 * ```ts
 * const { grade, score, tests } = observatory(await retrieve('https://example.com/'));
 * tests['strict-transport-security']; // { result: 'hsts-preloaded', scoreModifier: 5, pass: true }
 * ```
 * @module
 */
import { getDomain } from 'tldts';
import type { Finding, ObservatoryTestResult, Retrieval } from '../model.ts';
import { cspTest } from './csp.ts';
import { crossOriginIsolationFindings, testFinding, TEST_INFO } from './findings.ts';
import { observatoryInput, type ObservatoryInput } from './inputs.ts';
import { gradeForScore, scoreModifier, totalScore } from './scoring.ts';
import {
  cookiesTest,
  corpTest,
  corsTest,
  hstsTest,
  redirectionTest,
  referrerPolicyTest,
  sriTest,
  xContentTypeOptionsTest,
  xFrameOptionsTest,
  type Outcome,
  type TestOptions,
} from './tests.ts';

export {
  gradeForScore,
  totalScore,
  scoreModifier,
  SCORE_MODIFIERS,
  GRADE_CHART,
} from './scoring.ts';
export { MINIMUM_SCORE_FOR_EXTRA_CREDIT } from './scoring.ts';

/** Observatory's test names, in its order. */
export const OBSERVATORY_TESTS = [
  'content-security-policy',
  'cookies',
  'cross-origin-resource-sharing',
  'redirection',
  'referrer-policy',
  'strict-transport-security',
  'subresource-integrity',
  'x-content-type-options',
  'x-frame-options',
  'cross-origin-resource-policy',
] as const;

/** Options for {@link observatory}. */
export interface ObservatoryOptions {
  /**
   * Whether a host is on Chromium's HSTS preload list (the host itself in
   * force-https mode, or a parent with includeSubDomains). Observatory
   * downloads the list at install time; Barbican works offline, so the
   * default is "not preloaded" and callers may inject a lookup.
   */
  readonly preloaded?: (host: string) => boolean;
  /**
   * The registrable domain (eTLD+1) of a host, for the SRI same-site test.
   * The default is the Public Suffix List lookup Observatory uses (tldts,
   * ICANN section; null for IP addresses and single labels).
   */
  readonly registrableDomain?: (host: string) => string | null;
}

/** A scored set of Observatory results. */
export interface ObservatoryGrade {
  readonly score: number;
  readonly grade: string;
  readonly tests: Record<string, ObservatoryTestResult>;
}

/** What {@link observatory} returns. */
export interface ObservatoryResult extends ObservatoryGrade {
  /** One finding per non-passing test, COOP/COEP findings, and spec-deviation notes. */
  readonly findings: Finding[];
  /**
   * The same grading with Observatory's known defects corrected: a reflected
   * probe Origin with credentials is universal CORS access, and each
   * comma-separated CSP header policy is its own policy.
   */
  readonly spec: ObservatoryGrade;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** A PSL-free eTLD+1 approximation (the last two labels), for callers that want no list. */
export function lastTwoLabels(host: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (IPV4.test(h) || h.includes(':') || h.startsWith('[')) return null;
  const labels = h.split('.');
  if (labels.length < 2) return null;
  return labels.slice(-2).join('.');
}

function toResult(o: Outcome): ObservatoryTestResult {
  return { result: o.result, scoreModifier: scoreModifier(o.result), pass: o.pass };
}

function grade(outcomes: Record<string, Outcome>): ObservatoryGrade {
  const tests: Record<string, ObservatoryTestResult> = {};
  for (const name of OBSERVATORY_TESTS) {
    const o = outcomes[name];
    if (o !== undefined) tests[name] = toResult(o);
  }
  const { score, grade: letter } = gradeForScore(
    totalScore(Object.values(tests).map((t) => t.scoreModifier)),
  );
  return { score, grade: letter, tests };
}

function runTests(
  input: ObservatoryInput,
  opts: TestOptions,
  spec: boolean,
): Record<string, Outcome> {
  return {
    'content-security-policy': cspTest(input, spec),
    cookies: cookiesTest(input, opts),
    'cross-origin-resource-sharing': corsTest(input, spec),
    redirection: redirectionTest(input, opts),
    'referrer-policy': referrerPolicyTest(input),
    'strict-transport-security': hstsTest(input, opts),
    'subresource-integrity': sriTest(input, opts),
    'x-content-type-options': xContentTypeOptionsTest(input),
    'x-frame-options': xFrameOptionsTest(input),
    'cross-origin-resource-policy': corpTest(input),
  };
}

/**
 * Grades a retrieval as Observatory 1.4.x does. Pure: no I/O, never throws.
 *
 * When no response was received at all, Observatory aborts the scan; we
 * report every test as seeing "nothing", score 0 (F) and add a high finding. When the
 * final status is not 2xx, 3xx, 401 or 403, Observatory refuses to grade; we
 * grade anyway and add an info finding saying so.
 */
export function observatory(r: Retrieval, options: ObservatoryOptions = {}): ObservatoryResult {
  const opts: TestOptions = {
    preloaded: options.preloaded ?? (() => false),
    registrableDomain: options.registrableDomain ?? ((host: string) => getDomain(host)),
  };
  const input = observatoryInput(r);
  const compatible = runTests(input, opts, false);
  // Observatory aborts when nothing answered; grading "nothing" as D would
  // flatter an unreachable site, so it scores 0 (F).
  const down = (g: ObservatoryGrade): ObservatoryGrade =>
    input.auto === undefined ? { ...g, score: 0, grade: 'F' } : g;
  const graded = down(grade(compatible));
  const spec = down(grade(runTests(input, opts, true)));
  const findings: Finding[] = [];
  if (input.auto === undefined) {
    findings.push({
      code: 'observatory-site-down',
      severity: 'high',
      header: 'redirects',
      message: 'Neither the HTTP nor the HTTPS URL answered; Observatory would abort the scan.',
      fix: 'Make the site reachable over HTTPS.',
      spec: 'https://developer.mozilla.org/en-US/observatory/docs/faq',
    });
  } else {
    const status = input.auto.status;
    if (status < 200 || (status >= 400 && status !== 401 && status !== 403)) {
      findings.push({
        code: 'observatory-unexpected-status',
        severity: 'info',
        header: 'status',
        value: String(status),
        message: `The final response has status ${status}; Observatory only grades 2xx, 3xx, 401 and 403 responses.`,
        fix: 'Scan a URL that answers with a success or redirect status.',
        spec: 'https://developer.mozilla.org/en-US/observatory/docs/faq',
      });
    }
  }
  for (const name of OBSERVATORY_TESTS) {
    const t = graded.tests[name];
    if (t !== undefined && !t.pass) findings.push(testFinding(name, t.result));
  }
  for (const name of OBSERVATORY_TESTS) {
    const a = graded.tests[name];
    const b = spec.tests[name];
    if (a === undefined || b === undefined || a.result === b.result) continue;
    const base = testFinding(name, b.result);
    findings.push({
      ...base,
      code: `observatory-spec-difference.${name}`,
      severity: b.pass ? 'info' : base.severity,
      message: `${name}: Observatory 1.4 reports ${a.result}, but read as the spec requires the result is ${b.result}. ${base.message}`,
      spec: TEST_INFO[name]?.spec ?? base.spec,
    });
  }
  findings.push(...crossOriginIsolationFindings(input));
  return { ...graded, findings, spec };
}
