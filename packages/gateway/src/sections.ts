/**
 * The policy's `tls` and `errors` sections, as the gateway consumes them.
 *
 * These sections belong to core (CONTRACTS.md: `policy.tls: ResolvedTls`,
 * `policy.errors: ResolvedErrors`). This module is the one place that reads
 * them: when the core in use resolves them, it returns core's values; on a
 * core that does not know them yet, it validates the agreed shape itself with
 * the same schema DSL and applies the agreed defaults. Once every core knows
 * the sections, the fallback half of this file goes and nothing else changes.
 *
 * @module
 */
import {
  BarbicanError,
  policyOptionsSchema,
  type Policy,
  type PolicyOptions,
} from '@barbican/core';
import {
  array,
  boolean,
  enumeration,
  integer,
  object,
  string,
  union,
  literal,
  type Infer,
} from '@barbican/core/schema';

/** TLS settings with defaults applied (CONTRACTS.md `ResolvedTls`). */
export interface ResolvedTls {
  readonly profile: 'modern' | 'intermediate' | 'openkat';
  readonly protocols: readonly ('TLSv1.2' | 'TLSv1.3')[];
  /** TLS 1.2 suites, OpenSSL names. */
  readonly ciphers: readonly string[];
  /** TLS 1.3 suites, IANA names. */
  readonly cipherSuites: readonly string[];
  /** OpenSSL group names. */
  readonly curves: readonly string[];
  readonly sessionTickets: boolean;
  readonly sessionTimeout: number;
  readonly ocspStapling: boolean;
  /** True when the profile wants the server's suite order (openkat: `ssl_prefer_server_ciphers on`). */
  readonly honorCipherOrder: boolean;
  readonly certificates: readonly {
    readonly cert: string;
    readonly key: string;
    readonly names?: readonly string[];
  }[];
}

/** Error obscuring with defaults applied (CONTRACTS.md `ResolvedErrors`). */
export interface ResolvedErrors {
  readonly intercept: readonly number[];
  readonly page: string | undefined;
  readonly serverTokens: boolean;
}

// --- fallback for a core without the sections (CONTRACTS.md shape) --------------

const SUITES_13 = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
];
const CURVES = ['X25519MLKEM768', 'X25519', 'prime256v1', 'secp384r1'];

/** Mozilla server-side TLS guidelines 6.0, and the OpenKAT guide's real suites. */
const PROFILES: Record<ResolvedTls['profile'], Omit<ResolvedTls, 'certificates' | 'profile'>> = {
  modern: {
    protocols: ['TLSv1.3'],
    ciphers: [],
    cipherSuites: SUITES_13,
    curves: CURVES,
    sessionTickets: false,
    sessionTimeout: 86_400,
    ocspStapling: false,
    honorCipherOrder: false,
  },
  intermediate: {
    protocols: ['TLSv1.2', 'TLSv1.3'],
    ciphers: [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ],
    cipherSuites: SUITES_13,
    curves: CURVES,
    sessionTickets: false,
    sessionTimeout: 86_400,
    ocspStapling: false,
    honorCipherOrder: false,
  },
  openkat: {
    protocols: ['TLSv1.2', 'TLSv1.3'],
    ciphers: [
      'ECDHE-RSA-AES256-GCM-SHA384',
      'DHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-SHA384',
    ],
    cipherSuites: SUITES_13,
    curves: ['secp384r1'],
    sessionTickets: false,
    sessionTimeout: 600,
    ocspStapling: false,
    honorCipherOrder: true,
  },
};

const name = string({ pattern: /^[A-Za-z0-9_-]{1,64}$/, patternDescription: 'an OpenSSL name' });
const path = string({ maxLength: 4096, fieldSafe: false });

