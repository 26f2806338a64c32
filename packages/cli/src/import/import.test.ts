import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BarbicanError, createPolicy, HEADER_KEYS, type PolicyOptions } from '@barbican/core';
import { parseConfigText } from '../config.ts';
import { hasPolicyOption } from './common.ts';
import { IMPORTERS, type ImportSource } from './index.ts';
import { unwrapJsObject } from './helmet-module.ts';

const dir = new URL('../../test/fixtures/import/', import.meta.url);

function load(name: string): Record<string, unknown> {
  let text = readFileSync(new URL(name, dir), 'utf8');
  if (name.endsWith('.js')) text = unwrapJsObject(text);
  return parseConfigText(name, text, name.endsWith('.js') ? 'yaml' : undefined) as Record<
    string,
    unknown
  >;
}

function imp(source: ImportSource, name: string, exact = false) {
  return IMPORTERS[source](load(name), exact ? { exact: true } : {});
}

function lossyPaths(r: { warnings: readonly { path: string; code: string }[] }): string[] {
  for (const w of r.warnings) assert.equal(w.code, 'BARBICAN_W_IMPORT_LOSSY');
  return r.warnings.map((w) => w.path);
}

const valid: [ImportSource, string][] = [
  ['krakend', 'krakend-legacy.json'],
  ['krakend', 'krakend-namespace.json'],
  ['traefik', 'traefik-dynamic.yml'],
  ['traefik', 'traefik-headers.json'],
  ['helmet', 'helmet.json'],
  ['helmet', 'helmet.js'],
  ['unrolled', 'unrolled.json'],
  ['krakend', 'krakend-tls.json'],
  ['krakend', 'krakend-tls-default.json'],
  ['krakend', 'krakend-tls-cbc.json'],
  ['traefik', 'traefik-tls.yml'],
  ['traefik', 'traefik-tls-old.yml'],
];

describe('barbican import: every result is a valid policy', () => {
  for (const [source, file] of valid) {
    for (const exact of [false, true]) {
      it(`${source} ${file}${exact ? ' --exact' : ''} passes createPolicy`, () => {
        const r = imp(source, file, exact);
        const policy = createPolicy(JSON.parse(JSON.stringify(r.config)) as PolicyOptions);
        // A TLS-only source imported --exact sends no header, by design.
        assert.ok(policy.headersFor({ https: true }).length > 0 || r.config.tls !== undefined);
      });
    }
  }
});

