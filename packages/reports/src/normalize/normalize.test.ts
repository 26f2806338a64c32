import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createThrowawayCa } from '@barbican/scanner';
import fc from 'fast-check';
import { fingerprint, noiseReason, parseReports, type NormalizedReport } from '../index.ts';
import { boundedString, cleanUrl, nestsDeeperThan, truncateIp } from './index.ts';

const fixtures = JSON.parse(
  readFileSync(new URL('../../test/fixtures/browser-reports.json', import.meta.url), 'utf8'),
) as Record<string, { contentType: string; body: unknown }>;

const ctx = { userAgent: 'Header-UA/1.0', maxBatch: 100 };

function reportsOf(name: string, extra: object = {}): NormalizedReport[] {
  const fixture = fixtures[name];
  assert.ok(fixture, name);
  const r = parseReports(fixture.body, { ...ctx, ...extra });
  assert.ok(r.ok, JSON.stringify(r));
  return r.reports;
}

describe('normalisation of browser reports', () => {
  it('reads a Chromium Reporting API CSP batch: camelCase, query/fragment/referrer and nonces stripped, age kept', () => {
    const [inline, img] = reportsOf('chromium-csp-batch');
    assert.deepEqual(
      { ...inline, details: { ...inline?.details } },
      {
        type: 'csp-violation',
        url: 'https://shop.example/checkout',
        directive: 'script-src-elem',
        blockedUrl: 'inline',
        blockedHost: null,
        sourceFile: 'https://shop.example/checkout',
        line: 1,
        column: 40,
        disposition: 'report',
        sample: "console.log('injected')",
        statusCode: 200,
        policy: "default-src 'self'; script-src 'nonce-…'; report-to default",
        details: {},
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36',
        age: 2,
      },
    );
    assert.equal(img?.blockedUrl, 'https://cdn.example/img.png');
    assert.equal(img.blockedHost, 'cdn.example');
    assert.equal(img.sample, null, 'an empty sample is absent');
  });

  it('keeps queries and referrers only when asked', () => {
    const [inline] = reportsOf('chromium-csp-batch', { keepQuery: true, keepReferrer: true });
    assert.equal(inline?.url, 'https://shop.example/checkout?session=abc#step2');
    assert.deepEqual(inline.details, { referrer: 'https://search.example/?q=secret' });
  });

  it('reads legacy report-uri bodies from Chromium and Firefox (numbers as strings, no effective-directive)', () => {
    const [chromium] = reportsOf('chromium-legacy-csp');
    assert.equal(chromium?.directive, 'script-src-elem');
    assert.equal(chromium.disposition, 'enforce');
    assert.equal(chromium.blockedHost, 'evil.example');
    assert.equal(chromium.userAgent, 'Header-UA/1.0', 'legacy reports take the request User-Agent');
    assert.equal(chromium.age, null);
    const [firefox] = reportsOf('firefox-legacy-csp');
    assert.equal(firefox?.directive, 'img-src', 'the name at the start of violated-directive');
    assert.equal(firefox.line, 4);
    assert.equal(firefox.column, 22);
    assert.equal(firefox.blockedUrl, 'data');
  });

  it('reads NEL, COOP, COEP, Permissions-Policy, deprecation and intervention reports', () => {
    const [nel] = reportsOf('nel');
    assert.equal(nel?.type, 'network-error');
    assert.equal(nel.url, 'https://shop.example/api/cart');
    assert.equal(nel.directive, 'tcp.reset');
    assert.equal(nel.statusCode, 0);
    assert.deepEqual(nel.details, {
      phase: 'connection',
      elapsedTime: 143,
      samplingFraction: 1,
      serverIp: '203.0.113.10',
      protocol: 'h2',
      method: 'GET',
    });
    const [coop] = reportsOf('coop');
    assert.deepEqual(
      [coop?.directive, coop?.policy, coop?.disposition, coop?.blockedUrl, coop?.blockedHost],
      [
        'navigation-from-response',
        'same-origin',
        'report',
        'https://pay.example/start',
        'pay.example',
      ],
    );
    const [coep] = reportsOf('coep');
    assert.deepEqual(
      [coep?.directive, coep?.blockedUrl, coep?.disposition, coep?.details],
      ['corp', 'https://cdn.example/img.png', 'report', { destination: 'image' }],
    );
    const [pp] = reportsOf('permissions-policy');
    assert.deepEqual(
      [pp?.type, pp?.directive, pp?.line, pp?.column],
      ['permissions-policy-violation', 'geolocation', 10, 5],
    );
    const [dep] = reportsOf('deprecation');
    assert.equal(dep?.directive, 'UnloadHandler');
    assert.equal(dep.details['anticipatedRemoval'], '2026-01-01T00:00:00.000Z');
    const [iv] = reportsOf('intervention');
    assert.deepEqual(
      [iv?.type, iv?.directive, iv?.sourceFile],
      ['intervention', 'HeavyAdIntervention', null],
    );
  });

  it('reads Expect-CT reports (SCTs summarised, bad chain entries skipped)', () => {
    const [ct] = reportsOf('expect-ct');
    assert.equal(ct?.type, 'expect-ct');
    assert.equal(ct.url, 'https://shop.example/');
    assert.deepEqual(ct.details, {
      effectiveExpirationDate: '2024-06-01T10:00:00Z',
      scheduledExpiry: '2024-05-02T10:00:00Z',
      scts: 'invalid:2,valid:1',
    });
  });

  it('reads RFC 7469 HPKP reports and records the served chain’s SPKI pins', () => {
    const ca = createThrowawayCa('pins');
    const leaf = ca.issue({ names: ['shop.example'] });
    const pin = (pem: string) =>
      createHash('sha256')
        .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64');
    const r = parseReports(
      {
        'date-time': '2024-05-01T10:00:00Z',
        hostname: 'Shop.Example',
        port: 8443,
        'effective-expiration-date': '2024-06-01T10:00:00Z',
        'include-subdomains': false,
        'noted-hostname': 'shop.example',
        'served-certificate-chain': [leaf.cert, ca.cert],
        'validated-certificate-chain': [leaf.cert, ca.cert],
        'known-pins': ['pin-sha256="d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM="'],
      },
      ctx,
    );
    assert.ok(r.ok);
    const [hpkp] = r.reports;
    assert.equal(hpkp?.type, 'hpkp');
    assert.equal(hpkp.url, 'https://shop.example:8443/');
    assert.equal(hpkp.details['servedPins'], `${pin(leaf.cert)},${pin(ca.cert)}`);
    assert.equal(
      hpkp.details['knownPins'],
      'pin-sha256="d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM="',
    );
    assert.equal(hpkp.details['includeSubdomains'], false);
  });

  it('skips malformed batch items and unknown types, refusing the body only when nothing is usable', () => {
    const good = (fixtures['coep']?.body as unknown[])[0];
    const mixed = parseReports(
      [good, 42, { type: 'crash', body: {} }, { type: 'coep', body: 'x' }],
      ctx,
    );
    assert.ok(mixed.ok);
    assert.equal(mixed.reports.length, 1);
    assert.deepEqual(mixed.drops, { invalid: 2, 'unknown-type': 1 });
    const bad = parseReports([42, { type: 'coep' }], ctx);
    assert.deepEqual(bad, {
      ok: false,
      code: 'BARBICAN_E_REPORT_SHAPE',
      message: 'a batch item is not an object',
    });
    const tooMany = parseReports(new Array(101).fill(good), ctx);
    assert.equal(tooMany.ok ? '' : tooMany.code, 'BARBICAN_E_REPORT_TOO_LARGE');
  });
});

