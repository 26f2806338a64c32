import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsp } from '@barbican/core/parsers';
import fc from 'fast-check';
import { analyzeCsp, cspFindings } from './index.ts';
import type { CapturedResponse, Finding } from '../model.ts';
import cases from './testdata/csp-evaluator-cases.json' with { type: 'json' };
import corpus from './testdata/corpus.json' with { type: 'json' };

/** Which of our codes each CSP Evaluator check corresponds to. */
const CHECK_CODES: Readonly<Record<string, RegExp>> = {
  checkScriptUnsafeInline: /^csp\.[a-z-]+\.unsafe-(inline|hashes)$/,
  checkScriptUnsafeEval: /^csp\.[a-z-]+\.unsafe-eval$/,
  checkPlainUrlSchemes: /^csp\.[a-z-]+\.plain-url-scheme$/,
  checkWildcards: /^csp\.[a-z-]+\.wildcard$/,
  checkMissingDirectives: /^csp\.(object-src|script-src|base-uri)\.missing$/,
  checkScriptAllowlistBypass: /^csp\.[a-z-]+\.allowlist(-bypass)?$/,
  checkFlashObjectAllowlistBypass: /^csp\.[a-z-]+\.(flash-bypass|object-allowlist)$/,
  checkIpSource: /^csp\.source\.ip$/,
  checkDeprecatedDirective: /^csp\.[a-z-]+\.deprecated$/,
  checkNonceLength: /^csp\.source\.nonce-(length|charset)$/,
  checkSrcHttp: /^csp\.source\.http$/,
  checkHasConfiguredReporting: /^csp\.(report-uri\.missing|report-to\.only)$/,
  checkUnknownDirective: /^csp\.syntax\.unknown-directive$/,
  checkMissingSemicolon: /^csp\.syntax\.missing-semicolon$/,
  checkInvalidKeyword: /^csp\.syntax\.invalid-keyword$/,
  checkStrictDynamic: /^csp\.[a-z-]+\.no-strict-dynamic$/,
  checkStrictDynamicNotStandalone: /^csp\.[a-z-]+\.strict-dynamic-not-standalone$/,
  checkUnsafeInlineFallback: /^csp\.[a-z-]+\.no-unsafe-inline-fallback$/,
  checkAllowlistFallback: /^csp\.[a-z-]+\.no-allowlist-fallback$/,
};

/** Findings in input order (our output is sorted by severity; the cases compare the first one). */
function byCheck(findings: readonly Finding[], check: string): Finding[] {
  const re = CHECK_CODES[check];
  assert.ok(re, `no mapping for ${check}`);
  return findings.filter((f) => re.test(f.code));
}

describe('conformance with CSP Evaluator’s test suite (data: csp-evaluator-cases.json)', () => {
  for (const c of cases.cases) {
    it(`${c.name}: ${c.check} → ${c.count}`, () => {
      const got = byCheck(analyzeCsp(c.policy).findings, c.check);
      assert.equal(got.length, c.count, JSON.stringify(got, null, 1));
      if ('severity' in c && c.count > 0) {
        assert.ok(
          got.some((f) => f.severity === c.severity),
          `a ${c.severity} finding`,
        );
      }
      if ('directive' in c) assert.equal(got[0]?.directive, c.directive);
    });
  }
});

describe('multi-policy: a weakness counts only when no policy prevents it', () => {
  it('a nonce policy next to an unsafe-inline one blocks inline script', () => {
    const { findings } = analyzeCsp(
      "script-src 'unsafe-inline', script-src 'nonce-abcdefgh12345678'; object-src 'none'; base-uri 'none'",
    );
    assert.equal(findings.filter((f) => f.severity === 'high').length, 0);
  });

  it('separate header lines are separate policies too', () => {
    const { findings } = analyzeCsp([
      "script-src 'unsafe-inline'",
      "object-src 'none'; script-src 'none'",
    ]);
    assert.equal(
      findings.find((f) => f.code === 'csp.script-src.unsafe-inline'),
      undefined,
    );
    assert.equal(
      findings.find((f) => f.code === 'csp.object-src.missing'),
      undefined,
    );
  });

  it('a policy that does not govern scripts does not hide another’s weakness', () => {
    const { findings } = analyzeCsp("script-src 'unsafe-inline' https:, img-src 'none'");
    const inline = findings.find((f) => f.code === 'csp.script-src.unsafe-inline');
    assert.equal(inline?.severity, 'high');
    assert.match(inline.message, /^policy 1: /);
  });

  it('base-uri is missing when one policy uses nonces and none sets base-uri', () => {
    const { findings } = analyzeCsp("script-src 'nonce-abcdefgh12345678', object-src 'none'");
    assert.equal(findings.find((f) => f.code === 'csp.base-uri.missing')?.severity, 'high');
  });
});

