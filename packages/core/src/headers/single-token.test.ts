import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BarbicanError } from '../errors.ts';
import { createPolicy } from '../policy/index.ts';
import { HEADER_MODULES, type HeaderKey } from './index.ts';
import { parseOriginAgentCluster } from './origin-agent-cluster/index.ts';
import { parseXContentTypeOptions } from './x-content-type-options/index.ts';
import { parseXDnsPrefetchControl } from './x-dns-prefetch-control/index.ts';
import { parseXDownloadOptions } from './x-download-options/index.ts';
import { parseXPermittedCrossDomainPolicies } from './x-permitted-cross-domain-policies/index.ts';

const only = (key: string, value: unknown, https = true): [string, string][] => {
  // Only this module's header, so other presets' headers never leak in.
  const names: readonly string[] = HEADER_MODULES[key as HeaderKey].headerNames;
  return createPolicy({ preset: 'api', headers: { [key]: value }, removeHeaders: false })
    .headersFor({ https })
    .filter(([n]) => names.includes(n));
};

// One row per one-token header: key, header name, default, every allowed value, a typo and its suggestion.
const HEADERS = [
  ['xContentTypeOptions', 'X-Content-Type-Options', 'nosniff', ['nosniff'], 'nosnif', 'nosniff'],
  ['xDnsPrefetchControl', 'X-DNS-Prefetch-Control', 'off', ['off', 'on'], 'of', 'off'],
  ['xDownloadOptions', 'X-Download-Options', 'noopen', ['noopen'], 'no-open', 'noopen'],
  [
    'xPermittedCrossDomainPolicies',
    'X-Permitted-Cross-Domain-Policies',
    'none',
    ['none', 'master-only', 'by-content-type', 'by-ftp-filename', 'all', 'none-this-response'],
    'master_only',
    'master-only',
  ],
  ['originAgentCluster', 'Origin-Agent-Cluster', '?1', ['?1', '?0'], '?2', '?1'],
] as const;

for (const [key, name, def, values, typo, suggestion] of HEADERS) {
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

describe('one-token parsers', () => {
  it('X-Content-Type-Options: only the first value counts, any case (Fetch "determine nosniff")', () => {
    assert.equal(parseXContentTypeOptions('NoSniff').valid, true);
    const r = parseXContentTypeOptions('nosniff, foo');
    assert.equal(r.valid, true);
    assert.deepEqual(
      r.problems.map((p) => p.code),
      ['x_content_type_options.extra'],
    );
    assert.equal(parseXContentTypeOptions('foo, nosniff').valid, false);
    assert.equal(parseXContentTypeOptions('').valid, false);
  });

  it('Origin-Agent-Cluster is a case-sensitive structured boolean', () => {
    assert.equal(parseOriginAgentCluster('?1').token, '?1');
    assert.equal(parseOriginAgentCluster(' ?0 ').token, '?0');
    assert.equal(parseOriginAgentCluster('1').valid, false);
    assert.equal(parseOriginAgentCluster('?true').valid, false);
  });

  it('token headers compare ignoring case and surrounding spaces', () => {
    assert.equal(parseXDnsPrefetchControl(' OFF ').token, 'off');
    assert.equal(parseXDownloadOptions('NoOpen').token, 'noopen');
    assert.equal(parseXPermittedCrossDomainPolicies('Master-Only').token, 'master-only');
    assert.equal(parseXPermittedCrossDomainPolicies('master-only; x').valid, false);
  });

  it('never throw, whatever the input', () => {
    const parsers = [
      parseXContentTypeOptions,
      parseOriginAgentCluster,
      parseXDnsPrefetchControl,
      parseXDownloadOptions,
      parseXPermittedCrossDomainPolicies,
    ];
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
        for (const parse of parsers) {
          const r = parse(s as string);
          assert.equal(r.valid, r.token !== undefined);
          for (const p of r.problems) assert.ok(p.offset >= 0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
