import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { parseReportTo } from './index.ts';

const build = (headers: object) => createPolicy({ allowedHosts: ['*'], headers });
const sent = (headers: object, name: string): string | undefined =>
  build(headers)
    .headersFor({ https: true })
    .find(([n]) => n === name)?.[1];

const group = { group: 'nel', max_age: 86400, endpoints: [{ url: 'https://r.example/nel' }] };

describe('Report-To builder (legacy)', () => {
  it('writes compact JSON groups joined by commas, and warns it is deprecated', () => {
    const p = build({
      reportTo: { groups: [group, { ...group, group: 'csp', include_subdomains: true }] },
    });
    assert.equal(
      p.headersFor({ https: true }).find(([n]) => n === 'Report-To')?.[1],
      '{"group":"nel","max_age":86400,"endpoints":[{"url":"https://r.example/nel"}]}, {"group":"csp","max_age":86400,"endpoints":[{"url":"https://r.example/nel"}],"include_subdomains":true}',
    );
    assert.deepEqual(
      p.warnings.map((w) => [w.code, w.path]),
      [['BARBICAN_W_DEPRECATED_HEADER', 'headers.reportTo']],
    );
  });

  it('checks types, ranges and required members with option paths', () => {
    const cases: [object, string, string][] = [
      [{ groups: [] }, 'BARBICAN_E_RANGE', 'headers.reportTo.groups'],
      [
        { groups: [{ ...group, max_age: -1 }] },
        'BARBICAN_E_RANGE',
        'headers.reportTo.groups[0].max_age',
      ],
      [
        { groups: [{ ...group, max_age: '60' }] },
        'BARBICAN_E_TYPE',
        'headers.reportTo.groups[0].max_age',
      ],
      [
        { groups: [{ group: 'x', endpoints: group.endpoints }] },
        'BARBICAN_E_TYPE',
        'headers.reportTo.groups[0].max_age',
      ],
      [
        { groups: [{ ...group, endpoints: [] }] },
        'BARBICAN_E_RANGE',
        'headers.reportTo.groups[0].endpoints',
      ],
      [
        { groups: [{ ...group, endpoints: [{}] }] },
        'BARBICAN_E_TYPE',
        'headers.reportTo.groups[0].endpoints[0].url',
      ],
      [
        { groups: [{ ...group, endpoints: [{ url: 'http://r.example/' }] }] },
        'BARBICAN_E_TYPE',
        'headers.reportTo.groups[0].endpoints[0].url',
      ],
      [
        { groups: [{ ...group, group: 'a\r\nX: y' }] },
        'BARBICAN_E_UNSAFE_VALUE',
        'headers.reportTo.groups[0].group',
      ],
      [
        { groups: [{ ...group, group: 'grüppe' }] },
        'BARBICAN_E_UNSAFE_VALUE',
        'headers.reportTo.groups[0].group',
      ],
      [
        { groups: [{ ...group, maxAge: 1 }] },
        'BARBICAN_E_UNKNOWN_OPTION',
        'headers.reportTo.groups[0].maxAge',
      ],
    ];
    for (const [opts, code, path] of cases) {
      assert.throws(() => build({ reportTo: opts }), { code, path }, JSON.stringify(opts));
    }
    assert.throws(() => build({ reportTo: true }), {
      code: 'BARBICAN_E_TYPE',
      path: 'headers.reportTo.groups',
    });
  });

  it('validates raw strings', () => {
    const raw = JSON.stringify(group);
    assert.equal(sent({ reportTo: raw }, 'Report-To'), raw);
    assert.throws(() => build({ reportTo: '{"group":' }), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(
      () => build({ reportTo: '{"max_age":1,"endpoints":[{"url":"http://x.example/"}]}' }),
      { code: 'BARBICAN_E_HEADER_SYNTAX' },
    );
  });
});

describe('parseReportTo', () => {
  it('reads groups, defaulting the name to "default"', () => {
    const r = parseReportTo(
      '{"max_age":60,"endpoints":[{"url":"https://r.example/"}]}, {"group":"b","max_age":1,"endpoints":[]}',
    );
    assert.deepEqual(
      r.groups.map((g) => [g.group, g.max_age, g.endpoints.length]),
      [
        ['default', 60, 1],
        ['b', 1, 0],
      ],
    );
  });

  it('never throws on hostile input', () => {
    for (const v of [
      '',
      ']',
      '1],[2',
      '{"__proto__":{"x":1},"max_age":1,"endpoints":[]}',
      '{'.repeat(10_000),
      42 as never,
    ]) {
      assert.equal(typeof parseReportTo(v).valid, 'boolean');
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        assert.equal(typeof parseReportTo(s).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
  });
});
