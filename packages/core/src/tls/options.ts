/**
 * The `tls` section of a policy: a profile plus overrides, every name
 * checked against the tables in `names.ts` when the policy is built.
 *
 * What is refused and what is only warned about:
 * - an unknown name, or a name in the wrong list or spelling: an error with
 *   "did you mean" (`BARBICAN_E_TLS_NAME`), never a silent drop as OpenSSL does;
 * - SSLv3, TLS 1.0/1.1, NULL, anonymous, export, RC4, DES/3DES, IDEA, MD5
 *   and PSK/SRP suites, curves under 112-bit security, and a TLS 1.2 list
 *   with no AEAD suite: errors (`BARBICAN_E_TLS_INSECURE`), because each is
 *   broken or cannot work on a web server;
 * - CBC, non-forward-secret, finite-field DHE, DSA and CCM_8 suites and
 *   deprecated curves: warnings (`BARBICAN_W_TLS_WEAK`), because they still
 *   protect traffic and some deployments need them.
 *
 * @see ../../../../docs/tls.md
 * @module
 */
import { BarbicanError, didYouMean, type WarningCode } from '../errors.ts';
import { deepFreeze } from '../freeze.ts';
import { parseHost } from '../request/hosts.ts';
import {
  array,
  boolean,
  enumeration,
  integer,
  object,
  string,
  type InferShape,
  type Schema,
} from '../schema/index.ts';
import {
  findTlsCipher,
  findTlsGroup,
  findTlsProtocol,
  TLS_CIPHERS,
  TLS_GROUPS,
  TLS13_CIPHER_SUITES,
  type TlsCipher,
  type TlsGroup,
} from './names.ts';
import {
  TLS_PROFILE_NAMES,
  TLS_PROFILES,
  type TlsProfileName,
  type TlsSettings,
  type TlsVersion,
} from './profiles.ts';

const VERSIONS: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];

/** A TLS protocol version: TLSv1.2 or TLSv1.3; the older ones are refused with the reason. */
const protocolSchema: Schema<TlsVersion> = {
  expected: '"TLSv1.2" or "TLSv1.3"',
  parse(input, path) {
    const s = string({ maxLength: 32 }).parse(input, path);
    if ((VERSIONS as readonly string[]).includes(s)) return s as TlsVersion;
    const known = findTlsProtocol(s) ?? (s === 'TLSv1.0' ? findTlsProtocol('TLSv1') : undefined);
    if (known !== undefined && known.verdict === 'insecure') {
      throw new BarbicanError('BARBICAN_E_TLS_INSECURE', known.reasons[0] ?? 'refused', {
        path,
        value: s,
        allowed: 'TLSv1.2, TLSv1.3',
      });
    }
    const guess = known?.name ?? didYouMean(s, VERSIONS);
    throw new BarbicanError('BARBICAN_E_TLS_NAME', 'not a TLS protocol version name', {
      path,
      value: s,
      allowed: 'TLSv1.2, TLSv1.3 (the OpenSSL spelling)',
      ...(guess === undefined ? {} : { hint: `Write "${guess}"` }),
    });
  },
  toJsonSchema: () => ({
    enum: [...VERSIONS],
    description: 'TLSv1.2 or TLSv1.3. SSLv3, TLSv1 and TLSv1.1 are refused (RFC 8996).',
  }),
};

function unknownName(
  kind: string,
  s: string,
  path: string,
  candidates: readonly string[],
  extra?: string,
): BarbicanError {
  const guess = didYouMean(s, candidates);
  const hint = [extra, guess === undefined ? undefined : `Did you mean "${guess}"?`]
    .filter((h) => h !== undefined)
    .join('. ');
  return new BarbicanError(
    'BARBICAN_E_TLS_NAME',
    `not a ${kind} name (OpenSSL would silently drop it; Barbican refuses it)`,
    { path, value: s, ...(hint === '' ? {} : { hint }) },
  );
}

