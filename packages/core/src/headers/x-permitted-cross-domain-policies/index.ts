/**
 * X-Permitted-Cross-Domain-Policies: which cross-domain policy files
 * (`crossdomain.xml`) Adobe clients such as Acrobat (and formerly Flash) may
 * honour. `none` means no policy file anywhere on the site can grant another
 * domain read access to its data through those clients.
 *
 * @see https://owasp.org/www-project-secure-headers/#x-permitted-cross-domain-policies
 * @example
 * ```ts
 * createPolicy({ headers: { xPermittedCrossDomainPolicies: { value: 'none' } } })
 * ```
 * @module
 */
import { defineTokenHeader, type TokenOptions } from '../single-token.ts';
import { VALUES, parseXPermittedCrossDomainPolicies } from './parse.ts';

export { parseXPermittedCrossDomainPolicies } from './parse.ts';

/** The object form: `{ value?: 'none' | 'master-only' | … }`. */
export type XPermittedCrossDomainPoliciesOptions = TokenOptions<(typeof VALUES)[number]>;

export const xPermittedCrossDomainPolicies = defineTokenHeader({
  key: 'xPermittedCrossDomainPolicies',
  headerName: 'X-Permitted-Cross-Domain-Policies',
  description:
    'X-Permitted-Cross-Domain-Policies: which crossdomain.xml files Adobe clients honour.',
  spec: 'https://owasp.org/www-project-secure-headers/#x-permitted-cross-domain-policies',
  values: VALUES,
  defaultValue: 'none',
  optionDescription:
    'none (recommended): no policy file is honoured; master-only: only /crossdomain.xml; by-content-type, by-ftp-filename, all, none-this-response.',
  caseInsensitive: true,
  parse: parseXPermittedCrossDomainPolicies,
});
