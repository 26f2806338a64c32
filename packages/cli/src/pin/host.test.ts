import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { cli, makeChain, opensslCertPin, openssl, tempDir } from '../../test/pin/fixtures.ts';

const tmp = tempDir();
const { dir, path } = tmp;
const servers: Server[] = [];
const sockets = new Set<Socket>();
let tlsPort = 0;
let selfSignedPort = 0;
let closingPort = 0;
let httpPort = 0;
let silentPort = 0;
let refusedPort = 0;
const pins = { leaf: '', int: '', root: '', backup: '' };

function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

before(async () => {
  makeChain(dir);
  openssl(
    dir,
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    'backup.key',
  );
  openssl(
    dir,
    'req',
    '-x509',
    '-key',
    'backup.key',
    '-subj',
    '/CN=localhost',
    '-days',
    '30',
    '-out',
    'self.crt',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  );
  pins.leaf = opensslCertPin(dir, 'leaf.crt');
  pins.int = opensslCertPin(dir, 'int.crt');
  pins.root = opensslCertPin(dir, 'root.crt');
  pins.backup = opensslCertPin(dir, 'self.crt');
  tlsPort = await listen(
    createTlsServer(
      { key: readFileSync(path('leaf.key')), cert: readFileSync(path('chain.pem')) },
      (s) => s.end(),
    ),
  );
  selfSignedPort = await listen(
    createTlsServer(
      { key: readFileSync(path('backup.key')), cert: readFileSync(path('self.crt')) },
      (s) => s.end(),
    ),
  );
  // Plain TCP that hangs up at once, an HTTP server, and one that never answers.
  closingPort = await listen(createTcpServer((s) => s.destroy()));
  httpPort = await listen(createHttpServer((_req, res) => res.end('plain http\n')));
  silentPort = await listen(createTcpServer(() => undefined));
  const gone = createTcpServer();
  refusedPort = await new Promise<number>((resolve) => {
    gone.listen(0, '127.0.0.1', () => {
      const { port } = gone.address() as AddressInfo;
      gone.close(() => resolve(port));
    });
  });
});

after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  tmp.cleanup();
});

interface HostEntry {
  role: string;
  pin: string;
  subject: string;
  verified: boolean;
  source: string;
}

describe('barbican pin --host', () => {
  it('prints each served certificate with its role and the openssl pin, verified against --ca', async () => {
    const r = await cli(
      'pin',
      '--host',
      `127.0.0.1:${tlsPort}`,
      '--ca',
      path('root.crt'),
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const entries = JSON.parse(r.out) as HostEntry[];
    assert.deepEqual(
      entries.map((e) => [e.role, e.subject, e.pin, e.verified]),
      [
        ['leaf', 'CN=localhost, O=Barbican Tests', pins.leaf, true],
        ['intermediate', 'CN=Barbican Test Intermediate', pins.int, true],
        ['root', 'CN=Barbican Test Root', pins.root, true],
      ],
    );
    assert.equal(entries[0]?.source, `127.0.0.1:${tlsPort}`);
  });
  it('text output says the chain was verified and sends SNI with --servername', async () => {
    const r = await cli(
      'pin',
      '--host',
      `127.0.0.1:${tlsPort}`,
      '--servername',
      'localhost',
      '--ca',
      path('root.crt'),
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /chain verified against/);
    assert.match(r.out, /^leaf {9}CN=localhost/m);
    assert.match(r.out, new RegExp(`pin-sha256="${escape(pins.leaf)}"`));
  });
  it('refuses an unverifiable private chain without --ca (exit 2, BARBICAN_E_TLS_VERIFY)', async () => {
    const r = await cli('pin', '--host', `127.0.0.1:${tlsPort}`);
    assert.equal(r.code, 2);
    assert.match(r.err, /does not verify.*--insecure.*\[BARBICAN_E_TLS_VERIFY\]/);
  });
  it('--insecure reads a self-signed chain and says it was NOT verified', async () => {
    const r = await cli('pin', '--host', `localhost:${selfSignedPort}`, '--insecure');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /chain NOT verified/);
    assert.match(r.err, /NOT verified/);
    assert.match(r.out, new RegExp(`pin-sha256="${escape(pins.backup)}"`));
    const json = await cli('pin', '--host', `localhost:${selfSignedPort}`, '--insecure', '--json');
    assert.equal((JSON.parse(json.out) as HostEntry[])[0]?.verified, false);
  });
  it('a self-signed certificate trusted through --ca verifies', async () => {
    const r = await cli(
      'pin',
      '--host',
      `127.0.0.1:${selfSignedPort}`,
      '--ca',
      path('self.crt'),
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const [entry] = JSON.parse(r.out) as HostEntry[];
    assert.deepEqual([entry?.role, entry?.verified, entry?.pin], ['leaf', true, pins.backup]);
  });
});

describe('a host that does not answer TLS is one clear error, exit 2', () => {
  const cases: [string, () => number, RegExp][] = [
    ['plain TCP that closes', () => closingPort, /did not answer TLS/],
    ['an HTTP server', () => httpPort, /did not answer TLS/],
    ['a refused port', () => refusedPort, /connection refused/],
    ['a silent listener (timeout)', () => silentPort, /no TLS handshake within 300 ms/],
  ];
  for (const [name, port, pattern] of cases) {
    it(name, async () => {
      const r = await cli('pin', '--host', `127.0.0.1:${port()}`, '--timeout', '300');
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err, pattern);
      assert.match(r.err, /\[BARBICAN_E_TLS_CONNECT\]\n$/);
      assert.doesNotMatch(r.err, /\n\s+at /);
    });
  }
  it('a malformed HOST[:PORT] is a usage error', async () => {
    const r = await cli('pin', '--host', 'example.com:99999');
    assert.equal(r.code, 2);
    assert.match(r.err, /BARBICAN_E_USAGE/);
  });
});

