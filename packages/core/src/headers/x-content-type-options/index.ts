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
import type { FieldProblem } from '../../field-types.ts';
import { defineTokenHeader, type TokenOptions, type TokenParseResult } from '../single-token.ts';

/** The object form: `{ value?: 'nosniff' }` (the only value there is). */
export type XContentTypeOptionsOptions = TokenOptions<'nosniff'>;

/**
 * Parses X-Content-Type-Options the way Fetch's "determine nosniff" does:
 * only the first comma-separated value counts, compared ignoring ASCII case.
 * Extra values are reported as a warning. Never throws.
 *
 * @example
 * ```ts
 * parseXContentTypeOptions('nosniff').valid // true
 * parseXContentTypeOptions('no-sniff').valid // false
 * ```
 */
export function parseXContentTypeOptions(value: string): TokenParseResult<'nosniff'> {
  if (typeof value !== 'string') {
    return {
      valid: false,
      token: undefined,
      problems: [
        {
          code: 'x_content_type_options.type',
          severity: 'error',
          message: 'not a string',
          offset: 0,
        },
      ],
    };
  }
  const comma = value.indexOf(',');
  const first = (comma === -1 ? value : value.slice(0, comma)).trim();
  const problems: FieldProblem[] = [];
  if (first.toLowerCase() !== 'nosniff') {
    problems.push({
      code: first === '' ? 'x_content_type_options.empty' : 'x_content_type_options.unknown',
      severity: 'error',
      message:
        first === ''
          ? 'the first value is empty, so browsers sniff'
          : `${JSON.stringify(first)} is not nosniff, so browsers sniff`,
      offset: value.length - value.trimStart().length,
    });
    return { valid: false, token: undefined, problems };
  }
  if (comma !== -1) {
    problems.push({
      code: 'x_content_type_options.extra',
      severity: 'warning',
      message: 'only the first value counts; the rest is ignored',
      offset: comma,
    });
  }
  return { valid: true, token: 'nosniff', problems };
}

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
