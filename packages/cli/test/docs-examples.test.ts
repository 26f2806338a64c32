import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { loadPolicy } from '../src/config.ts';

/**
 * Every YAML and JSON config example in the docs about config files and the
 * server sections must load as pasted (docs stay true). A block that is a
 * fragment of a file (a lone `tls:` or `errors:` section) is loaded as a
 * file of its own, which is what a user pasting it gets.
 */
const DOCS = ['tls.md', 'config.md'];
const tmp = mkdtempSync(join(tmpdir(), 'barbican-docs-'));

function blocks(doc: string): { lang: string; text: string; line: number }[] {
  const text = readFileSync(new URL(`../../../docs/${doc}`, import.meta.url), 'utf8');
  const out: { lang: string; text: string; line: number }[] = [];
  for (const m of text.matchAll(/^```(yaml|json)\n([\s\S]*?)^```$/gm)) {
    out.push({
      lang: m[1] ?? '',
      text: m[2] ?? '',
      line: text.slice(0, m.index).split('\n').length,
    });
  }
  return out;
}

describe('docs: config examples load as pasted', () => {
  for (const doc of DOCS) {
    const found = blocks(doc);
    it(`${doc} has config examples`, () => {
      assert.ok(found.length > 0);
    });
    for (const b of found) {
      it(`${doc}:${b.line} (${b.lang})`, async () => {
        const file = join(tmp, `example-${doc}-${b.line}.${b.lang}`);
        writeFileSync(file, b.text);
        const { policy } = await loadPolicy(file);
        assert.ok(policy.headersFor({ https: true }).length > 0);
      });
    }
  }

  it('the TypeScript example of docs/tls.md gives what it says', () => {
    const policy = createPolicy({ preset: 'strict', tls: { profile: 'intermediate' } });
    assert.deepEqual(policy.tls.protocols, ['TLSv1.2', 'TLSv1.3']);
    assert.equal(policy.tls.ciphers.length, 6);
  });

  it('the report example of docs/config.md sends what the table says', () => {
    const options: PolicyOptions = { report: 'https://collector.example/report/shop' };
    const h = Object.fromEntries(createPolicy(options).headersFor({ https: true }));
    const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');
    for (const value of [
      h['Reporting-Endpoints'],
      h.NEL,
      h['Report-To'],
      'report-uri https://collector.example/report/shop; report-to csp',
    ]) {
      assert.ok(value !== undefined && doc.includes(value), `docs/config.md must show ${value}`);
    }
  });
});
