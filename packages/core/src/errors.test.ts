import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineCodes } from './barbican-error.ts';
import { BarbicanError, ERROR_CODES, WARNING_CODES, didYouMean, quote } from './errors.ts';

// docs/errors.md covers every package's table: packages/cli/test/errors.test.ts.
describe('error codes', () => {
  it('error codes start with BARBICAN_E_ and warnings with BARBICAN_W_', () => {
    for (const c of Object.keys(ERROR_CODES)) assert.match(c, /^BARBICAN_E_[A-Z0-9_]+$/);
    for (const c of Object.keys(WARNING_CODES)) assert.match(c, /^BARBICAN_W_[A-Z0-9_]+$/);
  });

  it('defineCodes() freezes a table and refuses a code of the wrong shape', () => {
    const table = defineCodes('BARBICAN_E_', { BARBICAN_E_EXAMPLE: 'An example.' });
    assert.ok(Object.isFrozen(table));
    assert.throws(
      // @ts-expect-error: a warning code in an error table is a type error too
      () => defineCodes('BARBICAN_E_', { BARBICAN_W_EXAMPLE: 'An example.' }),
      /"BARBICAN_W_EXAMPLE" is not a BARBICAN_E_\* code/,
    );
    assert.throws(() => defineCodes('BARBICAN_W_', { BARBICAN_W_EXAMPLE: ' ' }), TypeError);
  });

  it('messages carry the path, the quoted value, the allowed values and the code', () => {
    const e = new BarbicanError('BARBICAN_E_RANGE', 'expected a whole number', {
      path: 'headers.hsts.maxAge',
      value: -1,
      allowed: '0 or more',
    });
    assert.equal(
      e.message,
      'headers.hsts.maxAge: expected a whole number; got -1. Allowed: 0 or more [BARBICAN_E_RANGE]',
    );
    assert.deepEqual(e.toJSON(), {
      code: 'BARBICAN_E_RANGE',
      message: e.message,
      path: 'headers.hsts.maxAge',
      value: -1,
      allowed: '0 or more',
    });
  });

  it('quote() escapes control characters so a bad value cannot forge log lines', () => {
    assert.equal(quote('a\r\nSet-Cookie: x'), '"a\\r\\nSet-Cookie: x"');
    assert.equal(quote('x'.repeat(500)).length, 120);
    assert.equal(quote(10n), '10n');
  });

  it('didYouMean() finds case and small-typo neighbours only', () => {
    assert.equal(didYouMean('maxage', ['maxAge', 'preload']), 'maxAge');
    assert.equal(
      didYouMean('includeSubdomain', ['maxAge', 'includeSubDomains']),
      'includeSubDomains',
    );
    assert.equal(didYouMean('zzzzzz', ['maxAge', 'preload']), undefined);
  });
});

describe('quoted values in messages', () => {
  it('serialise only as much as the message shows, whatever the size of the value', () => {
    let reads = 0;
    const huge = new Proxy(
      Array.from({ length: 1_000_000 }, (_, i) => i),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    const error = new BarbicanError('BARBICAN_E_RANGE', 'too many', { path: 'x', value: huge });
    assert.match(error.message, /got \[0,1,2,.*\.\.\. \[BARBICAN_E_RANGE\]$/);
    assert.ok(reads < 100, `${reads} items read`);
  });

  it('cut long strings, cycles and deep nesting without throwing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    for (const value of ['y'.repeat(10_000_000), cyclic, deep]) {
      const error = new BarbicanError('BARBICAN_E_TYPE', 'bad', { value });
      assert.ok(error.message.length < 200, error.message.slice(0, 300));
    }
  });
});
