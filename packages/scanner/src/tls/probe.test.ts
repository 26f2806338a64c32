import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import { staticLookup } from '../retrieve/lookup.ts';
import { createThrowawayCa, probeTls } from './index.ts';

const ca = createThrowawayCa('Barbican Test CA');
const servers: Server[] = [];

async function serve(options: TlsOptions): Promise<number> {
  const server = createServer(options, (socket) => socket.end());
  // Failed handshakes are the point of these tests; keep them off stderr.
  server.on('tlsClientError', () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const DAY = 86_400_000;
const leaf = ca.issue({ names: ['localhost', '127.0.0.1'] });
const rsaLeaf = ca.issue({ names: ['localhost', '127.0.0.1'], keyType: 'rsa' });
const expired = ca.issue({
  names: ['localhost', '127.0.0.1'],
  notBefore: new Date(Date.now() - 30 * DAY),
  notAfter: new Date(Date.now() - 2 * DAY),
});
/** Mozilla's intermediate TLS 1.2 suites (guidelines 6.0). */
const INTERMEDIATE =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';
let modern = 0;
let nodeDefault = 0;
let legacy = 0;
let weak = 0;
let expiredPort = 0;
let smallKeyPort = 0;

before(async () => {
  modern = await serve({ cert: leaf.cert + ca.cert, key: leaf.key, ciphers: INTERMEDIATE });
  nodeDefault = await serve({ cert: leaf.cert, key: leaf.key });
  legacy = await serve({
    cert: rsaLeaf.cert,
    key: rsaLeaf.key,
    minVersion: 'TLSv1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
  weak = await serve({
    cert: rsaLeaf.cert,
    key: rsaLeaf.key,
    ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:@SECLEVEL=0',
  });
  expiredPort = await serve({ cert: expired.cert, key: expired.key });
  // OpenSSL 3 still generates 1024-bit RSA keys (it refuses to use them at
  // security level 1 and above, hence SECLEVEL=0): a failure here is real.
  const small = ca.issue({ names: ['localhost', '127.0.0.1'], keyType: 'rsa', rsaBits: 1024 });
  smallKeyPort = await serve({ cert: small.cert, key: small.key, ciphers: 'DEFAULT@SECLEVEL=0' });
});

after(() => {
  for (const s of servers) s.close();
});

describe('probeTls', () => {
  it('reports a modern server: TLS 1.2 and 1.3 only, verified chain, pins', async () => {
    const r = await probeTls('localhost', modern, { ca: ca.cert });
    assert.deepEqual(r.protocols, {
      TLSv1: false,
      'TLSv1.1': false,
      'TLSv1.2': true,
      'TLSv1.3': true,
    });
    assert.equal(r.negotiated.protocol, 'TLSv1.3');
    assert.match(r.negotiated.cipher, /^TLS_/);
    assert.equal(r.verified, true);
    assert.equal(r.verifyError, undefined);
    assert.deepEqual(r.weakCiphersAccepted, []);
    assert.equal(r.chain.length, 2);
    const [first, root] = r.chain;
    assert.equal(first?.subject, 'CN=localhost');
    assert.equal(first.keyType, 'ec');
    assert.equal(first.keyBits, 256);
    assert.equal(first.curve, 'prime256v1');
    assert.equal(first.signatureAlgorithm, 'ecdsa-with-SHA256');
    assert.equal(first.selfSigned, false);
    assert.equal(root?.selfSigned, true);
    const spki = new X509Certificate(leaf.cert).publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(first.spkiSha256, createHash('sha256').update(spki).digest('base64'));
    assert.ok(r.daysToExpiry !== null && r.daysToExpiry >= 88 && r.daysToExpiry <= 90);
  });

  it('finds TLS 1.0 and 1.1 on a server that still allows them (SECLEVEL=0 probe)', async () => {
    const r = await probeTls('localhost', legacy, { ca: ca.cert });
    assert.equal(r.protocols.TLSv1, true);
    assert.equal(r.protocols['TLSv1.1'], true);
    assert.equal(r.protocols['TLSv1.2'], true);
    assert.equal(r.chain[0]?.keyType, 'rsa');
    assert.equal(r.chain[0].keyBits, 2048);
  });

  it("flags the CBC suites Node's default cipher list still accepts", async () => {
    const r = await probeTls('localhost', nodeDefault, { ca: ca.cert });
    assert.ok(r.weakCiphersAccepted.includes('ECDHE-ECDSA-AES128-SHA'));
    assert.ok(r.weakCiphersAccepted.every((c) => !c.includes('GCM') || !c.startsWith('ECDHE')));
  });

  it('lists the weak suites a server accepts, and only those', async () => {
    const r = await probeTls('localhost', weak, { ca: ca.cert });
    assert.deepEqual(r.weakCiphersAccepted, ['AES128-SHA']);
    assert.equal(r.protocols.TLSv1, false);
  });

  it('reports an expired certificate as unverified with a negative expiry', async () => {
    const r = await probeTls('localhost', expiredPort, { ca: ca.cert });
    assert.equal(r.verified, false);
    assert.equal(r.verifyError, 'CERT_HAS_EXPIRED');
    assert.ok(r.daysToExpiry !== null && r.daysToExpiry < 0);
  });

  it('reports an untrusted chain without --ca', async () => {
    const r = await probeTls('localhost', modern);
    assert.equal(r.verified, false);
    assert.ok(r.verifyError !== undefined && r.verifyError.length > 0);
    assert.equal(r.chain.length >= 1, true);
  });

  it('reports a name mismatch as unverified', async () => {
    const r = await probeTls('127.0.0.1', modern, { ca: ca.cert });
    assert.equal(r.verified, true, 'the IP is in subjectAltName');
    const lookup = staticLookup({ 'other.test': '127.0.0.1' });
    const other = await probeTls('other.test', modern, { ca: ca.cert, lookup });
    assert.equal(other.verified, false);
    assert.match(other.verifyError ?? '', /ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);
  });

  it('reports a 1024-bit RSA key', async () => {
    const r = await probeTls('localhost', smallKeyPort, { ca: ca.cert });
    assert.equal(r.chain[0]?.keyBits, 1024);
  });

  it('never throws on a closed port', async () => {
    const server = await serve({ cert: leaf.cert, key: leaf.key });
    const port = server;
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 20));
    const r = await probeTls('127.0.0.1', port, { timeoutMs: 2000 });
    assert.equal(r.verified, false);
    assert.deepEqual(Object.values(r.protocols), [false, false, false, false]);
    assert.equal(r.verifyError, 'ECONNREFUSED');
  });
});

describe('createThrowawayCa', () => {
  it('issues certificates OpenSSL parses, every time (DER integers stay minimal)', () => {
    // 300 serials: a 1-in-256 encoding slip would show up with high probability.
    for (let i = 0; i < 300; i++) {
      const issued = ca.issue({ names: ['localhost'] });
      const x = new X509Certificate(issued.cert);
      assert.equal(x.checkIssued(new X509Certificate(ca.cert)), true);
    }
  });
});
