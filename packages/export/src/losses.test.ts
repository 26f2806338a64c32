/**
 * Each loss says precisely what responses show because of it (`served`), so
 * `barbican scan --policy --target` can tell a declared loss from drift.
 * What the servers really send is proven against the running binaries by
 * the proof harness; these pin the declarations per target and policy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LossSign, PolicyOptions } from '@barbican/core';
import { declaredLosses, exportPolicy } from '@barbican/export';

/** Every sign of every loss of `feature`, for the target and policy. */
function signs(target: string, options: PolicyOptions, feature: string): LossSign[] {
  return exportPolicy(options, target)
    .losses.filter((l) => l.feature === feature)
    .flatMap((l) => l.served ?? []);
}

const server = (value: string): LossSign => ({ kind: 'header', name: 'server', value });

void describe('losses: what responses show', () => {
  void it('nginx always sends "Server: nginx", whatever headers.server says', () => {
    for (const s of [true, false, 'edge'] as const)
      assert.deepEqual(
        signs('nginx', { headers: { server: s } }, 'server-header'),
        [server('nginx')],
        String(s),
      );
  });
  void it('httpd writes "Server: Apache" on its own answers; the message says which, per mode', () => {
    for (const [s, said] of [
      [true, /app's Server is removed/],
      ['edge', /proxied responses carry the policy's Server/],
      [false, /proxied responses keep the app's Server/],
    ] as const) {
      const losses = exportPolicy({ headers: { server: s } }, 'apache').losses;
      const loss = losses.find((l) => l.feature === 'server-header');
      assert.ok(loss);
      assert.deepEqual(loss.served, [server('Apache')]);
      assert.match(loss.message, said);
    }
  });
  void it('Caddy loses Server only when the policy keeps the app’s: then it sends its own', () => {
    assert.deepEqual(signs('caddy', { headers: { server: true } }, 'server-header'), []);
    assert.deepEqual(signs('caddy', { headers: { server: 'edge' } }, 'server-header'), []);
    assert.deepEqual(signs('caddy', { headers: { server: false } }, 'server-header'), [
      server('Caddy'),
    ]);
  });
  void it('HAProxy removes and sets Server itself: no loss', () => {
    for (const s of [true, false, 'edge'] as const)
      assert.equal(
        exportPolicy({ headers: { server: s } }, 'haproxy').losses.some(
          (l) => l.feature === 'server-header',
        ),
        false,
      );
  });
  void it('with errors.serverTokens the version follows the product: no exact value to expect', () => {
    const loss = exportPolicy(
      { headers: { server: false }, errors: { serverTokens: true } },
      'nginx',
    ).losses.find((l) => l.feature === 'server-header');
    assert.ok(loss);
    assert.equal(loss.served, undefined);
  });
  void it('a static host serves every host, sends its own Server, and manages TLS and the redirect', () => {
    const o: PolicyOptions = { preset: 'strict', allowedHosts: ['a.example'], sslRedirect: true };
    assert.deepEqual(signs('netlify', o, 'hosts'), [{ kind: 'hosts' }]);
    assert.deepEqual(signs('netlify', o, 'remove'), [server('Netlify')]);
    assert.deepEqual(signs('cloudflare-pages', o, 'remove'), [server('cloudflare')]);
    assert.deepEqual(signs('netlify', o, 'redirect'), [{ kind: 'redirect', status: null }]);
    assert.deepEqual(signs('vercel', o, 'redirect'), [{ kind: 'redirect', status: 308 }]);
    assert.deepEqual(signs('netlify', o, 'tls'), [{ kind: 'tls' }]);
  });
  void it('Next.js headers() cannot see the scheme: the HTTPS values go on plain HTTP too', () => {
    const losses = exportPolicy({ preset: 'barbican' }, 'nextjs').losses;
    const hsts = losses.find((l) => l.feature === 'hsts-scheme')?.served?.[0];
    assert.equal(hsts?.kind === 'header' && hsts.scheme, 'http');
    assert.equal(hsts?.kind === 'header' && hsts.name, 'strict-transport-security');
    // barbican's CSP differs by scheme (upgrade-insecure-requests): HTTP gets the HTTPS one.
    const csp = losses.find((l) => l.feature === 'header-scheme')?.served?.[0];
    assert.ok(csp?.kind === 'header');
    assert.equal(csp.name, 'content-security-policy');
    assert.equal(csp.scheme, 'http');
    assert.match(csp.value ?? '', /upgrade-insecure-requests/);
  });
  void it('Go servers: a suite Go lacks is refused; Go offers its own TLS 1.3 suites', () => {
    const o: PolicyOptions = {
      tls: {
        ciphers: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256'],
        cipherSuites: ['TLS_AES_128_GCM_SHA256'],
      },
    };
    assert.deepEqual(signs('caddy', o, 'tls-cipher'), [
      { kind: 'tls', name: 'DHE-RSA-AES128-GCM-SHA256', outcome: 'refused' },
    ]);
    assert.deepEqual(signs('traefik', o, 'tls-suites'), [
      { kind: 'tls', name: 'TLS_AES_256_GCM_SHA384', outcome: 'accepted' },
      { kind: 'tls', name: 'TLS_CHACHA20_POLY1305_SHA256', outcome: 'accepted' },
    ]);
  });
  void it('Traefik redirects a GET with 301 where the policy says 308', () => {
    assert.deepEqual(
      signs(
        'traefik',
        { allowedHosts: ['a.example'], sslRedirect: { status: 308 } },
        'redirect-status',
      ),
      [{ kind: 'redirect', status: 301 }],
    );
  });
  void it('losses nothing the scanner sees shows carry no sign (a nonce, CSRF checks)', () => {
    const losses = exportPolicy({ preset: 'barbican', csrf: true }, 'nginx').losses;
    for (const feature of ['nonce', 'csrf'])
      assert.equal(losses.find((l) => l.feature === feature)?.served, undefined, feature);
  });
  void it('declaredLosses names the target and version the drift check reports them for', () => {
    const result = exportPolicy({ preset: 'barbican' }, 'apache', { targetVersion: '2.4.57' });
    const declared = declaredLosses(result);
    assert.equal(declared.by, 'Apache httpd 2.4.57');
    assert.equal(declared.code, 'BARBICAN_W_EXPORT_LOSSY');
    assert.equal(declared.losses, result.losses);
  });
});
