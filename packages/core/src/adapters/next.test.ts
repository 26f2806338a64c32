import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NextRequest, NextResponse } from 'next/server.js';
import { createPolicy } from '../policy/index.ts';
import { barbicanMiddleware, nextHeaders } from './next.ts';

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

  it('continues without request overrides when the policy has no nonce', () => {
    const res = barbicanMiddleware({ preset: 'barbican' })(new NextRequest('https://app.example/'));
    assert.deepEqual(internal(res), internal(NextResponse.next()));
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
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

  it('exports the plain-HTTP plan, without HSTS, on request', () => {
    const rule = nextHeaders(policy, { https: false, source: '/app/:path*' })[0]!;
    assert.equal(rule.source, '/app/:path*');
    assert.ok(!rule.headers.some((h) => h.key === 'Strict-Transport-Security'));
  });
});