describe('barbican pin --check', () => {
  const host = (): string => `127.0.0.1:${tlsPort}`;
  it('labels the leaf pin live and the spare key backup; exit 0', async () => {
    const header = `pin-sha256="${pins.leaf}"; pin-sha256="${pins.backup}"; max-age=86400`;
    const r = await cli('pin', '--check', host(), '--ca', path('root.crt'), '--header', header);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(
      r.out,
      new RegExp(`live +pin-sha256="${escape(pins.leaf)}" +matches leaf CN=localhost`),
    );
    assert.match(r.out, new RegExp(`backup +pin-sha256="${escape(pins.backup)}"`));
    assert.match(r.err, /obsolete/);
  });
  it('an intermediate pin is live too (--json)', async () => {
    const header = `Public-Key-Pins: pin-sha256="${pins.int}"; pin-sha256="${pins.backup}"; max-age=600`;
    const r = await cli(
      'pin',
      '--check',
      host(),
      '--ca',
      path('root.crt'),
      '--header',
      header,
      '--json',
    );
    assert.equal(r.code, 0, r.out);
    const out = JSON.parse(r.out) as {
      ok: boolean;
      verdicts: { pin: string; status: string; matches?: string }[];
    };
    assert.deepEqual(
      out.verdicts.map((v) => [v.pin, v.status]),
      [
        [pins.int, 'live'],
        [pins.backup, 'backup'],
      ],
    );
  });
  it('fails when no pin matches the served chain', async () => {
    const other = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const header = `pin-sha256="${pins.backup}"; pin-sha256="${other}"; max-age=600`;
    const r = await cli('pin', '--check', host(), '--ca', path('root.crt'), '--header', header);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /no pin matches the served chain/);
    assert.match(r.err, /fails the check.*\[BARBICAN_E_HPKP_PINS\]/);
  });
  it('fails when every pin is live: no backup', async () => {
    const header = `pin-sha256="${pins.leaf}"; pin-sha256="${pins.int}"; max-age=600`;
    const r = await cli('pin', '--check', host(), '--ca', path('root.crt'), '--header', header);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /no backup pin/);
  });
  it('exits 1 (findings), not 2, when the check fails', async () => {
    const header = `pin-sha256="${pins.leaf}"; pin-sha256="${pins.int}"; max-age=600`;
    const r = await cli('pin', '--check', host(), '--ca', path('root.crt'), '--header', header);
    assert.equal(r.code, 1);
  });
  it('needs --header VALUE', async () => {
    const r = await cli('pin', '--check', host());
    assert.equal(r.code, 2);
    assert.match(r.err, /BARBICAN_E_USAGE/);
  });
});

function escape(text: string): string {
  return text.replace(/[+/]/g, '\\$&');
}
