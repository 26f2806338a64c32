/**
 * docs/gateway.md stays true: every YAML config in it is a valid policy
 * with a valid `gateway` section (certificate files aside, which the
 * example cannot ship), and every `gateway.*` option in the schema has a
 * row in its option table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPolicy } from '@barbican/core';
import { gatewayOptionsSchema, gatewaySection } from '@barbican/gateway/options';
import { parseConfigText } from '../src/config.ts';

const doc = readFileSync(new URL('../../../docs/gateway.md', import.meta.url), 'utf8');

describe('docs/gateway.md', () => {
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

  it('has YAML configs, each a valid policy and gateway section', () => {
    assert.ok(blocks.length > 0);
    for (const text of blocks) {
      const { gateway, ...policy } = parseConfigText('gateway.md.yaml', text) as Record<
        string,
        unknown
      >;
      const built = createPolicy(policy);
      const section = gatewaySection.schema.parse(gateway, 'gateway');
      gatewaySection.check?.(section, built);
    }
  });

  it('documents every option of the gateway section', () => {
    const shape = gatewayOptionsSchema.shape as Record<string, { shape?: Record<string, unknown> }>;
    const rows = new Set([...doc.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]));
    for (const [key, schema] of Object.entries(shape)) {
      // An object option is documented by one row per sub-option.
      const subs = Object.keys(schema.shape ?? {}).map((sub) => `${key}.${sub}`);
      for (const name of subs.length > 0 ? subs : [key])
        assert.ok(rows.has(name), `no row for ${name}`);
    }
  });
});
