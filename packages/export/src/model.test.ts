/**
 * The normalised model: read from the same compiled guards and plans the
 * middleware runs on, so the export cannot disagree with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy } from '@barbican/core';
import { atLeast, buildExportModel, exportPolicy, parseVersion } from '@barbican/export';

void describe('buildExportModel', () => {
  void it('splits headers by scheme: HSTS and the upgrade-insecure-requests CSP are HTTPS-only', () => {
    const m = buildExportModel(createPolicy({ preset: 'barbican' }));
    const of = (name: string) => m.headers.filter((h) => h.name === name).map((h) => h.scheme);
    assert.deepEqual(of('Strict-Transport-Security'), ['https']);
    assert.deepEqual(of('Content-Security-Policy').sort(), ['http', 'https']);
    assert.deepEqual(of('X-Frame-Options'), ['both']);
    assert.equal(
      m.headers.find((h) => h.name === 'X-Frame-Options')?.path,
      'headers.xFrameOptions',
    );
  });
  void it('forceStsHeader puts HSTS on both schemes; development drops hosts, redirect and HSTS', () => {
    const forced = buildExportModel(createPolicy({ forceStsHeader: true }));
    assert.equal(
      forced.headers.find((h) => h.name === 'Strict-Transport-Security')?.scheme,
      'both',
    );
    const dev = buildExportModel(
      createPolicy({ development: true, allowedHosts: ['a.example'], sslRedirect: true }),
    );
    assert.equal(dev.hosts, undefined);
    assert.equal(dev.redirect, undefined);
    assert.equal(
      dev.headers.some((h) => h.name === 'Strict-Transport-Security'),
      false,
    );
  });
  void it("copies the middleware's refusal and redirect", () => {
    const m = buildExportModel(
      createPolicy({
        allowedHosts: ['a.example'],
        badHostStatus: 421,
        sslRedirect: { port: 8443 },
      }),
    );
    assert.equal(m.hosts?.refusal.status, 421);
    assert.deepEqual(m.redirect, {
      safeStatus: 301,
      unsafeStatus: 308,
      host: undefined,
      port: 8443,
      exempt: ['/.well-known/acme-challenge/'],
    });
  });
  void it('Server: removed, set or kept, never both in the remove list and the headers', () => {
    assert.equal(buildExportModel(createPolicy({ preset: 'strict' })).server, 'remove');
    const set = buildExportModel(createPolicy({ headers: { server: 'edge' } }));
    assert.equal(set.server, 'set');
    assert.equal(
      set.remove.some((n) => n.toLowerCase() === 'server'),
      false,
    );
    assert.equal(buildExportModel(createPolicy({ preset: 'secure-py' })).server, 'keep');
  });
  void it('trusted proxies as address/prefix texts, named sets expanded', () => {
    const m = buildExportModel(createPolicy({ trustedProxies: ['loopback', '10.1.2.3'] }));
    assert.deepEqual(m.proxies?.ranges, ['127.0.0.0/8', '::1/128', '10.1.2.3/32']);
  });
});

void describe('losses every target shares', () => {
  void it('a per-request nonce and CSRF checks are one warning each, on every target', () => {
    const policy = createPolicy({
      preset: 'strict',
      headers: { csp: { nonce: true } },
    });
    for (const target of ['nginx', 'apache', 'caddy', 'haproxy', 'netlify', 'vercel', 'nextjs']) {
      const warnings = exportPolicy(policy, target).warnings;
      const paths = warnings.map((w) => w.path);
      assert.ok(
        paths.includes('headers.csp') && paths.includes('csrf'),
        `${target}: ${paths.join()}`,
      );
      // Once, though CSP has an HTTPS and an HTTP variant (upgrade-insecure-requests).
      const nonce = warnings.filter((w) => w.message.includes('per-request nonce'));
      assert.equal(nonce.length, 1, `${target}: ${nonce.map((w) => w.message).join('\n')}`);
    }
  });
  void it('the snippet comment lists every loss the warnings name', () => {
    const out = exportPolicy(createPolicy({ preset: 'strict' }), 'nginx');
    assert.ok(out.warnings.length > 0);
    for (const w of out.warnings) assert.ok(out.snippet.includes(`# - ${w.path}: `), w.path);
  });
});

void describe('versions', () => {
  void it('compare numerically, missing parts as 0', () => {
    assert.equal(atLeast(parseVersion('1.22.1', 'v'), '1.25.1'), false);
    assert.equal(atLeast(parseVersion('1.25.1', 'v'), '1.25.1'), true);
    assert.equal(atLeast(parseVersion('2.10', 'v'), '2.9.1'), true);
    assert.equal(atLeast(parseVersion('v3', 'v'), '3.0.0'), true);
  });
});
