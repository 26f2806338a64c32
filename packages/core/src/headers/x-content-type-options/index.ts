/**
 * X-Content-Type-Options: `nosniff` stops browsers from guessing a response's
 * type from its bytes. Without it, an uploaded "image" that looks like HTML
 * or script can be run as such (MIME-confusion XSS), and cross-origin
 * scripts/styles with the wrong type are not blocked (CORB/ORB rely on it).
 *
 * @see https://fetch.spec.whatwg.org/#x-content-type-options-header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/X-Content-Type-Options
 * @example
 * ```ts
 * createPolicy({ headers: { xContentTypeOptions: true } }) // X-Content-Type-Options: nosniff
 * ```
 * @module
 */
import { defineTokenHeader, type TokenOptions } from '../single-token.ts';
import { parseXContentTypeOptions } from './parse.ts';

export { parseXContentTypeOptions } from './parse.ts';

/** The object form: `{ value?: 'nosniff' }` (the only value there is). */
export type XContentTypeOptionsOptions = TokenOptions<'nosniff'>;

export const xContentTypeOptions = defineTokenHeader({
  key: 'xContentTypeOptions',
  headerName: 'X-Content-Type-Options',
  description: 'X-Content-Type-Options: nosniff (no MIME sniffing).',
  spec: 'https://fetch.spec.whatwg.org/#x-content-type-options-header',
  values: ['nosniff'] as const,
  defaultValue: 'nosniff',
  optionDescription: 'The only value: nosniff.',
  caseInsensitive: true,
  // The builder is stricter than browsers: a raw value must be exactly one
  // nosniff, so that what we send is what every scanner expects.
  parse: (v) => {
    const r = parseXContentTypeOptions(v);
    return r.problems.length === 0 ? r : { valid: false, token: undefined, problems: r.problems };
  },
});
