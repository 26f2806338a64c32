import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { withBarbican } from '../adapters/node.ts';
import { BarbicanError } from '../errors.ts';
import { createPolicy, type PolicyOptions } from '../policy/index.ts';

const URL_ = 'https://collector.example/report/shop';

function headers(options: PolicyOptions, https = true): Record<string, string> {
  return Object.fromEntries(
    createPolicy({ allowedHosts: ['*'], ...options }).headersFor({ https }),
  );
}

function refuse(options: unknown): BarbicanError {
  try {
    createPolicy(options as PolicyOptions);
  } catch (error) {
    assert.ok(error instanceof BarbicanError, String(error));
    return error;
  }
  assert.fail('accepted');
}

const BARBICAN_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'; upgrade-insecure-requests";

describe('report: one line points every reporting header at the collector', () => {
  it('barbican preset: CSP, COOP, Reporting-Endpoints, NEL and Report-To', () => {
    const h = headers({ report: URL_ });
    assert.equal(
      h['Content-Security-Policy'],
      `${BARBICAN_CSP}; report-uri ${URL_}; report-to csp`,
    );
    assert.equal(h['Cross-Origin-Opener-Policy'], 'same-origin;report-to="coop"');
    assert.equal(h['Reporting-Endpoints'], `csp="${URL_}", coop="${URL_}"`);
    assert.equal(h.NEL, '{"report_to":"nel","max_age":86400}');
    assert.equal(h['Report-To'], `{"group":"nel","max_age":86400,"endpoints":[{"url":"${URL_}"}]}`);
    // Nothing the policy did not send before is added, apart from NEL's pair.
    assert.equal(h['Cross-Origin-Embedder-Policy'], undefined);
    assert.equal(h['Content-Security-Policy-Report-Only'], undefined);
  });

  it('raises no warning: the Report-To it adds exists only for NEL', () => {
    const p = createPolicy({ report: URL_, allowedHosts: ['*'] });
    assert.deepEqual(p.warnings, []);
    assert.deepEqual(p.report, {
      csp: URL_,
      coop: URL_,
      coep: URL_,
      nel: URL_,
      folded: ['csp', 'crossOriginOpenerPolicy', 'nel'],
    });
  });

  it('openkat preset: COEP too, every report-to name defined once', () => {
    const h = headers({ preset: 'openkat', report: { endpoint: URL_ } });
    assert.equal(h['Cross-Origin-Embedder-Policy'], 'require-corp;report-to="coep"');
    assert.equal(h['Cross-Origin-Opener-Policy'], 'same-origin;report-to="coop"');
    assert.equal(h['Reporting-Endpoints'], `csp="${URL_}", coop="${URL_}", coep="${URL_}"`);
    const csp = h['Content-Security-Policy'] ?? '';
    assert.equal(csp.split('report-to').length, 2);
    assert.equal(csp.split('report-uri').length, 2);
  });

  it('report-only variants get it as well, when the policy sends them', () => {
    const h = headers({
      preset: 'strict',
      report: URL_,
      headers: {
        cspReportOnly: true,
        crossOriginOpenerPolicyReportOnly: true,
        crossOriginEmbedderPolicyReportOnly: true,
      },
    });
    assert.match(
      h['Content-Security-Policy-Report-Only'] ?? '',
      /; report-uri \S+; report-to csp$/,
    );
    assert.equal(h['Cross-Origin-Opener-Policy-Report-Only'], 'same-origin;report-to="coop"');
    assert.equal(h['Cross-Origin-Embedder-Policy-Report-Only'], 'require-corp;report-to="coep"');
  });

  it('per-kind URLs and false', () => {
    const h = headers({
      preset: 'openkat',
      report: {
        endpoint: URL_,
        coep: false,
        nel: false,
        coop: 'https://coop.example/r',
      },
    });
    assert.equal(h['Cross-Origin-Embedder-Policy'], 'require-corp');
    assert.equal(h.NEL, undefined);
    assert.equal(h['Report-To'], undefined);
    assert.equal(h['Reporting-Endpoints'], `csp="${URL_}", coop="https://coop.example/r"`);
  });

  it('a per-kind URL alone, without endpoint, routes only that kind', () => {
    const h = headers({ report: { csp: URL_ } });
    assert.match(h['Content-Security-Policy'] ?? '', /report-to csp$/);
    assert.equal(h['Cross-Origin-Opener-Policy'], 'same-origin');
    assert.equal(h.NEL, undefined);
  });

  it('nonce CSPs carry it in every per-request value', () => {
    const p = createPolicy({
      report: URL_,
      allowedHosts: ['*'],
      headers: { csp: { nonce: true } },
    });
    const csp = Object.fromEntries(p.headersFor({ https: true, nonce: 'abc' }))[
      'Content-Security-Policy'
    ];
    assert.match(csp ?? '', /'nonce-abc'/);
    assert.match(csp ?? '', /report-uri https:\/\/collector\.example\/report\/shop; report-to csp/);
  });

  it('over plain HTTP too (the collector is https)', () => {
    assert.match(
      headers({ report: URL_ }, false)['Content-Security-Policy'] ?? '',
      /report-to csp$/,
    );
  });

  it('loopback http is accepted for development', () => {
    const h = headers({ report: 'http://127.0.0.1:8080/r' });
    assert.equal(
      h['Reporting-Endpoints'],
      'csp="http://127.0.0.1:8080/r", coop="http://127.0.0.1:8080/r"',
    );
    assert.doesNotThrow(() => createPolicy({ report: 'http://localhost/r' }));
    assert.doesNotThrow(() => createPolicy({ report: 'http://[::1]:9/r' }));
  });
});

