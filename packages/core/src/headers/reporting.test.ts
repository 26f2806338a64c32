import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy } from '../policy/index.ts';
import type { HeadersOptions } from './index.ts';
import { undefinedReportingEndpoints } from './reporting.ts';

const CODE = 'BARBICAN_W_UNDEFINED_REPORT_ENDPOINT';
const build = (headers: HeadersOptions) => createPolicy({ allowedHosts: ['*'], headers });
const warned = (headers: HeadersOptions) =>
  build(headers)
    .warnings.filter((w) => w.code === CODE)
    .map((w) => w.path);
const endpoints = { reportingEndpoints: { endpoints: { csp: 'https://r.example/csp' } } };

describe('reporting cross-check: report-to names need an endpoint', () => {
  it('finds report-to names COOP/COEP use but Reporting-Endpoints does not define', () => {
    const p = build({
      reportingEndpoints: { endpoints: { coop: 'https://r.example/' } },
      crossOriginOpenerPolicy: { reportTo: 'coop' },
      crossOriginEmbedderPolicyReportOnly: { reportTo: 'coep' },
    });
    assert.deepEqual(undefinedReportingEndpoints(p.resolved), [
      { path: 'headers.crossOriginEmbedderPolicyReportOnly.reportTo', name: 'coep' },
    ]);
  });

  it("checks CSP's and CSP-Report-Only's report-to directive", () => {
    const csp = { directives: { 'default-src': ["'self'"], 'report-to': ['csp'] } };
    assert.deepEqual(warned({ csp }), ['headers.csp.directives.report-to']);
    assert.deepEqual(warned({ cspReportOnly: csp }), [
      'headers.cspReportOnly.directives.report-to',
    ]);
    assert.deepEqual(warned({ csp, ...endpoints }), []);
  });

  it('reads raw CSP and COOP values too', () => {
    assert.deepEqual(warned({ csp: "default-src 'self'; report-to csp" }), ['headers.csp']);
    assert.deepEqual(warned({ csp: "default-src 'self'; REPORT-TO csp", ...endpoints }), []);
    assert.deepEqual(warned({ crossOriginOpenerPolicy: 'same-origin; report-to="coop"' }), [
      'headers.crossOriginOpenerPolicy',
    ]);
  });

  it('counts Report-To groups (older Chromium) as defined, unnamed ones as "default"', () => {
    const csp = { directives: { 'default-src': ["'self'"], 'report-to': ['default'] } };
    const group = { max_age: 86_400, endpoints: [{ url: 'https://r.example/' }] };
    assert.deepEqual(warned({ csp, reportTo: { groups: [group] } }), []);
    assert.deepEqual(
      warned({ csp, reportTo: '{"max_age":86400,"endpoints":[{"url":"https://r.example/"}]}' }),
      [],
    );
  });

  it('is a createPolicy warning the user can silence by code', () => {
    const w = build({ crossOriginOpenerPolicy: { reportTo: 'coop' } }).warnings.find(
      (x) => x.code === CODE,
    );
    assert.match(w?.message ?? '', /report-to "coop" is not defined/);
    const quiet = createPolicy({
      allowedHosts: ['*'],
      ignoreWarnings: [CODE],
      headers: { crossOriginOpenerPolicy: { reportTo: 'coop' } },
    });
    assert.deepEqual(quiet.warnings, []);
  });
});
