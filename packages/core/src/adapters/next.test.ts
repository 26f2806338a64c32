import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NextRequest, NextResponse } from 'next/server.js';
import { createPolicy } from '../policy/index.ts';
import { barbicanMiddleware, nextHeaders, nonceFrom } from './next.ts';

const policy = createPolicy({
  headers: {
    csp: { directives: { 'default-src': ["'self'"], 'script-src': ["'self'"] }, nonce: true },
  },
});

const internal = (r: Response): [string, string][] =>
  [...r.headers].filter(([k]) => k.startsWith('x-middleware-'));

describe('Next adapter', () => {
  it("speaks Next's middleware protocol exactly as NextResponse.next({ request }) does", () => {
    const request = new NextRequest('https://app.example/page', {
      headers: { host: 'app.example', accept: 'text/html' },
    });
    const ours = barbicanMiddleware(policy)(request);
    const nonce = ours.headers.get('x-middleware-request-x-nonce');
    assert.ok(nonce !== null && nonce.length >= 22);
    const forwarded = new Headers(request.headers);
    forwarded.set('x-nonce', nonce);
    forwarded.set(
      'content-security-policy',
      ours.headers.get('content-security-policy') ?? 'missing',
    );
    const theirs = NextResponse.next({ request: { headers: forwarded } });
    assert.deepEqual(internal(ours), internal(theirs));
    assert.ok((ours.headers.get('content-security-policy') ?? '').includes(`'nonce-${nonce}'`));
  });

  it('mints a nonce under the barbican preset: Next needs it for its own scripts', () => {
    const res = barbicanMiddleware({ preset: 'barbican' })(new NextRequest('https://app.example/'));
    const nonce = res.headers.get('x-middleware-request-x-nonce') ?? '';
    assert.match(nonce, /^[A-Z0-9+/]{22}==$/i);
    assert.ok((res.headers.get('content-security-policy') ?? '').includes(`'nonce-${nonce}'`));
  });

  it('continues without request overrides when the policy has no nonce', () => {
    const noNonce = barbicanMiddleware({ headers: { csp: { nonce: false } } });
    const res = noNonce(new NextRequest('https://app.example/'));
    assert.deepEqual(internal(res), internal(NextResponse.next()));
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  it('keeps a client-sent x-nonce from the page when the policy has no nonce', () => {
    const noNonce = barbicanMiddleware({ headers: { csp: { nonce: false } } });
    const request = new NextRequest('https://app.example/', {
      headers: { 'x-nonce': 'attacker', accept: 'text/html' },
    });
    const theirs = new Headers(request.headers);
    theirs.delete('x-nonce');
    assert.deepEqual(
      internal(noNonce(request)),
      internal(NextResponse.next({ request: { headers: theirs } })),
    );
  });

  it("nonceFrom reads the middleware's nonce, and teaches when there is none", () => {
    const mw = barbicanMiddleware(policy, { nonceHeader: 'x-csp-nonce' });
    const res = mw(new NextRequest('https://app.example/'));
    const forwarded = new Headers({
      'x-csp-nonce': res.headers.get('x-middleware-request-x-csp-nonce') ?? '',
    });
    assert.match(nonceFrom(forwarded, 'x-csp-nonce'), /^[A-Z0-9+/]{22}==$/i);
    assert.throws(() => nonceFrom(forwarded), {
      code: 'BARBICAN_E_NO_NONCE',
      message: /matcher/,
    });
    assert.throws(() => nonceFrom(new Headers({ 'x-nonce': '' })), { code: 'BARBICAN_E_NO_NONCE' });
  });

  it("takes HTTPS from Next's URL only when no X-Forwarded-Proto could have made it so", () => {
    const redirect = barbicanMiddleware({ sslRedirect: true, allowedHosts: ['app.example'] });
    const status = (url: string, headers: Record<string, string>): number =>
      redirect(new NextRequest(url, { headers: { host: 'app.example', ...headers } })).status;
    // next start writes https: into the URL when the client says X-Forwarded-Proto: https.
    assert.equal(status('https://localhost:3000/', { 'x-forwarded-proto': 'https' }), 301);
    assert.equal(status('https://localhost:3000/', { 'x-forwarded-proto': 'http, https' }), 301);
    // Without the header, an https: URL is Next's own TLS socket.
    assert.equal(status('https://localhost:3000/', {}), 200);
    assert.equal(status('http://localhost:3000/', {}), 301);
    // A trusted proxy's X-Forwarded-Proto is the engine's to believe.
    const trusting = barbicanMiddleware(
      { sslRedirect: true, allowedHosts: ['app.example'], trustedProxies: ['loopback'] },
      { peer: () => '127.0.0.1' },
    );
    const viaProxy = new NextRequest('https://localhost:3000/', {
      headers: { host: 'app.example', 'x-forwarded-proto': 'https' },
    });
    assert.equal(trusting(viaProxy).status, 200);
  });

  it('exports static headers for next.config.js, leaving out the nonce-bearing CSP', () => {
    const rules = nextHeaders(policy);
    assert.equal(rules.length, 1);
    const rule = rules[0]!;
    assert.equal(rule.source, '/:path*');
    const names = rule.headers.map((h) => h.key.toLowerCase());
    assert.ok(names.includes('x-frame-options'));
    assert.ok(names.includes('strict-transport-security'));
    assert.ok(!names.includes('content-security-policy'));
    for (const h of rule.headers) assert.equal(typeof h.value, 'string');
  });

  it("leaves the barbican preset's CSP out of next.config headers: it carries a nonce", () => {
    const names = nextHeaders({ preset: 'barbican' })[0]!.headers.map((h) => h.key);
    assert.ok(names.includes('X-Frame-Options'));
    assert.ok(!names.includes('Content-Security-Policy'));
  });

  it('exports the plain-HTTP plan, without HSTS, on request', () => {
    const rule = nextHeaders(policy, { https: false, source: '/app/:path*' })[0]!;
    assert.equal(rule.source, '/app/:path*');
    assert.ok(!rule.headers.some((h) => h.key === 'Strict-Transport-Security'));
  });
});
