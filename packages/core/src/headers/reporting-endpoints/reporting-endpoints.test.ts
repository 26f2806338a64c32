import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { parseReportingEndpoints, reportingEndpoints } from './index.ts';

const build = (headers: object) => createPolicy({ headers });
const sent = (headers: object): string | undefined =>
  build(headers)
    .headersFor({ https: true })
    .find(([n]) => n === 'Reporting-Endpoints')?.[1];

describe('Reporting-Endpoints builder', () => {
  it('writes a structured-field dictionary of quoted URLs', () => {
    assert.equal(
      sent({
        reportingEndpoints: {
          endpoints: { csp: 'https://r.example/csp', 'coop-1': 'https://r.example/c?a="b"' },
        },
      }),
      'csp="https://r.example/csp", coop-1="https://r.example/c?a=\\"b\\""',
    );
  });

  it('sends nothing without endpoints', () => {
    assert.equal(sent({ reportingEndpoints: true }), undefined);
  });

  it('accepts http only on loopback, for local development', () => {
    assert.equal(
      sent({ reportingEndpoints: { endpoints: { dev: 'http://localhost:8080/r' } } }),
      'dev="http://localhost:8080/r"',
    );
    for (const url of [
      'http://r.example/',
      'ftp://r.example/',
      '/relative',
      'https://u:p@r.example/',
      'https://r.example/#x',
      'javascript:alert(1)',
    ]) {
      assert.throws(
        () => sent({ reportingEndpoints: { endpoints: { a: url } } }),
        { path: 'headers.reportingEndpoints.endpoints.a' },
        url,
      );
    }
  });

  it('refuses names that are not structured-field keys and hostile values', () => {
    assert.throws(
      () => sent({ reportingEndpoints: { endpoints: { CSP: 'https://r.example/' } } }),
      {
        code: 'BARBICAN_E_HEADER_SYNTAX',
        hint: 'Write "csp"',
      },
    );
    for (const url of [
      'https://r.example/\r\nX: y',
      'https://r.example/\u0000',
      'https://r.exämple/',
    ]) {
      assert.throws(() => sent({ reportingEndpoints: { endpoints: { a: url } } }), {
        code: 'BARBICAN_E_UNSAFE_VALUE',
      });
    }
    assert.throws(() => sent({ reportingEndpoints: { endpoints: { a: 1 } } }), {
      code: 'BARBICAN_E_TYPE',
    });
    assert.throws(() => sent({ reportingEndpoints: { endpoints: ['https://r.example/'] } }), {
      code: 'BARBICAN_E_TYPE',
    });
    assert.throws(
      () =>
        sent({ reportingEndpoints: { endpoints: { a: `https://r.example/${'x'.repeat(3000)}` } } }),
      { code: 'BARBICAN_E_RANGE' },
    );
  });

  it('validates raw strings', () => {
    assert.equal(
      sent({ reportingEndpoints: 'csp="https://r.example/"' }),
      'csp="https://r.example/"',
    );
    assert.throws(() => sent({ reportingEndpoints: 'csp=https://r.example/' }), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
    assert.throws(() => sent({ reportingEndpoints: 'csp="http://r.example/"' }), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
  });

  it('merges route overrides endpoint by endpoint', () => {
    const p = build({ reportingEndpoints: { endpoints: { a: 'https://a.example/' } } }).extend({
      headers: { reportingEndpoints: { endpoints: { b: 'https://b.example/' } } },
    });
    assert.equal(
      p.headersFor({ https: true }).find(([n]) => n === 'Reporting-Endpoints')?.[1],
      'a="https://a.example/", b="https://b.example/"',
    );
  });
});

describe('parseReportingEndpoints', () => {
  it('keeps string members and reports what browsers skip', () => {
    const r = parseReportingEndpoints(
      'a="https://a.example/", b=1, c="http://c.example/", d="/rel"',
    );
    assert.deepEqual({ ...r.endpoints }, { a: 'https://a.example/', d: '/rel' });
    assert.deepEqual(
      r.problems.map((p) => [p.code, p.offset]),
      [
        ['reporting_endpoints.value.type', 24],
        ['reporting_endpoints.url.untrustworthy', 29],
      ],
    );
  });

  it('never throws; whatever the builder writes parses back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        assert.equal(typeof parseReportingEndpoints(s).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
          fc.webUrl({ validSchemes: ['https'] }),
          { minKeys: 1 },
        ),
        (endpoints) => {
          const [e] = reportingEndpoints.compile({ endpoints }, { warn: () => {} }, 'x');
          assert.deepEqual(
            { ...parseReportingEndpoints(e?.value ?? '').endpoints },
            { ...endpoints },
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