/** Rejects OpenSSL cipher-string syntax (`HIGH:!aNULL`, colon-joined lists) in one item. */
function refuseCipherString(s: string, path: string): void {
  if (!/[:!+@ ,]/.test(s) && !/^(?:HIGH|MEDIUM|LOW|ALL|DEFAULT|COMPLEMENTOF\w*)$/.test(s)) return;
  throw new BarbicanError('BARBICAN_E_TLS_NAME', 'an OpenSSL cipher string, not one suite name', {
    path,
    value: s,
    hint: 'Give each suite as its own list item; keywords such as HIGH, !aNULL or @STRENGTH are refused because what they select changes between OpenSSL versions',
  });
}

function refuseBroken(c: TlsCipher, s: string, path: string): void {
  if (c.verdict === 'insecure') {
    throw new BarbicanError('BARBICAN_E_TLS_INSECURE', c.reasons[0] ?? 'refused', {
      path,
      value: s,
    });
  }
  if (!c.inOpenssl3) {
    throw new BarbicanError(
      'BARBICAN_E_TLS_UNSUPPORTED',
      'OpenSSL 3 no longer has this suite, so no current server can offer it',
      { path, value: s },
    );
  }
}

/** How each suite list differs: which protocol it holds, its spelling and its candidates. */
const SUITE_LISTS = {
  ciphers: {
    tls13: false,
    label: 'TLS 1.2 cipher suite',
    names: TLS_CIPHERS.map((c) => c.openssl),
    spelling: (c: TlsCipher) => c.openssl,
    wrongList: (c: TlsCipher) => ({
      problem: 'a TLS 1.3 suite in the TLS 1.2 list',
      hint: `Put ${c.iana} in tls.cipherSuites`,
    }),
  },
  cipherSuites: {
    tls13: true,
    label: 'TLS 1.3 cipher suite',
    names: TLS13_CIPHER_SUITES.map((c) => c.iana),
    spelling: (c: TlsCipher) => c.iana,
    wrongList: (c: TlsCipher) => ({
      problem: 'a TLS 1.2 suite in the TLS 1.3 list',
      hint: `Put it in tls.ciphers as "${c.openssl}"; TLS 1.3 suites are ${TLS13_CIPHER_SUITES.map((x) => x.iana).join(', ')}`,
    }),
  },
} as const;

/**
 * One suite of `tls.ciphers` (TLS 1.2, OpenSSL name) or `tls.cipherSuites`
 * (TLS 1.3): known, not broken, in the right list, in the canonical spelling.
 */
function suiteSchema(list: keyof typeof SUITE_LISTS): Schema<string> {
  const spec = SUITE_LISTS[list];
  return {
    expected: `a ${spec.label} name`,
    parse(input, path) {
      const s = string({ maxLength: 100 }).parse(input, path);
      refuseCipherString(s, path);
      const c = findTlsCipher(s);
      if (c === undefined) {
        const sha512 = /SHA512$/i.test(s)
          ? 'No TLS cipher suite uses SHA-512; this name circulates in copied nginx configs'
          : undefined;
        throw unknownName(spec.label, s, path, spec.names, sha512);
      }
      refuseBroken(c, s, path);
      if ((c.protocol === 'TLSv1.3') !== spec.tls13) {
        const { problem, hint } = spec.wrongList(c);
        throw new BarbicanError('BARBICAN_E_TLS_NAME', problem, { path, value: s, hint });
      }
      const canonical = spec.spelling(c);
      if (s !== canonical) {
        throw new BarbicanError('BARBICAN_E_TLS_NAME', 'not the OpenSSL spelling', {
          path,
          value: s,
          hint: `Write "${canonical}" (tls.${list} takes OpenSSL names, as nginx and Node do)`,
        });
      }
      return canonical;
    },
    toJsonSchema: () => ({
      enum: (spec.tls13 ? TLS13_CIPHER_SUITES : TLS_CIPHERS)
        .filter((c) => c.verdict !== 'insecure' && c.inOpenssl3)
        .map(spec.spelling),
      description: `A ${spec.label}, OpenSSL name.`,
    }),
  };
}

const GROUP_NAMES = TLS_GROUPS.map((g) => g.openssl);

