/**
 * The builder tests every one-token header shares (X-Content-Type-Options,
 * X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, Origin-Agent-Cluster): each header's
 * own test file calls {@link describeTokenHeader} with its row, and
 * {@link assertTokenParserTotal} with its parser.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BarbicanError } from '../../src/errors.ts';
import { HEADER_MODULES, type HeaderKey } from '../../src/headers/index.ts';
import type { TokenParseResult } from '../../src/headers/single-token.ts';
import { createPolicy } from '../../src/policy/index.ts';

/** One one-token header: key, header name, default, every allowed value, a typo and its suggestion. */
export interface TokenHeaderRow {
  readonly key: HeaderKey;
  readonly name: string;
  readonly def: string;
  readonly values: readonly string[];
  readonly typo: string;
  readonly suggestion: string;
}

const only = (key: string, value: unknown, https = true): [string, string][] => {
  // Only this module's header, so other presets' headers never leak in.
  const names: readonly string[] = HEADER_MODULES[key as HeaderKey].headerNames;
  return createPolicy({ preset: 'api', headers: { [key]: value }, removeHeaders: false })
    .headersFor({ https })
    .filter(([n]) => names.includes(n));
};

/** The builder behaviour every one-token header shares. */
export function describeTokenHeader({ key, name, def, values, typo, suggestion }: TokenHeaderRow) {
  describe(`${name} builder`, () => {
    it(`sends ${def} for true`, () => {
      assert.deepEqual(only(key, true), [[name, def]]);
      assert.deepEqual(only(key, true, false), [[name, def]]);
    });

    it('sends nothing for false', () => {
      assert.deepEqual(only(key, false), []);
    });

    for (const v of values) {
      it(`sends ${v} from the object form and the raw form`, () => {
        assert.deepEqual(only(key, { value: v }), [[name, v]]);
        assert.deepEqual(only(key, v), [[name, v]]);
      });
    }

    it('suggests the value meant for a typo', () => {
      assert.throws(() => only(key, { value: typo }), {
        code: 'BARBICAN_E_ENUM',
        path: `headers.${key}.value`,
        hint: `Did you mean "${suggestion}"?`,
      });
      assert.throws(() => only(key, typo), { code: 'BARBICAN_E_ENUM', path: `headers.${key}` });
    });

    it('refuses unknown options with a suggestion', () => {
      assert.throws(() => only(key, { valu: def }), {
        code: 'BARBICAN_E_UNKNOWN_OPTION',
        hint: 'Did you mean "value"?',
      });
    });

    for (const bad of [`${def}\r\nSet-Cookie: a=b`, `${def}\n`, `${def}\0`, `${def}\u00e9`]) {
      it(`refuses ${JSON.stringify(bad)} (header injection)`, () => {
        assert.throws(() => only(key, bad), { code: 'BARBICAN_E_UNSAFE_VALUE' });
        assert.throws(() => only(key, { value: bad }), BarbicanError);
      });
    }

    for (const bad of [1, null, [], {}, 1n, Symbol.iterator]) {
      it(`refuses value ${typeof bad === 'symbol' ? 'a symbol' : JSON.stringify(bad, (_k, v: unknown) => (typeof v === 'bigint' ? 'bigint' : v))}`, () => {
        assert.throws(() => only(key, { value: bad }), BarbicanError);
      });
    }
  });
}

/** A one-token parser never throws, whatever the input, and `valid` means a token was found. */
export function assertTokenParserTotal(parse: (value: string) => TokenParseResult<string>): void {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
      const r = parse(s as string);
      assert.equal(r.valid, r.token !== undefined);
      for (const p of r.problems) assert.ok(p.offset >= 0);
    }),
    { numRuns: 300 },
  );
}
