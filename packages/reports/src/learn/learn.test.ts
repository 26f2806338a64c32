import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { learnPolicy, type ReportRecord } from '../index.ts';

const DOC = 'https://shop.example/page';

/** A stored CSP violation seen `count` times. */
function v(
  directive: string,
  blockedUrl: string,
  count = 5,
  over: Partial<ReportRecord> = {},
): ReportRecord {
  return {
    fingerprint: `${directive} ${blockedUrl}`,
    site: 'shop',
    type: 'csp-violation',
    url: DOC,
    directive,
    blockedUrl,
    blockedHost: null,
    sourceFile: null,
    line: null,
    column: null,
    disposition: 'report',
    sample: null,
    statusCode: 200,
    policy: null,
    details: {},
    userAgent: null,
    client: null,
    count,
    firstReceivedAt: 0,
    receivedAt: 0,
    firstGeneratedAt: null,
    generatedAt: null,
    ...over,
  };
}

function directivesOf(r: ReturnType<typeof learnPolicy>): Record<string, string[] | boolean> {
  return (r.config.headers.csp as { directives: Record<string, string[] | boolean> }).directives;
}

function refusedOf(r: ReturnType<typeof learnPolicy>): Record<string, string> {
  return Object.fromEntries(r.refused.map((x) => [`${x.directive} ${x.source}`, x.reason]));
}