/** One key-exchange group, by its OpenSSL name. */
const curveSchema: Schema<string> = {
  expected: 'an OpenSSL group (curve) name',
  parse(input, path) {
    const s = string({ maxLength: 64 }).parse(input, path);
    refuseCipherString(s, path);
    const g = findTlsGroup(s);
    if (g === undefined) throw unknownName('TLS group (curve)', s, path, GROUP_NAMES);
    if (g.verdict === 'insecure') {
      throw new BarbicanError('BARBICAN_E_TLS_INSECURE', g.reasons[0] ?? 'refused', {
        path,
        value: s,
      });
    }
    if (s !== g.openssl) {
      throw new BarbicanError('BARBICAN_E_TLS_NAME', 'not the OpenSSL spelling', {
        path,
        value: s,
        hint: `Write "${g.openssl}" (tls.curves takes OpenSSL group names)`,
      });
    }
    return g.openssl;
  },
  toJsonSchema: () => ({
    enum: TLS_GROUPS.filter((g) => g.verdict !== 'insecure').map((g) => g.openssl),
    description: 'A key-exchange group, OpenSSL name (X25519MLKEM768, X25519, prime256v1).',
  }),
};

/**
 * An SNI name: a DNS name, or `*.` and a DNS name. IP literals are refused:
 * RFC 6066 §3 forbids them in SNI, so a client never sends one.
 */
const sniNameSchema: Schema<string> = {
  expected: 'a host name such as "example.com" or "*.example.com"',
  parse(input, path) {
    const s = string({ maxLength: 253 }).parse(input, path);
    const bare = s.startsWith('*.') ? s.slice(2) : s;
    const host = parseHost(bare);
    if (typeof host === 'string' || host.kind !== 'name' || host.port !== undefined) {
      throw new BarbicanError('BARBICAN_E_HOST_PATTERN', 'not an SNI host name', {
        path,
        value: s,
        allowed: 'example.com or *.example.com (no port, no IP address: SNI carries names only)',
      });
    }
    return s.startsWith('*.') ? `*.${host.name}` : host.name;
  },
  toJsonSchema: () => ({
    type: 'string',
    maxLength: 253,
    description: 'A server name the certificate is served for: example.com or *.example.com.',
  }),
};

const filePath = (description: string) =>
  string({ minLength: 1, maxLength: 4096, patternDescription: 'a file path', description });

const certificateShape = {
  cert: filePath('PEM certificate chain file (leaf first).'),
  key: filePath('PEM private key file.'),
  names: array(sniNameSchema, {
    maxItems: 100,
    unique: true,
    description: 'SNI names this certificate answers for; default: the names in the certificate.',
  }),
};

/** One certificate: the chain and key files, and optionally the SNI names it serves. */
export type TlsCertificateOptions = InferShape<typeof certificateShape>;

const certificateSchema = object(certificateShape, {
  required: ['cert', 'key'],
  requiredHint: 'For example { cert: "/etc/ssl/example.pem", key: "/etc/ssl/example.key" }',
});

const tlsShape = {
  profile: enumeration(TLS_PROFILE_NAMES, {
    description:
      'modern (TLS 1.3 only), intermediate (TLS 1.2 + 1.3, Mozilla 6.0) or openkat. Default: the preset’s.',
  }),
  protocols: array(protocolSchema, {
    minItems: 1,
    maxItems: 2,
    unique: true,
    description: 'TLSv1.2 and/or TLSv1.3.',
  }),
  ciphers: array(suiteSchema('ciphers'), {
    maxItems: 200,
    unique: true,
    description: 'TLS 1.2 suites, OpenSSL names, in preference order.',
  }),
  cipherSuites: array(suiteSchema('cipherSuites'), {
    minItems: 1,
    maxItems: 5,
    unique: true,
    description: 'TLS 1.3 suites, in preference order.',
  }),
  curves: array(curveSchema, {
    minItems: 1,
    maxItems: 32,
    unique: true,
    description: 'Key-exchange groups, OpenSSL names, in preference order.',
  }),
  sessionTickets: boolean({ description: 'Resume sessions with tickets. Default false.' }),
  sessionTimeout: integer({
    min: 0,
    max: 604_800,
    unit: 'seconds',
    description: 'Session cache lifetime. Default 86400 (1 day).',
  }),
  ocspStapling: boolean({ description: 'Staple OCSP responses. Default false.' }),
  preferServerCiphers: boolean({
    description: 'The server’s suite order wins (ssl_prefer_server_ciphers).',
  }),
  certificates: array(certificateSchema, {
    maxItems: 100,
    description: 'Certificate and key files, optionally per SNI name.',
  }),
};

