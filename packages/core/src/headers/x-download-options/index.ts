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
import { defineTokenHeader, tokenParser, type TokenOptions } from '../single-token.ts';

const VALUES = ['noopen'] as const;

/** The object form: `{ value?: 'noopen' }` (the only value there is). */
export type XDownloadOptionsOptions = TokenOptions<'noopen'>;

/**
 * Parses X-Download-Options (`noopen`, any case). Never throws.
 *
 * @example
 * ```ts
 * parseXDownloadOptions('noopen').valid // true
 * ```
 */
export const parseXDownloadOptions = tokenParser(VALUES, 'x_download_options', true);

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
