/**
 * The drift analyser as a pure function: hand-built evidence (what a site
 * answered) against a built policy. Every `drift.*` code has a row.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy, type LossSign } from '@barbican/core';
import { driftFindings, driftSummary } from './index.ts';
import type { DeclaredLosses, DriftEvidence, DriftExchange } from './types.ts';
import { UNLISTED_HOST } from './types.ts';
import { FINDING_CODES } from '../findings/catalog.ts';
import type { Finding } from '../model.ts';
import type { GroupProbeResult, SuiteProbeResult } from '../tls/probe.ts';
import type { HandshakeOutcome, TlsReport, TlsVersion } from '../tls/types.ts';

const HOST = 'site.test';
const policy = createPolicy({
  preset: 'barbican',
  allowedHosts: [HOST],
  sslRedirect: true,
});
const httpsHeaders = (): [string, string][] =>
  policy.headersFor({ https: true }).map(([n, v]) => [n.toLowerCase(), v]);

type Headers = readonly (readonly [string, string])[];

function exchange(
  probe: DriftExchange['probe'],
  status: number | undefined,
  headers: Headers = [],
  host = HOST,
): DriftExchange {
  const url = `${probe.startsWith('https') ? 'https' : 'http'}://${HOST}/`;
  return {
    probe,
    url,
    host,
    ...(status === undefined
      ? { error: 'BARBICAN_E_SCAN_CONNECT: connection refused' }
      : { response: { url, status, headers } }),
  };
}

/** The answers of a site that does exactly what the policy says. */
function faithful(): DriftExchange[] {
  return [
    exchange('https', 200, httpsHeaders()),
    exchange('http', 301, [['location', `https://${HOST}/`]]),
    exchange('https-unlisted-host', 400, [], UNLISTED_HOST),
    exchange('http-unlisted-host', undefined, [], UNLISTED_HOST),
  ];
}

const evidence = (
  exchanges: DriftExchange[],
  extra: Partial<DriftEvidence> = {},
): DriftEvidence => ({
  exchanges,
  requests: 2,
  elapsedMs: 1,
  ...extra,
});

/** The faithful site with the HTTPS response's headers edited. */
function https(edit: (h: [string, string][]) => [string, string][]): DriftExchange[] {
  const [, ...rest] = faithful();
  return [exchange('https', 200, edit(httpsHeaders())), ...rest];
}

function replace(name: string, value: string) {
  return (h: [string, string][]): [string, string][] =>
    h.map(([n, v]) => [n, n === name ? value : v]);
}

function tlsReport(
  outcomes: Partial<Record<TlsVersion, HandshakeOutcome>>,
  keyType = 'ec',
): TlsReport {
  const all: Record<TlsVersion, HandshakeOutcome> = {
    TLSv1: 'refused',
    'TLSv1.1': 'refused',
    'TLSv1.2': 'accepted',
    'TLSv1.3': 'accepted',
    ...outcomes,
  };
  return {
    host: HOST,
    port: 443,
    protocols: Object.fromEntries(
      Object.entries(all).map(([v, o]) => [v, o === 'accepted']),
    ) as Record<TlsVersion, boolean>,
    protocolOutcomes: all,
    negotiated: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
    weakCiphersAccepted: [],
    chain: [
      {
        subject: `CN=${HOST}`,
        issuer: 'CN=CA',
        notBefore: '2026-01-01T00:00:00.000Z',
        notAfter: '2027-01-01T00:00:00.000Z',
        keyType,
        keyBits: keyType === 'ec' ? 256 : 2048,
        signatureAlgorithm: 'ecdsa-with-SHA256',
        spkiSha256: 'AAAA',
        selfSigned: false,
      },
    ],
    verified: true,
    daysToExpiry: 200,
  };
}

const suite = (
  s: string,
  outcome: HandshakeOutcome,
  protocol: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.2',
): SuiteProbeResult => ({ suite: s, protocol, outcome });

function withTls(tls: TlsReport, results: SuiteProbeResult[], complete = true): Finding[] {
  return driftFindings(
    policy,
    evidence(faithful(), {
      tls,
      suites: { results, handshakes: results.length, elapsedMs: 5, complete },
    }),
  );
}

