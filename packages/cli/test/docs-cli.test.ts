/**
 * docs/cli.md says what the CLI prints: the error example is the real line,
 * and the command table lists every command the CLI registers. README.md
 * names the Debian packages `npm test` needs, as `.ci/run` installs them.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildProgram } from '../src/cli.ts';
import { memoryIo } from '../src/io.ts';
import { cli, tempFiles } from './run.ts';

const doc = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
const { dir } = tempFiles('barbican-docs-cli-');

describe('docs/cli.md', () => {
  it('shows the error line check prints, position included', async () => {
    const example = /`(barbican: barbican\.config\.yaml:[^`]+)`/.exec(doc)?.[1];
    assert.ok(example !== undefined, 'an error example');
    writeFileSync(
      join(dir, 'barbican.config.yaml'),
      'preset: strict\nheaders:\n  hsts:\n    maxage: 300\n',
    );
    const r = await cli('check', '--config', join(dir, 'barbican.config.yaml'));
    assert.equal(r.err.trim().replace(`${dir}/`, ''), example);
  });

  it('lists every command in its table', () => {
    for (const command of buildProgram(memoryIo()).commands.map((c) => c.name())) {
      assert.match(doc, new RegExp(`^\\| \`${command}\` \\|`, 'm'), command);
    }
  });
});

describe('README.md', () => {
  it('names every Debian package .ci/run installs for npm test', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const ci = readFileSync(new URL('../../../.ci/run', import.meta.url), 'utf8');
    const packages = /^packages=\(([^)]*)\)/m.exec(ci)?.[1]?.trim().split(/\s+/) ?? [];
    assert.ok(packages.length >= 10, 'the package list of .ci/run');
    const line = /npm test` drives real servers[\s\S]*?nghttp2-client`/.exec(readme)?.[0] ?? '';
    for (const name of packages) assert.match(line, new RegExp(`\\b${name}\\b`), name);
  });
});