describe('field bounds', () => {
  it('bounds strings, replaces control and bidi characters, repairs lone surrogates', () => {
    assert.equal(boundedString('a\u0000b\u001b[2J\u202ec', 100), 'a\uFFFDb\uFFFD[2J\uFFFDc');
    assert.equal(boundedString('x\ud800y', 100), 'x\uFFFDy');
    const long = boundedString('é'.repeat(5000), 64);
    assert.equal(long?.length, 64);
    assert.ok(long.endsWith('…'));
    assert.equal(boundedString(['a'], 10), null);
  });

  it('cleans URLs: credentials, query and fragment removed; data: and blob: cut to the scheme', () => {
    assert.equal(
      cleanUrl('https://user:pw@shop.example:8443/a?b=1#c'),
      'https://shop.example:8443/a',
    );
    assert.equal(cleanUrl('data:text/html,<script>alert(1)</script>'), 'data');
    assert.equal(cleanUrl('blob:https://shop.example/1234'), 'blob');
    assert.equal(cleanUrl('Inline'), 'inline');
    assert.equal(cleanUrl('/relative?x=1'), '/relative');
    assert.equal(cleanUrl(42), null);
  });

  it('truncates client addresses to /24 and /64', () => {
    assert.equal(truncateIp('203.0.113.77'), '203.0.113.0');
    assert.equal(truncateIp('::ffff:198.51.100.9'), '198.51.100.0');
    assert.equal(truncateIp('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::');
    assert.equal(truncateIp('not-an-ip'), null);
  });

  it('refuses huge, negative, fractional and non-numeric numbers field by field', () => {
    const r = parseReports(
      {
        'csp-report': {
          'document-uri': 'https://shop.example/',
          'line-number': 1e308,
          'column-number': -1,
          'status-code': '200.5',
        },
      },
      ctx,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      [r.reports[0]?.line, r.reports[0]?.column, r.reports[0]?.statusCode],
      [null, null, null],
    );
  });
});

/** Byte by byte, the obvious way: what {@link nestsDeeperThan} must agree with. */
function nestsDeeperByteByByte(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) return true;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return false;
}