/** Drift with single-group TLS 1.3 probes that showed `results`. */
function withGroups(results: GroupProbeResult[]): Finding[] {
  return driftFindings(
    policy,
    evidence(faithful(), {
      tls: tlsReport({}),
      groups: { results, handshakes: results.length, elapsedMs: 5, complete: true },
    }),
  );
}

const codes = (fs: readonly Finding[]): string[] => fs.map((f) => f.code);

interface Row {
  readonly name: string;
  readonly findings: () => Finding[];
  /** The codes found, in order. */
  readonly codes: readonly string[];
  readonly check?: (fs: readonly Finding[]) => void;
}

const ROWS: readonly Row[] = [
  {
    name: 'a site that does what the policy says',
    findings: () => driftFindings(policy, evidence(faithful())),
    codes: [],
  },
  {
    name: 'headers reordered, respaced and recased',
    findings: () =>
      driftFindings(
        policy,
        evidence(
          https((h) =>
            h
              .reverse()
              .map(([n, v]) => [
                n,
                n === 'content-security-policy'
                  ? v.split('; ').reverse().join(' ;').toUpperCase().replaceAll('DATA:', 'data:')
                  : n === 'strict-transport-security'
                    ? 'includeSubDomains;max-age=63072000'
                    : v,
              ]),
          ),
        ),
      ),
    codes: [],
  },
  {
    name: 'a header removed',
    findings: () =>
      driftFindings(policy, evidence(https((h) => h.filter(([n]) => n !== 'x-frame-options')))),
    codes: ['drift.header.missing'],
    check: (fs) => assert.equal(fs[0]?.header, 'x-frame-options'),
  },
  {
    name: 'a header changed',
    findings: () =>
      driftFindings(policy, evidence(https(replace('referrer-policy', 'unsafe-url')))),
    codes: ['drift.header.different'],
    check: (fs) => {
      assert.equal(fs[0]?.value, 'unsafe-url');
      assert.match(fs[0].message, /strict-origin-when-cross-origin/);
    },
  },
  {
    name: 'a header sent twice by two layers',
    findings: () =>
      driftFindings(policy, evidence(https((h) => [...h, ['x-content-type-options', 'nosniff']]))),
    codes: ['drift.header.duplicate'],
  },
  {
    name: 'a security header the policy leaves off',
    findings: () =>
      driftFindings(policy, evidence(https((h) => [...h, ['expect-ct', 'max-age=0']]))),
    codes: ['drift.header.extra'],
  },
  {
    name: 'Cache-Control the app sets on its own is not drift',
    findings: () =>
      driftFindings(policy, evidence(https((h) => [...h, ['cache-control', 'max-age=600']]))),
    codes: [],
  },
  {
    name: 'a fingerprinting header the policy strips',
    findings: () =>
      driftFindings(policy, evidence(https((h) => [...h, ['x-powered-by', 'Express']]))),
    codes: ['drift.fingerprint.present'],
  },
  {
    name: 'control characters in a served value are escaped',
    findings: () =>
      driftFindings(policy, evidence(https(replace('x-frame-options', 'DENY\u009b31m')))),
    codes: ['drift.header.different'],
    check: (fs) => {
      assert.doesNotMatch(
        `${fs[0]?.message ?? ''}${fs[0]?.value ?? ''}`,
        /[\u0000-\u001f\u007f-\u009f]/,
      );
      assert.match(fs[0]?.message ?? '', /\\x9b/);
    },
  },
  {
    name: 'HTTP not redirected',
    findings: () => {
      const x = faithful();
      x[1] = exchange('http', 200, []);
      return driftFindings(policy, evidence(x));
    },
    codes: ['drift.redirect.missing'],
  },
  {
    name: 'nothing listening on HTTP where the policy redirects',
    findings: () => {
      const x = faithful();
      x[1] = exchange('http', undefined);
      return driftFindings(policy, evidence(x));
    },
    codes: ['drift.redirect.missing'],
    check: (fs) => assert.match(fs[0]?.message ?? '', /--http-port/),
  },
  {
    name: 'the redirect with another status',
    findings: () => {
      const x = faithful();
      x[1] = exchange('http', 302, [['location', `https://${HOST}/`]]);
      return driftFindings(policy, evidence(x));
    },
    codes: ['drift.redirect.status'],
  },
  {
    name: 'the redirect elsewhere, with HSTS over HTTP',
    findings: () => {
      const x = faithful();
      x[1] = exchange('http', 301, [
        ['location', `http://${HOST}/`],
        ['strict-transport-security', 'max-age=63072000'],
      ]);
      return driftFindings(policy, evidence(x));
    },
    codes: ['drift.redirect.location', 'drift.hsts.over-http'],
  },
  {
    name: 'the redirect with a default port and upper-case host is the same place',
    findings: () => {
      const x = faithful();
      x[1] = exchange('http', 301, [['location', `https://SITE.test:443/`]]);
      return driftFindings(policy, evidence(x));
    },
    codes: [],
  },
  {
    name: 'an unlisted host served',
    findings: () => {
      const x = faithful();
      x[2] = exchange('https-unlisted-host', 200, [], UNLISTED_HOST);
      return driftFindings(policy, evidence(x));
    },
    codes: ['drift.host.accepted'],
  },
  {
    name: 'an unlisted host redirected to itself',
    findings: () => {
      const x = faithful();
      x[3] = exchange(
        'http-unlisted-host',
        301,
        [['location', `https://${UNLISTED_HOST}/`]],
        UNLISTED_HOST,
      );
      return driftFindings(policy, evidence(x));
    },
    codes: ['drift.host.accepted'],
  },
  {
    name: 'an unlisted host redirected to a listed one, or answered 421, is refused',
    findings: () => {
      const x = faithful();
      x[2] = exchange('https-unlisted-host', 421, [], UNLISTED_HOST);
      x[3] = exchange('http-unlisted-host', 301, [['location', `https://${HOST}/`]], UNLISTED_HOST);
      return driftFindings(policy, evidence(x));
    },
    codes: [],
  },
  {
    name: 'HTTPS not answering',
    findings: () => {
      const x = faithful();
      x[0] = exchange('https', undefined);
      return driftFindings(policy, evidence(x));
    },
    codes: ['drift.probe.failed'],
  },
  {
    name: 'HSTS neither required nor forbidden on an IP literal',
    findings: () => {
      const p = createPolicy({ preset: 'barbican', allowedHosts: ['127.0.0.1'] });
      const res = (h: Headers): DriftExchange => ({
        probe: 'https',
        url: 'https://127.0.0.1:8443/',
        host: '127.0.0.1:8443',
        response: { url: 'https://127.0.0.1:8443/', status: 200, headers: h },
      });
      const all = p.headersFor({ https: true }).map(([n, v]) => [n.toLowerCase(), v] as const);
      return [
        ...driftFindings(p, evidence([res(all)])),
        ...driftFindings(
          p,
          evidence([res(all.filter(([n]) => n !== 'strict-transport-security'))]),
        ),
      ];
    },
    codes: [],
  },
  {
    name: 'a nonce CSP with or without the nonce',
    findings: () => {
      const p = createPolicy({ allowedHosts: [HOST], headers: { csp: { nonce: true } } });
      const nonced = p.https.nonced[0];
      assert.ok(nonced !== undefined, 'csp.nonce puts a nonce in the plan');
      const res = (csp: string): DriftExchange => ({
        probe: 'https',
        url: `https://${HOST}/`,
        host: HOST,
        response: {
          url: `https://${HOST}/`,
          status: 200,
          headers: [
            ...p.https.set.map(([n, v]) => [n.toLowerCase(), v] as const),
            ['content-security-policy', csp],
          ],
        },
      });
      return [
        ...driftFindings(p, evidence([res(nonced.parts.join('cmFuZG9tLW5vbmNl'))])),
        ...driftFindings(p, evidence([res(nonced.value)])),
      ];
    },
    codes: [],
  },
  {
    name: 'TLS 1.1 accepted and TLS 1.3 refused',
    findings: () => withTls(tlsReport({ 'TLSv1.1': 'accepted', 'TLSv1.3': 'refused' }), []),
    codes: ['drift.tls.protocol.accepted', 'drift.tls.protocol.refused'],
    check: (fs) => assert.equal(fs[0]?.severity, 'high'),
  },
  {
    name: 'TLS 1.2 refused where the policy lists only RSA suites and the certificate is EC',
    findings: () => {
      const openkat = createPolicy({ preset: 'openkat' });
      const tlsOnly = (keyType: string): Finding[] =>
        driftFindings(openkat, evidence([], { tls: tlsReport({ 'TLSv1.2': 'refused' }, keyType) }));
      return [...tlsOnly('ec'), ...tlsOnly('rsa')];
    },
    codes: ['drift.tls.protocol.refused'],
    check: (fs) => assert.equal(fs[0]?.value, 'TLSv1.2'),
  },
  {
    name: 'suites accepted that the policy does not list, by core verdict',
    findings: () =>
      withTls(tlsReport({}, 'rsa'), [
        suite('ECDHE-RSA-AES128-GCM-SHA256', 'accepted'),
        suite('AES128-SHA', 'accepted'),
        suite('TLS_AES_128_CCM_SHA256', 'accepted', 'TLSv1.3'),
      ]),
    codes: ['drift.tls.cipher.accepted', 'drift.tls.cipher.accepted'],
    check: (fs) => {
      assert.equal(fs[0]?.value, 'AES128-SHA');
      assert.equal(fs[0].severity, 'medium');
      assert.equal(fs[1]?.severity, 'low');
    },
  },
  {
    name: 'a listed suite refused, and one the certificate cannot use',
    findings: () =>
      withTls(tlsReport({}), [
        suite('ECDHE-ECDSA-AES128-GCM-SHA256', 'refused'),
        suite('ECDHE-RSA-AES128-GCM-SHA256', 'refused'),
        suite('TLS_AES_256_GCM_SHA384', 'refused', 'TLSv1.3'),
      ]),
    codes: ['drift.tls.cipher.refused', 'drift.tls.cipher.refused'],
    check: (fs) =>
      assert.deepEqual(
        fs.map((f) => f.value),
        ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_AES_256_GCM_SHA384'],
      ),
  },
  {
    name: 'probes that timed out or ran out of budget',
    findings: () => withTls(tlsReport({ TLSv1: 'failed' }), [suite('AES128-SHA', 'failed')], false),
    codes: ['drift.tls.incomplete'],
    check: (fs) => assert.match(fs[0]?.message ?? '', /TLSv1 \(failed\), AES128-SHA \(failed\)/),
  },
  {
    name: 'TLS 1.3 groups accepted that the policy does not list',
    findings: () =>
      withGroups([
        { group: 'X25519', outcome: 'accepted' },
        { group: 'X448', outcome: 'accepted' },
        { group: 'ffdhe2048', outcome: 'refused' },
      ]),
    codes: ['drift.tls.curve.accepted'],
    check: (fs) => {
      assert.equal(fs[0]?.value, 'X448');
      assert.equal(fs[0].severity, 'low');
    },
  },
  {
    name: 'a listed TLS 1.3 group refused, and one left unprobed',
    findings: () =>
      withGroups([
        { group: 'prime256v1', outcome: 'refused' },
        { group: 'secp521r1', outcome: 'refused' },
        { group: 'X25519MLKEM768', outcome: 'untested' },
      ]),
    codes: ['drift.tls.curve.refused', 'drift.tls.incomplete'],
    check: (fs) => {
      assert.equal(fs[0]?.value, 'prime256v1');
      assert.match(fs[1]?.message ?? '', /X25519MLKEM768 \(untested\)/);
    },
  },
  {
    name: 'a weak suite this client cannot offer is not a gap',
    findings: () => withTls(tlsReport({}), [suite('RC4-SHA', 'untested')]),
    codes: [],
  },
];

