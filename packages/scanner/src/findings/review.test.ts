// reviewFindings: one table row per finding code (a response that should
// raise it), a clean site that raises none of the high ones, the docs kept in
// sync with the catalogue, and a never-throws property.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { PROBE_ORIGIN, type CapturedResponse, type Retrieval } from '../model.ts';
import type { TlsCertificate, TlsReport } from '../tls/types.ts';
import { FINDING_CODES, reviewFindings, type FindingCode } from './index.ts';

const CLEAN: [string, string][] = [
  ['strict-transport-security', 'max-age=63072000; includeSubDomains; preload'],
  ['permissions-policy', 'camera=(), microphone=(), geolocation=()'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-embedder-policy', 'require-corp'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['referrer-policy', 'no-referrer'],
  ['x-xss-protection', '0'],
];
const LEAF: TlsCertificate = {
  subject: 'CN=example.com',
  issuer: 'CN=Intermediate',
  notBefore: '2025-01-01T00:00:00Z',
  notAfter: '2030-01-01T00:00:00Z',
  keyType: 'ec',
  keyBits: 256,
  curve: 'prime256v1',
  signatureAlgorithm: 'ecdsa-with-SHA256',
  spkiSha256: 'LIVEpinLIVEpinLIVEpinLIVEpinLIVEpinLIVEpin0=',
  selfSigned: false,
};
const BACKUP = 'BACKUPpinBACKUPpinBACKUPpinBACKUPpinBACKUP0=';
const TLS: TlsReport = {
  host: 'example.com',
  port: 443,
  protocols: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
  negotiated: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
  weakCiphersAccepted: [],
  chain: [LEAF],
  verified: true,
  daysToExpiry: 400,
};

/** A clean site whose final HTTPS response has `headers` replacing or adding to CLEAN. */
function site(
  headers: [string, string][] = [],
  opts: {
    drop?: string[];
    url?: string;
    status?: number;
    cors?: [string, string][];
    http?: [string, string][];
  } = {},
): Retrieval {
  const replaced = new Set(headers.map(([n]) => n));
  const main: CapturedResponse = {
    url: opts.url ?? 'https://example.com/',
    status: opts.status ?? 200,
    headers: [
      ...CLEAN.filter(([n]) => !replaced.has(n) && !(opts.drop ?? []).includes(n)),
      ...headers,
    ],
  };
  return {
    url: 'https://example.com/',
    http: {
      responses: [
        {
          url: 'http://example.com/',
          status: 301,
          headers: [['location', 'https://example.com/'], ...(opts.http ?? [])],
        },
        main,
      ],
    },
    https: { responses: [main] },
    ...(opts.cors === undefined
      ? {}
      : { cors: { url: 'https://example.com/', status: 200, headers: opts.cors } }),
  };
}

const rows: { code: FindingCode; r: Retrieval; tls?: TlsReport; severity?: string }[] = [
  { code: 'permissions-policy.missing', r: site([], { drop: ['permissions-policy'] }) },
  { code: 'permissions-policy.invalid', r: site([['permissions-policy', 'camera=(self']]) },
  {
    code: 'permissions-policy.entry-ignored',
    r: site([['permissions-policy', 'not-a-feature=()']]),
  },
  { code: 'permissions-policy.feature.wildcard', r: site([['permissions-policy', 'camera=*']]) },
  { code: 'fingerprint.server.version', r: site([['server', 'nginx/1.22.1']]) },
  { code: 'fingerprint.x-powered-by', r: site([['x-powered-by', 'Express']]) },
  { code: 'fingerprint.header', r: site([['x-aspnet-version', '4.0.30319']]) },
  {
    code: 'cookie.secure.missing',
    r: site([['set-cookie', 'theme=dark; SameSite=Lax']]),
    severity: 'medium',
  },
  {
    code: 'cookie.secure.missing',
    r: site([
      ['set-cookie', 'sessionid=1; HttpOnly; SameSite=Lax'],
      ['cache-control', 'no-store'],
    ]),
    severity: 'high',
  },
  {
    code: 'cookie.httponly.missing',
    r: site([['set-cookie', 'auth_token=1; Secure; SameSite=Lax']]),
  },
  { code: 'cookie.samesite.missing', r: site([['set-cookie', 'a=1; Secure']]) },
  { code: 'cookie.samesite.invalid', r: site([['set-cookie', 'a=1; Secure; SameSite=Loose']]) },
  { code: 'cookie.samesite.none-insecure', r: site([['set-cookie', 'a=1; SameSite=None']]) },
  {
    code: 'cookie.prefix.host',
    r: site([['set-cookie', '__Host-id=1; Secure; Path=/; Domain=example.com; SameSite=Lax']]),
  },
  {
    code: 'cookie.prefix.host',
    r: site([['set-cookie', '__host-id=1; Secure; Path=/app; SameSite=Lax']]),
  },
  { code: 'cookie.prefix.secure', r: site([['set-cookie', '__Secure-id=1; SameSite=Lax']]) },
  {
    code: 'cors.wildcard-with-credentials',
    r: site([], {
      cors: [
        ['access-control-allow-origin', '*'],
        ['access-control-allow-credentials', 'true'],
      ],
    }),
  },
  {
    code: 'cors.origin-reflected',
    r: site([], {
      cors: [
        ['access-control-allow-origin', PROBE_ORIGIN],
        ['access-control-allow-credentials', 'true'],
      ],
    }),
    severity: 'high',
  },
  {
    code: 'cors.origin-reflected',
    r: site([], { cors: [['access-control-allow-origin', PROBE_ORIGIN]] }),
    severity: 'low',
  },
  {
    code: 'cors.null-origin',
    r: site([], {
      cors: [
        ['access-control-allow-origin', 'null'],
        ['access-control-allow-credentials', 'true'],
      ],
    }),
    severity: 'high',
  },
  { code: 'cache.sensitive.not-no-store', r: site([['set-cookie', 'a=1; Secure; SameSite=Lax']]) },
  {
    code: 'cache.sensitive.not-no-store',
    r: site([], { url: 'https://example.com/account/settings' }),
  },
  {
    code: 'cache.sensitive.not-no-store',
    r: site([['www-authenticate', 'Basic realm="x"']], { status: 401 }),
  },
  {
    code: 'cache.sensitive.public',
    r: site([
      ['set-cookie', 'a=1; Secure; SameSite=Lax'],
      ['cache-control', 'public, max-age=600'],
    ]),
  },
  { code: 'x-xss-protection.enabled', r: site([['x-xss-protection', '1; mode=block']]) },
  { code: 'referrer-policy.unsafe-url', r: site([['referrer-policy', 'no-referrer, unsafe-url']]) },
  {
    code: 'hsts.over-http',
    r: site([], { http: [['strict-transport-security', 'max-age=63072000']] }),
  },
  {
    code: 'tls.protocol.tls1',
    r: site(),
    tls: { ...TLS, protocols: { ...TLS.protocols, TLSv1: true } },
  },
  {
    code: 'tls.protocol.tls1_1',
    r: site(),
    tls: { ...TLS, protocols: { ...TLS.protocols, 'TLSv1.1': true } },
  },
  {
    code: 'tls.protocol.no-tls1_3',
    r: site(),
    tls: { ...TLS, protocols: { ...TLS.protocols, 'TLSv1.3': false } },
  },
  { code: 'tls.cipher.broken', r: site(), tls: { ...TLS, weakCiphersAccepted: ['DES-CBC3-SHA'] } },
  {
    code: 'tls.cipher.broken',
    r: site(),
    tls: { ...TLS, weakCiphersAccepted: ['ECDHE-RSA-RC4-SHA'] },
  },
  {
    code: 'tls.cipher.no-forward-secrecy',
    r: site(),
    tls: { ...TLS, weakCiphersAccepted: ['AES128-GCM-SHA256'] },
  },
  {
    code: 'tls.cipher.cbc',
    r: site(),
    tls: { ...TLS, weakCiphersAccepted: ['ECDHE-RSA-AES128-SHA'] },
  },
  {
    code: 'tls.chain.unverified',
    r: site(),
    tls: { ...TLS, verified: false, verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
  },
  { code: 'tls.cert.expired', r: site(), tls: { ...TLS, daysToExpiry: -3 } },
  { code: 'tls.cert.expiring', r: site(), tls: { ...TLS, daysToExpiry: 12 } },
  {
    code: 'tls.cert.invalid-date',
    r: site(),
    tls: { ...TLS, chain: [{ ...LEAF, notAfter: null }], daysToExpiry: null },
  },
  {
    code: 'tls.key.weak',
    r: site(),
    tls: { ...TLS, chain: [{ ...LEAF, keyType: 'rsa', keyBits: 1024 }] },
  },
  { code: 'tls.key.weak', r: site(), tls: { ...TLS, chain: [{ ...LEAF, keyBits: 224 }] } },
  {
    code: 'tls.signature.weak',
    r: site(),
    tls: { ...TLS, chain: [{ ...LEAF, signatureAlgorithm: 'sha1WithRSAEncryption' }] },
  },
  {
    code: 'hsts.max-age.short',
    r: site([['strict-transport-security', 'max-age="300"']]),
  },
  {
    code: 'cookie.domain.rejected',
    r: site([['set-cookie', 'sid=1; Domain=other.example; Secure; HttpOnly; SameSite=Lax']]),
  },
  {
    code: 'fetch.https-failed',
    r: {
      ...site(),
      https: { responses: [], error: 'BARBICAN_E_SCAN_TIMEOUT: https://example.com/: no response' },
    },
  },
  {
    code: 'fetch.http-failed',
    r: {
      ...site(),
      http: { responses: [], error: 'BARBICAN_E_SCAN_CONNECT: http://example.com/: refused' },
    },
  },
  {
    code: 'fetch.incomplete',
    r: {
      ...site(),
      https: {
        responses: site().https.responses,
        error: 'BARBICAN_E_SCAN_TIMEOUT: https://example.com/: the body was still arriving',
      },
    },
  },
  {
    code: 'hpkp.obsolete',
    r: site([
      ['public-key-pins-report-only', `pin-sha256="${LEAF.spkiSha256}"; pin-sha256="${BACKUP}"`],
    ]),
    tls: TLS,
  },
  { code: 'hpkp.invalid', r: site([['public-key-pins', `pin-sha256=${BACKUP}; max-age=10`]]) },
  {
    code: 'hpkp.no_live_pin',
    r: site([
      [
        'public-key-pins',
        `pin-sha256="${BACKUP}"; pin-sha256="${'C'.repeat(43)}="; max-age=5184000`,
      ],
    ]),
    tls: TLS,
  },
  {
    code: 'hpkp.no_backup_pin',
    r: site([['public-key-pins', `pin-sha256="${LEAF.spkiSha256}"; max-age=5184000`]]),
    tls: TLS,
  },
];

describe('reviewFindings', () => {
  it('finds no issue above info on a clean HTTPS site', () => {
    const found = reviewFindings(site(), TLS);
    assert.deepEqual(
      found.filter((f) => f.severity !== 'info'),
      [],
    );
  });

  for (const row of rows) {
    it(`reports ${row.code}${row.severity === undefined ? '' : ` (${row.severity})`}`, () => {
      const found = reviewFindings(row.r, row.tls).filter((f) => f.code === row.code);
      assert.ok(found.length > 0, `${row.code} not found`);
      const f = found[0]!;
      if (row.severity !== undefined) assert.equal(f.severity, row.severity);
      assert.ok(f.fix.length > 10, 'a concrete fix');
      assert.ok(f.spec.startsWith('https://'), 'a spec link');
      assert.equal(f.spec, FINDING_CODES[row.code].spec);
    });
  }

  it('has a table row for every catalogued reviewer code', () => {
    const covered = new Set(rows.map((r) => r.code));
    assert.deepEqual(
      Object.keys(FINDING_CODES).filter(
        // drift.* and loss.* codes come from driftFindings, covered by src/drift/findings.test.ts.
        (c) => !covered.has(c as FindingCode) && !/^(?:drift|loss)\./.test(c),
      ),
      [],
    );
  });

  it('emits only catalogued codes', () => {
    for (const row of rows)
      for (const f of reviewFindings(row.r, row.tls)) assert.ok(f.code in FINDING_CODES, f.code);
  });

  it('lists every code in docs/scan-findings.md', () => {
    const doc = readFileSync(new URL('../../../../docs/scan-findings.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([a-z0-9_.-]+)` \|/gm)].map((m) => m[1]));
    for (const code of Object.keys(FINDING_CODES))
      assert.ok(documented.has(code), `${code} undocumented`);
  });

  it('does not call a non-reflecting CORS allowlist reflected', () => {
    const r = site([], { cors: [['access-control-allow-origin', 'https://app.example.com']] });
    assert.deepEqual(
      reviewFindings(r).filter((f) => f.code.startsWith('cors.')),
      [],
    );
  });

  it('accepts a pin set with a live and a backup pin', () => {
    const r = site([
      [
        'public-key-pins',
        `pin-sha256="${LEAF.spkiSha256}"; pin-sha256="${BACKUP}"; max-age=5184000`,
      ],
    ]);
    const codes = reviewFindings(r, TLS)
      .map((f) => f.code)
      .filter((c) => c.startsWith('hpkp.'));
    assert.deepEqual(codes, ['hpkp.obsolete']);
  });

  it('never throws on arbitrary header lists', () => {
    const names = fc.constantFrom(
      'set-cookie',
      'permissions-policy',
      'server',
      'x-powered-by',
      'cache-control',
      'cross-origin-opener-policy',
      'cross-origin-embedder-policy',
      'cross-origin-resource-policy',
      'x-xss-protection',
      'referrer-policy',
      'public-key-pins',
      'public-key-pins-report-only',
      'access-control-allow-origin',
      'access-control-allow-credentials',
      'strict-transport-security',
    );
    const headers = fc.array(
      fc.tuple(
        fc.oneof(names, fc.string({ maxLength: 12 })),
        fc.string({ unit: 'binary', maxLength: 120 }),
      ),
      { maxLength: 10 },
    );
    const resp = fc.record({
      url: fc.constantFrom('https://example.com/login', 'http://example.com/', '::bad'),
      status: fc.integer({ min: 100, max: 599 }),
      headers,
    });
    fc.assert(
      fc.property(
        fc.array(resp, { maxLength: 3 }),
        fc.option(resp, { nil: undefined }),
        (chain, corsRes) => {
          const r: Retrieval = {
            url: 'https://example.com/',
            http: { responses: chain },
            https: { responses: chain },
            ...(corsRes === undefined ? {} : { cors: corsRes }),
          };
          for (const f of reviewFindings(r, TLS)) assert.ok(f.code in FINDING_CODES);
        },
      ),
      { numRuns: 300 },
    );
  });
});
