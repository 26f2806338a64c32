import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { parseExpectCt } from './index.ts';

const build = (expectCt: unknown) =>
  createPolicy({ allowedHosts: ['*'], preset: 'api', headers: { expectCt } as never });
const ect = (v: unknown, https = true): string | undefined =>
  build(v)
    .headersFor({ https })
    .find(([n]) => n === 'Expect-CT')?.[1];

describe('Expect-CT builder', () => {
  it('writes comma-separated directives, only over HTTPS', () => {
    assert.equal(ect({ maxAge: 86400, enforce: true }), 'max-age=86400, enforce');
    assert.equal(ect({ maxAge: 86400, enforce: true }, false), undefined);
    assert.equal(
      ect({ maxAge: 0, reportUri: 'https://r.example/ct' }),
      'max-age=0, report-uri="https://r.example/ct"',
    );
    assert.equal(ect(true), 'max-age=86400');
  });

  it('always warns that the header is deprecated', () => {
    assert.deepEqual(
      build(true).warnings.map((w) => [w.code, w.path]),
      [['BARBICAN_W_DEPRECATED_HEADER', 'headers.expectCt']],
    );
    assert.deepEqual(
      build('max-age=1').warnings.map((w) => w.code),
      ['BARBICAN_W_DEPRECATED_HEADER'],
    );
  });

  it('validates a raw value with its parser', () => {
    assert.equal(ect('max-age=86400, enforce'), 'max-age=86400, enforce');
    assert.throws(() => ect('enforce'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => ect('max-age=1, max-age=1'), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
      offset: 11,
    });
  });

  for (const bad of [-1, 1.5, '86400', null, true, Number.NaN]) {
    it(`refuses maxAge ${String(bad)}`, () => {
      assert.throws(() => ect({ maxAge: bad }), { path: 'headers.expectCt.maxAge' });
    });
  }

  for (const bad of [
    'http://r.example/',
    'https://r.example/"x',
    'https://r.example/\r\n',
    'https://r.example/\0',
    'https://r.example/é',
    'https://a b',
    1,
  ]) {
    it(`refuses reportUri ${JSON.stringify(bad)}`, () => {
      assert.throws(() => ect({ reportUri: bad }), { path: 'headers.expectCt.reportUri' });
    });
  }

  it('refuses CR/LF in a raw value (header injection)', () => {
    assert.throws(() => ect('max-age=1\r\nSet-Cookie: a=b'), { code: 'BARBICAN_E_UNSAFE_VALUE' });
  });
});

describe('parseExpectCt (RFC 9163 §2.1)', () => {
  it('reads max-age, enforce and report-uri', () => {
    const r = parseExpectCt('max-age=86400, enforce, report-uri="https://r.example/"');
    assert.deepEqual(
      [r.valid, r.maxAge, r.enforce, r.reportUri],
      [true, 86400, true, 'https://r.example/'],
    );
  });

  it('requires max-age and refuses repeats and values on enforce', () => {
    assert.equal(parseExpectCt('enforce').valid, false);
    assert.equal(parseExpectCt('max-age=1, enforce, enforce').valid, false);
    assert.equal(parseExpectCt('max-age=1, enforce=yes').valid, false);
    assert.equal(parseExpectCt('max-age=x').valid, false);
  });

  it('never throws and round-trips what the builder writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
        assert.equal(typeof parseExpectCt(s as string).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.boolean(), (maxAge, enforce) => {
        const r = parseExpectCt(ect({ maxAge, enforce }) ?? '');
        assert.deepEqual([r.valid, r.maxAge, r.enforce], [true, maxAge, enforce]);
      }),
      { numRuns: 100 },
    );
  });
});
