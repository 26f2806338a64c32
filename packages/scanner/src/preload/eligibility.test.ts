// preloadEligibility over recorded retrievals: one scenario per flow rule of
// hstspreload's EligibleDomainResponse (domain.go, redirects.go, tls.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CapturedResponse, Retrieval } from '../model.ts';
import type { TlsReport } from '../tls/types.ts';
import { preloadEligibility } from './index.ts';

const GOOD = 'max-age=63072000; includeSubDomains; preload';
const res = (url: string, status: number, headers: [string, string][] = []): CapturedResponse => ({
  url,
  status,
  headers,
});
const hop = (from: string, to: string, extra: [string, string][] = []): CapturedResponse =>
  res(from, 301, [['location', to], ...extra]);
const ok = (url: string, sts: string | null = GOOD): CapturedResponse =>
  res(url, 200, sts === null ? [] : [['strict-transport-security', sts]]);

/** A preloadable site, with overrides. */
function site(over: Partial<Retrieval> = {}): Retrieval {
  return {
    url: 'https://example.com/',
    http: {
      responses: [hop('http://example.com/', 'https://example.com/'), ok('https://example.com/')],
    },
    https: { responses: [ok('https://example.com/')] },
    ...over,
  };
}
const tls = (over: Partial<TlsReport> = {}): TlsReport => ({
  host: 'example.com',
  port: 443,
  protocols: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
  negotiated: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
  weakCiphersAccepted: [],
  chain: [
    {
      subject: 'CN=example.com',
      issuer: 'CN=CA',
      notBefore: '2025-01-01T00:00:00Z',
      notAfter: '2030-01-01T00:00:00Z',
      keyType: 'ec',
      keyBits: 256,
      signatureAlgorithm: 'ecdsa-with-SHA256',
      spkiSha256: 'A'.repeat(43) + '=',
      selfSigned: false,
    },
  ],
  verified: true,
  daysToExpiry: 1000,
  ...over,
});

const codes = (r: Retrieval, opts: Parameters<typeof preloadEligibility>[1] = {}) => {
  const v = preloadEligibility(r, opts);
  return { errors: v.errors, warnings: v.warnings };
};

