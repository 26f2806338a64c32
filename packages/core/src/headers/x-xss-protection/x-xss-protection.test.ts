import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { parseXXssProtection } from './index.ts';

const build = (xXssProtection: unknown) =>
  createPolicy({ allowedHosts: ['*'], preset: 'api', headers: { xXssProtection } as never });
const xxp = (v: unknown): string | undefined =>
  build(v)
    .headersFor({ https: true })
    .find(([n]) => n === 'X-XSS-Protection')?.[1];

describe('X-XSS-Protection builder', () => {
  it('sends 0 by default, without a warning', () => {
    assert.equal(xxp(true), '0');
    assert.deepEqual(build(true).warnings, []);
  });

  it('allows 1 and 1; mode=block with BARBICAN_W_XSS_FILTER_ON', () => {
    for (const mode of ['1', '1; mode=block']) {
      assert.equal(xxp({ mode }), mode);
      assert.deepEqual(
        build({ mode }).warnings.map((w) => [w.code, w.path]),
        [['BARBICAN_W_XSS_FILTER_ON', 'headers.xXssProtection.mode']],
      );
    }
    assert.deepEqual(
      build('1; mode=block').warnings.map((w) => w.code),
      ['BARBICAN_W_XSS_FILTER_ON'],
    );
  });

  it('appends report=<url> when asked', () => {
    assert.equal(
      xxp({ mode: '1; mode=block', reportUri: 'https://r.example/xss' }),
      '1; mode=block; report=https://r.example/xss',
    );
  });

  it('refuses reportUri with mode 0 (nothing would ever be reported)', () => {
    assert.throws(() => xxp({ reportUri: 'https://r.example/' }), {
      code: 'BARBICAN_E_CONFLICT',
      path: 'headers.xXssProtection.reportUri',
    });
  });

  it('refuses unknown modes with the allowed list', () => {
    assert.throws(() => xxp({ mode: '1; mode=allow' }), { code: 'BARBICAN_E_ENUM' });
    assert.throws(() => xxp({ mode: 1 }), { code: 'BARBICAN_E_ENUM' });
    assert.throws(() => xxp('2'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => xxp('1; mode=allow'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
  });

  for (const bad of [
    'https://a/\r\nX: y',
    'https://a/\n',
    'https://a/\0',
    'https://a/é',
    'https://a/ b',
    'https://a/;x',
    'javascript:alert(1)',
    1,
    null,
    [],
  ]) {
    it(`refuses reportUri ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => xxp({ mode: '1', reportUri: bad }),
        (e: { path?: string }) => e.path === 'headers.xXssProtection.reportUri',
      );
    });
  }

  for (const ch of ['\r', '\n', '\0', '\u2028']) {
    it(`refuses ${JSON.stringify(ch)} in a raw value`, () => {
      assert.throws(() => xxp(`0${ch}Set-Cookie: a=b`), { code: 'BARBICAN_E_UNSAFE_VALUE' });
    });
  }
});

describe('parseXXssProtection', () => {
  const cases: [string, boolean, boolean?, boolean?][] = [
    ['0', true, false, false],
    ['1', true, true, false],
    ['1; mode=block', true, true, true],
    ['1;MODE=BLOCK', true, true, true],
    ['1; report=https://r.example/', true, true, false],
    [' 1 ; mode=block ; report=/r ', true, true, true],
    ['', false],
    ['2', false],
    ['yes', false],
    ['1 mode=block', false],
    ['1; mode=allow', false],
    ['1; mode=block; mode=block', false],
    ['1; report=', false],
    ['1; foo', false],
  ];
  for (const [value, valid, enabled, block] of cases) {
    it(`${JSON.stringify(value)} is ${valid ? 'valid' : 'invalid'}`, () => {
      const r = parseXXssProtection(value);
      assert.equal(r.valid, valid, JSON.stringify(r.problems));
      if (valid) {
        assert.equal(r.enabled, enabled);
        assert.equal(r.block, block);
      }
    });
  }

  it('reads the report URL', () => {
    assert.equal(
      parseXXssProtection('1; report=https://r.example/x').reportUri,
      'https://r.example/x',
    );
  });

  it('never throws and round-trips what the builder writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
        const r = parseXXssProtection(s as string);
        assert.equal(typeof r.valid, 'boolean');
      }),
      { numRuns: 300 },
    );
    for (const mode of ['0', '1', '1; mode=block'] as const) {
      const r = parseXXssProtection(xxp({ mode }) ?? '');
      assert.equal(r.valid, true);
      assert.equal(r.enabled, mode !== '0');
    }
  });
});
