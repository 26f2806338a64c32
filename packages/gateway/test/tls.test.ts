/**
 * TLS termination, checked from outside: `openssl s_client` (Debian's
 * openssl) for protocol, suite, group and ticket refusal; node:http2 for ALPN.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  HOST,
  makePki,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './helpers.ts';

interface Handshake {
  readonly ok: boolean;
  readonly output: string;
}

/** Runs `openssl s_client` against the gateway and reports whether a cipher was agreed. */
function sClient(port: number, args: readonly string[], servername = HOST): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', servername, ...args],
      { timeout: 10_000 },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          reject(
            new Error(
              "openssl was not found: install Debian's openssl package (apt-get install -y openssl)",
            ),
          );
          return;
        }
        const output = `${stdout}\n${stderr}`;
        const cipher = /Cipher is (\S+)/.exec(output)?.[1];
        resolve({ ok: cipher !== undefined && cipher !== '(NONE)', output });
      },
    );
    child.stdin?.end();
  });
}

/** The peer certificate's subject CN for an SNI name. */
function peerCn(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername, ca }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.destroy();
      resolve(String(cn));
    });
    s.on('error', reject);
  });
}

describe('gateway TLS: intermediate profile (the default)', () => {
  let up: Upstream;
  let t: TestGateway;
  before(async () => {
    up = await startUpstream();
    t = await startTestGateway(up);
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  it('refuses TLS 1.1 and TLS 1.0', async () => {
    for (const flag of ['-tls1_1', '-tls1']) {
      const h = await sClient(t.httpsPort, [flag, '-cipher', 'DEFAULT:@SECLEVEL=0']);
      assert.equal(h.ok, false, h.output);
    }
  });

  it('accepts TLS 1.2 with an intermediate ECDHE-GCM suite and refuses CBC and plain-RSA suites', async () => {
    const good = await sClient(t.httpsPort, [
      '-tls1_2',
      '-cipher',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
    ]);
    assert.equal(good.ok, true, good.output);
    assert.match(good.output, /Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/);
    for (const weak of [
      'ECDHE-ECDSA-AES128-SHA',
      'AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-SHA384',
    ]) {
      const h = await sClient(t.httpsPort, ['-tls1_2', '-cipher', weak]);
      assert.equal(h.ok, false, `${weak} was accepted`);
    }
  });

  it('accepts TLS 1.3', async () => {
    const h = await sClient(t.httpsPort, ['-tls1_3']);
    assert.equal(h.ok, true, h.output);
    assert.match(h.output, /TLSv1\.3/);
  });

  it('issues no TLS 1.2 session ticket (tickets are off by default)', async () => {
    const h = await sClient(t.httpsPort, ['-tls1_2']);
    assert.equal(h.ok, true);
    assert.doesNotMatch(h.output, /TLS session ticket lifetime hint/);
  });

  it('negotiates HTTP/2 through ALPN and applies the policy there too', async () => {
    const session = connect(`https://127.0.0.1:${t.httpsPort}`, {
      ca: t.pki.ca.cert,
      servername: HOST,
    });
    try {
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = session.request({ ':path': '/h2', ':authority': HOST });
        req.on('response', (h) => {
          req.resume();
          resolve(h);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(session.alpnProtocol, 'h2');
      assert.equal(headers[':status'], 200);
      assert.equal(headers['x-frame-options'], 'DENY');
      assert.match(String(headers['strict-transport-security']), /max-age/);
      assert.equal(headers['server'], undefined);
      const seen = up.seen.at(-1);
      assert.equal(seen?.url, '/h2');
      assert.equal(seen.headers.host, HOST);
    } finally {
      session.close();
    }
  });

  it('still speaks HTTP/1.1 to clients that offer only it', async () => {
    const h = await sClient(t.httpsPort, ['-alpn', 'http/1.1']);
    assert.match(h.output, /ALPN protocol: http\/1\.1/);
  });
});

describe('gateway TLS: modern and openkat profiles, groups, tickets, SNI', () => {
  const pki = makePki();
  const rsa = pki.issue([HOST], 'rsa', 'rsa');
  const other = pki.issue(['other.test'], 'other');
  let up: Upstream;
  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
    pki.cleanup();
  });

  it('modern: refuses TLS 1.2, accepts TLS 1.3', async () => {
    const t = await startTestGateway(
      up,
      {
        policy: {
          tls: { profile: 'modern', certificates: [{ cert: pki.certFile, key: pki.keyFile }] },
        },
      },
      pki,
    );
    try {
      assert.equal((await sClient(t.httpsPort, ['-tls1_2'])).ok, false);
      assert.equal((await sClient(t.httpsPort, ['-tls1_3'])).ok, true);
    } finally {
      await t.close();
    }
  });

  it("openkat: the guide's real RSA AES-256 suites, secp384r1 only, server order", async () => {
    const t = await startTestGateway(
      up,
      {
        policy: {
          tls: { profile: 'openkat', certificates: [{ cert: rsa.certFile, key: rsa.keyFile }] },
        },
      },
      pki,
    );
    try {
      const good = await sClient(t.httpsPort, [
        '-tls1_2',
        '-cipher',
        'ECDHE-RSA-AES256-GCM-SHA384',
      ]);
      assert.equal(good.ok, true, good.output);
      assert.equal(
        (await sClient(t.httpsPort, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])).ok,
        false,
      );
      // One curve: a client offering only X25519 is refused, on TLS 1.3 too.
      assert.equal((await sClient(t.httpsPort, ['-tls1_3', '-groups', 'X25519'])).ok, false);
      assert.equal((await sClient(t.httpsPort, ['-tls1_3', '-groups', 'secp384r1'])).ok, true);
    } finally {
      await t.close();
    }
  });

  it('explicit TLS 1.3 suites limit TLS 1.3 too', async () => {
    const t = await startTestGateway(
      up,
      {
        policy: {
          tls: {
            cipherSuites: ['TLS_AES_256_GCM_SHA384'],
            certificates: [{ cert: pki.certFile, key: pki.keyFile }],
          },
        },
      },
      pki,
    );
    try {
      assert.equal(
        (await sClient(t.httpsPort, ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'])).ok,
        false,
      );
      assert.equal(
        (await sClient(t.httpsPort, ['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384'])).ok,
        true,
      );
    } finally {
      await t.close();
    }
  });

  it('issues TLS 1.2 session tickets only when sessionTickets is on', async () => {
    const t = await startTestGateway(
      up,
      {
        policy: {
          tls: { sessionTickets: true, certificates: [{ cert: pki.certFile, key: pki.keyFile }] },
        },
      },
      pki,
    );
    try {
      const h = await sClient(t.httpsPort, ['-tls1_2']);
      assert.match(h.output, /TLS session ticket lifetime hint/);
    } finally {
      await t.close();
    }
  });

  it('serves the certificate matching the SNI name, and the first one otherwise', async () => {
    const t = await startTestGateway(
      up,
      {
        policy: {
          allowedHosts: [HOST, 'other.test'],
          tls: {
            certificates: [
              { cert: pki.certFile, key: pki.keyFile },
              { cert: other.certFile, key: other.keyFile },
            ],
          },
        },
      },
      pki,
    );
    try {
      assert.equal(await peerCn(t.httpsPort, 'other.test', pki.ca.cert), 'other.test');
      assert.equal(await peerCn(t.httpsPort, HOST, pki.ca.cert), HOST);
      assert.equal(
        await peerCn(t.httpsPort, 'unknown.test', pki.ca.cert).catch(() => 'refused'),
        'refused',
      );
      const leaf = new X509Certificate(readFileSync(pki.certFile));
      assert.match(String(leaf.subjectAltName), /app\.test/);
    } finally {
      await t.close();
    }
  });

  it('refuses to start with a key that does not match its certificate, naming the option', async () => {
    await assert.rejects(
      startTestGateway(
        up,
        { policy: { tls: { certificates: [{ cert: pki.certFile, key: other.keyFile }] } } },
        pki,
      ),
      (e: Error & { code?: string }) =>
        e.code === 'BARBICAN_E_GATEWAY_CERT' && /tls\.certificates\[0\]\.key/.test(e.message),
    );
  });
});
