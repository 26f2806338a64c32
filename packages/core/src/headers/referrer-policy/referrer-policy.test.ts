import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { HEADER_MODULES } from '../index.ts';
import { REFERRER_POLICY_TOKENS, parseReferrerPolicy } from './index.ts';

const build = (referrerPolicy: unknown) =>
  createPolicy({ allowedHosts: ['*'], preset: 'api', headers: { referrerPolicy } as never });
const rp = (v: unknown): string | undefined =>
  build(v)
    .headersFor({ https: false })
    .find(([n]) => n === 'Referrer-Policy')?.[1];

describe('Referrer-Policy builder', () => {
  it('keeps the preset value for true and sends strict-origin-when-cross-origin as the module default', () => {
    assert.equal(rp(true), 'no-referrer');
    assert.equal(rp({}), 'no-referrer', 'an object merges over the preset');
    assert.deepEqual(HEADER_MODULES.referrerPolicy.defaults, {
      policy: 'strict-origin-when-cross-origin',
    });
  });

  for (const t of REFERRER_POLICY_TOKENS) {
    it(`accepts ${t}`, () => {
      assert.equal(rp({ policy: t }), t);
      assert.equal(rp(t), t);
    });
  }

  it('joins a fallback list with ", "', () => {
    assert.equal(
      rp({ policy: ['no-referrer', 'strict-origin-when-cross-origin'] }),
      'no-referrer, strict-origin-when-cross-origin',
    );
  });

  it('warns BARBICAN_W_REFERRER_UNSAFE when unsafe-url is what browsers apply', () => {
    assert.deepEqual(
      build({ policy: 'unsafe-url' }).warnings.map((w) => w.code),
      ['BARBICAN_W_REFERRER_UNSAFE'],
    );
    assert.deepEqual(build({ policy: ['unsafe-url', 'no-referrer'] }).warnings, []);
    assert.deepEqual(
      build('origin, unsafe-url').warnings.map((w) => w.code),
      ['BARBICAN_W_REFERRER_UNSAFE'],
    );
  });

  it('refuses duplicates', () => {
    assert.throws(() => rp({ policy: ['origin', 'origin'] }), {
      code: 'BARBICAN_E_CONFLICT',
      path: 'headers.referrerPolicy.policy[1]',
    });
    assert.throws(() => rp('origin, origin'), { code: 'BARBICAN_E_CONFLICT' });
  });

  it('refuses unknown tokens with a suggestion', () => {
    assert.throws(() => rp({ policy: 'no-referer' }), {
      code: 'BARBICAN_E_ENUM',
      hint: 'Did you mean "no-referrer"?',
    });
    assert.throws(() => rp({ policy: ['origin', 'same_origin'] }), {
      code: 'BARBICAN_E_ENUM',
      path: 'headers.referrerPolicy.policy[1]',
      hint: 'Did you mean "same-origin"?',
    });
    assert.throws(() => rp('never'), { code: 'BARBICAN_E_ENUM' });
    assert.throws(() => rp({ policy: 'No-Referrer' }), { code: 'BARBICAN_E_ENUM' });
  });

  it('refuses an empty list and an empty raw value', () => {
    assert.throws(() => rp({ policy: [] }), { code: 'BARBICAN_E_RANGE' });
    assert.throws(() => rp(' , '), /BARBICAN_E_(RANGE|HEADER_SYNTAX)/);
  });

  for (const bad of ['origin\r\nX: y', 'origin\n', 'origin\0', 'orígin', 1, null, {}, [1]]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => rp({ policy: bad }),
        (e: { path?: string }) => e.path?.startsWith('headers.referrerPolicy.policy') === true,
      );
    });
  }

  it('refuses CR/LF in a raw value (header injection)', () => {
    assert.throws(() => rp('origin\r\nSet-Cookie: a=b'), { code: 'BARBICAN_E_UNSAFE_VALUE' });
  });
});

describe('parseReferrerPolicy (Referrer Policy §8.1)', () => {
  it('applies the last recognised token, as browsers do', () => {
    assert.equal(
      parseReferrerPolicy('no-referrer, strict-origin-when-cross-origin').policy,
      'strict-origin-when-cross-origin',
    );
    assert.equal(parseReferrerPolicy('origin, bogus').policy, 'origin');
    assert.equal(parseReferrerPolicy('bogus').policy, undefined);
    assert.equal(parseReferrerPolicy('').policy, undefined);
    assert.equal(parseReferrerPolicy(',, same-origin ,').policy, 'same-origin');
  });

  it('matches tokens exactly (the spec compares strings)', () => {
    assert.equal(parseReferrerPolicy('No-Referrer').policy, undefined);
  });

  it('reports unknown tokens with a suggestion and flags unsafe-url', () => {
    const r = parseReferrerPolicy('no-referer');
    assert.equal(r.valid, false);
    assert.match(r.problems[0]?.message ?? '', /did you mean no-referrer/);
    assert.ok(
      parseReferrerPolicy('unsafe-url').problems.some(
        (p) => p.code === 'referrer_policy.unsafe_url',
      ),
    );
  });

  it('never throws; the policy is always a token or undefined', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.anything(),
          fc
            .array(fc.constantFrom(...REFERRER_POLICY_TOKENS, 'x', ' ', ''))
            .map((a) => a.join(',')),
        ),
        (s) => {
          const r = parseReferrerPolicy(s as string);
          assert.ok(
            r.policy === undefined ||
              (REFERRER_POLICY_TOKENS as readonly string[]).includes(r.policy),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips every list the builder writes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...REFERRER_POLICY_TOKENS), { minLength: 1 }),
        (list) => {
          const r = parseReferrerPolicy(rp({ policy: list }) ?? '');
          assert.equal(r.valid, true);
          assert.equal(r.policy, list.at(-1));
        },
      ),
      { numRuns: 100 },
    );
  });
});
