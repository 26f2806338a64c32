/**
 * Traefik and KrakenD are not packaged here: their output is validated
 * against the JSON Schemas their communities publish (vendored under
 * fixtures/schemas with origin and licence), and parsed back to check it
 * says what the middleware sends.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { createPolicy, PRESET_NAMES, type PolicyOptions } from '@barbican/core';
import { exportPolicy, type ExportResult } from '@barbican/export';
import { TRICKY } from './harness/proof.ts';

function schema(file: string): ValidateFunction {
  const text = readFileSync(new URL(`fixtures/schemas/${file}`, import.meta.url), 'utf8');
  // The published patterns use escapes (\&) that the 'u' flag refuses.
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    unicodeRegExp: false,
  });
  return ajv.compile(JSON.parse(text) as object);
}

const traefikDynamic = schema('traefik-v3-file-provider.json');
const traefikStatic = schema('traefik-v3.json');
const krakend = schema('krakend-v2.12.json');

function assertValid(validate: ValidateFunction, doc: unknown, what: string): void {
  const ok = validate(doc);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}

function fileOf(result: ExportResult, path: string): string {
  const f = result.files.find((x) => x.path === path);
  assert.ok(f, `${path} is in the output`);
  return f.content;
}

const SCENARIOS: [string, PolicyOptions][] = [
  ...PRESET_NAMES.map((p): [string, PolicyOptions] => [`preset ${p}`, { preset: p }]),
  [
    'hosts, redirect, proxies and escaping',
    {
      ...TRICKY,
      allowedHosts: ['app.example', '.example.com', '/^a[0-9]{1,3}\\.x\\.example$/'],
      sslRedirect: { port: 8443 },
      trustedProxies: ['private'],
    },
  ],
];

void describe('traefik: the output passes SchemaStore traefik-v3 schemas', () => {
  for (const [name, options] of SCENARIOS) {
    void it(`${name}: the fragment, dynamic.yml and traefik.yml validate`, () => {
      const result = exportPolicy(createPolicy(options), 'traefik');
      assertValid(traefikDynamic, parse(result.snippet), 'stdout fragment');
      assertValid(traefikDynamic, parse(fileOf(result, 'dynamic.yml')), 'dynamic.yml');
      assertValid(traefikStatic, parse(fileOf(result, 'traefik.yml')), 'traefik.yml');
    });
    void it(`${name}: the headers middlewares say what the middleware sends, per scheme`, () => {
      const policy = createPolicy(options);
      const doc = parse(exportPolicy(policy, 'traefik').snippet) as {
        http: {
          middlewares: Record<
            string,
            { headers: { customResponseHeaders: Record<string, string> } }
          >;
        };
      };
      for (const [mw, https] of [
        ['barbican-headers', true],
        ['barbican-headers-http', false],
      ] as const) {
        const custom = doc.http.middlewares[mw]?.headers.customResponseHeaders ?? {};
        const sent = Object.entries(custom).filter(([, v]) => v !== '');
        const deleted = Object.entries(custom)
          .filter(([, v]) => v === '')
          .map(([n]) => n.toLowerCase());
        assert.deepEqual(new Map(sent), new Map(policy.headersFor({ https })));
        const removed = [...(https ? policy.https : policy.http).removeList];
        assert.deepEqual(deleted.sort(), removed.sort());
      }
    });
  }
  void it('refuses a value the Go template pass would execute, naming option and target', () => {
    const policy = createPolicy({
      headers: {
        reportTo: '{"group":"{{x}}","max_age":1,"endpoints":[{"url":"https://r.example/"}]}',
      },
    });
    assert.throws(
      () => exportPolicy(policy, 'traefik'),
      (e: Error & { code?: string; path?: string }) => {
        assert.equal(e.code, 'BARBICAN_E_EXPORT_UNSAFE');
        assert.equal(e.path, 'headers.reportTo');
        assert.match(e.message, /traefik/);
        return true;
      },
    );
  });
});

void describe('krakend: the output passes krakend-schema v2.12', () => {
  for (const [name, options] of SCENARIOS.filter(([, o]) => o.trustedProxies === undefined)) {
    void it(`${name}: krakend.json and the security/http entry validate`, () => {
      const result = exportPolicy(createPolicy(options), 'krakend');
      const full = JSON.parse(fileOf(result, 'krakend.json')) as Record<string, unknown>;
      assertValid(krakend, full, 'krakend.json');
      const entry = JSON.parse(result.snippet) as Record<string, unknown>;
      assertValid(krakend, { version: 3, extra_config: entry }, 'security/http entry');
    });
  }
  void it('the schemas are not vacuous: a misspelt field fails', () => {
    assert.equal(
      krakend({ version: 3, extra_config: { 'security/http': { sts_second: 1 } } }),
      false,
    );
    assert.equal(
      traefikDynamic({ http: { middlewares: { m: { headers: { customResponseHeader: {} } } } } }),
      false,
    );
  });
  void it('the fields carry the middleware values; the rest is declared lossy', () => {
    const policy = createPolicy({ preset: 'secure-py', allowedHosts: ['app.example'] });
    const result = exportPolicy(policy, 'krakend');
    const ns =
      (JSON.parse(result.snippet) as Record<string, Record<string, unknown>>)['security/http'] ??
      {};
    assert.equal(ns.sts_seconds, 63_072_000);
    assert.equal(ns.sts_include_subdomains, true);
    assert.equal(ns.custom_frame_options_value, 'SAMEORIGIN');
    assert.equal(ns.browser_xss_filter, true);
    assert.deepEqual(ns.allowed_hosts, ['^app\\.example(?::[0-9]{1,5})?$']);
    const lost = result.warnings.map((w) => w.path);
    // Cache-Control, Pragma and Expires have no field; the bad-host status differs.
    assert.ok(lost.includes('headers.cacheControl'), lost.join());
    assert.ok(lost.includes('badHostStatus'), lost.join());
    for (const w of result.warnings) assert.equal(w.code, 'BARBICAN_W_EXPORT_LOSSY');
  });
  void it('refuses trusted proxies with a redirect: KrakenD believes forwarded schemes from anyone', () => {
    const policy = createPolicy({
      allowedHosts: ['a.example'],
      sslRedirect: true,
      trustedProxies: ['private'],
    });
    assert.throws(() => exportPolicy(policy, 'krakend'), {
      code: 'BARBICAN_E_EXPORT_UNSAFE',
      path: 'trustedProxies',
    });
  });
});
