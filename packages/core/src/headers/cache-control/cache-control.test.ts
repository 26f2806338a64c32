import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { parseCommaDirectives } from '../../directive-list.ts';
import { parseCacheControl } from './index.ts';

const cache = (cacheControl: unknown): [string, string][] =>
  createPolicy({ preset: 'helmet', headers: { cacheControl } as never })
    .headersFor({ https: true })
    .filter(([n]) => ['Cache-Control', 'Pragma', 'Expires'].includes(n));

describe('Cache-Control builder', () => {
  it('sends no-store, max-age=0 by default, alone', () => {
    assert.deepEqual(cache(true), [['Cache-Control', 'no-store, max-age=0']]);
  });

  it('adds Pragma: no-cache and Expires: 0 when asked (secure.py writes all three)', () => {
    assert.deepEqual(
      cache({
        cacheControl: 'no-cache, no-store, must-revalidate, max-age=0',
        pragma: true,
        expires: true,
      }),
      [
        ['Cache-Control', 'no-cache, no-store, must-revalidate, max-age=0'],
        ['Pragma', 'no-cache'],
        ['Expires', '0'],
      ],
    );
    assert.deepEqual(cache({ expires: '0' }).at(-1), ['Expires', '0']);
  });

  it('a raw string sets only Cache-Control', () => {
    assert.deepEqual(cache('private, max-age=60'), [['Cache-Control', 'private, max-age=60']]);
  });

  it('refuses typos, repeats, bad seconds, arguments and contradictions', () => {
    assert.throws(() => cache('no-stroe'), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
      message: /did you mean no-store/,
    });
    assert.throws(() => cache({ cacheControl: 'max-age=1, max-age=2' }), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
      path: 'headers.cacheControl.cacheControl',
      offset: 11,
    });
    assert.throws(() => cache('max-age=-1'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => cache('max-age'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => cache('no-store=1'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => cache('public, private'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => cache(''), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => cache('no-store;max-age=0'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
  });

  for (const bad of ['no-store\r\nX: y', 'no-store\n', 'no-store\0', 'no-störe', 1, null, [], {}]) {
    it(`refuses cacheControl ${JSON.stringify(bad)}`, () => {
      assert.throws(() => cache({ cacheControl: bad }), {
        path: 'headers.cacheControl.cacheControl',
      });
    });
  }

  for (const bad of ['yes', 1, null, '1']) {
    it(`refuses pragma/expires ${JSON.stringify(bad)}`, () => {
      assert.throws(() => cache({ pragma: bad }), { path: 'headers.cacheControl.pragma' });
      assert.throws(() => cache({ expires: bad }), { path: 'headers.cacheControl.expires' });
    });
  }
});

describe('parseCacheControl (RFC 9111 §5.2)', () => {
  it('reads directives, quoted field lists and flags', () => {
    const r = parseCacheControl('no-cache="Set-Cookie, X-A", max-age=0, No-Store');
    assert.equal(r.valid, true, JSON.stringify(r.problems));
    assert.deepEqual(
      r.directives.map((d) => [d.name, d.value]),
      [
        ['no-cache', 'Set-Cookie, X-A'],
        ['max-age', '0'],
        ['no-store', undefined],
      ],
    );
    assert.equal(r.noStore, true);
    assert.equal(r.maxAge, 0);
  });

  it('unknown directives are warnings (caches ignore them)', () => {
    const r = parseCacheControl('no-store, x-custom');
    assert.equal(r.valid, true);
    assert.deepEqual(
      r.problems.map((p) => p.code),
      ['cache_control.unknown'],
    );
  });

  it('never throws; offsets stay inside the value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
        const r = parseCacheControl(s as string);
        for (const p of r.problems)
          assert.ok(p.offset >= 0 && p.offset <= (typeof s === 'string' ? s.length : 0));
      }),
      { numRuns: 300 },
    );
  });

  it('parseCommaDirectives round-trips generated lists', () => {
    const name = fc.constantFrom('a', 'max-age', 'x_y', 'Z9');
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(name, fc.option(fc.stringMatching(/^[a-z0-9]{1,5}$/), { nil: undefined })),
          { maxLength: 5 },
        ),
        (list) => {
          const text = list.map(([n, v]) => (v === undefined ? n : `${n}=${v}`)).join(' ,');
          const r = parseCommaDirectives(text, 'x');
          assert.deepEqual(r.problems, []);
          assert.deepEqual(
            r.directives.map((d) => [d.name, d.value]),
            list.map(([n, v]) => [n.toLowerCase(), v]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
