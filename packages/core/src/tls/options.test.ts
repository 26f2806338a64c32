import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarbicanError } from '../errors.ts';
import { createPolicy, type PolicyOptions } from '../policy/index.ts';
import { TLS_CIPHERS, TLS_GROUPS } from './names.ts';
import type { TlsOptions } from './options.ts';

/** Builds a policy with `tls` and returns the error it throws. */
function refuse(tls: unknown): BarbicanError {
  try {
    createPolicy({ tls } as PolicyOptions);
  } catch (error) {
    assert.ok(error instanceof BarbicanError, String(error));
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(tls)}`);
}

function tlsOf(tls: TlsOptions, preset?: PolicyOptions['preset']) {
  return createPolicy({ tls, allowedHosts: ['*'], ...(preset ? { preset } : {}) });
}

describe('tls: the OpenKAT seed cipher list', () => {
  const seed = [
    'ECDHE-RSA-AES256-GCM-SHA512',
    'DHE-RSA-AES256-GCM-SHA512',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'DHE-RSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-SHA384',
  ];

  it('refuses the first nonexistent SHA512 suite with did-you-mean, where OpenSSL drops it', () => {
    const e = refuse({ ciphers: seed });
    assert.equal(e.code, 'BARBICAN_E_TLS_NAME');
    assert.equal(e.path, 'tls.ciphers[0]');
    assert.equal(e.value, 'ECDHE-RSA-AES256-GCM-SHA512');
    assert.match(e.message, /No TLS cipher suite uses SHA-512/);
    assert.match(e.message, /Did you mean "ECDHE-RSA-AES256-GCM-SHA384"\?/);
    assert.match(e.message, /OpenSSL would silently drop it/);
  });

  it('refuses the second one too, once the first is gone', () => {
    const e = refuse({ ciphers: seed.slice(1) });
    assert.equal(e.path, 'tls.ciphers[0]');
    assert.match(e.message, /Did you mean "DHE-RSA-AES256-GCM-SHA384"\?/);
  });

  it('accepts the three real suites, warning about DHE and CBC', () => {
    const p = tlsOf({ ciphers: seed.slice(2) });
    assert.deepEqual(p.tls.ciphers, seed.slice(2));
    assert.deepEqual(
      p.warnings.map((w) => [w.code, w.path]),
      [
        ['BARBICAN_W_TLS_WEAK', 'tls.ciphers[1]'],
        ['BARBICAN_W_TLS_WEAK', 'tls.ciphers[2]'],
      ],
    );
  });
});

describe('tls: names', () => {
  for (const [tls, code, path, message] of [
    [
      { ciphers: ['ECDHE-RSA-AES128-GCM-SHA265'] },
      'BARBICAN_E_TLS_NAME',
      'tls.ciphers[0]',
      /Did you mean "ECDHE-RSA-AES128-GCM-SHA256"/,
    ],
    [
      { ciphers: ['ecdhe-rsa-aes128-gcm-sha256'] },
      'BARBICAN_E_TLS_NAME',
      'tls.ciphers[0]',
      /Did you mean "ECDHE-RSA-AES128-GCM-SHA256"/,
    ],
    [
      { ciphers: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] },
      'BARBICAN_E_TLS_NAME',
      'tls.ciphers[0]',
      /Write "ECDHE-ECDSA-AES128-GCM-SHA256"/,
    ],
    [
      { ciphers: ['TLS_AES_128_GCM_SHA256'] },
      'BARBICAN_E_TLS_NAME',
      'tls.ciphers[0]',
      /TLS 1.3 suite in the TLS 1.2 list/,
    ],
    [
      { cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256'] },
      'BARBICAN_E_TLS_NAME',
      'tls.cipherSuites[0]',
      /TLS 1.2 suite in the TLS 1.3 list/,
    ],
    [
      { cipherSuites: ['TLS_AES_128_GCM_SHA265'] },
      'BARBICAN_E_TLS_NAME',
      'tls.cipherSuites[0]',
      /Did you mean "TLS_AES_128_GCM_SHA256"/,
    ],
    [{ ciphers: ['HIGH:!aNULL:!MD5'] }, 'BARBICAN_E_TLS_NAME', 'tls.ciphers[0]', /cipher string/],
    [
      { ciphers: ['ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'] },
      'BARBICAN_E_TLS_NAME',
      'tls.ciphers[0]',
      /own list item/,
    ],
    [{ ciphers: ['DEFAULT'] }, 'BARBICAN_E_TLS_NAME', 'tls.ciphers[0]', /cipher string/],
    [{ curves: ['P-256'] }, 'BARBICAN_E_TLS_NAME', 'tls.curves[0]', /Write "prime256v1"/],
    [{ curves: ['CurveP384'] }, 'BARBICAN_E_TLS_NAME', 'tls.curves[0]', /Write "secp384r1"/],
    [{ curves: ['x25519'] }, 'BARBICAN_E_TLS_NAME', 'tls.curves[0]', /Write "X25519"/],
    [
      { curves: ['X25519MLKEM786'] },
      'BARBICAN_E_TLS_NAME',
      'tls.curves[0]',
      /Did you mean "X25519MLKEM768"/,
    ],
    [{ curves: ['curve25519'] }, 'BARBICAN_E_TLS_NAME', 'tls.curves[0]', /not a TLS group/],
    [{ protocols: ['TLS1.3'] }, 'BARBICAN_E_TLS_NAME', 'tls.protocols[0]', /Write "TLSv1.3"/],
    [{ protocols: ['VersionTLS12'] }, 'BARBICAN_E_TLS_NAME', 'tls.protocols[0]', /Write "TLSv1.2"/],
    [{ profile: 'moden' }, 'BARBICAN_E_ENUM', 'tls.profile', /Did you mean "modern"/],
    [{ cipher: [] }, 'BARBICAN_E_UNKNOWN_OPTION', 'tls.cipher', /Did you mean "ciphers"/],
    [
      { sessionTimout: 60 },
      'BARBICAN_E_UNKNOWN_OPTION',
      'tls.sessionTimout',
      /Did you mean "sessionTimeout"/,
    ],
  ] as const) {
    it(`${JSON.stringify(tls)} → ${code}`, () => {
      const e = refuse(tls);
      assert.equal(e.code, code);
      assert.equal(e.path, path);
      assert.match(e.message, message);
    });
  }
});

describe('tls: what is broken is refused with the reason', () => {
  for (const [tls, path, reason] of [
    [{ protocols: ['TLSv1.1', 'TLSv1.2'] }, 'tls.protocols[0]', /RFC 8996/],
    [{ protocols: ['TLSv1'] }, 'tls.protocols[0]', /RFC 8996/],
    [{ protocols: ['TLSv1.0'] }, 'tls.protocols[0]', /RFC 8996/],
    [{ protocols: ['SSLv3'] }, 'tls.protocols[0]', /POODLE/],
    [{ protocols: ['SSLv2'] }, 'tls.protocols[0]', /DROWN/],
    [{ ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'RC4-SHA'] }, 'tls.ciphers[1]', /RC4/],
    [{ ciphers: ['DES-CBC3-SHA'] }, 'tls.ciphers[0]', /Sweet32/],
    [{ ciphers: ['TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }, 'tls.ciphers[0]', /Sweet32/],
    [{ ciphers: ['EXP-RC4-MD5'] }, 'tls.ciphers[0]', /export/],
    [{ ciphers: ['NULL-SHA'] }, 'tls.ciphers[0]', /not encrypted/],
    [{ ciphers: ['AECDH-AES128-SHA'] }, 'tls.ciphers[0]', /anonymous/],
    [{ ciphers: ['PSK-AES128-GCM-SHA256'] }, 'tls.ciphers[0]', /pre-shared key/],
    [{ curves: ['prime192v1'] }, 'tls.curves[0]', /96-bit/],
    [
      { ciphers: ['ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384'] },
      'tls.ciphers',
      /only CBC suites/,
    ],
  ] as const) {
    it(`${JSON.stringify(tls)} → BARBICAN_E_TLS_INSECURE`, () => {
      const e = refuse(tls);
      assert.equal(e.code, 'BARBICAN_E_TLS_INSECURE');
      assert.equal(e.path, path);
      assert.match(e.message, reason);
    });
  }

  it('a suite OpenSSL 3 no longer has is BARBICAN_E_TLS_UNSUPPORTED', () => {
    const e = refuse({ ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'SEED-SHA'] });
    assert.equal(e.code, 'BARBICAN_E_TLS_UNSUPPORTED');
    assert.equal(e.path, 'tls.ciphers[1]');
  });

  it('every suite the table calls insecure is refused, every other one in OpenSSL 3 accepted', () => {
    for (const c of TLS_CIPHERS) {
      const aead = 'ECDHE-ECDSA-AES128-GCM-SHA256';
      const ciphers = c.openssl === aead ? [aead] : [aead, c.openssl];
      let code: string | undefined;
      try {
        createPolicy({ tls: { ciphers } });
      } catch (error) {
        code = (error as BarbicanError).code;
      }
      const want =
        c.verdict === 'insecure'
          ? 'BARBICAN_E_TLS_INSECURE'
          : c.inOpenssl3
            ? undefined
            : 'BARBICAN_E_TLS_UNSUPPORTED';
      assert.equal(code, want, c.openssl);
    }
  });

  it('every group the table calls insecure is refused', () => {
    for (const g of TLS_GROUPS.filter((x) => x.verdict === 'insecure')) {
      assert.equal(refuse({ curves: ['X25519', g.openssl] }).code, 'BARBICAN_E_TLS_INSECURE');
    }
  });
});

describe('tls: what is weak is warned with the reason', () => {
  it('one warning per weak name, at its path', () => {
    const p = tlsOf({
      ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA'],
      curves: ['X25519', 'secp256k1'],
    });
    assert.deepEqual(
      p.warnings.map((w) => [w.path, w.message.split(':')[0]]),
      [
        ['tls.ciphers[1]', 'AES128-GCM-SHA256'],
        ['tls.ciphers[2]', 'ECDHE-RSA-AES128-SHA'],
        ['tls.curves[1]', 'secp256k1'],
      ],
    );
    assert.match(p.warnings[0]?.message ?? '', /no forward secrecy/);
  });

  it('ignoreWarnings silences them', () => {
    const p = createPolicy({
      preset: 'openkat',
      allowedHosts: ['*'],
      ignoreWarnings: ['BARBICAN_W_TLS_WEAK'],
    });
    assert.equal(
      p.warnings.some((w) => w.code === 'BARBICAN_W_TLS_WEAK'),
      false,
    );
  });
});

describe('tls: options that contradict each other', () => {
  it('ciphers while TLS 1.2 is off', () => {
    const e = refuse({ protocols: ['TLSv1.3'], ciphers: ['ECDHE-RSA-AES128-GCM-SHA256'] });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.equal(e.path, 'tls.ciphers');
  });

  it('cipherSuites while TLS 1.3 is off', () => {
    const e = refuse({ protocols: ['TLSv1.2'], cipherSuites: ['TLS_AES_128_GCM_SHA256'] });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.equal(e.path, 'tls.cipherSuites');
  });

  it('TLS 1.2 on the modern profile, which has no TLS 1.2 suite', () => {
    const e = refuse({ profile: 'modern', protocols: ['TLSv1.2', 'TLSv1.3'] });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.equal(e.path, 'tls.protocols');
    assert.match(e.message, /profile "intermediate"/);
  });

  it('an empty TLS 1.2 list', () => {
    assert.equal(refuse({ ciphers: [] }).code, 'BARBICAN_E_CONFLICT');
  });

  it('only TLS 1.3 groups while TLS 1.2 ECDHE is on', () => {
    const e = refuse({ curves: ['X25519MLKEM768'] });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.match(e.message, /TLS 1.2/);
  });

  it('only TLS 1.2 groups while TLS 1.3 is on', () => {
    const e = refuse({ curves: ['brainpoolP256r1'] });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.match(e.message, /TLS 1.3/);
  });

  it('TLS 1.3 only drops the profile ciphers it never uses, silently and correctly', () => {
    const p = tlsOf({ protocols: ['TLSv1.3'] });
    assert.deepEqual(p.tls.ciphers, []);
    assert.equal(p.tls.minVersion, 'TLSv1.3');
    assert.deepEqual(tlsOf({ profile: 'modern', curves: ['X25519MLKEM768'] }).tls.curves, [
      'X25519MLKEM768',
    ]);
  });

  it('the same SNI name under two certificates', () => {
    const e = refuse({
      certificates: [
        { cert: 'a.pem', key: 'a.key', names: ['example.com'] },
        { cert: 'b.pem', key: 'b.key', names: ['EXAMPLE.com.'] },
      ],
    });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.equal(e.path, 'tls.certificates[1].names[0]');
  });
});

describe('tls: overrides and certificates', () => {
  it('lists replace the profile list; scalars override; protocols come out ascending', () => {
    const t = tlsOf({
      protocols: ['TLSv1.3', 'TLSv1.2'],
      ciphers: ['ECDHE-ECDSA-AES256-GCM-SHA384'],
      cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'],
      curves: ['X25519'],
      sessionTickets: true,
      sessionTimeout: 300,
      ocspStapling: true,
      preferServerCiphers: true,
    }).tls;
    assert.deepEqual(t, {
      profile: 'intermediate',
      protocols: ['TLSv1.2', 'TLSv1.3'],
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: ['ECDHE-ECDSA-AES256-GCM-SHA384'],
      cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'],
      curves: ['X25519'],
      sessionTickets: true,
      sessionTimeout: 300,
      ocspStapling: true,
      preferServerCiphers: true,
      certificates: [],
    });
  });

  it('the preset picks the profile unless tls.profile is given', () => {
    assert.equal(tlsOf({}, 'strict').tls.profile, 'modern');
    assert.equal(tlsOf({ profile: 'intermediate' }, 'strict').tls.profile, 'intermediate');
    assert.equal(createPolicy().tls.profile, 'intermediate');
  });

  it('certificates keep their paths and canonical SNI names', () => {
    const t = tlsOf({
      certificates: [
        { cert: '/etc/ssl/a.pem', key: '/etc/ssl/a.key', names: ['Example.COM', '*.example.com'] },
        { cert: '/etc/ssl/b.pem', key: '/etc/ssl/b.key' },
      ],
    }).tls;
    assert.deepEqual(t.certificates, [
      { cert: '/etc/ssl/a.pem', key: '/etc/ssl/a.key', names: ['example.com', '*.example.com'] },
      { cert: '/etc/ssl/b.pem', key: '/etc/ssl/b.key', names: [] },
    ]);
  });

  for (const [cert, path, code] of [
    [{ cert: 'a.pem' }, 'tls.certificates[0].key', 'BARBICAN_E_TYPE'],
    [{ key: 'a.key' }, 'tls.certificates[0].cert', 'BARBICAN_E_TYPE'],
    [{ cert: '', key: 'a.key' }, 'tls.certificates[0].cert', 'BARBICAN_E_RANGE'],
    [
      { cert: 'a.pem', key: 'a.key', names: ['127.0.0.1'] },
      'tls.certificates[0].names[0]',
      'BARBICAN_E_HOST_PATTERN',
    ],
    [
      { cert: 'a.pem', key: 'a.key', names: ['[::1]'] },
      'tls.certificates[0].names[0]',
      'BARBICAN_E_HOST_PATTERN',
    ],
    [
      { cert: 'a.pem', key: 'a.key', names: ['example.com:443'] },
      'tls.certificates[0].names[0]',
      'BARBICAN_E_HOST_PATTERN',
    ],
    [
      { cert: 'a.pem', key: 'a.key', names: ['a.*.example.com'] },
      'tls.certificates[0].names[0]',
      'BARBICAN_E_HOST_PATTERN',
    ],
    [
      { cert: 'a.pem', key: 'a.key', names: ['a', 'a'] },
      'tls.certificates[0].names[1]',
      'BARBICAN_E_CONFLICT',
    ],
    [
      { cert: 'a.pem', key: 'a.key', pem: 'x' },
      'tls.certificates[0].pem',
      'BARBICAN_E_UNKNOWN_OPTION',
    ],
  ] as const) {
    it(`refuses certificate ${JSON.stringify(cert)} at ${path}`, () => {
      const e = refuse({ certificates: [cert] });
      assert.equal(e.code, code);
      assert.equal(e.path, path);
    });
  }
});

describe('tls: hostile values', () => {
  for (const [tls, code, path] of [
    [
      { ciphers: ['ECDHE-RSA-AES128-GCM-SHA256\r\nX-Evil: 1'] },
      'BARBICAN_E_UNSAFE_VALUE',
      'tls.ciphers[0]',
    ],
    [{ curves: ['X25519\n'] }, 'BARBICAN_E_UNSAFE_VALUE', 'tls.curves[0]'],
    [{ protocols: ['TLSv1.2\u0000'] }, 'BARBICAN_E_UNSAFE_VALUE', 'tls.protocols[0]'],
    [
      { certificates: [{ cert: '/etc/ssl/a.pem\nssl_certificate_key /etc/shadow;', key: 'k' }] },
      'BARBICAN_E_UNSAFE_VALUE',
      'tls.certificates[0].cert',
    ],
    [
      { certificates: [{ cert: '/etc/ssl/ä.pem', key: 'k' }] },
      'BARBICAN_E_UNSAFE_VALUE',
      'tls.certificates[0].cert',
    ],
    [
      { ciphers: Array.from({ length: 201 }, () => 'ECDHE-RSA-AES128-GCM-SHA256') },
      'BARBICAN_E_RANGE',
      'tls.ciphers',
    ],
    [{ curves: Array.from({ length: 100_000 }, () => 'X25519') }, 'BARBICAN_E_RANGE', 'tls.curves'],
    [
      { ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'] },
      'BARBICAN_E_CONFLICT',
      'tls.ciphers[1]',
    ],
    [{ ciphers: ['A'.repeat(10_000)] }, 'BARBICAN_E_RANGE', 'tls.ciphers[0]'],
    [{ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, 'BARBICAN_E_TYPE', 'tls.ciphers'],
    [{ ciphers: [42] }, 'BARBICAN_E_TYPE', 'tls.ciphers[0]'],
    [{ sessionTimeout: -1 }, 'BARBICAN_E_RANGE', 'tls.sessionTimeout'],
    [{ sessionTimeout: 1e9 }, 'BARBICAN_E_RANGE', 'tls.sessionTimeout'],
    [{ sessionTimeout: '600' }, 'BARBICAN_E_TYPE', 'tls.sessionTimeout'],
    [{ sessionTickets: 'off' }, 'BARBICAN_E_TYPE', 'tls.sessionTickets'],
    [
      { certificates: Array.from({ length: 101 }, () => ({ cert: 'a', key: 'b' })) },
      'BARBICAN_E_RANGE',
      'tls.certificates',
    ],
    ['modern', 'BARBICAN_E_TYPE', 'tls'],
  ] as const) {
    it(`${JSON.stringify(tls).slice(0, 80)} → ${code} at ${path}`, () => {
      const e = refuse(tls);
      assert.equal(e.code, code);
      assert.equal(e.path, path);
      assert.ok(!/[\r\n]/.test(e.message), 'the message must stay one line');
    });
  }

  it('a huge list is refused before any name is checked, reading only what the message quotes', () => {
    // Counting reads, not timing them: the bound holds on a loaded machine too.
    let reads = 0;
    const curves = new Proxy(
      Array.from({ length: 1_000_000 }, () => 'bogus'),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    const error = refuse({ curves });
    assert.equal(error.code, 'BARBICAN_E_RANGE');
    assert.ok(reads <= 32, `${reads} items read`);
  });
});
