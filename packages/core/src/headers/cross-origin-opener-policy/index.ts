/**
 * Cross-Origin-Opener-Policy: puts this document in its own browsing-context
 * group, so a cross-origin window it opens (or that opened it) cannot reach
 * it through `window.opener` — the basis of cross-origin isolation and a
 * defence against XS-Leaks and tabnabbing.
 *
 * `Cross-Origin-Opener-Policy-Report-Only` reports what the policy would
 * break without enforcing it; send it to a `report-to` endpoint.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#cross-origin-opener-policies
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Opener-Policy
 * @example
 * ```ts
 * createPolicy({ headers: { crossOriginOpenerPolicy: { policy: 'same-origin', reportTo: 'coop' } } })
 * // Cross-Origin-Opener-Policy: same-origin;report-to="coop"
 * ```
 * @module
 */
import { crossOriginPolicyModule, type CrossOriginPolicyOptions } from '../cross-origin-shared.ts';
import { COOP_VALUES, type CoopValue } from './parse.ts';

export { COOP_VALUES, parseCoop } from './parse.ts';
export type { CoopValue } from './parse.ts';

export type CrossOriginOpenerPolicyOptions = CrossOriginPolicyOptions<CoopValue>;

const common = {
  values: COOP_VALUES,
  // same-origin isolates the document from every cross-origin popup and opener:
  // the secure default helmet, Hono, secure.py, Django and OWASP all send.
  defaultPolicy: 'same-origin',
  spec: 'https://html.spec.whatwg.org/multipage/browsers.html#cross-origin-opener-policies',
  codePrefix: 'coop',
  policyDescription:
    'same-origin: isolate from cross-origin windows. same-origin-allow-popups: keep references to popups you open. noopener-allow-popups: isolate even from same-origin openers. unsafe-none: no isolation.',
} as const;

/** `crossOriginOpenerPolicy`: the enforced Cross-Origin-Opener-Policy header. */
export const crossOriginOpenerPolicy = crossOriginPolicyModule<CoopValue>({
  ...common,
  key: 'crossOriginOpenerPolicy',
  header: 'Cross-Origin-Opener-Policy',
  reportOnly: false,
  description:
    'Cross-Origin-Opener-Policy: isolate this window from cross-origin openers and popups.',
});

/** `crossOriginOpenerPolicyReportOnly`: reports what COOP would break, without enforcing it. */
export const crossOriginOpenerPolicyReportOnly = crossOriginPolicyModule<CoopValue>({
  ...common,
  key: 'crossOriginOpenerPolicyReportOnly',
  header: 'Cross-Origin-Opener-Policy-Report-Only',
  reportOnly: true,
  description:
    'Cross-Origin-Opener-Policy-Report-Only: report what COOP would break, without enforcing it.',
});