const fallbackTlsSchema = object({
  profile: enumeration(['modern', 'intermediate', 'openkat']),
  protocols: array(enumeration(['TLSv1.2', 'TLSv1.3']), { minItems: 1, unique: true }),
  ciphers: array(name, { maxItems: 100 }),
  cipherSuites: array(name, { maxItems: 10 }),
  curves: array(name, { minItems: 1, maxItems: 20 }),
  sessionTickets: boolean(),
  sessionTimeout: integer({ min: 0, max: 604_800, unit: 'seconds' }),
  ocspStapling: boolean(),
  certificates: array(
    object({ cert: path, key: path, names: array(string({ maxLength: 260 }), { maxItems: 1000 }) }),
    { maxItems: 1000 },
  ),
});

const fallbackErrorsSchema = object({
  intercept: union([
    literal(false),
    array(integer({ min: 400, max: 599 }), { maxItems: 200, unique: true }),
  ]),
  page: path,
  serverTokens: boolean(),
});

type FallbackTls = Infer<typeof fallbackTlsSchema>;
type FallbackErrors = Infer<typeof fallbackErrorsSchema>;

/** The sections a core without them could not validate, validated here. */
export interface FallbackSections {
  readonly tls?: FallbackTls;
  readonly errors?: FallbackErrors;
}

/** True when the core in use validates and resolves `tls` and `errors` itself. */
export function coreHasSections(): boolean {
  return 'tls' in policyOptionsSchema.shape && 'errors' in policyOptionsSchema.shape;
}

/**
 * Splits the policy options into what `createPolicy` accepts and the
 * sections this module resolves itself (only on a core without them).
 */
export function splitSections(options: Record<string, unknown>): {
  policy: PolicyOptions;
  fallback: FallbackSections;
} {
  if (coreHasSections()) return { policy: options, fallback: {} };
  const { tls, errors, ...rest } = options;
  const fallback: { tls?: FallbackTls; errors?: FallbackErrors } = {};
  if (tls !== undefined) fallback.tls = fallbackTlsSchema.parse(tls, 'tls');
  if (errors !== undefined) fallback.errors = fallbackErrorsSchema.parse(errors, 'errors');
  return { policy: rest, fallback };
}

/** The policy's resolved TLS section. */
export function tlsOf(policy: Policy, fallback: FallbackSections): ResolvedTls {
  const fromCore = (policy as { tls?: ResolvedTls }).tls;
  if (fromCore !== undefined) return withHonorOrder(fromCore);
  const t = fallback.tls ?? {};
  const profile = t.profile ?? 'intermediate';
  const base = PROFILES[profile];
  return Object.freeze({
    profile,
    protocols: t.protocols ?? base.protocols,
    ciphers: t.ciphers ?? base.ciphers,
    cipherSuites: t.cipherSuites ?? base.cipherSuites,
    curves: t.curves ?? base.curves,
    sessionTickets: t.sessionTickets ?? base.sessionTickets,
    sessionTimeout: t.sessionTimeout ?? base.sessionTimeout,
    ocspStapling: t.ocspStapling ?? base.ocspStapling,
    honorCipherOrder: base.honorCipherOrder,
    certificates: (t.certificates ?? []).map((c, i) => {
      if (c.cert === undefined || c.key === undefined) {
        throw new BarbicanError(
          'BARBICAN_E_GATEWAY_CERT',
          'a certificate needs both cert and key',
          {
            path: `tls.certificates[${i}]`,
          },
        );
      }
      return { cert: c.cert, key: c.key, ...(c.names === undefined ? {} : { names: c.names }) };
    }),
  });
}

function withHonorOrder(tls: ResolvedTls): ResolvedTls {
  if (typeof tls.honorCipherOrder === 'boolean') return tls;
  return { ...tls, honorCipherOrder: tls.profile === 'openkat' };
}

/** The policy's resolved error-obscuring section. */
export function errorsOf(policy: Policy, fallback: FallbackSections): ResolvedErrors {
  const fromCore = (policy as { errors?: ResolvedErrors }).errors;
  if (fromCore !== undefined) return fromCore;
  const e = fallback.errors ?? {};
  return Object.freeze({
    intercept: Object.freeze(e.intercept === false ? [] : (e.intercept ?? [500, 502, 503, 504])),
    page: e.page,
    serverTokens: e.serverTokens ?? false,
  });
}
