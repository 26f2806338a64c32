/**
 * X-Download-Options: `noopen` stops Internet Explorer 8+ from opening a
 * download directly in the site's context, where downloaded HTML would run
 * with the site's cookies. Only IE ever honoured it; it costs 26 bytes.
 *
 * @see https://learn.microsoft.com/archive/blogs/ie/ie8-security-part-v-comprehensive-protection
 * @example
 * ```ts
 * createPolicy({ headers: { xDownloadOptions: true } }) // X-Download-Options: noopen
 * ```
 * @module
 */
import { defineTokenHeader, type TokenOptions } from '../single-token.ts';
import { VALUES, parseXDownloadOptions } from './parse.ts';

export { parseXDownloadOptions } from './parse.ts';

/** The object form: `{ value?: 'noopen' }` (the only value there is). */
export type XDownloadOptionsOptions = TokenOptions<'noopen'>;

export const xDownloadOptions = defineTokenHeader({
  key: 'xDownloadOptions',
  headerName: 'X-Download-Options',
  description: 'X-Download-Options: noopen (Internet Explorer only).',
  spec: 'https://learn.microsoft.com/archive/blogs/ie/ie8-security-part-v-comprehensive-protection',
  values: VALUES,
  defaultValue: 'noopen',
  optionDescription: 'The only value: noopen.',
  caseInsensitive: true,
  parse: parseXDownloadOptions,
});