describe('preloadEligibility', () => {
  it('accepts a preloadable site with no issue', () => {
    const v = preloadEligibility(site(), { tls: tls() });
    assert.deepEqual(v, { eligible: true, errors: [], warnings: [], findings: [] });
  });

  it('stops at domain format errors (IP literal, public suffix)', () => {
    const ip = site({ url: 'https://127.0.0.1/' });
    assert.deepEqual(codes(ip).errors, ['domain.format.is_ip_address']);
    assert.deepEqual(codes(site({ url: 'https://localhost:8443/' })).errors, [
      'domain.format.public_suffix',
    ]);
    const f = preloadEligibility(ip).findings[0];
    assert.equal(f?.severity, 'info');
  });

  it('reports a subdomain but keeps checking (www check skipped)', () => {
    const r = site({ url: 'https://en.example.com/', www: { tlsOk: false } });
    const https = { responses: [ok('https://en.example.com/')] };
    const http = {
      responses: [
        hop('http://en.example.com/', 'https://en.example.com/'),
        ok('https://en.example.com/'),
      ],
    };
    assert.deepEqual(codes({ ...r, https, http }).errors, ['domain.is_subdomain']);
  });

  it('reports cannot_connect and invalid_cert_chain, and stops there', () => {
    assert.deepEqual(codes(site({ https: { responses: [], error: 'ECONNREFUSED' } })).errors, [
      'domain.tls.cannot_connect',
    ]);
    const bad = tls({ verified: false, verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    assert.deepEqual(codes(site({ https: { responses: [] } }), { tls: bad }).errors, [
      'domain.tls.invalid_cert_chain',
    ]);
    const unverified = site({
      https: { responses: [{ ...ok('https://example.com/'), verified: false }] },
    });
    assert.deepEqual(codes(unverified).errors, ['domain.tls.invalid_cert_chain']);
  });

  it('flags SHA-1 below the root and obsolete TLS 1.2 suites', () => {
    const t = tls({
      negotiated: { protocol: 'TLSv1.2', cipher: 'AES128-SHA' },
      chain: [{ ...tls().chain[0]!, signatureAlgorithm: 'sha1WithRSAEncryption' }],
    });
    assert.deepEqual(codes(site(), { tls: t }), {
      errors: ['domain.tls.sha1'],
      warnings: ['tls.obsolete_cipher_suite'],
    });
  });

  it('reports no_header and multiple_headers', () => {
    const none = site({ https: { responses: [ok('https://example.com/', null)] } });
    assert.deepEqual(codes(none).errors, ['response.no_header']);
    const two = site({
      https: {
        responses: [
          res('https://example.com/', 200, [
            ['strict-transport-security', GOOD],
            ['strict-transport-security', GOOD],
          ]),
        ],
      },
    });
    assert.deepEqual(codes(two).errors, ['response.multiple_headers']);
  });

  it("applies the policy's max-age minimum", () => {
    const short = 'max-age=10886400; includeSubDomains; preload';
    const r = site({
      https: { responses: [ok('https://example.com/', short)] },
      http: {
        responses: [
          hop('http://example.com/', 'https://example.com/'),
          ok('https://example.com/', short),
        ],
      },
    });
    assert.deepEqual(codes(r).errors, ['header.preloadable.max_age.below_1_year']);
    assert.deepEqual(codes(r, { policy: 'bulk-18-weeks' }).errors, [
      // The first-redirect check uses the 1-year rule whatever the policy, as hstspreload does.
      'redirects.http.first_redirect.no_hsts',
    ]);
  });

  it("keeps hstspreload's quoted max-age rule and states the RFC view", () => {
    const r = site({
      https: {
        responses: [ok('https://example.com/', 'max-age="63072000"; includeSubDomains; preload')],
      },
    });
    const v = preloadEligibility(r);
    assert.deepEqual(v.errors, [
      'header.parse.max_age.non_digit_characters',
      'header.preloadable.max_age.missing',
    ]);
    assert.match(v.findings[0]?.message ?? '', /RFC 6797 §6\.1\.1 accepts this max-age/);
  });

  it('warns about repeated directives with the RFC 6797 consequence', () => {
    const r = site({ https: { responses: [ok('https://example.com/', `${GOOD}; preload`)] } });
    const v = preloadEligibility(r);
    assert.deepEqual(v.warnings, ['header.parse.repeated.preload']);
    assert.equal(v.eligible, true);
    assert.equal(v.findings[0]?.severity, 'medium');
    assert.match(v.findings[0].message, /ignore the whole header/);
  });

  it('checks the HTTP side: no redirect, insecure first redirect, www first, useless header', () => {
    const noRedirect = site({ http: { responses: [ok('http://example.com/', null)] } });
    assert.deepEqual(codes(noRedirect).errors, ['redirects.http.no_redirect']);
    const other = site({
      http: {
        responses: [
          hop('http://example.com/', 'https://other.example/'),
          ok('https://other.example/'),
        ],
      },
    });
    assert.deepEqual(codes(other).errors, ['redirects.http.first_redirect.insecure']);
    const www = site({
      http: {
        responses: [
          hop('http://example.com/', 'https://www.example.com/'),
          ok('https://www.example.com/'),
        ],
      },
    });
    assert.deepEqual(codes(www).errors, ['redirects.http.www_first']);
    const useless = site({
      http: {
        responses: [
          hop('http://example.com/', 'https://example.com/', [['strict-transport-security', GOOD]]),
          ok('https://example.com/'),
        ],
      },
    });
    assert.deepEqual(codes(useless), { errors: [], warnings: ['redirects.http.useless_header'] });
    assert.deepEqual(codes(site({ http: { responses: [], error: 'ECONNREFUSED' } })), {
      errors: [],
      warnings: ['redirects.http.does_not_exist'],
    });
  });

  it('checks the first redirect target: unreachable, or without a preloadable header', () => {
    const invalid = site({
      http: { responses: [hop('http://example.com/', 'https://example.com/')], error: 'ETIMEDOUT' },
    });
    assert.deepEqual(codes(invalid).errors, [
      'redirects.follow_error',
      'redirects.http.first_redirect.invalid',
    ]);
    const noHsts = site({
      http: {
        responses: [
          hop('http://example.com/', 'https://example.com/'),
          ok('https://example.com/', 'max-age=10'),
        ],
      },
    });
    assert.deepEqual(codes(noHsts).errors, ['redirects.http.first_redirect.no_hsts']);
  });

  it('reports first-redirect HSTS issues only when the main header is fine', () => {
    const r = site({
      https: { responses: [ok('https://example.com/', 'max-age=10')] },
      http: {
        responses: [
          hop('http://example.com/', 'https://example.com/'),
          ok('https://example.com/', 'max-age=10'),
        ],
      },
    });
    assert.ok(!codes(r).errors.includes('redirects.http.first_redirect.no_hsts'));
  });

  it('flags insecure hops and too many redirects', () => {
    const insecureLater = site({
      http: {
        responses: [
          hop('http://example.com/', 'https://example.com/'),
          hop('https://example.com/', 'http://example.com/x'),
          ok('http://example.com/x', null),
        ],
      },
    });
    // hstspreload's order: general HTTP issues, then first-redirect HSTS issues.
    assert.deepEqual(codes(insecureLater).errors, [
      'redirects.insecure.subsequent',
      'redirects.http.first_redirect.no_hsts',
    ]);
    const httpsToHttp = site({
      https: {
        responses: [
          hop('https://example.com/', 'http://example.com/', [['strict-transport-security', GOOD]]),
          ok('http://example.com/', null),
        ],
      },
    });
    assert.deepEqual(codes(httpsToHttp).errors, ['redirects.insecure.initial']);
    const loop = site({
      https: {
        responses: [0, 1, 2, 3, 4].map((i) =>
          hop(
            `https://example.com/${i}`,
            `https://example.com/${i + 1}`,
            i === 0 ? [['strict-transport-security', GOOD]] : [],
          ),
        ),
        error: 'too many redirects',
      },
    });
    assert.deepEqual(codes(loop).errors, ['redirects.too_many']);
  });

  it('checks www when probed, unless waived', () => {
    assert.deepEqual(codes(site({ www: { tlsOk: false } })).errors, ['domain.www.no_tls']);
    assert.deepEqual(codes(site({ www: 'no-tcp' })).errors, []);
    assert.deepEqual(codes(site({ www: { tlsOk: true } })).errors, []);
  });

  it('gives every error and warning a finding with a fix and a spec', () => {
    const v = preloadEligibility(site({ https: { responses: [ok('https://example.com/', '')] } }));
    assert.equal(v.findings.length, v.errors.length + v.warnings.length);
    for (const f of v.findings) {
      assert.ok(f.fix.length > 0 && f.spec.startsWith('https://'), f.code);
    }
  });

  it('never throws on arbitrary header lists', () => {
    const headers = fc.array(
      fc.tuple(
        fc.constantFrom('strict-transport-security', 'location', 'x-other', 'Location'),
        fc.string({ unit: 'binary', maxLength: 80 }),
      ),
      { maxLength: 6 },
    );
    const resp = fc.record({
      url: fc.constantFrom(
        'https://example.com/',
        'http://example.com/',
        'not a url',
        'https://[::1]/',
      ),
      status: fc.constantFrom(200, 301, 302, 308, 404),
      headers,
    });
    fc.assert(
      fc.property(
        fc.array(resp, { maxLength: 6 }),
        fc.array(resp, { maxLength: 6 }),
        fc.constantFrom('https://example.com/', 'https://sub.example.co.uk/', '::', ''),
        (a, b, url) => {
          const v = preloadEligibility({ url, http: { responses: a }, https: { responses: b } });
          assert.equal(v.eligible, v.errors.length === 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
