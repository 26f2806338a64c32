import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BarbicanError, quote } from '../../errors.ts';
import { createPolicy } from '../../policy/index.ts';
import { parseHsts } from './parse.ts';

const hstsOf = (headers: object, https = true): string | undefined =>
  createPolicy({ allowedHosts: ['*'], headers })
    .headersFor({ https })
    .find(([n]) => n === 'Strict-Transport-Security')?.[1];

describe('Strict-Transport-Security builder', () => {
  it('sends two years with includeSubDomains by default', () => {
    assert.equal(hstsOf({ hsts: true }), 'max-age=63072000; includeSubDomains');
  });

  it('sends HSTS only over HTTPS (RFC 6797 §7.2)', () => {
    assert.equal(hstsOf({ hsts: true }, false), undefined);
  });

  it('writes preload when asked, with its preconditions', () => {
    assert.equal(
      hstsOf({ hsts: { maxAge: 31536000, includeSubDomains: true, preload: true } }),
      'max-age=31536000; includeSubDomains; preload',
    );
  });

  it('refuses preload without includeSubDomains', () => {
    assert.throws(
      () => hstsOf({ hsts: { includeSubDomains: false, preload: true } }),
      (e: unknown) =>
        e instanceof BarbicanError &&
        e.code === 'BARBICAN_E_HSTS_PRELOAD' &&
        e.path === 'headers.hsts.preload',
    );
  });

  it('refuses preload with a max-age under one year', () => {
    assert.throws(() => hstsOf({ hsts: { maxAge: 300, includeSubDomains: true, preload: true } }), {
      code: 'BARBICAN_E_HSTS_PRELOAD',
      path: 'headers.hsts.maxAge',
    });
  });

  for (const bad of [-1, 1.5, Number.NaN, Infinity, '31536000', 10n, true, {}, [], null]) {
    it(`refuses maxAge ${typeof bad === 'object' ? JSON.stringify(bad) : quote(bad)} with the option path`, () => {
      assert.throws(
        () => createPolicy({ allowedHosts: ['*'], headers: { hsts: { maxAge: bad as number } } }),
        (e: unknown) =>
          e instanceof BarbicanError &&
          e.path === 'headers.hsts.maxAge' &&
          /TYPE|RANGE/.test(e.code),
      );
    });
  }

  it('suggests the right name for a typo', () => {
    assert.throws(
      () => createPolicy({ allowedHosts: ['*'], headers: { hsts: { maxage: 1 } as never } }),
      {
        code: 'BARBICAN_E_UNKNOWN_OPTION',
        path: 'headers.hsts.maxage',
        hint: 'Did you mean "maxAge"?',
      },
    );
  });

  it('warns (as data) about a max-age under one year', () => {
    const p = createPolicy({ allowedHosts: ['*'], headers: { hsts: { maxAge: 300 } } });
    assert.deepEqual(
      p.warnings.map((w) => [w.code, w.path]),
      [['BARBICAN_W_HSTS_SHORT', 'headers.hsts.maxAge']],
    );
    assert.deepEqual(
      createPolicy({
        allowedHosts: ['*'],
        headers: { hsts: { maxAge: 300 } },
        ignoreWarnings: ['BARBICAN_W_HSTS_SHORT'],
      }).warnings,
      [],
    );
  });

  it('accepts a valid raw string as given and refuses a broken one with its byte offset', () => {
    assert.equal(
      hstsOf({ hsts: 'max-age="31536000"; includeSubDomains' }),
      'max-age="31536000"; includeSubDomains',
    );
    assert.throws(() => hstsOf({ hsts: 'max-age=1; max-age=2' }), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
      offset: 11,
    });
  });

  for (const ch of ['\r', '\n', '\0', '\u00e9']) {
    it(`refuses ${JSON.stringify(ch)} in a raw value (header injection)`, () => {
      assert.throws(() => hstsOf({ hsts: `max-age=1${ch}Set-Cookie: a=b` }), {
        code: 'BARBICAN_E_UNSAFE_VALUE',
        offset: 9,
      });
    });
  }
});

describe('parseHsts (RFC 6797 §6.1)', () => {
  const cases: [string, boolean, number?, boolean?][] = [
    ['max-age=31536000', true, 31536000, false],
    ['max-age="31536000"', true, 31536000, false],
    ['MAX-AGE=5; INCLUDESUBDOMAINS', true, 5, true],
    [';;max-age=1;;', true, 1, false],
    ['  max-age = 7 ;includeSubDomains  ', true, 7, true],
    ['max-age=0', true, 0, false],
    ['max-age=1; unknown=thing; preload', true, 1, false],
    ['', false],
    ['includeSubDomains', false],
    ['max-age=1; max-age=1', false],
    ['max-age=1; includeSubDomains; includeSubDomains', false],
    ['max-age=-1', false],
    ['max-age=1.5', false],
    ['max-age=12abc', false],
    ['max-age=', false],
    ['max-age="1', false],
    ['max-age=1 2', false],
    ['includeSubDomains=yes; max-age=1', false],
  ];
  for (const [value, valid, maxAge, sub] of cases) {
    it(`${JSON.stringify(value)} is ${valid ? 'valid' : 'invalid'}`, () => {
      const r = parseHsts(value);
      assert.equal(r.valid, valid, JSON.stringify(r.problems));
      if (valid) {
        assert.equal(r.maxAge, maxAge);
        assert.equal(r.includeSubDomains, sub);
      }
    });
  }

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const r = parseHsts(s);
        assert.equal(typeof r.valid, 'boolean');
        for (const p of r.problems) assert.ok(p.offset >= 0 && p.offset <= s.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every value the builder writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.boolean(), (maxAge, sub) => {
        const v = hstsOf({ hsts: { maxAge, includeSubDomains: sub } });
        const r = parseHsts(v ?? '');
        assert.equal(r.valid, true);
        assert.equal(r.maxAge, maxAge);
        assert.equal(r.includeSubDomains, sub);
      }),
      { numRuns: 300 },
    );
  });
});
