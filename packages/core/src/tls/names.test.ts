import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSecureContext, getCiphers } from 'node:tls';
import { SSL_OP_NO_TICKET } from './node.ts';
import {
  findTlsCipher,
  findTlsGroup,
  findTlsProtocol,
  opensslAtLeast,
  TLS13_CIPHER_SUITES,
  TLS_CIPHERS,
  TLS_GROUPS,
  TLS_PROTOCOLS,
} from './names.ts';

/** Runs a binary the CI installs; a missing one fails naming the Debian package. */
function run(bin: string, args: string[], pkg: string, env?: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(bin, args, {
      encoding: 'utf8',
      env: env ?? process.env,
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') assert.fail(`${bin} is not installed: apt-get install ${pkg}`);
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}

/** `openssl ciphers -V -stdname` rows: id → [IANA, OpenSSL name]. */
function opensslCiphers(spec: string): Map<number, [string, string]> {
  const out = run('openssl', ['ciphers', '-V', '-stdname', spec], 'openssl');
  const rows = new Map<number, [string, string]>();
  for (const line of out.split('\n')) {
    const m = /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)/.exec(line);
    if (m) rows.set(parseInt(`${m[1]}${m[2]}`, 16), [m[3] ?? '', m[4] ?? '']);
  }
  return rows;
}

describe('TLS name tables against the real OpenSSL and Node', () => {
  const system = opensslCiphers('ALL:COMPLEMENTOFALL:@SECLEVEL=0');

  it('every current row matches the system OpenSSL: id, IANA name and OpenSSL name', () => {
    assert.ok(system.size > 150, `openssl listed only ${system.size} suites`);
    for (const c of [...TLS_CIPHERS, ...TLS13_CIPHER_SUITES].filter((x) => x.inOpenssl3)) {
      const seen = system.get(c.id);
      if (c.encryption.startsWith('AESCCM') && c.protocol === 'TLSv1.3') continue; // not in ALL
      assert.deepEqual(seen, [c.iana, c.openssl], `0x${c.id.toString(16)} ${c.openssl}`);
    }
  });

  it('the table has every suite the system OpenSSL knows', () => {
    for (const [id, [iana, name]] of system) {
      assert.equal(findTlsCipher(id)?.openssl, name, `${iana} missing from the table`);
    }
  });

  it('the legacy rows are exactly the ones OpenSSL 3 no longer has', () => {
    for (const c of TLS_CIPHERS.filter((x) => !x.inOpenssl3)) {
      assert.equal(system.has(c.id), false, `${c.openssl} is in OpenSSL 3 after all`);
    }
  });

  it("Node's OpenSSL knows every current TLS 1.2 name and no legacy one", () => {
    for (const c of TLS_CIPHERS) {
      let known = true;
      try {
        createSecureContext({ ciphers: `${c.openssl}:@SECLEVEL=0` });
      } catch {
        known = false;
      }
      assert.equal(known, c.inOpenssl3, c.openssl);
    }
    // And getCiphers(), Node's own list, names nothing the table lacks.
    for (const name of getCiphers()) {
      assert.ok(findTlsCipher(name.toUpperCase()) ?? findTlsCipher(name), name);
    }
  });

  it('ids and names are unique', () => {
    const all = [...TLS_CIPHERS, ...TLS13_CIPHER_SUITES];
    assert.equal(new Set(all.map((c) => c.id)).size, all.length);
    assert.equal(new Set(all.map((c) => c.openssl)).size, all.length);
    assert.equal(new Set(all.map((c) => c.iana)).size, all.length);
    assert.equal(new Set(TLS_GROUPS.map((g) => g.id)).size, TLS_GROUPS.length);
    assert.equal(new Set(TLS_GROUPS.map((g) => g.openssl)).size, TLS_GROUPS.length);
  });

  it("every group Node's OpenSSL is new enough for is accepted by createSecureContext", () => {
    const version = process.versions.openssl;
    for (const g of TLS_GROUPS) {
      if (!opensslAtLeast(version, g.minOpenssl)) continue;
      assert.doesNotThrow(() => createSecureContext({ ecdhCurve: g.openssl }), g.openssl);
      for (const alias of g.aliases) {
        assert.doesNotThrow(() => createSecureContext({ ecdhCurve: alias }), alias);
      }
    }
  });

  it('X25519MLKEM768 needs OpenSSL 3.5: the system OpenSSL 3.0 refuses it', () => {
    const g = findTlsGroup('X25519MLKEM768');
    assert.equal(g?.minOpenssl, '3.5.0');
    assert.equal(g.tls12, false);
    const version = run('openssl', ['version'], 'openssl');
    const out = run(
      'openssl',
      ['s_client', '-groups', 'X25519MLKEM768', '-connect', '127.0.0.1:1'],
      'openssl',
    );
    if (!opensslAtLeast(version, '3.5.0')) assert.match(out, /group|curve|Call to SSL_CONF_cmd/i);
  });

  it("SSL_OP_NO_TICKET is OpenSSL's value", () => {
    assert.equal(SSL_OP_NO_TICKET, constants.SSL_OP_NO_TICKET);
  });

  it('Caddy accepts exactly the suites marked with a Caddy name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'barbican-caddy-'));
    try {
      const validate = (suites: readonly string[]): string => {
        const file = join(dir, 'caddy.json');
        const server = {
          listen: ['127.0.0.1:0'],
          tls_connection_policies: [{ cipher_suites: suites }],
        };
        writeFileSync(file, JSON.stringify({ apps: { http: { servers: { s: server } } } }));
        const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
        return run('caddy', ['validate', '--config', file], 'caddy', env);
      };
      const caddy = TLS_CIPHERS.flatMap((c) => (c.caddy === undefined ? [] : [c.caddy]));
      assert.equal(caddy.length, 14);
      assert.match(validate(caddy), /Valid configuration/);
      for (const c of TLS_CIPHERS.filter((x) => x.go !== undefined && x.caddy === undefined)) {
        assert.match(validate([c.go ?? '']), /unsupported cipher/, c.iana);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TLS name tables: verdicts and spellings', () => {
  it('the six Mozilla intermediate suites are the only recommended TLS 1.2 suites', () => {
    assert.deepEqual(
      TLS_CIPHERS.filter((c) => c.verdict === 'recommended')
        .map((c) => c.openssl)
        .sort(),
      [
        'ECDHE-ECDSA-AES128-GCM-SHA256',
        'ECDHE-ECDSA-AES256-GCM-SHA384',
        'ECDHE-ECDSA-CHACHA20-POLY1305',
        'ECDHE-RSA-AES128-GCM-SHA256',
        'ECDHE-RSA-AES256-GCM-SHA384',
        'ECDHE-RSA-CHACHA20-POLY1305',
      ],
    );
  });

  for (const [name, verdict, reason] of [
    ['RC4-SHA', 'insecure', /RFC 7465/],
    ['DES-CBC3-SHA', 'insecure', /Sweet32/],
    ['ECDHE-RSA-DES-CBC3-SHA', 'insecure', /Sweet32/],
    ['EXP-RC4-MD5', 'insecure', /export/],
    ['NULL-SHA256', 'insecure', /NULL/],
    ['ADH-AES256-GCM-SHA384', 'insecure', /anonymous/],
    ['PSK-AES128-GCM-SHA256', 'insecure', /pre-shared/],
    ['DES-CBC-SHA', 'insecure', /56-bit/],
    ['ECDHE-RSA-AES256-SHA384', 'weak', /CBC/],
    ['AES128-GCM-SHA256', 'weak', /forward secrecy/],
    ['DHE-RSA-AES256-GCM-SHA384', 'weak', /finite-field DHE/],
    ['ECDHE-ECDSA-AES128-CCM8', 'weak', /64-bit authentication tag/],
    ['ECDHE-ECDSA-AES128-CCM', 'secure', undefined],
    ['TLS_AES_128_CCM_8_SHA256', 'weak', /64-bit/],
  ] as const) {
    it(`${name} is ${verdict}`, () => {
      const c = findTlsCipher(name);
      assert.equal(c?.verdict, verdict);
      if (reason !== undefined) assert.match(c.reasons.join(' '), reason);
      else assert.deepEqual(c.reasons, []);
    });
  }

  it('finds suites by OpenSSL, IANA, Go, legacy alias or KrakenD number', () => {
    const want = 'ECDHE-RSA-CHACHA20-POLY1305';
    for (const key of [
      want,
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
      0xcca8,
    ]) {
      assert.equal(findTlsCipher(key)?.openssl, want, String(key));
    }
    assert.equal(findTlsCipher('EDH-RSA-DES-CBC3-SHA')?.openssl, 'DHE-RSA-DES-CBC3-SHA');
    assert.equal(findTlsCipher(4865)?.iana, 'TLS_AES_128_GCM_SHA256');
    assert.equal(findTlsCipher('ECDHE-RSA-AES256-GCM-SHA512'), undefined);
    assert.equal(findTlsCipher('DHE-RSA-AES256-GCM-SHA512'), undefined);
  });

  it('Go implements 22 TLS 1.2 suites and the three AES/ChaCha TLS 1.3 suites', () => {
    assert.equal(TLS_CIPHERS.filter((c) => c.go !== undefined).length, 22);
    assert.deepEqual(
      TLS13_CIPHER_SUITES.filter((c) => c.go !== undefined).map((c) => c.iana),
      ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
    );
  });

  it('finds groups by every spelling, case-insensitively, and by KrakenD number', () => {
    for (const [key, want] of [
      ['CurveP256', 'prime256v1'],
      ['secp256r1', 'prime256v1'],
      ['P-384', 'secp384r1'],
      ['x25519', 'X25519'],
      ['x25519mlkem768', 'X25519MLKEM768'],
      [23, 'prime256v1'],
      [24, 'secp384r1'],
      [25, 'secp521r1'],
      [29, 'X25519'],
      [4588, 'X25519MLKEM768'],
    ] as const) {
      assert.equal(findTlsGroup(key)?.openssl, want, String(key));
    }
    assert.equal(findTlsGroup('curve25519'), undefined);
  });

  it('names each protocol in every server spelling and refuses everything before TLS 1.2', () => {
    assert.equal(findTlsProtocol('VersionTLS12')?.name, 'TLSv1.2');
    assert.equal(findTlsProtocol('TLS13')?.name, 'TLSv1.3');
    assert.equal(findTlsProtocol('tls1.2')?.name, 'TLSv1.2');
    assert.equal(findTlsProtocol('SSL3.0')?.name, 'SSLv3');
    assert.deepEqual(
      TLS_PROTOCOLS.filter((p) => p.verdict !== 'insecure').map((p) => p.name),
      ['TLSv1.3', 'TLSv1.2'],
    );
  });

  it('compares OpenSSL versions, patch letters included', () => {
    assert.equal(opensslAtLeast('3.5.8', '3.5.0'), true);
    assert.equal(opensslAtLeast('3.0.19', '3.5.0'), false);
    assert.equal(opensslAtLeast('1.1.1w', '1.1.1'), true);
    assert.equal(opensslAtLeast('OpenSSL 3.0.2 15 Mar 2022', '1.1.0'), true);
    assert.equal(opensslAtLeast('garbage', '1.0.0'), false);
  });

  it('the tables are frozen', () => {
    assert.ok(Object.isFrozen(TLS_CIPHERS) && Object.isFrozen(TLS_CIPHERS[0]));
    assert.ok(Object.isFrozen(TLS_GROUPS) && Object.isFrozen(TLS_GROUPS[0]?.aliases));
  });
});
