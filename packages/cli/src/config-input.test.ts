/**
 * What config and import files say when they hold something a policy
 * cannot: YAML 1.1 tags, null, nothing, absurd nesting, a helmet module
 * with comments, a KrakenD file over the config limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CONFIG_BYTES, readStructuredFile } from './config.ts';
import { cli, tempFiles } from '../test/run.ts';

const { file } = tempFiles('barbican-config-input-');

describe('config files that hold no policy', () => {
  for (const [tag, text] of [
    ['!!binary', 'preset: !!binary aGVsbG8=\n'],
    ['!!timestamp', 'preset: !!timestamp 2001-12-14\n'],
    ['!!set', 'headers: !!set {a, b}\n'],
    ['!!omap', 'headers: !!omap [a: 1]\n'],
  ] as const) {
    it(`refuses ${tag} as a tag, before it becomes a Buffer, Date or Set`, async () => {
      const r = await cli('check', '--config', file('tag.yaml', text));
      assert.equal(r.code, 2);
      assert.match(r.err, /is not valid YAML .*Unresolved tag.*YAML tags such as !!binary/);
    });
  }

  it('tells null from an empty file', async () => {
    assert.match(
      (await cli('check', '-c', file('null.json', 'null'))).err,
      /must hold an object of options, not null\./,
    );
    assert.match(
      (await cli('check', '-c', file('empty.yaml', '# nothing yet\n'))).err,
      /not nothing \(the file is empty\)/,
    );
  });

  it('names the file once, with the position, for a depth refusal', async () => {
    const deep = file('deep.yaml', `${'{a: '.repeat(65)}1${'}'.repeat(65)}\n`);
    const r = await cli('check', '-c', deep);
    assert.equal(r.err.split(deep).length, 2, r.err);
    assert.match(r.err, /nests deeper than 64 levels/);
  });

  it('refuses 500,000 nested brackets at once, in bounded memory', async () => {
    const deep = file('deep.json', `${'['.repeat(500_000)}${']'.repeat(500_000)}`);
    const started = performance.now();
    const r = await cli('check', '-c', deep);
    assert.equal(r.code, 2);
    assert.match(r.err, /deep\.json:1:65: nests deeper than 64 levels at byte 64/);
    assert.ok(performance.now() - started < 2000);
  });
});

describe('import sources', () => {
  it('reads a helmet module with // and /* */ comments, positions intact', async () => {
    const js = file(
      'helmet.js',
      '// our helmet options\nmodule.exports = {\n  /* frames */ frameguard: { action: "deny" }, // no\n  hsts: { maxAge: 300 } // "//" in a comment\n};\n',
    );
    const r = await cli('import', '--from', 'helmet', js);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /"action": "deny"/);
    const broken = file('broken.js', 'module.exports = {\n  frameguard: { action: "deny"\n};\n');
    const e = await cli('import', '--from', 'helmet', broken);
    assert.equal(e.code, 2);
    assert.match(e.err, /broken\.js:\d+:\d+: is not valid YAML/);
    assert.doesNotMatch(e.err, /\.js\.yaml/);
  });

  it('reads the options of an app.use(helmet({…})) file, and locates what it cannot read', async () => {
    const app = file(
      'app.js',
      "import helmet from 'helmet';\napp.use(\n  helmet({ frameguard: { action: 'deny' } }),\n);\n",
    );
    const r = await cli('import', '--from', 'helmet', app);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /"action": "deny"/);
    const variable = file('variable.js', 'const opts = { hsts: false };\napp.use(helmet(opts));\n');
    const e = await cli('import', '--from', 'helmet', variable);
    assert.equal(e.code, 2);
    assert.match(
      e.err,
      /variable\.js:2:16: passes helmet\(\) something other than an object literal .*BARBICAN_E_CONFIG_FILE/,
    );
  });

  it('imports a KrakenD file larger than the 1 MiB config limit', async () => {
    const endpoints = Array.from({ length: 12_000 }, (_, i) => ({
      endpoint: `/v1/resource-${i}`,
      backend: [{ host: ['http://backend:8080'], url_pattern: `/resource/${i}` }],
    }));
    const krakend = {
      version: 3,
      extra_config: { 'security/http': { frame_deny: true, sts_seconds: 31536000 } },
      endpoints,
    };
    const big = file('krakend.json', JSON.stringify(krakend));
    await assert.rejects(readStructuredFile(big), /at most 1048576 bytes/);
    assert.ok(JSON.stringify(krakend).length > MAX_CONFIG_BYTES);
    const r = await cli('import', '--from', 'krakend', big);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /"xFrameOptions"/);
  });
});

describe('error messages say what happened, once', () => {
  for (const [name, text, expected] of [
    [
      'a negative number',
      '{"badHostStatus": -5}',
      /badHostStatus: expected 400, or 421; got -5 \[BARBICAN_E_TYPE\]/,
    ],
    [
      'a unit',
      '{"headers": {"hsts": {"maxAge": -1}}}',
      /expected a whole number of seconds from 0 to/,
    ],
    ['1e400', '{"headers": {"hsts": {"maxAge": 1e400}}}', /got Infinity/],
    [
      'an unclosed character class',
      '{"allowedHosts": ["/^(a[)$/"]}',
      /the host regex does not compile; got .*Unterminated character class \[BARBICAN_E_HOST_PATTERN\]/,
    ],
  ] as const) {
    it(`for ${name}`, async () => {
      const r = await cli('check', '-c', file('m.json', text));
      assert.equal(r.code, 2);
      assert.match(r.err, expected);
      assert.equal(r.err.match(/\[BARBICAN_E_[A-Z_]+\]/g)?.length, 1, 'one code');
    });
  }

  it('an imported value Barbican refuses: one warning, one code', async () => {
    const source = file('k.json', JSON.stringify({ CustomFrameOptionsValue: 'SAMEORIGIN; x' }));
    const r = await cli('import', '--from', 'unrolled', source);
    for (const line of r.err.trim().split('\n')) {
      assert.equal(line.match(/\[BARBICAN_[EW]_[A-Z_]+\]/g)?.length, 1, line);
    }
  });
});

describe('options that contradict each other (seed 000)', () => {
  it('import and check both warn that sslRedirect cannot fire, and show the fix', async () => {
    const seed = new URL('../test/fixtures/import/krakend-legacy.json', import.meta.url).pathname;
    const imported = await cli('import', '--from', 'krakend', seed);
    assert.equal(imported.code, 0, imported.err);
    assert.match(
      imported.err,
      /allowedHosts\[0\]: "host\.known\.com:443" accepts only port 443.*List "host\.known\.com" without a port.*\[BARBICAN_W_REDIRECT_UNREACHABLE\]/,
    );
    const checked = await cli('check', '-c', file('imported.json', imported.out));
    assert.equal(checked.code, 0);
    assert.match(checked.out, /BARBICAN_W_REDIRECT_UNREACHABLE/);
  });
});