describe('krakend', () => {
  it('reads the example of the KrakenD httpsecure docs (older namespace) and reports each lossy option once', () => {
    const r = imp('krakend', 'krakend-legacy.json');
    const h = r.config.headers as Record<string, unknown>;
    assert.deepEqual(h.hsts, { maxAge: 300, includeSubDomains: true, preload: false });
    assert.equal(h.xContentTypeOptions, true);
    // ALLOW-FROM becomes the frame-ancestors it meant.
    assert.deepEqual((h.csp as { directives: unknown }).directives, {
      'default-src': ["'self'"],
      'frame-ancestors': ['https://example.com'],
    });
    assert.equal(h.xFrameOptions, false);
    const ns = 'extra_config["github_com/devopsfaith/krakend-httpsecure"]';
    const paths = lossyPaths(r);
    for (const k of ['custom_frame_options_value', 'browser_xss_filter', 'hpkp_public_key']) {
      assert.equal(paths.filter((p) => p === `${ns}.${k}`).length, 1, k);
    }
    assert.ok(!paths.includes(`${ns}.frame_deny`), 'frame_deny is known, not unknown');
    // The seed's certificate pair becomes the policy's certificate (tls.md).
    for (const k of ['ssl_certificate', 'ssl_private_key'])
      assert.ok(!paths.includes(`${ns}.${k}`));
    assert.deepEqual(r.config.tls, {
      certificates: [{ cert: '/path/to/cert', key: '/path/to/key' }],
    });
    if (hasPolicyOption('allowedHosts')) {
      assert.deepEqual(r.config.allowedHosts, ['host.known.com:443']);
    }
  });

  it('accepts the bare namespace object, float seconds, and keeps the first of a repeated CSP directive', () => {
    const r = imp('krakend', 'krakend-namespace.json');
    const h = r.config.headers as Record<string, unknown>;
    assert.deepEqual(h.hsts, { maxAge: 63072000, includeSubDomains: true, preload: false });
    assert.deepEqual((h.csp as { directives: Record<string, unknown> }).directives['default-src'], [
      "'self'",
    ]);
    assert.equal(
      (h.csp as { directives: Record<string, unknown> }).directives['upgrade-insecure-requests'],
      true,
    );
    const messages = r.warnings.map((w) => `${w.path} ${w.message}`).join('\n');
    assert.match(messages, /default-src appears twice/);
    assert.match(messages, /sts_secnds not an option/);
  });

  it('refuses CR/LF inside a value with the source path', () => {
    assert.throws(
      () => imp('krakend', 'krakend-crlf.json'),
      (e: unknown) =>
        e instanceof BarbicanError &&
        e.code === 'BARBICAN_E_UNSAFE_VALUE' &&
        e.path === '"security/http".referrer_policy' &&
        e.offset === 11,
    );
  });

  it('refuses wrong types with BARBICAN_E_IMPORT', () => {
    assert.throws(
      () => imp('krakend', 'krakend-wrong-type.json'),
      (e: unknown) =>
        e instanceof BarbicanError &&
        e.code === 'BARBICAN_E_IMPORT' &&
        e.path === 'extra_config["security/http"].sts_seconds',
    );
  });

  it('refuses a krakend.json without the namespace, and one with both', () => {
    assert.throws(() => IMPORTERS.krakend({ version: 3, endpoints: [] }), /no KrakenD security/);
    assert.throws(
      () =>
        IMPORTERS.krakend({
          extra_config: {
            'security/http': {},
            'github_com/devopsfaith/krakend-httpsecure': {},
          },
        }),
      /both KrakenD security namespaces/,
    );
  });

  it('sts_seconds 0 turns HSTS off; negative, NaN-like and huge values are refused or range-checked', () => {
    const off = IMPORTERS.krakend({ 'security/http': { sts_seconds: 0 } });
    assert.equal((off.config.headers as Record<string, unknown>).hsts, false);
    assert.throws(
      () => IMPORTERS.krakend({ 'security/http': { sts_seconds: -1 } }),
      /finite number/,
    );
    assert.throws(
      () => IMPORTERS.krakend({ 'security/http': { sts_seconds: Infinity } }),
      /finite number/,
    );
    const huge = IMPORTERS.krakend({ 'security/http': { sts_seconds: 1e300 } });
    assert.match(huge.warnings.map((w) => w.message).join('\n'), /refuses this value/);
  });
});