describe('report: what a header already says wins', () => {
  it('a CSP with its own report-uri is left alone, and not doubled', () => {
    const h = headers({
      report: URL_,
      headers: { csp: { directives: { 'report-uri': ['https://mine.example/csp'] } } },
    });
    assert.match(h['Content-Security-Policy'] ?? '', /report-uri https:\/\/mine\.example\/csp$/);
    assert.equal(h['Content-Security-Policy']?.includes(URL_), false);
    assert.equal(h['Reporting-Endpoints'], `coop="${URL_}"`);
  });

  it('a report-to name nothing defines gets the collector as its endpoint', () => {
    const p = createPolicy({
      report: URL_,
      allowedHosts: ['*'],
      headers: { csp: { directives: { 'report-to': ['mine'] } } },
    });
    const h = Object.fromEntries(p.headersFor({ https: true }));
    assert.match(h['Content-Security-Policy'] ?? '', /report-to mine$/);
    assert.equal(h['Reporting-Endpoints'], `mine="${URL_}", coop="${URL_}"`);
    assert.deepEqual(p.warnings, []);
  });

  it('a report-to name the user defined keeps its URL', () => {
    const h = headers({
      report: URL_,
      headers: {
        crossOriginOpenerPolicy: { reportTo: 'mine' },
        reportingEndpoints: { endpoints: { mine: 'https://mine.example/coop' } },
      },
    });
    assert.equal(h['Cross-Origin-Opener-Policy'], 'same-origin;report-to="mine"');
    assert.equal(h['Reporting-Endpoints'], `mine="https://mine.example/coop", csp="${URL_}"`);
  });

  it('a raw CSP gets the directives appended; a raw one with report-to is untouched', () => {
    const raw = "default-src 'self';";
    assert.equal(
      headers({ report: URL_, headers: { csp: raw } })['Content-Security-Policy'],
      `default-src 'self'; report-uri ${URL_}; report-to csp`,
    );
    const own = "default-src 'self'; report-to x";
    assert.equal(headers({ report: URL_, headers: { csp: own } })['Content-Security-Policy'], own);
  });

  it('raw COOP gets the parameter; raw Reporting-Endpoints and Report-To get entries appended', () => {
    const h = headers({
      report: URL_,
      headers: {
        crossOriginOpenerPolicy: 'same-origin-allow-popups',
        reportingEndpoints: 'other="https://o.example/r"',
        reportTo: '{"group":"g","max_age":10,"endpoints":[{"url":"https://o.example/g"}]}',
      },
    });
    assert.equal(h['Cross-Origin-Opener-Policy'], 'same-origin-allow-popups;report-to="coop"');
    assert.equal(
      h['Reporting-Endpoints'],
      `other="https://o.example/r", csp="${URL_}", coop="${URL_}"`,
    );
    assert.equal(
      h['Report-To'],
      `{"group":"g","max_age":10,"endpoints":[{"url":"https://o.example/g"}]}, {"group":"nel","max_age":86400,"endpoints":[{"url":"${URL_}"}]}`,
    );
  });

  it("a user's NEL keeps its settings; its group is filled in if missing", () => {
    const h = headers({
      report: URL_,
      headers: { nel: { report_to: 'net', max_age: 600, success_fraction: 0.01 } },
    });
    assert.equal(h.NEL, '{"report_to":"net","max_age":600,"success_fraction":0.01}');
    assert.equal(h['Report-To'], `{"group":"net","max_age":600,"endpoints":[{"url":"${URL_}"}]}`);
  });

  it('a header turned off stays off', () => {
    const h = headers({ report: URL_, headers: { nel: false, crossOriginOpenerPolicy: false } });
    assert.equal(h.NEL, undefined);
    assert.equal(h['Report-To'], undefined);
    assert.equal(h['Cross-Origin-Opener-Policy'], undefined);
    assert.equal(h['Reporting-Endpoints'], `csp="${URL_}"`);
  });

  it("a user's own Report-To still warns that it is deprecated", () => {
    const p = createPolicy({
      report: URL_,
      allowedHosts: ['*'],
      headers: {
        reportTo: {
          groups: [{ group: 'g', max_age: 1, endpoints: [{ url: 'https://o.example/' }] }],
        },
      },
    });
    assert.deepEqual(
      p.warnings.map((w) => w.code),
      ['BARBICAN_W_DEPRECATED_HEADER'],
    );
  });

  it('warns when nothing can report', () => {
    const p = createPolicy({
      report: URL_,
      allowedHosts: ['*'],
      headers: { csp: false, crossOriginOpenerPolicy: false, nel: false },
    });
    assert.deepEqual(
      p.warnings.map((w) => [w.code, w.path]),
      [['BARBICAN_W_REPORT_UNUSED', 'report']],
    );
  });

  it('route overrides merge report objects', () => {
    const base = createPolicy({ report: { endpoint: URL_ }, allowedHosts: ['*'] });
    const route = base.extend({ report: { coop: false } });
    assert.equal(route.report?.coop, undefined);
    assert.equal(route.report?.csp, URL_);
  });
});

