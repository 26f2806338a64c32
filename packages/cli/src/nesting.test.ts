import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { jsonTooDeep, yamlTooDeep } from './nesting.ts';

/** The exact nesting of a parsed value: what the estimates bound. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('jsonTooDeep', () => {
  it('finds the first bracket over the limit, ignoring brackets in strings', () => {
    assert.equal(jsonTooDeep('[[[]]]', 2), 2);
    assert.equal(jsonTooDeep('[[]]', 2), undefined);
    assert.equal(jsonTooDeep('{"a": "[[[[[[\\"[[["}', 1), undefined);
  });

  it('refuses 500,000 levels in well under a second', () => {
    const text = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
    const started = performance.now();
    assert.equal(jsonTooDeep(text, 64), 64);
    assert.ok(performance.now() - started < 1000);
  });

  it('is exact on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(9), (value, max) => {
        const text = JSON.stringify(value);
        assert.equal(jsonTooDeep(text, max) !== undefined, depthOf(value) > max);
      }),
    );
  });
});

describe('yamlTooDeep', () => {
  it('counts compact sequences, indentation and flow brackets', () => {
    assert.notEqual(yamlTooDeep(`${'- '.repeat(100)}x\n`, 64), undefined);
    assert.notEqual(yamlTooDeep(`${'[ '.repeat(100)}\n`, 64), undefined);
    assert.equal(yamlTooDeep('a: \'[[[[[[\'\nb: "{{{{{"\n', 2), undefined);
    const nested = Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}k:`).join('\n');
    assert.notEqual(yamlTooDeep(`${nested} 1\n`, 64), undefined);
  });

  it('never under-counts: anything parsed deeper than the limit was refused first', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(9), (value, max) => {
        const text = parseDocument(JSON.stringify(value)).toString();
        if (depthOf(value) > max) assert.notEqual(yamlTooDeep(text, max), undefined, text);
      }),
    );
  });

  it('accepts the block scalars and comments real configs have', () => {
    const config = [
      '# Barbican policy',
      'preset: strict',
      'headers:',
      '  csp:',
      '    directives:',
      "      script-src: ['self', 'https://cdn.example']",
      '  permissionsPolicy: |',
      '    camera=(),',
      '        geolocation=()',
      'allowedHosts:',
      '  - app.example',
      '  - "[::1]:443"',
    ].join('\n');
    assert.equal(yamlTooDeep(config, 8), undefined);
  });
});
