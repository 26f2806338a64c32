import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { csp } from './index.ts';
import { parseCsp } from './parse.ts';

const only = (value: string | string[]) => parseCsp(value).policies.map((p) => [...p.directives]);

describe('parseCsp (CSP3 §2.2)', () => {
  it('splits a policy strictly on ";" and a directive value on ASCII whitespace', () => {
    assert.deepEqual(only("default-src 'self'  https://a.example\t;img-src *;"), [
      [
        ['default-src', ["'self'", 'https://a.example']],
        ['img-src', ['*']],
      ],
    ]);
  });

  it('reads comma-separated policies in one field as separate policies', () => {
    const r = parseCsp("default-src 'self', script-src 'none'");
    assert.equal(r.policies.length, 2);
    assert.deepEqual(r.policies[1]?.directives.get('script-src'), ["'none'"]);
    assert.equal(r.policies.at(1)?.offset, 20);
  });

  it('reads every field value of a response, each with its own field index', () => {
    const r = parseCsp(["default-src 'self'", "frame-ancestors 'none'"], { reportOnly: true });
    assert.deepEqual(
      r.policies.map((p) => [p.field, p.disposition, [...p.directives.keys()]]),
      [
        [0, 'report', ['default-src']],
        [1, 'report', ['frame-ancestors']],
      ],
    );
  });

  it('does not split on a comma inside a double-quoted string (Fetch "get, decode, and split")', () => {
    assert.equal(parseCsp('sandbox "a,b", img-src *').policies.length, 2);
  });

  it('lower-cases names but keeps value case (nonces and hashes are case-sensitive)', () => {
    const d = parseCsp("SCRIPT-Src 'NONCE-AbC' 'SELF'").policies[0]?.directives;
    assert.deepEqual([...(d ?? [])], [['script-src', ["'NONCE-AbC'", "'SELF'"]]]);
  });

  it('keeps the first of duplicate directives and warns with the offset of the repeat', () => {
    const p = parseCsp("script-src 'self'; script-src *").policies.at(0);
    assert.deepEqual(p?.directives.get('script-src'), ["'self'"]);
    assert.deepEqual(
      p.problems.map((x) => [x.code, x.severity, x.offset]),
      [['csp.directive.duplicate', 'warning', 19]],
    );
  });

  it('treats names as case-insensitive when finding duplicates', () => {
    const p = parseCsp("img-src 'self'; IMG-SRC *").policies.at(0);
    assert.deepEqual(p?.directives.get('img-src'), ["'self'"]);
  });

  it('skips a directive with non-ASCII characters and reports where', () => {
    const p = parseCsp("img-src ex\u00e4mple.com; script-src 'self'").policies.at(0);
    assert.deepEqual([...(p?.directives.keys() ?? [])], ['script-src']);
    assert.deepEqual(
      p?.problems.map((x) => [x.code, x.offset]),
      [['csp.directive.non_ascii', 10]],
    );
  });

  it('drops policies without directives', () => {
    for (const v of ['', ' ', ';;', ' ; ,  ;', ',']) {
      const r = parseCsp(v);
      assert.equal(r.policies.length, 0, JSON.stringify(v));
      assert.ok(r.problems.every((p) => p.code === 'csp.policy.empty'));
    }
  });

  it('keeps a directive with an empty value', () => {
    assert.deepEqual(only('upgrade-insecure-requests; sandbox'), [
      [
        ['upgrade-insecure-requests', []],
        ['sandbox', []],
      ],
    ]);
  });

  it('records each token offset', () => {
    const d = parseCsp("  script-src  'self'   https://x.example").policies[0]?.list[0];
    assert.deepEqual([d?.offset, d?.end, d?.valueOffsets], [2, 40, [14, 23]]);
  });

  it('in validate mode, reports unknown directives, bad sources and deprecations with offsets', () => {
    const p = parseCsp("scirpt-src 'self'; img-src self; block-all-mixed-content", {
      validate: true,
    }).policies.at(0);
    assert.deepEqual(
      p?.problems.map((x) => [x.code, x.severity, x.offset, x.errorCode]),
      [
        ['csp.directive.unknown', 'error', 0, 'BARBICAN_E_CSP_DIRECTIVE'],
        ['csp.source.unquoted_keyword', 'error', 27, 'BARBICAN_E_CSP_UNQUOTED_KEYWORD'],
        ['csp.directive.deprecated', 'warning', 33, undefined],
      ],
    );
    assert.equal(p.problems.at(0)?.hint, 'Did you mean "script-src"?');
  });

  it('never throws, and every offset is inside its field', () => {
    const alphabet = fc.constantFrom(...';,\' \t"\\abc-*:/\u00e9\r\n='.split(''));
    const field = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: alphabet, maxLength: 60 }),
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 3 }), fc.boolean(), (fields, v) => {
        const r = parseCsp(fields, { validate: v });
        const problems = [...r.problems, ...r.policies.flatMap((p) => p.problems)];
        for (const p of problems) {
          const len = fields[p.field]?.length ?? -1;
          assert.ok(p.offset >= 0 && p.offset <= len, JSON.stringify(p));
        }
        for (const p of r.policies) {
          assert.ok(p.directives.size > 0);
          for (const d of p.list)
            assert.ok(d.offset >= 0 && d.end <= (fields[p.field]?.length ?? 0));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on values that are not strings', () => {
    for (const v of [undefined, null, 42, {}, [null, 1]]) {
      assert.deepEqual(parseCsp(v as never).policies, []);
    }
  });

  it('stays linear on a hostile field with many commas and no semicolons', () => {
    const r = parseCsp(`${'a,'.repeat(50_000)}b`);
    assert.equal(r.policies.length, 50_001);
  });
});

describe('builder → parser round trip', () => {
  const source = fc.constantFrom(
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'strict-dynamic'",
    "'report-sample'",
    'https:',
    'data:',
    '*',
    '*.example.com',
    'https://cdn.example.com:8443/lib/',
    'example.org',
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
  );
  const name = fc.constantFrom(
    'default-src',
    'script-src',
    'style-src',
    'img-src',
    'connect-src',
    'font-src',
    'object-src',
    'base-uri',
    'form-action',
    'worker-src',
  );

  it('parses every policy the builder writes back into the same directives', () => {
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.uniqueArray(source, { minLength: 1, maxLength: 4 }), {
          minKeys: 1,
        }),
        (raw) => {
          // 'none' stands alone; drop it from mixed lists.
          const directives = Object.fromEntries(
            Object.entries(raw).map(([k, v]) => [
              k,
              v.length > 1 ? v.filter((s) => s !== "'none'") : v,
            ]),
          );
          // Straight through the module: presets must not leak into the comparison.
          const [emission] = csp.compile({ directives }, { warn: () => undefined }, 'headers.csp');
          const value = emission?.value;
          const parsed = parseCsp(value ?? '', { validate: true });
          assert.equal(parsed.policies.length, 1);
          const p = parsed.policies.at(0);
          assert.deepEqual(p?.problems, []);
          assert.deepEqual(Object.fromEntries(p.directives), directives);
        },
      ),
      { numRuns: 300 },
    );
  });
});