describe('findings name the directive and the offending value, with a fix', () => {
  it('unsafe-inline', () => {
    const { findings, fixed } = analyzeCsp("script-src 'self' 'unsafe-inline'; object-src 'none'");
    const f = findings.find((x) => x.code === 'csp.script-src.unsafe-inline');
    assert.deepEqual(
      [f?.severity, f?.header, f?.directive, f?.value],
      ['high', 'content-security-policy', 'script-src', "'unsafe-inline'"],
    );
    assert.match(f?.fix ?? '', /'strict-dynamic'/);
    assert.match(fixed, /script-src 'nonce-\w+' 'strict-dynamic'/);
    assert.match(fixed, /base-uri 'none'/);
  });

  it('report-only is labelled and uses its own header name', () => {
    const { findings } = analyzeCsp("script-src 'unsafe-inline'", { reportOnly: true });
    assert.ok(findings.length > 0);
    for (const f of findings) {
      assert.equal(f.header, 'content-security-policy-report-only');
      assert.match(f.message, /report-only/);
    }
  });

  it('http: sources become https:, deprecated directives go, missing object-src is added', () => {
    const { fixed } = analyzeCsp("default-src 'self' http://cdn.example.com; referrer origin");
    assert.equal(
      fixed,
      "default-src 'self' https://cdn.example.com; script-src 'nonce-REPLACE_WITH_FRESH_NONCE' 'strict-dynamic' 'self' https://cdn.example.com 'unsafe-inline'; base-uri 'none'",
    );
  });
});

describe('differential against the installed csp_evaluator (corpus.json)', async () => {
  const { CspEvaluator } = await import('csp_evaluator/dist/evaluator.js');
  const { CspParser } = await import('csp_evaluator/dist/parser.js');
  const { Severity } = await import('csp_evaluator/dist/finding.js');
  /**
   * Deliberate differences, each a CSP Evaluator false positive:
   * an empty object-src is as strict as 'none' (CSP3 §6.7.2.5).
   */
  const documented = (policy: string, directive: string): boolean =>
    directive === 'object-src' && /(?:^|;)\s*object-src\s*(?:;|$)/.test(policy);

  it('has at least 100 policies', () => {
    assert.ok(corpus.policies.length >= 100);
  });

  it('finds every HIGH finding of CSP Evaluator (same directive and value)', () => {
    let compared = 0;
    const missed: string[] = [];
    for (const policy of corpus.policies) {
      const theirs = new CspEvaluator(new CspParser(policy).csp).evaluate();
      const ours = analyzeCsp(policy).findings.filter((f) => f.severity === 'high');
      for (const t of theirs) {
        if (t.severity !== Severity.HIGH) continue;
        compared++;
        if (documented(policy, t.directive)) continue;
        const found = ours.some(
          (o) => o.directive === t.directive && (o.value ?? undefined) === t.value,
        );
        if (!found) missed.push(`${policy} → ${t.directive} ${String(t.value)}: ${t.description}`);
      }
    }
    assert.deepEqual(missed, []);
    assert.ok(compared > 100, `compared ${compared} HIGH findings`);
  });

  it('every rewritten policy parses cleanly and has no high finding left', () => {
    for (const policy of corpus.policies) {
      const { fixed } = analyzeCsp(policy);
      const parsed = parseCsp(fixed, { validate: true });
      const errors = parsed.policies
        .flatMap((p) => p.problems)
        .filter((p) => p.severity === 'error');
      assert.deepEqual(errors, [], `${policy} → ${fixed}`);
      const high = analyzeCsp(fixed).findings.filter((f) => f.severity === 'high');
      assert.deepEqual(
        high.map((f) => `${f.code} ${f.value ?? ''}`),
        [],
        `${policy} → ${fixed}`,
      );
    }
  });
});

