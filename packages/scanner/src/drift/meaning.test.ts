import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '@barbican/core';
import { HEADER_MEANINGS, meaningOf } from './meaning.ts';

const same = (name: string, a: string | string[], b: string | string[]): boolean =>
  meaningOf(name, typeof a === 'string' ? [a] : a) ===
  meaningOf(name, typeof b === 'string' ? [b] : b);

/** Pairs that mean the same: spelling differences a server config introduces. */
const EQUAL: readonly (readonly [string, string | string[], string | string[]])[] = [
  [
    'content-security-policy',
    "default-src 'self'; img-src 'self' data:; object-src 'none'",
    "object-src 'NONE' ;img-src data: 'self';default-src 'Self';",
  ],
  [
    'content-security-policy',
    "script-src 'nonce-abc' 'strict-dynamic'",
    "script-src 'strict-dynamic' 'nonce-xyz123'",
  ],
  [
    'content-security-policy',
    'img-src HTTPS://CDN.Example/Path',
    'img-src https://cdn.example/Path',
  ],
  ['content-security-policy', 'img-src CDN.Example:443/Path', 'img-src cdn.example:443/Path'],
  [
    'content-security-policy',
    'sandbox ALLOW-SCRIPTS allow-forms',
    'sandbox allow-forms allow-scripts',
  ],
  ['content-security-policy', "default-src 'self' 'self'", "default-src 'self'"],
  [
    'content-security-policy',
    ["default-src 'self'", "script-src 'none'"],
    "script-src 'none', default-src 'self'",
  ],
  [
    'strict-transport-security',
    'max-age=63072000; includeSubDomains',
    'includesubdomains ;MAX-AGE="63072000"',
  ],
  [
    'permissions-policy',
    'camera=(), geolocation=(self "https://maps.example")',
    'geolocation=("https://maps.example" self),camera=()',
  ],
  [
    'referrer-policy',
    'no-referrer, strict-origin-when-cross-origin',
    'strict-origin-when-cross-origin',
  ],
  ['x-frame-options', 'DENY', ' deny '],
  ['x-content-type-options', 'nosniff', 'NoSniff'],
  ['cross-origin-opener-policy', 'same-origin; report-to="coop"', 'same-origin;report-to="coop"'],
  ['cache-control', 'no-store, max-age=0', 'max-age=0,no-store'],
  ['expires', '0', 'Thu, 01 Jan 1970 00:00:00 GMT'],
  ['clear-site-data', '"cache", "cookies"', '"cookies","cache"'],
  [
    'reporting-endpoints',
    'csp="https://r.example/csp", default="https://r.example/"',
    'default="https://r.example/",csp="https://r.example/csp"',
  ],
  [
    'report-to',
    '{"group":"g","max_age":60,"endpoints":[{"url":"https://r.example/"}]}',
    '{"endpoints":[{"url":"https://r.example/"}],"max_age":60,"group":"g"}',
  ],
  ['nel', '{"report_to":"nel","max_age":60}', '{ "max_age": 60, "report_to": "nel" }'],
  ['x-custom', 'a; b, c', 'a ;b ,c'],
];

/** Pairs that differ in meaning: what drift must report. */
const DIFFERENT: readonly (readonly [string, string | string[], string | string[]])[] = [
  ['content-security-policy', "default-src 'self'", "default-src 'self' https:"],
  ['content-security-policy', "default-src 'self'", ["default-src 'self'", "default-src 'self'"]],
  ['content-security-policy', 'img-src https://cdn.example/a', 'img-src https://cdn.example/A'],
  ['content-security-policy', 'img-src cdn.example/a', 'img-src cdn.example/A'],
  [
    'content-security-policy',
    "report-to csp; default-src 'self'",
    "report-to CSP; default-src 'self'",
  ],
  ['content-security-policy', "script-src 'sha256-AbC='", "script-src 'sha256-abc='"],
  ['strict-transport-security', 'max-age=63072000', 'max-age=63072000; includeSubDomains'],
  ['strict-transport-security', 'max-age=1; max-age=1', 'max-age=1'],
  ['permissions-policy', 'camera=()', 'camera=(self)'],
  ['x-frame-options', 'DENY', 'SAMEORIGIN'],
  ['x-frame-options', 'DENY', 'DENY, DENY'],
  ['referrer-policy', 'no-referrer', 'origin'],
  ['x-xss-protection', '0', '1; mode=block'],
  ['cross-origin-resource-policy', 'same-origin', 'Same-Origin'],
  ['x-custom', 'a', 'A'],
];

describe('meaningOf: headers compared by meaning, with core parsers', () => {
  for (const [name, a, b] of EQUAL) {
    it(`${name}: ${JSON.stringify(a)} means ${JSON.stringify(b)}`, () => {
      assert.ok(same(name, a, b));
    });
  }
  for (const [name, a, b] of DIFFERENT) {
    it(`${name}: ${JSON.stringify(a)} differs from ${JSON.stringify(b)}`, () => {
      assert.ok(!same(name, a, b));
    });
  }

  it('has a reading for every header a policy can send', async () => {
    const { HEADER_MODULES } = await import('@barbican/core');
    const names = Object.values(HEADER_MODULES).flatMap((m) =>
      m.headerNames.map((n) => n.toLowerCase()),
    );
    assert.deepEqual(
      names.filter((n) => !Object.hasOwn(HEADER_MEANINGS, n)),
      [],
    );
  });

  it('reads every preset header as equal to itself and never as invalid', () => {
    for (const preset of [
      'barbican',
      'strict',
      'owasp',
      'helmet',
      'secure-py',
      'openkat',
      'api',
    ] as const) {
      const policy = createPolicy({ preset, ignoreWarnings: [] });
      for (const [name, value] of policy.headersFor({ https: true })) {
        const m = meaningOf(name, [value]);
        assert.doesNotMatch(m, /"invalid"/, `${preset} ${name}: ${value}`);
      }
    }
  });

  it('ignores CSP directive order, spacing and keyword case (property)', () => {
    const directive = fc.constantFrom(
      "default-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      'upgrade-insecure-requests',
      "frame-ancestors 'none'",
      "script-src 'self' https://cdn.example",
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(directive, { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(' ', '', '  ', '\t'), { minLength: 8, maxLength: 8 }),
        (dirs, spaces) => {
          const canonical = dirs.join('; ');
          const shuffled = [...dirs]
            .reverse()
            .map((d, i) => `${spaces[i % spaces.length] ?? ''}${d.replace("'self'", "'SELF'")}`)
            .join(`;${spaces[7] ?? ''}`);
          return same('content-security-policy', canonical, `${shuffled};`);
        },
      ),
    );
  });

  it('never throws on hostile bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(HEADER_MEANINGS), 'x-other', 'constructor', '__proto__'),
        fc.array(fc.string({ maxLength: 300 }), { maxLength: 4 }),
        (name, values) => typeof meaningOf(name, values) === 'string',
      ),
    );
  });
});
