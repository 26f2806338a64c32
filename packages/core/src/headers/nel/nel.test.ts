import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { parseNel } from './index.ts';

const build = (headers: object) => createPolicy({ allowedHosts: ['*'], headers });
const sent = (headers: object, name: string): string | undefined =>
  build(headers)
    .headersFor({ https: true })
    .find(([n]) => n === name)?.[1];

describe('NEL builder', () => {
  it('writes compact JSON in a fixed member order', () => {
    assert.equal(
      sent(
        { nel: { failure_fraction: 1, max_age: 86400, report_to: 'nel', success_fraction: 0.05 } },
        'NEL',
      ),
      '{"report_to":"nel","max_age":86400,"success_fraction":0.05,"failure_fraction":1}',
    );
    assert.equal(sent({ nel: true }, 'NEL'), '{"report_to":"default","max_age":86400}');
  });

  it('checks fractions, ages and header names', () => {
    const cases: [object, string, string][] = [
      [{ success_fraction: 5 }, 'BARBICAN_E_RANGE', 'headers.nel.success_fraction'],
      [{ failure_fraction: -0.1 }, 'BARBICAN_E_RANGE', 'headers.nel.failure_fraction'],
      [{ failure_fraction: Number.NaN }, 'BARBICAN_E_TYPE', 'headers.nel.failure_fraction'],
      [{ failure_fraction: '1' }, 'BARBICAN_E_TYPE', 'headers.nel.failure_fraction'],
      [{ max_age: 1.5 }, 'BARBICAN_E_TYPE', 'headers.nel.max_age'],
      [{ report_to: '' }, 'BARBICAN_E_RANGE', 'headers.nel.report_to'],
      [{ report_to: 'a\nb' }, 'BARBICAN_E_UNSAFE_VALUE', 'headers.nel.report_to'],
      [{ request_headers: ['X Bad'] }, 'BARBICAN_E_TYPE', 'headers.nel.request_headers[0]'],
      [{ reportTo: 'x' }, 'BARBICAN_E_UNKNOWN_OPTION', 'headers.nel.reportTo'],
    ];
    for (const [opts, code, path] of cases) {
      assert.throws(() => build({ nel: opts }), { code, path }, JSON.stringify(opts));
    }
  });

  it('validates raw strings and parses what it writes', () => {
    assert.throws(() => build({ nel: '{"max_age":1}' }), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => build({ nel: '{"report_to":"a","max_age":1,"failure_fraction":2}' }), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
    const r = parseNel('{"report_to":"nel","max_age":60,"future":true}');
    assert.equal(r.valid, true);
    assert.deepEqual(
      r.problems.map((p) => p.code),
      ['nel.member.unknown'],
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        assert.equal(typeof parseNel(s).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
  });
});
