/** Findings: one per failing test with a fix, COOP/COEP outside the score, spec differences. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { observatory } from './index.ts';
import { retrievalOf } from '../../test/observatory/fixtures.ts';

describe('observatory findings', () => {
  it('turns each non-passing test into a finding named by its result code, with a fix', () => {
    const out = observatory(retrievalOf({ name: 'bare' }));
    const failing = Object.values(out.tests).filter((t) => !t.pass);
    for (const t of failing) {
      const f = out.findings.find((x) => x.code === t.result);
      assert.ok(f, t.result);
      assert.ok(f.fix.length > 0);
      assert.match(f.spec, /^https:\/\//);
    }
    assert.equal(out.findings.find((f) => f.code === 'csp-not-implemented')?.severity, 'high');
    assert.equal(
      out.findings
        .find((f) => f.code === 'x-frame-options-not-implemented')
        ?.fix.includes('frame-ancestors'),
      true,
    );
  });

  it('reports COOP and COEP outside the score', () => {
    const without = observatory(retrievalOf({ name: 'no coop' }));
    const withIsolation = observatory(
      retrievalOf({
        name: 'coop',
        headers: [
          ['Cross-Origin-Opener-Policy', 'same-origin'],
          ['Cross-Origin-Embedder-Policy', 'require-corp'],
        ],
      }),
    );
    assert.equal(without.score, withIsolation.score);
    assert.ok(without.findings.some((f) => f.code === 'coop-not-implemented'));
    assert.ok(without.findings.some((f) => f.code === 'coep-not-implemented'));
    assert.ok(
      !withIsolation.findings.some((f) => f.code.startsWith('coop-') || f.code.startsWith('coep-')),
    );
  });

  it('flags an invalid or repeated COOP and an unsafe-none COEP', () => {
    const out = observatory(
      retrievalOf({
        name: 'bad',
        headers: [
          ['Cross-Origin-Opener-Policy', 'same-origin'],
          ['Cross-Origin-Opener-Policy', 'same-origin'],
          ['Cross-Origin-Embedder-Policy', 'unsafe-none'],
        ],
      }),
    );
    assert.ok(out.findings.some((f) => f.code === 'coop-header-invalid'));
    assert.ok(out.findings.some((f) => f.code === 'coep-implemented-with-unsafe-none'));
  });

  it('keeps the Observatory result for a reflected origin and reports the spec difference', () => {
    const out = observatory(
      retrievalOf({
        name: 'reflect',
        cors: [
          ['Access-Control-Allow-Origin', 'https://barbican-probe.example'],
          ['Access-Control-Allow-Credentials', 'true'],
        ],
      }),
    );
    assert.equal(
      out.tests['cross-origin-resource-sharing']?.result,
      'cross-origin-resource-sharing-implemented-with-restricted-access',
    );
    assert.equal(out.spec.tests['cross-origin-resource-sharing']?.scoreModifier, -50);
    const f = out.findings.find(
      (x) => x.code === 'observatory-spec-difference.cross-origin-resource-sharing',
    );
    assert.equal(f?.severity, 'high');
    assert.ok(out.spec.score < out.score);
  });

  it('reports a repeated CSP header parsed as one policy', () => {
    const out = observatory(
      retrievalOf({
        name: 'two csp lines',
        headers: [
          ['Content-Security-Policy', "default-src 'self'"],
          ['Content-Security-Policy', "script-src 'unsafe-inline'"],
        ],
      }),
    );
    assert.ok(
      out.findings.some((x) => x.code === 'observatory-spec-difference.content-security-policy'),
    );
  });

  it('grades an unreachable site F with a high finding', () => {
    const out = observatory(retrievalOf({ name: 'down', http: false, https: false }));
    assert.equal(out.grade, 'F');
    assert.equal(out.score, 0);
    assert.ok(
      out.findings.some((f) => f.code === 'observatory-site-down' && f.severity === 'high'),
    );
  });

  it('notes a status Observatory refuses to grade', () => {
    const out = observatory(retrievalOf({ name: '500', status: 500 }));
    assert.ok(out.findings.some((f) => f.code === 'observatory-unexpected-status'));
  });
});
