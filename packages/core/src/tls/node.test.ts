import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, createServer, type ConnectionOptions, type Server } from 'node:tls';
import { BarbicanError } from '../errors.ts';
import { createPolicy } from '../policy/index.ts';
import { nodeTlsOptions, SSL_OP_NO_TICKET } from './node.ts';
import type { TlsOptions } from './options.ts';

const tlsOf = (tls: TlsOptions) => createPolicy({ tls, allowedHosts: ['*'] }).tls;

describe('nodeTlsOptions: the mapping', () => {
  it('joins the TLS 1.2 and TLS 1.3 lists into one ciphers string, in order', () => {
    const { options } = nodeTlsOptions(tlsOf({ profile: 'intermediate' }), '3.5.8');
    assert.deepEqual(options, {
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers:
        'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
      ecdhCurve: 'X25519MLKEM768:X25519:prime256v1:secp384r1',
      honorCipherOrder: false,
      sessionTimeout: 86_400,
      secureOptions: SSL_OP_NO_TICKET,
    });
  });

  it('leaves out the groups an older OpenSSL lacks, and says which', () => {
    const m = nodeTlsOptions(tlsOf({ profile: 'modern' }), '3.0.19');
    assert.equal(m.options.ecdhCurve, 'X25519:prime256v1:secp384r1');
    assert.deepEqual(m.droppedCurves, ['X25519MLKEM768']);
  });

  it('refuses to fall back to OpenSSL defaults when no group is left', () => {
    const tls = tlsOf({ profile: 'modern', curves: ['X25519MLKEM768'] });
    assert.throws(
      () => nodeTlsOptions(tls, '3.0.19'),
      (e: unknown) =>
        e instanceof BarbicanError &&
        e.code === 'BARBICAN_E_TLS_UNSUPPORTED' &&
        e.path === 'tls.curves',
    );
  });

  it('maps tickets, order and timeout', () => {
    const { options } = nodeTlsOptions(
      tlsOf({ sessionTickets: true, preferServerCiphers: true, sessionTimeout: 60 }),
      process.versions.openssl,
    );
    assert.equal(options.secureOptions, 0);
    assert.equal(options.honorCipherOrder, true);
    assert.equal(options.sessionTimeout, 60);
  });
});

/** A real TLS server on loopback configured only through nodeTlsOptions. */
describe('nodeTlsOptions: a real Node TLS server enforces the policy', () => {
  let dir = '';
  let ec = { cert: '', key: '' };
  let rsa = { cert: '', key: '' };
  const servers: Server[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'barbican-tls-'));
    const make = (name: string, alg: string[]) => {
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            ...alg,
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=localhost',
            '-keyout',
            `${name}.key`,
            '-out',
            `${name}.pem`,
          ],
          { cwd: dir, stdio: 'ignore', timeout: 30_000 },
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          assert.fail('openssl is not installed: apt-get install openssl');
        throw error;
      }
      return {
        cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
        key: readFileSync(join(dir, `${name}.key`), 'utf8'),
      };
    };
    ec = make('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    rsa = make('rsa', ['-newkey', 'rsa:2048']);
  });

  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(tls: TlsOptions): Promise<number> {
    const { options } = nodeTlsOptions(tlsOf(tls), process.versions.openssl);
    const server = createServer(
      { ...options, cert: [ec.cert, rsa.cert], key: [ec.key, rsa.key] },
      (socket) => socket.end('ok'),
    );
    servers.push(server);
    server.on('tlsClientError', () => {
      /* refused handshakes are the point of these tests */
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  interface Handshake {
    readonly ok: boolean;
    readonly protocol?: string | null;
    readonly cipher?: string;
    readonly ticket?: boolean;
  }

  function hello(port: number, client: ConnectionOptions): Promise<Handshake> {
    return new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...client });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ ok: false });
      }, 5000);
      socket.once('secureConnect', () => {
        const cipher = socket.getCipher().standardName;
        const protocol = socket.getProtocol();
        // Tickets arrive with (TLS 1.2) or after (TLS 1.3) the handshake: read the reply first.
        socket.once('data', () => {
          clearTimeout(timer);
          const ticket = socket.getTLSTicket() !== undefined;
          socket.destroy();
          resolve({ ok: true, protocol, cipher, ticket });
        });
      });
      socket.once('error', () => {
        clearTimeout(timer);
        resolve({ ok: false });
      });
    });
  }

  it('intermediate: TLS 1.3 and TLS 1.2 with a policy suite succeed', async () => {
    const port = await serve({ profile: 'intermediate' });
    const v13 = await hello(port, {});
    assert.equal(v13.protocol, 'TLSv1.3');
    assert.equal(v13.ok, true);
    const v12 = await hello(port, {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-RSA-CHACHA20-POLY1305',
    });
    assert.deepEqual(
      [v12.protocol, v12.cipher],
      ['TLSv1.2', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    );
  });

  it('intermediate: a TLS 1.1 client and a CBC-only TLS 1.2 client are refused', async () => {
    const port = await serve({ profile: 'intermediate' });
    const old = await hello(port, {
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    assert.equal(old.ok, false);
    const cbc = await hello(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' });
    assert.equal(cbc.ok, false);
  });

  it('the TLS 1.3 suite list is enforced, unlike ssl_ciphers alone', async () => {
    const port = await serve({ cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] });
    const gcm = await hello(port, { ciphers: 'TLS_AES_128_GCM_SHA256', minVersion: 'TLSv1.3' });
    assert.equal(gcm.ok, false);
    const chacha = await hello(port, {
      ciphers: 'TLS_CHACHA20_POLY1305_SHA256',
      minVersion: 'TLSv1.3',
    });
    assert.equal(chacha.cipher, 'TLS_CHACHA20_POLY1305_SHA256');
  });

  it('the curve list is enforced', async () => {
    const port = await serve({ curves: ['secp384r1'] });
    assert.equal((await hello(port, { ecdhCurve: 'X25519' })).ok, false);
    assert.equal((await hello(port, { ecdhCurve: 'secp384r1' })).ok, true);
  });

  it('sessionTickets: false issues no TLS 1.2 ticket; true does', async () => {
    const tls12 = { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } as const;
    const off = await hello(await serve({}), tls12);
    assert.deepEqual([off.ok, off.ticket], [true, false]);
    const on = await hello(await serve({ sessionTickets: true }), tls12);
    assert.deepEqual([on.ok, on.ticket], [true, true]);
  });

  it('modern: TLS 1.2 is refused', async () => {
    const port = await serve({ profile: 'modern' });
    assert.equal((await hello(port, { maxVersion: 'TLSv1.2' })).ok, false);
    assert.equal((await hello(port, {})).protocol, 'TLSv1.3');
  });
});
