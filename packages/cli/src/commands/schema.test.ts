import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRESET_NAMES, PRESETS, toJsonSchema } from '@barbican/core';
import { memoryIo } from '../io.ts';
import { run } from '../cli.ts';

type S = Record<string, unknown>;

/**
 * The subset of JSON Schema 2020-12 the generated schema uses, enough to
 * prove it accepts real configs and rejects typos (no validator dependency).
 */
function validate(schema: S, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  if ('const' in schema && schema.const !== value) errors.push(`${path}: const`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: enum`);
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as S[]).some((s) => validate(s, value, path).length === 0);
    if (!ok) errors.push(`${path}: anyOf`);
  }
  const type = schema.type;
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return [`${path}: object`];
    const props = (schema.properties ?? {}) as Record<string, S>;
    for (const [k, v] of Object.entries(value)) {
      const sub = Object.hasOwn(props, k) ? props[k] : undefined;
      if (sub) errors.push(...validate(sub, v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${k}: additional`);
      else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validate(schema.additionalProperties as S, v, `${path}.${k}`));
      }
      if (typeof schema.propertyNames === 'object') {
        errors.push(...validate(schema.propertyNames as S, k, `${path}[${k}]`));
      }
    }
  } else if (type === 'array') {
    if (!Array.isArray(value)) return [`${path}: array`];
    value.forEach((v, i) =>
      errors.push(...validate((schema.items ?? {}) as S, v, `${path}[${i}]`)),
    );
  } else if (type === 'string') {
    if (typeof value !== 'string') return [`${path}: string`];
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${path}: pattern`);
    }
  } else if (type === 'integer') {
    if (!Number.isInteger(value)) return [`${path}: integer`];
    if (typeof schema.minimum === 'number' && (value as number) < schema.minimum)
      errors.push(`${path}: minimum`);
    if (typeof schema.maximum === 'number' && (value as number) > schema.maximum)
      errors.push(`${path}: maximum`);
  } else if (type === 'boolean' && typeof value !== 'boolean') return [`${path}: boolean`];
  return errors;
}

describe('barbican schema', () => {
  it('prints the generated JSON Schema, identical to the core’s (without package sections)', async () => {
    const io = memoryIo();
    // Package sections (gateway) add properties: gateway-command.test.ts checks them.
    assert.equal(await run(['schema'], io, { sections: [] }), 0);
    assert.deepEqual(JSON.parse(io.stdout), toJsonSchema());
    assert.equal(io.stderr, '');
    assert.doesNotMatch(io.stdout, /\u001b\[/);
  });

  const schema = toJsonSchema();

  it('accepts every preset’s options as a config', () => {
    for (const name of PRESET_NAMES) {
      const preset = PRESETS[name];
      const config = { $schema: './barbican.schema.json', preset: name, headers: preset.headers };
      assert.deepEqual(validate(schema, JSON.parse(JSON.stringify(config))), [], name);
    }
  });

  it('rejects typos, wrong types and out-of-range values', () => {
    assert.notDeepEqual(validate(schema, { preset: 'barbicna' }), []);
    assert.notDeepEqual(validate(schema, { header: {} }), []);
    assert.notDeepEqual(validate(schema, { headers: { hsts: { maxage: 1 } } }), []);
    assert.notDeepEqual(validate(schema, { headers: { hsts: { maxAge: -1 } } }), []);
    assert.notDeepEqual(validate(schema, { headers: { hsts: { maxAge: '1' } } }), []);
    assert.deepEqual(validate(schema, { headers: { hsts: { maxAge: 1 } } }), []);
  });
});
