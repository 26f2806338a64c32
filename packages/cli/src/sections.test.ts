import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BarbicanError, defineConfigSection, type ConfigSection } from '@barbican/core';
import { integer, object, string } from '@barbican/core/schema';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { run } from './cli.ts';
import { errorLocations, loadPolicy } from './config.ts';
import { memoryIo } from './io.ts';
import { sectionSource, type SectionSource } from './sections.ts';

/**
 * A tiny section standing in for a package's (the gateway's is the first):
 * its own schema, its own warning code, a cross-check against the policy.
 */
const demo = defineConfigSection({
  name: 'demo',
  description: 'A test section owned by a package that is not core.',
  schema: object(
    {
      upstream: string({ description: 'Where to send requests.' }),
      port: integer({ min: 1, max: 65_535 }),
    },
    { required: ['upstream'] },
  ),
  check: (value, policy) =>
    value.port === 80 && policy.guards.redirect !== undefined
      ? [
          {
            code: 'BARBICAN_W_DEMO_PLAIN_PORT',
            path: 'demo.port',
            message: 'port 80 only redirects under this policy',
          },
        ]
      : [],
});

/** A source that counts how often it is loaded (sections load lazily). */
function counted(section: ConfigSection): SectionSource & { loads: number } {
  const source = {
    name: section.name,
    loads: 0,
    load() {
      source.loads++;
      return Promise.resolve(section);
    },
  };
  return source;
}

