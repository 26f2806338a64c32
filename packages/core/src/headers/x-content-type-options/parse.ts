/**
 * The X-Content-Type-Options parser, shared by the builder's check of raw
 * values and by the scanner. Never throws: problems come back as data with
 * offsets.
 *
 * @module
 */
import type { FieldProblem } from '../../field-types.ts';
import { type TokenParseResult } from '../single-token.ts';

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
