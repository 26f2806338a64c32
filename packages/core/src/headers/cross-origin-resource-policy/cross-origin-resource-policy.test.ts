import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { parseCorp } from './index.ts';

const build = (headers: object) => createPolicy({ headers });
const sent = (headers: object, name: string): string | undefined =>
  build(headers)
    .headersFor({ https: true })
    .find(([n]) => n === name)?.[1];

describe('Cross-Origin-Resource-Policy', () => {
  it('defaults to same-origin and accepts the three Fetch values', () => {
    assert.equal(
      sent({ crossOriginResourcePolicy: true }, 'Cross-Origin-Resource-Policy'),
      'same-origin',
    );
    assert.equal(
      sent(
        { crossOriginResourcePolicy: { policy: 'cross-origin' } },
        'Cross-Origin-Resource-Policy',
      ),
      'cross-origin',
    );
    assert.equal(
      sent({ crossOriginResourcePolicy: ' same-site ' }, 'Cross-Origin-Resource-Policy'),
      'same-site',
    );
  });

  it('parses case-sensitively and without parameters, as Fetch does', () => {
    assert.equal(parseCorp('same-site').policy, 'same-site');
    assert.match(parseCorp('Same-Origin').problems[0]?.message ?? '', /case-sensitively/);
    assert.equal(parseCorp('same-origin;x=1').valid, false);
    assert.equal(parseCorp('same-origin, cross-origin').valid, false);
    assert.throws(() => build({ crossOriginResourcePolicy: 'same-origin\r\n' }), {
      code: 'BARBICAN_E_UNSAFE_VALUE',
    });
    assert.throws(() => build({ crossOriginResourcePolicy: 'none' }), { code: 'BARBICAN_E_ENUM' });
    assert.throws(() => build({ crossOriginResourcePolicy: { policy: 'same-sight' } }), {
      code: 'BARBICAN_E_ENUM',
      hint: 'Did you mean "same-site"?',
    });
  });

  it('parseCorp never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        assert.equal(typeof parseCorp(s).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
  });
});