describe('driftFindings', () => {
  for (const row of ROWS) {
    it(`${row.name}: ${row.codes.length === 0 ? 'no drift' : row.codes.join(', ')}`, () => {
      const fs = row.findings();
      assert.deepEqual(codes(fs), row.codes, JSON.stringify(fs, null, 1));
      for (const f of fs) {
        assert.ok(f.fix.length > 10, 'a concrete fix');
        assert.equal(f.spec, FINDING_CODES[f.code as keyof typeof FINDING_CODES].spec);
      }
      row.check?.(fs);
    });
  }

  it('has a row for every drift code in the catalog', () => {
    const seen = new Set(ROWS.flatMap((r) => r.codes));
    assert.deepEqual(
      Object.keys(FINDING_CODES).filter((c) => c.startsWith('drift.') && !seen.has(c)),
      [],
    );
  });

  it('caps findings from a hostile response', () => {
    const many: [string, string][] = Array.from({ length: 500 }, (_, i) => [
      i % 2 === 0 ? 'x-powered-by' : 'x-frame-options',
      `v${i}`,
    ]);
    const fs = driftFindings(policy, evidence(https((h) => [...h, ...many])));
    assert.ok(fs.length <= 150, String(fs.length));
  });
});

/** A declared loss with these signs, as `barbican export` would give it. */
function declared(...served: LossSign[]): DeclaredLosses {
  return {
    by: 'nginx 1.22.1',
    code: 'BARBICAN_W_EXPORT_LOSSY',
    losses: [{ feature: 'lost', path: 'headers.server', message: 'it is lost', served }],
  };
}

