import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { CLEAR_SITE_DATA_TYPES, parseClearSiteData } from './index.ts';

const build = (clearSiteData: unknown) =>
  createPolicy({ allowedHosts: ['*'], preset: 'api', headers: { clearSiteData } as never });
const csd = (v: unknown): string | undefined =>
  build(v)
    .headersFor({ https: true })
    .find(([n]) => n === 'Clear-Site-Data')?.[1];

describe('Clear-Site-Data builder', () => {
  it('sends quoted types joined with ", "', () => {
    assert.equal(csd({ types: ['cache', 'cookies'] }), '"cache", "cookies"');
    assert.equal(csd(true), '"cache", "cookies", "storage"');
    assert.equal(csd({ types: ['*'] }), '"*"');
  });

  it('warns BARBICAN_W_CLEAR_SITE_DATA_GLOBAL, silenced for a logout-route policy', () => {
    assert.deepEqual(
      build(true).warnings.map((w) => [w.code, w.path]),
      [['BARBICAN_W_CLEAR_SITE_DATA_GLOBAL', 'headers.clearSiteData']],
    );
    const logout = createPolicy({ allowedHosts: ['*'], preset: 'api' }).extend({
      headers: { clearSiteData: { types: ['cookies'] } },
      ignoreWarnings: ['BARBICAN_W_CLEAR_SITE_DATA_GLOBAL'],
    });
    assert.deepEqual(logout.warnings, []);
  });

  it('refuses duplicates, unknown types (with a suggestion) and "*" mixed with types', () => {
    assert.throws(() => csd({ types: ['cache', 'cache'] }), { code: 'BARBICAN_E_CONFLICT' });
    assert.throws(() => csd({ types: ['cookie'] }), {
      code: 'BARBICAN_E_ENUM',
      hint: 'Did you mean "cookies"?',
    });
    assert.throws(() => csd({ types: ['*', 'cache'] }), { code: 'BARBICAN_E_CONFLICT' });
    assert.throws(() => csd({ types: [] }), { code: 'BARBICAN_E_RANGE' });
    assert.throws(() => csd('"*", "cache"'), { code: 'BARBICAN_E_CONFLICT' });
  });

  it('accepts a valid raw value as given and refuses unquoted types', () => {
    assert.equal(csd('"cache","cookies"'), '"cache","cookies"');
    assert.throws(() => csd('cache'), { code: 'BARBICAN_E_HEADER_SYNTAX', offset: 0 });
    assert.throws(() => csd('"cache", "cokies"'), { code: 'BARBICAN_E_HEADER_SYNTAX', offset: 9 });
  });

  for (const bad of ['cache\r\n', 'cache\0', 'cachè', 1, null, {}, '"cache"']) {
    it(`refuses types: [${JSON.stringify(bad)}]`, () => {
      assert.throws(() => csd({ types: [bad] }), { path: 'headers.clearSiteData.types[0]' });
    });
  }

  it('refuses CR/LF in a raw value (header injection)', () => {
    assert.throws(() => csd('"cache"\r\nSet-Cookie: a=b'), {
      code: 'BARBICAN_E_UNSAFE_VALUE',
      offset: 7,
    });
  });
});

describe('parseClearSiteData', () => {
  it('reads quoted types, ignoring unknown and unquoted ones as browsers do', () => {
    const r = parseClearSiteData('"cache", cookies, "bogus", "storage", "cache"');
    assert.deepEqual(r.types, ['cache', 'storage']);
    assert.equal(r.valid, false);
    assert.deepEqual(
      r.problems.map((p) => p.code),
      ['clear_site_data.unquoted', 'clear_site_data.unknown', 'clear_site_data.duplicate'],
    );
    assert.equal(parseClearSiteData('').valid, false);
  });

  it('types are case-sensitive', () => {
    assert.deepEqual(parseClearSiteData('"Cache"').types, []);
  });

  it('never throws and round-trips what the builder writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
        const r = parseClearSiteData(s as string);
        for (const t of r.types)
          assert.ok((CLEAR_SITE_DATA_TYPES as readonly string[]).includes(t));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...CLEAR_SITE_DATA_TYPES.filter((t) => t !== '*')), {
          minLength: 1,
        }),
        (types) => {
          const r = parseClearSiteData(csd({ types }) ?? '');
          assert.deepEqual(r.types, types);
          assert.equal(r.valid, true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
