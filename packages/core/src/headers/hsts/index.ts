/**
 * Strict-Transport-Security: tells browsers to use HTTPS only, for `maxAge`
 * seconds.
 *
 * Sent only on effective-HTTPS responses (RFC 6797 §7.2): over plain HTTP it
 * is ignored by browsers and flagged by hstspreload
 * (`redirects.http.useless_header`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6797
 * @see https://hstspreload.org/#deployment-recommendations
 * @example
 * ```ts
 * createPolicy({ headers: { hsts: { maxAge: 63072000, includeSubDomains: true, preload: true } } })
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { boolean, integer, object, type InferShape } from '../../schema/index.ts';
import {
  defineHeader,
  type CompileContext,
  type HeaderEmission,
  rejectRawValue,
} from '../types.ts';
import { parseHsts } from './parse.ts';

export { parseHsts } from './parse.ts';
export type { HstsParseResult } from './parse.ts';

/** One year: the minimum the HSTS preload list accepts. */
export const ONE_YEAR = 31_536_000;

const shape = {
  maxAge: integer({
    min: 0,
    max: 1_000_000_000,
    unit: 'seconds',
    description: 'How long browsers remember to use HTTPS only. 0 tells them to forget.',
  }),
  includeSubDomains: boolean({
    description: 'Apply to every subdomain too. Required for preload.',
  }),
  preload: boolean({
    description:
      "Ask to be in browsers' built-in HTTPS-only list (hstspreload.org). Needs includeSubDomains and maxAge ≥ 1 year.",
  }),
};

export type HstsOptions = InferShape<typeof shape>;

export const hsts = defineHeader<HstsOptions>({
  key: 'hsts',
  headerNames: ['Strict-Transport-Security'],
  description: 'Strict-Transport-Security: use HTTPS only, for maxAge seconds.',
  spec: 'https://www.rfc-editor.org/rfc/rfc6797#section-6.1',
  schema: object(shape),
  // Two years with subdomains: what hstspreload.org and OWASP recommend once
  // a site is fully HTTPS. Preload stays opt-in: it is hard to undo.
  defaults: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
  compile: compileHsts,
  compileRaw(value, ctx, path) {
    const parsed = parseHsts(value);
    rejectRawValue(
      parsed.problems.find((p) => p.severity === 'error'),
      value,
      path,
      'max-age=<seconds>[; includeSubDomains][; preload]',
    );
    // Run the object form's semantic checks on what was parsed, send the raw text.
    const options = {
      maxAge: parsed.maxAge ?? 0,
      includeSubDomains: parsed.includeSubDomains,
      preload: parsed.preload,
    };
    return compileHsts(options, ctx, path).map((e) => ({ ...e, value }));
  },
});

function compileHsts(options: HstsOptions, ctx: CompileContext, path: string): HeaderEmission[] {
  const maxAge = options.maxAge ?? 63_072_000;
  const includeSubDomains = options.includeSubDomains ?? false;
  const preload = options.preload ?? false;
  if (preload && !includeSubDomains) {
    throw new BarbicanError('BARBICAN_E_HSTS_PRELOAD', 'preload needs includeSubDomains: true', {
      path: `${path}.preload`,
      hint: 'The preload list applies to every subdomain, so the header must say so (hstspreload: header.preloadable.include_sub_domains.missing)',
    });
  }
  if (preload && maxAge < ONE_YEAR) {
    throw new BarbicanError(
      'BARBICAN_E_HSTS_PRELOAD',
      'preload needs maxAge of at least one year',
      {
        path: `${path}.maxAge`,
        value: maxAge,
        allowed: `${ONE_YEAR} or more`,
        hint: 'hstspreload rejects shorter headers (header.preloadable.max_age.below_1_year)',
      },
    );
  }
  if (maxAge > 0 && maxAge < ONE_YEAR) {
    ctx.warn(
      'BARBICAN_W_HSTS_SHORT',
      `${path}.maxAge`,
      `max-age=${maxAge} is under one year; raise it once HTTPS works everywhere`,
    );
  }
  let value = `max-age=${maxAge}`;
  if (includeSubDomains) value += '; includeSubDomains';
  if (preload) value += '; preload';
  return [{ name: 'Strict-Transport-Security', value, when: 'https' }];
}