/** The `tls` section of a policy: a profile plus overrides. */
export type TlsOptions = InferShape<typeof tlsShape>;

/** The schema of {@link TlsOptions}. */
export const tlsOptionsSchema = object(tlsShape, {
  description:
    'TLS for servers, exports and the gateway: a profile plus overrides. Ignored by the in-app middleware.',
});

/** One certificate after validation. */
export interface ResolvedCertificate {
  readonly cert: string;
  readonly key: string;
  /** SNI names; empty = the names in the certificate. */
  readonly names: readonly string[];
}

/**
 * The effective TLS settings: the profile with the overrides applied, every
 * name canonical (OpenSSL spelling) and checked. Always present on a policy.
 */
export interface ResolvedTls extends TlsSettings {
  readonly profile: TlsProfileName;
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  readonly certificates: readonly ResolvedCertificate[];
}

type Warn = (code: WarningCode, path: string, message: string) => void;

/**
 * Applies the overrides to the profile and runs the checks that need the
 * whole section (a list for a protocol that is off, CBC-only TLS 1.2,
 * curves no enabled protocol can use, duplicate SNI names), warning about
 * weak items through `warn`.
 *
 * @example
 * ```ts
 * resolveTls({ protocols: ['TLSv1.3'] }, 'intermediate', warn).ciphers; // []
 * ```
 */
export function resolveTls(
  options: TlsOptions | undefined,
  presetProfile: TlsProfileName,
  warn: Warn,
): ResolvedTls {
  const o = options ?? {};
  const profileName = o.profile ?? presetProfile;
  const p = TLS_PROFILES[profileName];
  const protocols = VERSIONS.filter((v) => (o.protocols ?? p.protocols).includes(v));
  const has12 = protocols.includes('TLSv1.2');
  const has13 = protocols.includes('TLSv1.3');
  checkUnused(o, has12, has13);
  const ciphers = has12 ? [...(o.ciphers ?? p.ciphers)] : [];
  const cipherSuites = has13 ? [...(o.cipherSuites ?? p.cipherSuites)] : [];
  const curves = [...(o.curves ?? p.curves)];
  const from = (key: 'ciphers' | 'curves' | 'cipherSuites') =>
    o[key] === undefined ? 'tls.profile' : `tls.${key}`;
  const emptyAt =
    o.ciphers === undefined && o.protocols !== undefined ? 'tls.protocols' : from('ciphers');
  checkTls12(ciphers, has12, profileName, from('ciphers'), emptyAt);
  checkCurves(curves, has12 && ciphers.length > 0, has13, from('curves'));
  warnWeak(ciphers, findTlsCipher, from('ciphers'), warn);
  warnWeak(cipherSuites, findTlsCipher, from('cipherSuites'), warn);
  warnWeak(curves, findTlsGroup, from('curves'), warn);
  const certificates = resolveCertificates(o.certificates ?? []);
  return deepFreeze({
    profile: profileName,
    protocols,
    minVersion: protocols[0] ?? 'TLSv1.2',
    maxVersion: protocols[protocols.length - 1] ?? 'TLSv1.3',
    ciphers,
    cipherSuites,
    curves,
    sessionTickets: o.sessionTickets ?? p.sessionTickets,
    sessionTimeout: o.sessionTimeout ?? p.sessionTimeout,
    ocspStapling: o.ocspStapling ?? p.ocspStapling,
    preferServerCiphers: o.preferServerCiphers ?? p.preferServerCiphers,
    certificates,
  });
}

