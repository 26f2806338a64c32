/**
 * The policy's `tls` and `errors` sections (issue 8 §1), typed as
 * CONTRACTS.md describes them, read in this one place. Until core builds
 * them, a policy has neither and the export writes no TLS settings beyond the
 * certificate and intercepts no upstream errors; the server version tokens
 * are hidden, which is the section's default.
 *
 * @module
 */
import type { Policy } from '@barbican/core';

/** A TLS protocol version Barbican allows. */
export type TlsProtocol = 'TLSv1.2' | 'TLSv1.3';

/** `policy.tls`: the resolved TLS settings (profile defaults applied). */
export interface ResolvedTlsSection {
  readonly profile: 'modern' | 'intermediate' | 'openkat';
  readonly protocols: readonly TlsProtocol[];
  /** TLS 1.2 suites, OpenSSL names. */
  readonly ciphers: readonly string[];
  /** TLS 1.3 suites, IANA names. */
  readonly cipherSuites: readonly string[];
  /** OpenSSL group names. */
  readonly curves: readonly string[];
  readonly sessionTickets: boolean;
  /** Seconds. */
  readonly sessionTimeout: number;
  readonly ocspStapling: boolean;
  readonly certificates: readonly {
    readonly cert: string;
    readonly key: string;
    readonly names?: readonly string[];
  }[];
}

/** `policy.errors`: which upstream error bodies are replaced, by what, and whether the server names itself. */
export interface ResolvedErrorsSection {
  readonly intercept: readonly number[];
  /** Path of an HTML file; undefined = Barbican's built-in page. */
  readonly page: string | undefined;
  readonly serverTokens: boolean;
}

/** The sections a policy built before issue 8 §1 lacks, with what the export assumes then. */
export interface PolicySections {
  readonly tls: ResolvedTlsSection | undefined;
  readonly errors: ResolvedErrorsSection;
}

/** Hide the server version; replace no upstream body (nothing to intercept without the section). */
const NO_ERRORS_SECTION: ResolvedErrorsSection = Object.freeze({
  intercept: Object.freeze([]),
  page: undefined,
  serverTokens: false,
});

/**
 * Reads `policy.tls` and `policy.errors` when the core provides them.
 *
 * @example
 * ```ts
 * policySections(createPolicy()).errors.serverTokens // false
 * ```
 */
export function policySections(policy: Policy): PolicySections {
  const p = policy as Policy & {
    readonly tls?: ResolvedTlsSection;
    readonly errors?: ResolvedErrorsSection;
  };
  return { tls: p.tls, errors: p.errors ?? NO_ERRORS_SECTION };
}