describe('nesting depth before JSON.parse', () => {
  const bytes = (s: string) => Buffer.from(s);

  it('counts brackets outside strings only, escaped quotes included', () => {
    assert.equal(nestsDeeperThan(bytes('[[[1]]]'), 3), false);
    assert.equal(nestsDeeperThan(bytes('[[[[1]]]]'), 3), true);
    assert.equal(nestsDeeperThan(bytes('["[[[[[[", {"a": "{{{{"}]'), 3), false);
    assert.equal(nestsDeeperThan(bytes(String.raw`["\"", [[[[1]]]]]`), 3), true);
    assert.equal(nestsDeeperThan(bytes(String.raw`["\\", [[[[1]]]]]`), 3), true);
    assert.equal(nestsDeeperThan(bytes(String.raw`["\\\"[[[[[["]`), 3), false);
    assert.equal(nestsDeeperThan(bytes('["unterminated [[[[[['), 3), false);
  });

  it('agrees with a byte-by-byte scan on any text of brackets, quotes and backslashes', () => {
    const text = fc.stringMatching(/^[[\]{}"\\a]{0,60}$/);
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 6 }), (s, max) => {
        assert.equal(nestsDeeperThan(bytes(s), max), nestsDeeperByteByByte(bytes(s), max), s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('noise filters and de-duplication', () => {
  const base = reportsOf('chromium-legacy-csp')[0]!;

  it('drops extension, non-web-document and foreign-host reports with a reason', () => {
    assert.equal(noiseReason({ ...base, blockedUrl: 'chrome-extension://abc/x.js' }), 'extension');
    assert.equal(noiseReason({ ...base, sourceFile: 'moz-extension://abc/x.js' }), 'extension');
    assert.equal(noiseReason({ ...base, url: 'about' }), 'unactionable');
    assert.equal(noiseReason(base, { hosts: ['*.shop.example'] }), undefined);
    assert.equal(
      noiseReason({ ...base, url: 'https://copycat.example/' }, { hosts: ['shop.example'] }),
      'foreign-host',
    );
    assert.equal(noiseReason(base), undefined);
  });

  it('gives identical reports one fingerprint, whatever the user agent or age', () => {
    assert.equal(
      fingerprint('shop', base),
      fingerprint('shop', { ...base, userAgent: 'other', age: 99 }),
    );
    assert.notEqual(fingerprint('shop', base), fingerprint('blog', base));
    assert.notEqual(fingerprint('shop', base), fingerprint('shop', { ...base, line: 8 }));
    assert.match(fingerprint('shop', base), /^[0-9a-f]{32}$/);
  });

  it('keeps the fingerprints of stored rows: the key layout never changes', () => {
    // Rows already in a database are found again by this hash: these values
    // were computed by the first release's fingerprint.
    const report: NormalizedReport = {
      type: 'csp-violation',
      url: 'https://shop.example/checkout',
      directive: 'img-src',
      blockedUrl: 'https://cdn.example/x.png',
      blockedHost: 'cdn.example',
      sourceFile: null,
      line: 12,
      column: null,
      disposition: 'enforce',
      sample: '',
      statusCode: 200,
      policy: "default-src 'self'",
      details: { a: 1, b: 'x' },
      userAgent: 'u',
      age: null,
    };
    assert.equal(fingerprint('shop', report), '09826f592408ce5173fcf0a900e009b4');
    const empty = { ...report, url: null, directive: null, blockedUrl: null, line: null };
    const bare = { ...empty, disposition: null, sample: null, statusCode: null, policy: null };
    assert.equal(fingerprint('shop', { ...bare, details: {} }), '75f52280b7d1acc14efea3784a932076');
  });
});