describe('traefik', () => {
  it('finds the one headers middleware in a dynamic config and maps custom headers', () => {
    const r = imp('traefik', 'traefik-dynamic.yml');
    const h = r.config.headers as Record<string, unknown>;
    assert.deepEqual(h.hsts, { maxAge: 31536000, includeSubDomains: true, preload: true });
    assert.equal(h.xXssProtection, '0');
    assert.equal(h.server, true, 'Server: "" means remove');
    assert.deepEqual(r.config.removeHeaders, { add: ['X-Powered-By'] });
    assert.ok('cspReportOnly' in h);
    const base = 'http.middlewares.secure-headers.headers';
    const paths = lossyPaths(r);
    assert.ok(paths.includes(`${base}.customResponseHeaders.X-Custom-Response`));
    assert.ok(paths.includes(`${base}.customRequestHeaders`));
    assert.ok(paths.includes(`${base}.accessControlAllowMethods`));
    assert.ok(!paths.includes(`${base}.browserXssFilter`));
  });

  it('--exact turns off every header the source did not send and removes only what it removed', () => {
    const r = imp('traefik', 'traefik-headers.json', true);
    const h = r.config.headers as Record<string, unknown>;
    for (const key of HEADER_KEYS) assert.ok(key in h, key);
    assert.equal(h.hsts, false);
    assert.deepEqual(h.xFrameOptions, { action: 'SAMEORIGIN' });
    assert.equal(r.config.removeHeaders, false);
    const names = createPolicy(r.config)
      .headersFor({ https: true })
      .map(([n]) => n);
    assert.deepEqual(names, ['X-Frame-Options']);
  });

  it('asks which middleware when there are several, and refuses unsafe custom headers', () => {
    const two = { http: { middlewares: { a: { headers: {} }, b: { headers: {} } } } };
    assert.throws(() => IMPORTERS.traefik(two), /--middleware/);
    assert.doesNotThrow(() => IMPORTERS.traefik(two, { middleware: 'b' }));
    assert.throws(() => IMPORTERS.traefik(two, { middleware: '__proto__' }), /choose/);
    assert.throws(
      () => imp('traefik', 'traefik-hostile.yml'),
      (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_UNSAFE_VALUE',
    );
  });

  it('a value Barbican refuses is dropped with a lossy warning, not a crash', () => {
    const r = imp('traefik', 'traefik-headers.json');
    assert.ok(r.warnings.some((w) => w.path === 'headers.publicKey'));
    assert.ok(!('publicKeyPins' in (r.config.headers as object)));
  });
});

describe('helmet', () => {
  it('maps camelCase directives, null deletions, aliases and xPoweredBy: false', () => {
    const r = imp('helmet', 'helmet.json');
    assert.equal(r.config.preset, 'helmet');
    const h = r.config.headers as Record<string, unknown>;
    assert.deepEqual((h.csp as { directives: unknown }).directives, {
      'script-src': ["'self'", 'https://cdn.example'],
      'upgrade-insecure-requests': false,
      'report-uri': ['/csp-report'],
    });
    assert.deepEqual(h.hsts, { maxAge: 15552000, includeSubDomains: true, preload: false });
    assert.deepEqual(h.xFrameOptions, { action: 'deny' });
    assert.equal(h.xXssProtection, false);
    assert.deepEqual(r.config.removeHeaders, { keep: ['X-Powered-By'] });
    assert.ok(r.warnings.some((w) => w.path === 'hsts' && /plain HTTP/.test(w.message)));
  });

  it('reads a JS module as data without running it', () => {
    const r = imp('helmet', 'helmet.js');
    const d = (r.config.headers as { csp: { directives: Record<string, unknown> } }).csp.directives;
    assert.deepEqual(d['default-src'], ["'self'"]);
    assert.deepEqual(d['object-src'], ["'none'"]);
  });

  it('refuses an option given under both its name and its legacy alias', () => {
    assert.throws(() => imp('helmet', 'helmet-alias-clash.json'), /alias hsts/);
  });

  it('refuses non-boolean, non-object option values', () => {
    assert.throws(() => IMPORTERS.helmet({ frameguard: 'deny' }), /true, false or an options/);
  });
});

describe('unrolled/secure', () => {
  it('maps Go field names, anchors host regexes and turns $NONCE into nonce', () => {
    const r = imp('unrolled', 'unrolled.json');
    const h = r.config.headers as Record<string, unknown>;
    assert.deepEqual(h.csp, {
      directives: { 'script-src': ["'self'"], 'object-src': ["'none'"] },
      nonce: ['script-src'],
    });
    assert.deepEqual(h.hsts, { maxAge: 31536000, includeSubDomains: true, preload: true });
    if (hasPolicyOption('allowedHosts')) {
      assert.deepEqual(r.config.allowedHosts, [
        '/^(?:example\\.com)$/',
        '/^(?:www\\.example\\.com)$/',
      ]);
      assert.deepEqual(r.config.sslRedirect, { status: 307, host: 'secure.example.com' });
    }
    const paths = lossyPaths(r);
    assert.ok(paths.includes('SSLForceHost'));
    assert.ok(paths.includes('BrowserXssFilter'));
  });

  it('never lets a __proto__ key reach a prototype', () => {
    const doc = JSON.parse('{"__proto__": {"polluted": true}, "FrameDeny": true}') as Record<
      string,
      unknown
    >;
    const r = IMPORTERS.unrolled(doc);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(r.config), Object.prototype);
    assert.ok(r.warnings.some((w) => w.path === '__proto__'));
  });
});

