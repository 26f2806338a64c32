/**
 * docs/cli.md says what the CLI prints: the error example is the real line,
 * and the command table lists every command the CLI registers.
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
