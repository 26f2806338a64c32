import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BarbicanError } from '../../errors.ts';
import { createPolicy } from '../../policy/index.ts';
import { parseXFrameOptions } from './index.ts';

const xfoOf = (xFrameOptions: unknown): string | undefined =>
  createPolicy({ allowedHosts: ['*'], headers: { xFrameOptions } as never })
    .headersFor({ https: true })
    .find(([n]) => n === 'X-Frame-Options')?.[1];

describe('X-Frame-Options builder', () => {
  it('sends DENY by default and on true', () => {
    assert.equal(xfoOf(undefined), 'DENY');
    assert.equal(xfoOf(true), 'DENY');
  });

  it('sends SAMEORIGIN when asked, in any spelling, canonically', () => {
    assert.equal(xfoOf({ action: 'SAMEORIGIN' }), 'SAMEORIGIN');
    assert.equal(xfoOf({ action: 'sameorigin' }), 'SAMEORIGIN');
    assert.equal(xfoOf('sameOrigin'), 'SAMEORIGIN');
  });

  it('sends nothing when turned off', () => {
    assert.equal(xfoOf(false), undefined);
  });

  it('refuses ALLOW-FROM, as a raw value or an action, and teaches frame-ancestors', () => {
    assert.throws(
      () => xfoOf('ALLOW-FROM https://example.com'),
      (e: unknown) =>
        e instanceof BarbicanError &&
        e.code === 'BARBICAN_E_FRAME_ALLOW_FROM' &&
        e.path === 'headers.xFrameOptions' &&
        /frame-ancestors/.test(e.message),
    );
    assert.throws(() => xfoOf({ action: 'ALLOW-FROM' }), {
      code: 'BARBICAN_E_ENUM',
      path: 'headers.xFrameOptions.action',
    });
  });

  it('suggests the right word for a typo', () => {
    assert.throws(() => xfoOf({ action: 'SAMEORIGN' }), { hint: 'Did you mean "SAMEORIGIN"?' });
  });

  for (const ch of ['\r', '\n', '\0', '\u00e9']) {
    it(`refuses ${JSON.stringify(ch)} in a raw value (header injection)`, () => {
      assert.throws(() => xfoOf(`DENY${ch}Set-Cookie: a=b`), {
        code: 'BARBICAN_E_UNSAFE_VALUE',
        offset: 4,
      });
    });
  }

  for (const bad of [1, null, [], { action: 1 }, { mode: 'DENY' }]) {
    it(`refuses ${JSON.stringify(bad)} with the option path`, () => {
      assert.throws(
        () => xfoOf(bad),
        (e: unknown) =>
          e instanceof BarbicanError && e.path?.startsWith('headers.xFrameOptions') === true,
      );
    });
  }
});

describe('parseXFrameOptions', () => {
  it('reads DENY and SAMEORIGIN in any case, with surrounding spaces', () => {
    assert.deepEqual(parseXFrameOptions(' deny '), { valid: true, action: 'DENY' });
    assert.deepEqual(parseXFrameOptions('SameOrigin'), { valid: true, action: 'SAMEORIGIN' });
  });

  it('marks ALLOW-FROM and anything else invalid, telling the two apart', () => {
    assert.deepEqual(parseXFrameOptions('ALLOW-FROM https://a.example'), {
      valid: false,
      allowFrom: true,
    });
    assert.deepEqual(parseXFrameOptions('DENY, SAMEORIGIN'), { valid: false, allowFrom: false });
    assert.deepEqual(parseXFrameOptions(''), { valid: false, allowFrom: false });
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const r = parseXFrameOptions(s);
        assert.equal(typeof r.valid, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
