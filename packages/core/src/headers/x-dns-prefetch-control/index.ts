/**
 * X-DNS-Prefetch-Control: `off` stops the browser from resolving the host
 * names of links on the page before they are clicked. Prefetching leaks which
 * links a user was shown (e.g. in a webmail message) to DNS observers and to
 * whoever runs the linked domain's name servers.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/X-DNS-Prefetch-Control
 * @example
 * ```ts
 * createPolicy({ headers: { xDnsPrefetchControl: { value: 'off' } } })
 * ```
 * @module
 */
import { defineTokenHeader, type TokenOptions } from '../single-token.ts';
import { VALUES, parseXDnsPrefetchControl } from './parse.ts';

export { parseXDnsPrefetchControl } from './parse.ts';

/** The object form: `{ value?: 'off' | 'on' }`. */
export type XDnsPrefetchControlOptions = TokenOptions<(typeof VALUES)[number]>;

export const xDnsPrefetchControl = defineTokenHeader({
  key: 'xDnsPrefetchControl',
  headerName: 'X-DNS-Prefetch-Control',
  description: 'X-DNS-Prefetch-Control: off stops DNS prefetching of links (privacy).',
  spec: 'https://developer.mozilla.org/docs/Web/HTTP/Headers/X-DNS-Prefetch-Control',
  values: VALUES,
  defaultValue: 'off',
  optionDescription: 'off: no DNS prefetching (private). on: allow it (faster link clicks).',
  caseInsensitive: true,
  parse: parseXDnsPrefetchControl,
});