describe('report: conflicts and bad input', () => {
  it('an endpoint name defined for another URL', () => {
    const e = refuse({
      report: URL_,
      headers: { reportingEndpoints: { endpoints: { csp: 'https://other.example/' } } },
    });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.equal(e.path, 'headers.reportingEndpoints.endpoints.csp');
  });

  it('Reporting-Endpoints or Report-To turned off while report needs them', () => {
    assert.equal(
      refuse({ report: URL_, headers: { reportingEndpoints: false } }).path,
      'headers.reportingEndpoints',
    );
    assert.equal(refuse({ report: URL_, headers: { reportTo: false } }).path, 'headers.reportTo');
  });

  for (const [report, code, path] of [
    ['http://collector.example/r', 'BARBICAN_E_TYPE', 'report'],
    ['ftp://collector.example/r', 'BARBICAN_E_TYPE', 'report'],
    ['collector.example/r', 'BARBICAN_E_TYPE', 'report'],
    ['https://user:pw@collector.example/r', 'BARBICAN_E_TYPE', 'report'],
    ['https://collector.example/r#x', 'BARBICAN_E_TYPE', 'report'],
    [
      'https://collector.example/r;report-uri https://evil.example',
      'BARBICAN_E_UNSAFE_VALUE',
      'report',
    ],
    ['https://collector.example/a,b', 'BARBICAN_E_UNSAFE_VALUE', 'report'],
    ['https://collector.example/"x', 'BARBICAN_E_UNSAFE_VALUE', 'report'],
    ['https://collector.example/r\r\nSet-Cookie: a=b', 'BARBICAN_E_UNSAFE_VALUE', 'report'],
    [`https://collector.example/${'a'.repeat(3000)}`, 'BARBICAN_E_RANGE', 'report'],
    [{ endpiont: URL_ }, 'BARBICAN_E_UNKNOWN_OPTION', 'report.endpiont'],
    [{ endpoint: URL_, csp: true }, 'BARBICAN_E_TYPE', 'report.csp'],
    [{ endpoint: URL_, nel: 'http://evil.example/' }, 'BARBICAN_E_TYPE', 'report.nel'],
    [42, 'BARBICAN_E_TYPE', 'report'],
    [[URL_], 'BARBICAN_E_TYPE', 'report'],
  ] as const) {
    it(`refuses ${JSON.stringify(report).slice(0, 70)} (${code})`, () => {
      const e = refuse({ report });
      assert.equal(e.code, code);
      assert.equal(e.path, path);
      assert.ok(!/[\r\n]/.test(e.message));
    });
  }

  it('says why an http URL is refused, not just "no alternative matched"', () => {
    assert.match(refuse({ report: 'http://collector.example/r' }).message, /https:\/\//);
  });
});

describe('report: through a real adapter', () => {
  it('node:http responses carry the folded headers', async () => {
    const server = createServer(
      withBarbican((_req, res) => res.end('ok'), {
        preset: 'openkat',
        report: URL_,
        allowedHosts: ['127.0.0.1'],
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/' }, resolve).on('error', reject).end();
      });
      res.resume();
      assert.equal(res.statusCode, 200);
      assert.equal(
        res.headers['reporting-endpoints'],
        `csp="${URL_}", coop="${URL_}", coep="${URL_}"`,
      );
      assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp;report-to="coep"');
      assert.match(
        String(res.headers['content-security-policy']),
        /; report-uri \S+; report-to csp$/,
      );
      assert.equal(res.headers.nel, '{"report_to":"nel","max_age":86400}');
      assert.match(String(res.headers['report-to']), /"group":"nel"/);
    } finally {
      server.close();
    }
  });
});
