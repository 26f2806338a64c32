/**
 * Every report's size grows at most linearly with the policy it describes
 * (fast-check over policy size): `barbican csp` (text and JSON), the four
 * scan reporters on a response carrying the policy as a header and as a
 * `<meta>`, and `check`, `headers` and `export` on a config file holding it.
 *
 * "Linearly" is checked as a fixed line, report ≤ SLOPE × input + OFFSET,
 * over policies up to ~100 KB: a report that grew with the square of the
 * policy (one finding per host, each repeating the rewritten directive:
 * 25 MB for 1,000 hosts) is far above it long before the largest size.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  analyzeCsp,
  assemble,
  jsonReport,
  markdownReport,
  sarifReport,
  textReport,
} from '@barbican/scanner';
import { formatCspText } from '../../src/commands/csp.ts';
import { memoryIo } from '../../src/io.ts';
import { toJson } from '../../src/util.ts';
import { cli, tempFiles } from '../run.ts';

/**
 * The line every report stays under: bytes of report per byte of policy, plus
 * a constant. The constant covers what does not grow with the policy: findings
 * are capped (200 per report) and SARIF wraps each in about a kilobyte of
 * envelope, so a mid-sized policy with a full set of findings sits near
 * 200 KiB whatever its length. A quadratic report (one rewritten directive per
 * host) crosses the line by orders of magnitude at the sizes drawn below.
 */
const SLOPE = 8;
const OFFSET = 256 * 1024;

const { dir } = tempFiles('barbican-linear-');

/** Source expressions of every kind the analysis treats differently. */
const source = fc.oneof(
  { weight: 6, arbitrary: fc.nat(99_999).map((i) => `https://h${i}.example.com`) },
  { weight: 2, arbitrary: fc.nat(999).map((i) => `http://cdn${i}.example.net/js/`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "'self'",
      "'unsafe-inline'",
      "'unsafe-eval'",
      'https:',
      'data:',
      '*',
      "'strict-dynamic'",
      'www.google.com',
      'ajax.googleapis.com',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("'nonce-abc'", "'sha256-x'", 'not a source!', "'bogus'", 'self'),
  },
);

/**
 * A policy of 1 to 6 directives over 1 to `max` sources. The count is drawn
 * first and uniformly: fast-check's arrays favour short lengths, and the
 * property is about the long ones.
 */
function policy(max: number): fc.Arbitrary<string> {
  return fc.integer({ min: 1, max }).chain((n) =>
    fc
      .record({
        directives: fc.subarray(
          ['script-src', 'default-src', 'object-src', 'style-src', 'img-src', 'frame-src'],
          { minLength: 1 },
        ),
        sources: fc.array(source, { minLength: n, maxLength: n }),
      })
      .map(({ directives, sources }) => {
        const per = Math.ceil(sources.length / directives.length);
        return directives
          .map((d, i) => `${d} ${sources.slice(i * per, (i + 1) * per).join(' ') || "'self'"}`)
          .join('; ');
      }),
  );
}

function underTheLine(what: string, input: number, output: number): void {
  assert.ok(
    output <= SLOPE * input + OFFSET,
    `${what}: ${output} bytes of report for ${input} bytes of policy (line: ${SLOPE}×input + ${OFFSET})`,
  );
}

describe('report size is linear in the policy size', () => {
  it('barbican csp: text and JSON', () => {
    fc.assert(
      fc.property(policy(4_000), (p) => {
        const report = analyzeCsp(p);
        underTheLine('csp --json', p.length, toJson(report).length);
        underTheLine('csp (text)', p.length, formatCspText(memoryIo(), report).length);
      }),
      { numRuns: 25 },
    );
  });

  it('barbican scan: text, JSON, SARIF and Markdown, the policy as a header and as a <meta>', () => {
    fc.assert(
      fc.property(policy(3_000), (p) => {
        const page = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${p}"></head></html>`;
        const result = assemble(
          {
            url: 'https://site.example/',
            http: { responses: [] },
            https: {
              responses: [
                {
                  url: 'https://site.example/',
                  status: 200,
                  verified: true,
                  headers: [
                    ['content-type', 'text/html'],
                    ['content-security-policy', p],
                    ['content-security-policy-report-only', p],
                  ],
                  body: page,
                },
              ],
            },
          },
          undefined,
        );
        // The policy appears three times in the response: that is the input.
        const input = 3 * p.length;
        underTheLine('scan (text)', input, textReport([result]).length);
        underTheLine('scan --json', input, jsonReport([result]).length);
        underTheLine('scan --sarif', input, sarifReport([result]).length);
        underTheLine('scan --markdown', input, markdownReport([result]).length);
      }),
      { numRuns: 15 },
    );
  });

  it('check, headers and export on a config file holding the policy', async () => {
    await fc.assert(
      fc.asyncProperty(policy(2_000), fc.nat(2_000), async (p, hosts) => {
        const config = {
          preset: 'strict',
          allowedHosts: Array.from({ length: hosts + 1 }, (_, i) => `app${i}.example.com`),
          headers: { csp: p },
        };
        const text = JSON.stringify(config);
        const file = join(dir, 'barbican.config.json');
        writeFileSync(file, text);
        for (const argv of [
          ['check', '--config', file, '--json'],
          ['headers', '--config', file, '--json'],
          ['export', '--target', 'nginx', '--config', file],
          ['export', '--target', 'caddy', '--config', file, '--json'],
        ]) {
          const r = await cli(...argv);
          underTheLine(argv.slice(0, 3).join(' '), text.length, r.out.length + r.err.length);
        }
      }),
      { numRuns: 10 },
    );
  });
});