/** A suite list for a protocol that is off would be silently ignored: say so instead. */
function checkUnused(o: TlsOptions, has12: boolean, has13: boolean): void {
  const pairs = [
    ['ciphers', 'TLSv1.2', has12],
    ['cipherSuites', 'TLSv1.3', has13],
  ] as const;
  for (const [key, version, on] of pairs) {
    const list = o[key];
    if (!on && list !== undefined && list.length > 0) {
      throw new BarbicanError(
        'BARBICAN_E_CONFLICT',
        `tls.${key} is set, but tls.protocols leaves ${version} off, so it would never be used`,
        {
          path: `tls.${key}`,
          hint: `Add "${version}" to tls.protocols, or remove tls.${key}`,
        },
      );
    }
  }
}

function checkTls12(
  ciphers: readonly string[],
  on: boolean,
  profile: string,
  path: string,
  emptyAt: string,
): void {
  if (!on) return;
  if (ciphers.length === 0) {
    throw new BarbicanError('BARBICAN_E_CONFLICT', 'TLS 1.2 is on, but it has no cipher suite', {
      path: emptyAt,
      hint:
        profile === 'modern'
          ? 'The modern profile is TLS 1.3 only: use profile "intermediate" for TLS 1.2, or list tls.ciphers'
          : 'List tls.ciphers, or turn TLS 1.2 off with protocols: ["TLSv1.3"]',
    });
  }
  if (!ciphers.some((n) => findTlsCipher(n)?.aead === true)) {
    throw new BarbicanError(
      'BARBICAN_E_TLS_INSECURE',
      'TLS 1.2 would offer only CBC suites (MAC-then-encrypt: Lucky Thirteen, padding oracles; refused by HTTP/2)',
      { path, value: ciphers, hint: 'Add an AEAD suite such as ECDHE-ECDSA-AES128-GCM-SHA256' },
    );
  }
}

function checkCurves(
  curves: readonly string[],
  ecdhe12: boolean,
  has13: boolean,
  path: string,
): void {
  const groups = curves.map((n) => findTlsGroup(n)).filter((g) => g !== undefined);
  const need = [
    [has13, (g: TlsGroup) => g.tls13, 'TLS 1.3', 'X25519MLKEM768, X25519'],
    [ecdhe12, (g: TlsGroup) => g.tls12, 'TLS 1.2', 'X25519, prime256v1'],
  ] as const;
  for (const [on, usable, version, example] of need) {
    if (on && !groups.some(usable)) {
      throw new BarbicanError('BARBICAN_E_CONFLICT', `no curve in the list works with ${version}`, {
        path,
        value: curves,
        hint: `Add a group ${version} can use, such as ${example}`,
      });
    }
  }
}

function warnWeak(
  names: readonly string[],
  find: (
    n: string,
  ) => { readonly verdict: string; readonly reasons: readonly string[] } | undefined,
  path: string,
  warn: Warn,
): void {
  names.forEach((name, i) => {
    const row = find(name);
    if (row?.verdict !== 'weak') return;
    const at = path === 'tls.profile' ? path : `${path}[${i}]`;
    warn('BARBICAN_W_TLS_WEAK', at, `${name}: ${row.reasons.join('; ')}`);
  });
}

function resolveCertificates(list: readonly TlsCertificateOptions[]): ResolvedCertificate[] {
  const owner = new Map<string, number>();
  return list.map((c, i) => {
    const names = c.names ?? [];
    names.forEach((n, j) => {
      const prev = owner.get(n);
      if (prev !== undefined) {
        throw new BarbicanError(
          'BARBICAN_E_CONFLICT',
          `SNI name ${n} is also served by tls.certificates[${prev}]`,
          {
            path: `tls.certificates[${i}].names[${j}]`,
            hint: 'Each name picks one certificate; list it once',
          },
        );
      }
      owner.set(n, i);
    });
    return { cert: c.cert ?? '', key: c.key ?? '', names };
  });
}
