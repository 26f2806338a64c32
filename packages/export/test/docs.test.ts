/**
 * docs/export.md stays true: every output block on the page is what
 * `exportPolicy` writes today for the page's example config. Run with
 * `BARBICAN_UPDATE_DOCS=1` to rewrite the blocks after a deliberate change.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { exportPolicy, TARGET_NAMES } from '@barbican/export';

const page = new URL('../../../docs/export.md', import.meta.url);
const text = readFileSync(page, 'utf8');

/** `<!-- marker -->`, then a fenced block: its info string and body. */
const BLOCK = /<!-- (export-config|export-output: ([a-z-]+)) -->\n```([a-z]*)\n([\s\S]*?)```\n/g;

const blocks = [...text.matchAll(BLOCK)];
const configBlock = blocks.find((m) => m[1] === 'export-config');
const config = parse(configBlock?.[4] ?? '') as PolicyOptions;

void describe('docs/export.md', () => {
  void it('has the example config and one output block per target', () => {
    assert.ok(configBlock, 'an export-config block');
    assert.deepEqual(
      blocks.flatMap((m) => (m[2] === undefined ? [] : [m[2]])).sort(),
      [...TARGET_NAMES].sort(),
    );
  });
  void it('shows, for each target, exactly what barbican export prints for that config', () => {
    let updated = text;
    for (const m of blocks) {
      const target = m[2];
      if (target === undefined) continue;
      const actual = exportPolicy(createPolicy(config), target).snippet;
      if (process.env.BARBICAN_UPDATE_DOCS === '1') {
        updated = updated.replace(
          m[0],
          `<!-- export-output: ${target} -->\n\`\`\`${m[3] ?? ''}\n${actual}\`\`\`\n`,
        );
        continue;
      }
      assert.equal(m[4], actual, `docs/export.md, ${target}: re-run with BARBICAN_UPDATE_DOCS=1`);
    }
    if (updated !== text) writeFileSync(page, updated);
  });
});