const SERVER_NGINX: LossSign = { kind: 'header', name: 'server', value: 'nginx' };

/** The faithful site, the HTTPS answer edited, judged against `losses`. */
function lossy(
  edit: (x: DriftExchange[]) => void,
  losses: DeclaredLosses,
  extra: Partial<DriftEvidence> = {},
): Finding[] {
  const x = faithful();
  edit(x);
  return driftFindings(policy, evidence(x, extra), losses);
}

const withServer =
  (...values: string[]) =>
  (x: DriftExchange[]) => {
    x[0] = exchange('https', 200, [
      ...httpsHeaders(),
      ...values.map((v) => ['server', v] as const),
    ]);
  };

describe('driftFindings with declared losses (scan --target)', () => {
  it('a difference a sign describes exactly is loss.expected (info), naming the loss', () => {
    const fs = lossy(withServer('nginx'), declared(SERVER_NGINX));
    assert.deepEqual(codes(fs), ['loss.expected']);
    const f = fs[0];
    assert.equal(f?.severity, 'info');
    assert.equal(f.header, 'server');
    assert.equal(f.directive, 'https');
    assert.equal(f.value, 'nginx');
    assert.match(
      f.message,
      /policy removes it\. nginx 1\.22\.1 declared this loss \(BARBICAN_W_EXPORT_LOSSY lost, headers\.server\): it is lost\./,
    );
    assert.match(f.fix, /without --target it is drift\.fingerprint\.present/);
    assert.equal(f.spec, FINDING_CODES['loss.expected'].spec);
  });
  it('another value, or the declared one next to another line, stays drift', () => {
    for (const values of [['nginx/1.22.1'], ['nginx', 'tiny/1.0'], ['Nginx']])
      assert.deepEqual(
        codes(lossy(withServer(...values), declared(SERVER_NGINX))),
        ['drift.fingerprint.present'],
        values.join(', '),
      );
  });
  it('a sign for another header, scheme or kind explains nothing', () => {
    const missing = (x: DriftExchange[]) => {
      x[0] = exchange(
        'https',
        200,
        httpsHeaders().filter(([n]) => n !== 'x-frame-options'),
      );
    };
    const notSent = (scheme?: 'http' | 'https'): LossSign => ({
      kind: 'header',
      name: 'x-frame-options',
      value: null,
      ...(scheme === undefined ? {} : { scheme }),
    });
    assert.deepEqual(codes(lossy(missing, declared(SERVER_NGINX))), ['drift.header.missing']);
    assert.deepEqual(codes(lossy(missing, declared(notSent('http')))), ['drift.header.missing']);
    assert.deepEqual(codes(lossy(missing, declared({ kind: 'hosts' }))), ['drift.header.missing']);
    assert.deepEqual(codes(lossy(missing, declared(notSent('https')))), ['loss.expected']);
    assert.deepEqual(codes(lossy(missing, declared(notSent()))), ['loss.expected']);
  });
  it('hosts: an unlisted host served is expected where the platform checks no host', () => {
    const served = (x: DriftExchange[]) => {
      x[2] = exchange('https-unlisted-host', 200, [], UNLISTED_HOST);
    };
    assert.deepEqual(codes(lossy(served, declared({ kind: 'hosts' }))), ['loss.expected']);
    assert.deepEqual(codes(lossy(served, declared(SERVER_NGINX))), ['drift.host.accepted']);
  });
  it('redirect: none, or another status for GET, only as declared; never another place', () => {
    const none = (x: DriftExchange[]) => {
      x[1] = exchange('http', 200, []);
    };
    const status = (s: number) => (x: DriftExchange[]) => {
      x[1] = exchange('http', s, [['location', `https://${HOST}/`]]);
    };
    const elsewhere = (x: DriftExchange[]) => {
      x[1] = exchange('http', 301, [['location', `https://other.test/`]]);
    };
    const no: LossSign = { kind: 'redirect', status: null };
    const with302: LossSign = { kind: 'redirect', status: 302 };
    assert.deepEqual(codes(lossy(none, declared(no))), ['loss.expected']);
    assert.deepEqual(codes(lossy(none, declared(with302))), ['drift.redirect.missing']);
    assert.deepEqual(codes(lossy(status(302), declared(with302))), ['loss.expected']);
    assert.deepEqual(codes(lossy(status(307), declared(with302))), ['drift.redirect.status']);
    assert.deepEqual(codes(lossy(status(302), declared(no))), ['drift.redirect.status']);
    assert.deepEqual(codes(lossy(elsewhere, declared(no, with302))), ['drift.redirect.location']);
  });
  it('TLS: the named suite with its outcome, or the whole section; never an unfinished probe', () => {
    const suites = (results: SuiteProbeResult[], complete = true): Partial<DriftEvidence> => ({
      tls: tlsReport({ 'TLSv1.1': 'accepted', TLSv1: 'failed' }),
      suites: { results, handshakes: results.length, elapsedMs: 5, complete },
    });
    const accepted = suites([
      suite('AES128-SHA', 'accepted'),
      suite('ECDHE-ECDSA-AES128-SHA', 'accepted'),
    ]);
    const one: LossSign = { kind: 'tls', name: 'AES128-SHA', outcome: 'accepted' };
    const refusedOne: LossSign = { kind: 'tls', name: 'AES128-SHA', outcome: 'refused' };
    const judged = (losses: DeclaredLosses) =>
      lossy(() => undefined, losses, accepted).map((f) => `${f.code} ${f.value ?? ''}`);
    assert.deepEqual(judged(declared(one)), [
      'drift.tls.protocol.accepted TLSv1.1',
      'loss.expected AES128-SHA',
      'drift.tls.cipher.accepted ECDHE-ECDSA-AES128-SHA',
      'drift.tls.incomplete 1',
    ]);
    assert.deepEqual(
      judged(declared(refusedOne)).filter((c) => c.startsWith('loss')),
      [],
    );
    assert.deepEqual(judged(declared({ kind: 'tls' })), [
      'loss.expected TLSv1.1',
      'loss.expected AES128-SHA',
      'loss.expected ECDHE-ECDSA-AES128-SHA',
      'drift.tls.incomplete 1',
    ]);
  });
  it('the summary counts expected losses apart from drift', () => {
    const x = faithful();
    withServer('nginx')(x);
    x[1] = exchange('http', 200, []);
    const ev = evidence(x);
    const fs = driftFindings(policy, ev, declared(SERVER_NGINX));
    const summary = driftSummary(ev, fs);
    assert.equal(summary.count, 1);
    assert.equal(summary.expectedLosses, 1);
    assert.equal(driftSummary(ev, driftFindings(policy, ev)).expectedLosses, 0);
  });
});
