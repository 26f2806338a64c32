/**
 * Static hosts and Next.js: the output is read back by test-side readers
 * (a `_headers` parser, JSON, the generated module itself, and Next.js's
 * own route checker) and compared with the headers the middleware sends;
 * each platform's documented limits are enforced with a clear error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { createPolicy, PRESET_NAMES, type Policy, type PolicyOptions } from '@barbican/core';
import { exportPolicy } from '@barbican/export';
import { TRICKY } from './harness/proof.ts';
import { removeDir } from './harness/world.ts';

/** Reads `_headers` as Netlify and Cloudflare document it: path lines, indented `Name: value`. */
export function readHeadersFile(text: string): Map<string, [string, string][]> {
  const rules = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      current = [];
      rules.set(line.trim(), current);
      continue;
    }
    const colon = line.indexOf(':');
    assert.ok(current !== undefined && colon > 0, `a header line outside a rule: ${line}`);
    current.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return rules;
}

/** What the middleware sends over HTTPS, less Server (a static host sets its own). */
function expected(policy: Policy): Map<string, string> {
  return new Map(policy.headersFor({ https: true }).filter(([n]) => n.toLowerCase() !== 'server'));
}

const SCENARIOS: [string, PolicyOptions][] = [
  ...PRESET_NAMES.map((p): [string, PolicyOptions] => [`preset ${p}`, { preset: p }]),
  ['values that need escaping elsewhere', TRICKY],
];

/** A CSP longer than Cloudflare's 2,000-character line. */
const LONG_CSP = `default-src 'self'; script-src 'self' ${Array.from({ length: 120 }, (_, i) => `https://cdn${i}.example.com`).join(' ')}`;

for (const target of ['netlify', 'cloudflare-pages'] as const) {
  void describe(`${target}: _headers read back equals the middleware's headers`, () => {
    for (const [name, options] of SCENARIOS) {
      void it(name, () => {
        const policy = createPolicy(options);
        const out = exportPolicy(policy, target);
        const rules = readHeadersFile(out.snippet);
        assert.deepEqual([...rules.keys()], ['/*']);
        assert.deepEqual(new Map(rules.get('/*')), expected(policy));
        assert.equal(out.files[0]?.content, out.snippet);
      });
    }
    void it('says what a static host cannot do, one warning per lost feature', () => {
      const out = exportPolicy(
        createPolicy({ preset: 'strict', allowedHosts: ['a.example'], sslRedirect: true }),
        target,
      );
      assert.deepEqual(out.warnings.map((w) => w.path).sort(), [
        'allowedHosts',
        'csrf',
        'removeHeaders',
        'sslRedirect',
        'tls',
      ]);
      for (const w of out.warnings) assert.match(w.message, new RegExp(`^${target}: `));
      for (const w of out.warnings)
        assert.ok(out.snippet.includes(w.path), `the comment lists ${w.path}`);
    });
  });
}

void describe('cloudflare-pages: the documented 2,000-character line limit', () => {
  void it('a longer header line is an error naming the option, the target and the limit', () => {
    assert.throws(
      () => exportPolicy(createPolicy({ headers: { csp: LONG_CSP } }), 'cloudflare-pages'),
      (e: Error & { code?: string; path?: string }) => {
        assert.equal(e.code, 'BARBICAN_E_EXPORT_LIMIT');
        assert.equal(e.path, 'headers.csp');
        assert.match(e.message, /cloudflare-pages/);
        assert.match(e.message, /2000 characters per line/);
        return true;
      },
    );
  });
  void it('Netlify documents no such limit: the same policy exports', () => {
    const rules = readHeadersFile(
      exportPolicy(createPolicy({ headers: { csp: LONG_CSP } }), 'netlify').snippet,
    );
    assert.equal(new Map(rules.get('/*')).get('Content-Security-Policy'), LONG_CSP);
  });
});

void describe("vercel: vercel.json read back equals the middleware's headers", () => {
  for (const [name, options] of SCENARIOS) {
    void it(name, () => {
      const policy = createPolicy(options);
      const doc = JSON.parse(exportPolicy(policy, 'vercel').snippet) as {
        headers: { source: string; headers: { key: string; value: string }[] }[];
      };
      assert.equal(doc.headers.length, 1);
      assert.equal(doc.headers[0]?.source, '/(.*)');
      assert.deepEqual(
        new Map(doc.headers[0].headers.map((h) => [h.key, h.value])),
        expected(policy),
      );
    });
  }
  void it('a value over 4,096 characters is an error naming the option and the target', () => {
    const csp = `default-src 'self'; script-src ${Array.from({ length: 250 }, (_, i) => `https://cdn${i}.example.com`).join(' ')}`;
    assert.throws(() => exportPolicy(createPolicy({ headers: { csp } }), 'vercel'), {
      code: 'BARBICAN_E_EXPORT_LIMIT',
      path: 'headers.csp',
    });
  });
});

void describe('nextjs: the generated module, imported, gives the middleware headers; Next.js accepts it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-next-'));
  after(() => removeDir(dir));
  for (const [name, options] of SCENARIOS) {
    void it(name, async () => {
      const policy = createPolicy(options);
      const file = join(dir, `${name.replace(/\W+/g, '-')}.mjs`);
      writeFileSync(file, exportPolicy(policy, 'nextjs').snippet);
      const mod = (await import(pathToFileURL(file).href)) as {
        barbicanHeaders: { source: string; headers: { key: string; value: string }[] }[];
        poweredByHeader: boolean;
      };
      assert.deepEqual(
        new Map(mod.barbicanHeaders[0]?.headers.map((h) => [h.key, h.value])),
        expected(policy),
      );
      assert.equal(mod.poweredByHeader, !policy.https.remove.has('x-powered-by'));
      // Next.js's own validation (it exits the process on a bad route, so it runs in a child).
      const check = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module';
const { checkCustomRoutes } = createRequire(${JSON.stringify(join(process.cwd(), 'package.json'))})('next/dist/lib/load-custom-routes.js');
const { barbicanHeaders } = await import(${JSON.stringify(pathToFileURL(file).href)});
checkCustomRoutes(barbicanHeaders, 'header');`,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      assert.equal(check.status, 0, check.stderr);
    });
  }
});