const dir = mkdtempSync(join(tmpdir(), 'barbican-sections-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const SECTIONS = [sectionSource(demo as ConfigSection)];

describe('config sections owned by other packages', () => {
  it('are split off before createPolicy and validated by their own schema', async () => {
    const p = file(
      'ok.yaml',
      'preset: strict\nallowedHosts: [example.com]\ndemo:\n  upstream: http://127.0.0.1:3000\n  port: 8080\n',
    );
    const loaded = await loadPolicy(p, SECTIONS);
    assert.equal(loaded.policy.preset, 'strict');
    assert.deepEqual(loaded.sections, { demo: { upstream: 'http://127.0.0.1:3000', port: 8080 } });
    assert.equal('demo' in loaded.options, false);
    assert.deepEqual(loaded.sectionWarnings, []);
  });

  it("report the section's errors with the option path and file position", async () => {
    const p = file('bad.yaml', 'preset: strict\ndemo:\n  upstream: x\n  port: 70000\n');
    await assert.rejects(loadPolicy(p, SECTIONS), (e: unknown) => {
      assert.ok(e instanceof BarbicanError);
      assert.equal(e.code, 'BARBICAN_E_RANGE');
      assert.equal(e.path, 'demo.port');
      assert.equal(errorLocations.get(e), `${p}:4:9`);
      return true;
    });
    const missing = file('missing.yaml', 'demo: { port: 8080 }\n');
    await assert.rejects(loadPolicy(missing, SECTIONS), /demo\.upstream: upstream is required/);
    const typo = file('typo.yaml', 'demo: { upstream: x, pourt: 1 }\n');
    await assert.rejects(
      loadPolicy(typo, SECTIONS),
      /demo\.pourt: unknown option.*Did you mean "port"/,
    );
  });

  it('a misspelt section name gets "did you mean" over options and sections', async () => {
    const p = file('misspelt.yaml', 'demmo: { upstream: x }\n');
    await assert.rejects(loadPolicy(p, SECTIONS), (e: unknown) => {
      assert.ok(e instanceof BarbicanError);
      assert.equal(e.code, 'BARBICAN_E_UNKNOWN_OPTION');
      assert.equal(e.path, 'demmo');
      assert.match(e.message, /Did you mean "demo"\?/);
      assert.equal(errorLocations.get(e), `${p}:1:8`);
      return true;
    });
  });

  it('a section no package provides is an unknown option', async () => {
    const p = file('unowned.yaml', 'demo: { upstream: x }\n');
    await assert.rejects(loadPolicy(p, []), /demo: unknown option/);
  });

  it('a section cannot take a policy option name', async () => {
    const p = file('clash.yaml', 'preset: strict\n');
    const clash = sectionSource({ ...(demo as ConfigSection), name: 'tls' });
    await assert.rejects(loadPolicy(p, [clash]), (e: unknown) => {
      assert.ok(e instanceof BarbicanError);
      assert.equal(e.code, 'BARBICAN_E_CONFLICT');
      return true;
    });
  });

  it('is loaded only when the file uses it', async () => {
    const source = counted(demo as ConfigSection);
    await loadPolicy(file('none.yaml', 'preset: api\n'), [source]);
    assert.equal(source.loads, 0);
    await loadPolicy(file('some.yaml', 'demo: { upstream: x }\n'), [source]);
    assert.equal(source.loads, 1);
  });

  it('barbican check validates the section and lists its warnings', async () => {
    const p = file(
      'check.yaml',
      'allowedHosts: [example.com]\nsslRedirect: true\ndemo: { upstream: x, port: 80 }\n',
    );
    const io = memoryIo();
    assert.equal(await run(['check', '--config', p], io, { sections: SECTIONS }), 0);
    assert.match(io.stdout, /sections demo, 1 warning\)/);
    assert.match(
      io.stdout,
      /warning demo\.port: port 80 only redirects under this policy \[BARBICAN_W_DEMO_PLAIN_PORT\]/,
    );

    const json = memoryIo();
    assert.equal(await run(['check', '--config', p, '--json'], json, { sections: SECTIONS }), 0);
    const report = JSON.parse(json.stdout) as { sections: string[]; warnings: { code: string }[] };
    assert.deepEqual(report.sections, ['demo']);
    assert.deepEqual(
      report.warnings.map((w) => w.code),
      ['BARBICAN_W_DEMO_PLAIN_PORT'],
    );

    const bad = memoryIo();
    const badFile = file('check-bad.yaml', 'demo: { upstream: 42 }\n');
    assert.equal(await run(['check', '--config', badFile], bad, { sections: SECTIONS }), 2);
    assert.match(bad.stderr, /check-bad\.yaml:1:19: demo\.upstream: expected a string/);
  });

  it('barbican schema includes the section, and the whole schema validates real files', async () => {
    const io = memoryIo();
    assert.equal(await run(['schema'], io, { sections: SECTIONS }), 0);
    const schema = JSON.parse(io.stdout) as { properties: Record<string, { description: string }> };
    assert.equal(schema.properties.demo?.description, demo.description);
    const ajv = new Ajv2020({ strict: false });
    const valid = ajv.compile(schema);
    const good = {
      preset: 'openkat',
      tls: { profile: 'intermediate', curves: ['X25519', 'prime256v1'] },
      errors: { intercept: [502, 504], serverTokens: false },
      report: { endpoint: 'https://collector.example/report/shop', nel: false },
      demo: { upstream: 'http://127.0.0.1:3000', port: 8080 },
    };
    assert.equal(valid(good), true, JSON.stringify(valid.errors));
    for (const bad of [
      { demo: { upstream: 'x', port: 'eighty' } },
      { demo: { port: 1 } },
      { tls: { ciphers: ['ECDHE-RSA-AES256-GCM-SHA512'] } },
      { tls: { protocols: ['TLSv1.1'] } },
      { errors: { intercept: [302] } },
      { report: 'https://c.example/a;b' },
    ]) {
      assert.equal(valid(bad), false, JSON.stringify(bad));
    }
  });
});

describe('barbican check on the tls, errors and report sections', () => {
  it('lists their warnings like any other', async () => {
    const p = file(
      'openkat.yaml',
      'preset: openkat\nallowedHosts: [kat.example]\nreport: https://collector.example/report/kat\n',
    );
    const io = memoryIo();
    assert.equal(await run(['check', '--config', p], io), 0);
    assert.match(io.stdout, /warning tls\.profile: DHE-RSA-AES256-GCM-SHA384: finite-field DHE/);
    assert.match(io.stdout, /warning tls\.profile: ECDHE-RSA-AES256-SHA384: CBC mode/);
  });

  it("refuses the OpenKAT guide's cipher list at its file position", async () => {
    const p = file(
      'seed.yaml',
      [
        'preset: openkat',
        'tls:',
        '  ciphers:',
        '    - ECDHE-RSA-AES256-GCM-SHA512',
        '    - DHE-RSA-AES256-GCM-SHA512',
        '    - ECDHE-RSA-AES256-GCM-SHA384',
        '',
      ].join('\n'),
    );
    const io = memoryIo();
    assert.equal(await run(['check', '--config', p], io), 2);
    assert.match(
      io.stderr,
      /seed\.yaml:4:7: tls\.ciphers\[0\]: not a TLS 1\.2 cipher suite name .*Did you mean "ECDHE-RSA-AES256-GCM-SHA384"\? \[BARBICAN_E_TLS_NAME\]/,
    );
  });

  it('refuses a serverTokens that contradicts headers.server, and a bad report URL', async () => {
    const tokens = memoryIo();
    const a = file('tokens.json', '{"preset": "barbican", "errors": {"serverTokens": true}}');
    assert.equal(await run(['check', '--config', a], tokens), 2);
    assert.match(tokens.stderr, /errors\.serverTokens: .*\[BARBICAN_E_CONFLICT\]/);
    const url = memoryIo();
    const b = file('url.json', '{"report": "http://collector.example/r"}');
    assert.equal(await run(['check', '--config', b], url), 2);
    assert.match(url.stderr, /url\.json:1:12: report: browsers send reports only to https:\/\//);
  });
});