describe('fuzz: analyzeCsp never throws and its rewrite always parses', () => {
  const token = fc.oneof(
    fc.constantFrom(
      "'self'",
      "'none'",
      "'unsafe-inline'",
      "'unsafe-eval'",
      "'strict-dynamic'",
      "'nonce-abc'",
      "'sha256-abc='",
      'https:',
      'http:',
      'data:',
      '*',
      'self',
      'ajax.googleapis.com',
      'http://x.example',
      'script-src',
      ';',
      ',',
      '"',
      'é',
      '[::1]',
    ),
    fc.string({ maxLength: 12 }),
  );
  const directive = fc.tuple(
    fc.oneof(
      fc.constantFrom(
        'script-src',
        'default-src',
        'object-src',
        'base-uri',
        'script-src-elem',
        'report-uri',
        'sandbox',
        'bogus',
      ),
      fc.string({ maxLength: 12 }),
    ),
    fc.array(token, { maxLength: 6 }),
  );
  const policy = fc
    .array(directive, { maxLength: 6 })
    .map((ds) => ds.map(([n, v]) => [n, ...v].join(' ')).join('; '));

  it('on structured and arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(policy, fc.string({ maxLength: 200 })),
        fc.boolean(),
        (p, reportOnly) => {
          const { findings, fixed } = analyzeCsp(p, { reportOnly });
          assert.ok(Array.isArray(findings));
          const parsed = parseCsp(fixed, { validate: true });
          assert.ok(parsed.policies.length > 0, `empty rewrite of ${JSON.stringify(p)}`);
          const errors = parsed.policies
            .flatMap((x) => x.problems)
            .filter((x) => x.severity === 'error');
          assert.deepEqual(errors, [], `${JSON.stringify(p)} → ${fixed}`);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('cspFindings on a response', () => {
  // <meta> policies exist only in HTML documents, so a body comes with its type.
  const response = (headers: [string, string][], body?: string): CapturedResponse => ({
    url: 'https://example.com/',
    status: 200,
    headers: body === undefined ? headers : [['content-type', 'text/html'], ...headers],
    ...(body === undefined ? {} : { body }),
  });

  it('enforces <meta> in <head> together with the header, minus frame-ancestors/report-uri/sandbox', () => {
    const findings = cspFindings(
      response(
        [['content-security-policy', "script-src 'unsafe-inline'"]],
        `<html><head><meta http-equiv="Content-Security-Policy" content="script-src 'none'; object-src 'none'; frame-ancestors 'none'"></head><body></body></html>`,
      ),
    );
    assert.equal(
      findings.find((f) => f.code === 'csp.script-src.unsafe-inline'),
      undefined,
    );
    assert.equal(
      findings.find((f) => f.code === 'csp.object-src.missing'),
      undefined,
    );
    assert.equal(
      findings.find((f) => f.code === 'csp.meta.ignored-directive')?.directive,
      'frame-ancestors',
    );
  });

  it('ignores a <meta> CSP outside <head> and says so', () => {
    const findings = cspFindings(
      response(
        [],
        `<html><body><p>x</p><meta http-equiv="content-security-policy" content="script-src 'none'"></body></html>`,
      ),
    );
    assert.equal(findings.find((f) => f.code === 'csp.meta.outside-head')?.severity, 'medium');
    assert.equal(findings.find((f) => f.code === 'csp.script-src.missing')?.severity, 'high');
  });

  it('evaluates report-only separately and labels it', () => {
    const findings = cspFindings(
      response([
        [
          'content-security-policy',
          "script-src 'nonce-abcdefgh12345678' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
        ],
        ['content-security-policy-report-only', "script-src 'unsafe-inline'"],
      ]),
    );
    const ro = findings.filter((f) => f.header === 'content-security-policy-report-only');
    assert.ok(ro.some((f) => f.code === 'csp.script-src.unsafe-inline'));
    assert.ok(
      findings
        .filter((f) => f.header === 'content-security-policy')
        .every((f) => f.severity !== 'high'),
    );
  });
});