describe('learn', () => {
  it('allows what was seen often enough, prefers self, refuses one-offs', () => {
    const r = learnPolicy([
      v('img-src', 'https://shop.example/logo.png'),
      v('img-src', 'https://images.example/a.png', 3),
      v('img-src', 'https://once.example/a.png', 1),
      v('connect-src', 'https://api.example/v1', 2),
      v('font-src', 'https://fonts.example:8443/f.woff2'),
    ]);
    const d = directivesOf(r);
    assert.deepEqual(d['img-src'], ["'self'", 'data:', 'https://images.example']);
    assert.deepEqual(d['connect-src'], ["'self'", 'https://api.example']);
    assert.deepEqual(d['font-src'], ["'self'", 'https://fonts.example:8443']);
    assert.match(
      refusedOf(r)['img-src https://once.example'] ?? '',
      /seen in 1 report \(fewer than 2\)/,
    );
    assert.equal(r.reports, 16);
  });

  it('groups three hosts under one registrable parent, never at a public suffix', () => {
    const r = learnPolicy([
      ...['a', 'b', 'c'].map((h) => v('img-src', `https://${h}.cdn.example.com/x.png`)),
      ...['a', 'b', 'c'].map((h) => v('img-src', `https://${h}.github.io/x.png`)),
      ...['x', 'y', 'z'].map((h) => v('script-src-elem', `https://${h}.co.uk/x.js`)),
      ...['p', 'q'].map((h) => v('style-src-elem', `https://${h}.static.example/s.css`)),
    ]);
    const d = directivesOf(r);
    assert.deepEqual(d['img-src'], [
      "'self'",
      'data:',
      'https://*.cdn.example.com',
      'https://a.github.io',
      'https://b.github.io',
      'https://c.github.io',
    ]);
    assert.deepEqual(d['script-src'], [
      "'self'",
      'https://x.co.uk',
      'https://y.co.uk',
      'https://z.co.uk',
    ]);
    assert.deepEqual(d['style-src'], [
      "'self'",
      'https://p.static.example',
      'https://q.static.example',
    ]);
    assert.ok(r.notes.some((n) => n.includes('grouped as https://*.cdn.example.com')));
  });

  it('serves inline scripts and styles with a nonce (strict-dynamic for scripts), never unsafe-inline', () => {
    const r = learnPolicy([
      v('script-src-elem', 'inline'),
      v('style-src-elem', 'inline'),
      v('script-src-attr', 'inline'),
      v('style-src-attr', 'inline'),
    ]);
    const d = directivesOf(r);
    assert.deepEqual(d['script-src'], ["'self'", "'strict-dynamic'"]);
    assert.deepEqual(r.nonce, ['script-src', 'style-src']);
    assert.match(r.header, /script-src 'self' 'nonce-REPLACE_WITH_FRESH_NONCE' 'strict-dynamic'/);
    assert.match(r.header, /style-src 'self' 'nonce-REPLACE_WITH_FRESH_NONCE'/);
    const refused = refusedOf(r);
    assert.match(refused["script-src 'unsafe-inline'"] ?? '', /nonce instead/);
    assert.match(refused['script-src-attr inline'] ?? '', /addEventListener/);
    assert.match(refused['style-src-attr inline'] ?? '', /stylesheet/);
    assert.doesNotMatch(r.header, /unsafe-inline|unsafe-eval|\*/);
  });

  it('refuses eval, data: and blob: where code runs, extensions, mixed content and fixed directives — each with its reason', () => {
    const r = learnPolicy([
      v('script-src', 'eval'),
      v('script-src-elem', 'data'),
      v('img-src', 'data'),
      v('worker-src', 'blob'),
      v('script-src-elem', 'blob'),
      v('script-src', 'wasm-eval'),
      v('script-src-elem', 'chrome-extension://abc/x.js'),
      v('img-src', 'http://insecure.example/a.png'),
      v('frame-ancestors', 'https://framer.example'),
      v('base-uri', 'https://evil.example/'),
      v('object-src', 'https://plugins.example/x.swf'),
      v('connect-src', "https://evil.example'/x"),
      v('img-src', 'wss'),
    ]);
    const d = directivesOf(r);
    const refused = refusedOf(r);
    assert.match(refused['script-src eval'] ?? '', /'unsafe-eval' is refused/);
    assert.match(refused['script-src data'] ?? '', /data: in script-src/);
    assert.match(refused['script-src blob'] ?? '', /blob: in script-src/);
    assert.match(refused['script-src chrome-extension://abc/x.js'] ?? '', /extension/);
    assert.match(refused['img-src http://insecure.example/a.png'] ?? '', /mixed content/);
    assert.match(refused['frame-ancestors https://framer.example'] ?? '', /clickjacking/);
    assert.match(refused['base-uri https://evil.example/'] ?? '', /injection/);
    assert.match(refused['object-src https://plugins.example/x.swf'] ?? '', /plugins/);
    assert.match(refused["connect-src https://evil.example'"] ?? '', /not a valid CSP source/);
    assert.match(refused['img-src wss'] ?? '', /too broad/);
    assert.deepEqual(d['img-src'], ["'self'", 'data:']);
    assert.deepEqual(d['worker-src'], ["'self'", 'blob:']);
    assert.deepEqual(d['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(d['frame-ancestors'], ["'none'"]);
    assert.ok(
      r.allowed.some((a) => a.source === "'wasm-unsafe-eval'" && a.note?.includes('WebAssembly')),
    );
  });

  it('yields a fragment createPolicy accepts and barbican csp finds nothing high in', () => {
    const r = learnPolicy(
      [
        v('script-src-elem', 'inline'),
        v('img-src', 'https://cdn.example/a.png'),
        v('script-src-elem', 'https://cdn.example/a.js'),
      ],
      { reportOnly: true },
    );
    assert.deepEqual(Object.keys(r.config.headers), ['cspReportOnly']);
    const policy = createPolicy({ ...(r.config as PolicyOptions), allowedHosts: ['shop.example'] });
    assert.ok(policy.usesNonce);
    assert.deepEqual(
      r.findings.filter((f) => f.severity === 'high'),
      [],
    );
    assert.ok(r.findings.every((f) => f.header === 'content-security-policy-report-only'));
  });

  it('keeps reporting when given the collector URL (the policy’s report option)', () => {
    const r = learnPolicy([v('img-src', 'https://cdn.example/a.png')], {
      report: 'https://collector.example/report/shop',
    });
    assert.equal(r.config.report, 'https://collector.example/report/shop');
    assert.match(r.header, /report-uri https:\/\/collector\.example\/report\/shop; report-to csp/);
    assert.ok(!r.findings.some((f) => f.code === 'csp.report-uri.missing'));
    assert.throws(() => learnPolicy([], { report: 'ftp://nope' }), /BARBICAN_E_/);
  });

  it('ignores other report types and reports it cannot learn from', () => {
    const r = learnPolicy([
      v('corp', 'https://cdn.example/a.png', 9, { type: 'coep' }),
      v('img-src', 'x', 9, { blockedUrl: null }),
    ]);
    assert.equal(r.reports, 9);
    assert.deepEqual(r.allowed, []);
    assert.deepEqual(r.refused, []);
  });
});
