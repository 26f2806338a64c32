/**
 * The policy's `tls` and `errors` sections (issue 8 §1), read in this one
 * place: the model carries core's resolved sections as they are, and the
 * renderers look names up in core's TLS tables.
 *
 * @module
 */
import type { Policy, ResolvedErrors, ResolvedTls } from '@barbican/core';

/** `policy.tls`: the resolved TLS settings (profile defaults applied, OpenSSL names). */
export type ResolvedTlsSection = ResolvedTls;

/** `policy.errors`: which upstream error bodies are replaced, by what, and whether the server names itself. */
export type ResolvedErrorsSection = ResolvedErrors;

/** The sections the export reads. */
export interface PolicySections {
  readonly tls: ResolvedTlsSection;
  readonly errors: ResolvedErrorsSection;
}

/**
 * Reads `policy.tls` and `policy.errors`.
 *
 * @example
 * ```ts
 * policySections(createPolicy()).errors.intercept // [500, 502, 503, 504]
 * ```
 */
export function policySections(policy: Policy): PolicySections {
  return { tls: policy.tls, errors: policy.errors };
}