describe('TLS: KrakenD service-level tls block', () => {
  it('maps keys[], versions, curve ids, cipher ids and server order', () => {
    const r = imp('krakend', 'krakend-tls.json');
    assert.deepEqual(r.config.tls, {
      protocols: ['TLSv1.2', 'TLSv1.3'],
      ciphers: [
        'ECDHE-RSA-AES128-GCM-SHA256',
        'ECDHE-ECDSA-AES128-GCM-SHA256',
        'ECDHE-RSA-AES256-GCM-SHA384',
        'ECDHE-ECDSA-AES256-GCM-SHA384',
        'ECDHE-RSA-CHACHA20-POLY1305',
        'ECDHE-ECDSA-CHACHA20-POLY1305',
      ],
      curves: ['X25519', 'prime256v1', 'secp384r1', 'secp521r1'],
      preferServerCiphers: true,
      certificates: [
        { cert: '/etc/krakend/ecdsa.pem', key: '/etc/krakend/ecdsa.key' },
        { cert: '/etc/krakend/rsa.pem', key: '/etc/krakend/rsa.key' },
      ],
    });
    const lossy = Object.fromEntries(r.warnings.map((w) => [w.path, w.message]));
    assert.match(lossy['tls.min_version'] ?? '', /RFC 8996/);
    assert.match(lossy['tls.cipher_suites[6]'] ?? '', /TLS_RSA_WITH_3DES_EDE_CBC_SHA .*Sweet32/);
    assert.match(lossy['tls.prefer_server_cipher_suites'] ?? '', /Go ignores/);
    assert.match(lossy['tls.enable_mtls'] ?? '', /mTLS/);
    assert.match(lossy['tls.ca_certs'] ?? '', /mTLS/);
    // The three TLS 1.3 ids are exactly what Go offers anyway: nothing lost.
    assert.equal(lossy['tls.cipher_suites'], undefined);
    assert.equal(Object.keys(lossy).length, 5);
    assert.deepEqual(
      r.policyWarnings.map((w) => w.code),
      ['BARBICAN_W_NO_ALLOWED_HOSTS'],
    );
  });

  it("keeps KrakenD's default: TLS 1.3 only when no min_version is set", () => {
    const r = imp('krakend', 'krakend-tls-default.json');
    assert.deepEqual(r.config.tls, {
      protocols: ['TLSv1.3'],
      certificates: [{ cert: '/etc/krakend/cert.pem', key: '/etc/krakend/key.pem' }],
    });
    assert.deepEqual(r.warnings, []);
  });

  it('a list Barbican refuses as a whole falls back to the profile, with the reason', () => {
    const r = imp('krakend', 'krakend-tls-cbc.json');
    assert.deepEqual(r.config.tls, {
      protocols: ['TLSv1.2', 'TLSv1.3'],
      certificates: [{ cert: '/etc/krakend/cert.pem', key: '/etc/krakend/key.pem' }],
    });
    const lossy = Object.fromEntries(r.warnings.map((w) => [w.path, w.message]));
    assert.match(lossy['tls.cipher_suites'] ?? '', /only CBC suites/);
    assert.match(lossy['tls.curve_preferences'] ?? '', /no curve in the list works with TLS 1\.2/);
  });

  it('an unknown cipher or curve stops the import with did-you-mean', () => {
    const base = { version: 3, tls: { keys: [], min_version: 'TLS12' } };
    const run = (tls: Record<string, unknown>) =>
      IMPORTERS.krakend({ ...base, tls: { ...base.tls, ...tls } });
    assert.throws(
      () => run({ cipher_suites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265'] }),
      (e: unknown) =>
        e instanceof BarbicanError &&
        e.code === 'BARBICAN_E_TLS_NAME' &&
        e.path === 'tls.cipher_suites[0]' &&
        /Did you mean "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"/.test(e.message),
    );
    assert.throws(
      () => run({ cipher_suites: [12345] }),
      (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_TLS_NAME',
    );
    assert.throws(
      () => run({ curve_preferences: [99] }),
      (e: unknown) => e instanceof BarbicanError && e.path === 'tls.curve_preferences[0]',
    );
    assert.throws(
      () => run({ min_version: 'TLS1.2' }),
      (e: unknown) => e instanceof BarbicanError && e.path === 'tls.min_version',
    );
  });

  it('hostile values are refused with the source path', () => {
    const hostile = (tls: unknown) => () => IMPORTERS.krakend({ version: 3, tls });
    assert.throws(
      hostile({
        keys: [{ public_key: '/a.pem\nssl_certificate_key /etc/shadow;', private_key: '/k' }],
      }),
      (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_UNSAFE_VALUE',
    );
    assert.throws(
      hostile({ cipher_suites: 'TLS_AES_128_GCM_SHA256' }),
      (e: unknown) => e instanceof BarbicanError && e.path === 'tls.cipher_suites',
    );
    assert.throws(
      hostile({ keys: ['cert.pem'] }),
      (e: unknown) => e instanceof BarbicanError && e.path === 'tls.keys[0]',
    );
    assert.throws(
      hostile({ cipher_suites: [{}] }),
      (e: unknown) => e instanceof BarbicanError && e.path === 'tls.cipher_suites[0]',
    );
  });

  it('a disabled tls block and a half certificate are reported, not imported', () => {
    const off = IMPORTERS.krakend({
      version: 3,
      tls: { disabled: true, public_key: '/c.pem', private_key: '/k.pem' },
    });
    assert.equal(off.config.tls, undefined);
    assert.deepEqual(lossyPaths(off), ['tls.disabled']);
    const half = IMPORTERS.krakend({ version: 3, tls: { public_key: '/c.pem' } });
    assert.ok(lossyPaths(half).includes('tls.public_key'));
  });
});

describe('TLS: Traefik tls options and certificates', () => {
  it('maps the default options, certificates and the default store certificate', () => {
    const r = imp('traefik', 'traefik-tls.yml');
    assert.deepEqual(r.config.tls, {
      protocols: ['TLSv1.2', 'TLSv1.3'],
      ciphers: ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'],
      curves: ['secp521r1', 'secp384r1'],
      certificates: [
        { cert: '/etc/traefik/certs/app.pem', key: '/etc/traefik/certs/app.key' },
        { cert: '/etc/traefik/certs/default.pem', key: '/etc/traefik/certs/default.key' },
      ],
    });
    assert.deepEqual(lossyPaths(r).sort(), [
      'tls.options.default.cipherSuites',
      'tls.options.default.sniStrict',
    ]);
    assert.deepEqual((r.config.headers as Record<string, unknown>).xFrameOptions, {
      action: 'DENY',
    });
  });

  it('--tls-options picks another entry', () => {
    const r = IMPORTERS.traefik(load('traefik-tls.yml'), { tlsOptions: 'mintls13' });
    assert.deepEqual((r.config.tls as { protocols: string[] }).protocols, ['TLSv1.3']);
    assert.throws(
      () => IMPORTERS.traefik(load('traefik-tls.yml'), { tlsOptions: 'nope' }),
      (e: unknown) => e instanceof BarbicanError && /--tls-options/.test(e.message),
    );
  });

  it('old versions, broken suites, mTLS and inline PEM are reported; weak suites warned', () => {
    const r = imp('traefik', 'traefik-tls-old.yml');
    assert.deepEqual(r.config.tls, {
      protocols: ['TLSv1.2'],
      ciphers: ['ECDHE-RSA-AES128-SHA', 'AES128-GCM-SHA256'],
      curves: ['prime256v1', 'X25519'],
    });
    assert.deepEqual(lossyPaths(r).sort(), [
      'tls.certificates[0].certFile',
      'tls.options.legacy.cipherSuites[0]',
      'tls.options.legacy.clientAuth',
      'tls.options.legacy.maxVersion',
      'tls.options.legacy.minVersion',
    ]);
    assert.deepEqual(
      r.policyWarnings.map((w) => [w.code, w.path]),
      [
        ['BARBICAN_W_TLS_WEAK', 'tls.ciphers[0]'],
        ['BARBICAN_W_TLS_WEAK', 'tls.ciphers[1]'],
        ['BARBICAN_W_NO_ALLOWED_HOSTS', 'allowedHosts'],
      ],
    );
  });

  it('the imported configs build policies whose tls is what was imported', () => {
    for (const [source, file] of [
      ['krakend', 'krakend-tls.json'],
      ['krakend', 'krakend-tls-cbc.json'],
      ['traefik', 'traefik-tls.yml'],
      ['traefik', 'traefik-tls-old.yml'],
    ] as const) {
      const r = imp(source, file);
      const policy = createPolicy(JSON.parse(JSON.stringify(r.config)) as PolicyOptions);
      const tls = r.config.tls as { ciphers?: string[] };
      if (tls.ciphers !== undefined) assert.deepEqual(policy.tls.ciphers, tls.ciphers);
    }
  });
});

describe('barbican import --from traefik --tls-options', () => {
  it('prints the config with the chosen TLS options; lossy lines on stderr', async () => {
    const { run } = await import('../cli.ts');
    const { memoryIo } = await import('../io.ts');
    const file = new URL('traefik-tls.yml', dir).pathname;
    const io = memoryIo();
    const code = await run(['import', '--from', 'traefik', file, '--tls-options', 'mintls13'], io);
    assert.equal(code, 0);
    const config = JSON.parse(io.stdout) as { tls: { protocols: string[] } };
    assert.deepEqual(config.tls.protocols, ['TLSv1.3']);
    // mintls13 has nothing lossy (the default entry's sniStrict is not read).
    assert.doesNotMatch(io.stderr, /BARBICAN_W_IMPORT_LOSSY/);
  });
});
