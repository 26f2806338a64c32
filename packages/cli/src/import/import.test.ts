import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BarbicanError, createPolicy, HEADER_KEYS, type PolicyOptions } from '@barbican/core';
import { parseConfigText } from '../config.ts';
import { hasPolicyOption } from './common.ts';
import { IMPORTERS, type ImportSource } from './index.ts';
import { unwrapJsObject } from './helmet.ts';

const dir = new URL('../../test/fixtures/import/', import.meta.url);

function load(name: string): Record<string, unknown> {
  let text = readFileSync(new URL(name, dir), 'utf8');
  if (name.endsWith('.js')) text = unwrapJsObject(text);
  return parseConfigText(name.endsWith('.js') ? `${name}.yaml` : name, text) as Record<
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
];

describe('barbican import: every result is a valid policy', () => {
  for (const [source, file] of valid) {
    for (const exact of [false, true]) {
      it(`${source} ${file}${exact ? ' --exact' : ''} passes createPolicy`, () => {
        const r = imp(source, file, exact);
        const policy = createPolicy(JSON.parse(JSON.stringify(r.config)) as PolicyOptions);
        assert.ok(policy.headersFor({ https: true }).length > 0);
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
    for (const k of [
      'custom_frame_options_value',
      'browser_xss_filter',
      'hpkp_public_key',
      'ssl_certificate',
      'ssl_private_key',
    ]) {
      assert.equal(paths.filter((p) => p === `${ns}.${k}`).length, 1, k);
    }
    assert.ok(!paths.includes(`${ns}.frame_deny`), 'frame_deny is known, not unknown');
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
