// Conformance: hstspreload's own test tables (BSD-style, see the data file's
// _license), Mozilla's STS parser cases (MPL-2.0, data file only) and
// Chromium's HSTS parser cases (BSD-3, see the data file's _license) run
// against our preload rules and core's RFC 6797 parser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseHsts } from '@barbican/core/parsers';
import {
  checkDomainFormat,
  checkDomainLevel,
  checkResponseHeaders,
  eligibleHeaderString,
  parsePreloadHeader,
  removableHeaderString,
  type PreloadIssues,
  type PreloadPolicy,
} from './index.ts';

interface Expected {
  errors: string[];
  warnings: string[];
}
interface Cases {
  parseHeaderString: {
    description: string;
    header: string;
    expected: Expected;
    expectedHeader: { maxAge: number | null; includeSubDomains: boolean; preload: boolean };
  }[];
  parseHeaderStringWithErrors: { description: string; header: string; expected: Expected }[];
  preloadableHeaderString: { description: string; header: string; expected: Expected }[];
  eligibleHeaderString: {
    description: string;
    header: string;
    expected: Expected;
    policy: PreloadPolicy;
  }[];
  removableHeaderString: { description: string; header: string; expected: Expected }[];
  response: { function: string; description: string; hstsHeaders: string[]; expected: Expected }[];
  domainFormat: { domain: string; expected: Expected }[];
  domainLevel: { domain: string; expected: Expected }[];
}

const load = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8'));
const cases = load('hstspreload-cases.json') as Cases;

const codes = (i: PreloadIssues): Expected => ({
  errors: i.errors.map((e) => e.code),
  warnings: i.warnings.map((w) => w.code),
});

describe('hstspreload header_test.go tables', () => {
  for (const c of cases.parseHeaderString) {
    it(`parses like ParseHeaderString: ${c.description}`, () => {
      const { header, issues } = parsePreloadHeader(c.header);
      assert.deepEqual(codes(issues), c.expected);
      assert.deepEqual(
        {
          maxAge: header.maxAge ?? null,
          includeSubDomains: header.includeSubDomains,
          preload: header.preload,
        },
        c.expectedHeader,
      );
    });
  }
  for (const c of cases.parseHeaderStringWithErrors) {
    it(`reports parse errors like ParseHeaderString: ${c.description}`, () => {
      assert.deepEqual(codes(parsePreloadHeader(c.header).issues), c.expected);
    });
  }
  for (const c of cases.preloadableHeaderString) {
    it(`judges preloadability (bulk-1-year): ${c.description}`, () => {
      assert.deepEqual(codes(eligibleHeaderString(c.header, 'bulk-1-year')), c.expected);
    });
  }
  for (const c of cases.eligibleHeaderString) {
    it(`judges eligibility under ${c.policy}: ${c.description}`, () => {
      assert.deepEqual(codes(eligibleHeaderString(c.header, c.policy)), c.expected);
    });
  }
  for (const c of cases.removableHeaderString) {
    it(`judges removability: ${c.description}`, () => {
      assert.deepEqual(codes(removableHeaderString(c.header)), c.expected);
    });
  }
});

describe('hstspreload response_test.go table', () => {
  const fns: Record<string, (v: string) => PreloadIssues> = {
    preloadable: (v) => eligibleHeaderString(v, 'bulk-1-year'),
    removable: removableHeaderString,
    'eligible-1-year': (v) => eligibleHeaderString(v, 'bulk-1-year'),
    'eligible-18-weeks': (v) => eligibleHeaderString(v, 'bulk-18-weeks'),
  };
  for (const c of cases.response) {
    it(`${c.function} response: ${c.description}`, () => {
      const fn = fns[c.function];
      assert.ok(fn, `unknown function ${c.function}`);
      assert.deepEqual(codes(checkResponseHeaders(c.hstsHeaders, fn)), c.expected);
    });
  }
});

describe('hstspreload domain_test.go tables', () => {
  for (const c of cases.domainFormat) {
    it(`checks the domain format of ${JSON.stringify(c.domain)}`, () => {
      assert.deepEqual(codes(checkDomainFormat(c.domain)), c.expected);
    });
  }
  for (const c of cases.domainLevel) {
    it(`checks the domain level of ${c.domain}`, () => {
      assert.deepEqual(codes(checkDomainLevel(c.domain)), c.expected);
    });
  }
});

describe("Mozilla's STS parser cases against core's RFC 6797 parser", () => {
  const ff = load('firefox-sts-parser-cases.json') as {
    valid: { header: string; maxAge: number; includeSubDomains: boolean }[];
    invalid: { header: string }[];
  };
  // One deliberate deviation. RFC 2616's LWS allowed a line break plus tab
  // (obs-fold) inside a field value; RFC 9110 §5.5 has the message parser
  // replace obs-fold with spaces before any field is interpreted, so a
  // value that still holds CR or LF never came from a conforming parser.
  // Core refuses CR and LF in every value it reads: no header it builds
  // from one can be split.
  const obsFold = ff.valid[26]?.header;
  assert.match(obsFold ?? '', /^\r\n\t/, 'the obs-fold case moved in the data file');
  for (const c of ff.valid) {
    if (c.header === obsFold) {
      it(`rejects ${JSON.stringify(c.header)} (obs-fold: refused, RFC 9110)`, () => {
        assert.equal(parseHsts(c.header).valid, false);
        const unfolded = parseHsts(c.header.replace(/\r\n[\t ]/g, ' '));
        assert.equal(unfolded.valid, true, 'accepted once unfolded, as a message parser would');
        assert.equal(unfolded.maxAge, c.maxAge);
        assert.equal(unfolded.includeSubDomains, c.includeSubDomains);
      });
      continue;
    }
    it(`accepts ${JSON.stringify(c.header)}`, () => {
      const r = parseHsts(c.header);
      assert.equal(r.valid, true);
      assert.equal(r.maxAge, c.maxAge);
      assert.equal(r.includeSubDomains, c.includeSubDomains);
    });
  }
  for (const c of ff.invalid) {
    it(`rejects ${JSON.stringify(c.header)}`, () => {
      assert.equal(parseHsts(c.header).valid, false);
    });
  }
});

describe("Chromium's HSTS parser cases against core's RFC 6797 parser", () => {
  const cr = load('chromium-hsts-parser-cases.json') as {
    chromiumMaxAgeCap: number;
    valid: {
      test: string;
      header: string;
      /** What Chromium outputs (capped at one year); null when the test asserts validity only. */
      maxAge: number | null;
      uncappedMaxAge?: number;
      includeSubDomains: boolean | null;
    }[];
    invalid: { test: string; header: string }[];
  };
  const cap = cr.chromiumMaxAgeCap;

  // Expected deviations, each with its reason. Close one by changing this
  // list with a reason, never by weakening the parser.
  // 1. Chromium caps max-age at one year (kMaxHSTSAgeSecs) when it stores the
  //    policy. RFC 6797 §6.1.1 sets no cap, and core reports what the header
  //    says, which is what a reviewer needs to see (the cap is a browser's
  //    storage choice: Firefox's cases above expect 34520103 uncapped).
  // 2. A max-age beyond 2^53 − 1 seconds: where the test states only the cap,
  //    core reports delta-seconds clamped at Number.MAX_SAFE_INTEGER
  //    (RFC 9111 §1.2.2 allows clamping), not Chromium's one year.
  const coreMaxAge = (c: (typeof cr.valid)[number]): number | null => {
    if (c.maxAge === null || c.maxAge < cap) return c.maxAge;
    return c.uncappedMaxAge ?? Number.MAX_SAFE_INTEGER;
  };

  it('holds the 117 strings of the Chromium test', () => {
    assert.equal(cr.valid.length + cr.invalid.length, 117);
  });

  it('deviates from Chromium only in the 8 one-year-cap cases', () => {
    const deviating = cr.valid.filter((c) => coreMaxAge(c) !== c.maxAge);
    assert.equal(deviating.length, 8);
    for (const c of deviating) assert.equal(c.maxAge, cap, c.header);
  });

  for (const c of cr.valid) {
    const expected = coreMaxAge(c);
    const label =
      expected === c.maxAge
        ? `accepts ${JSON.stringify(c.header)} (${c.test})`
        : `accepts ${JSON.stringify(c.header)} with max-age ${expected}, not Chromium's capped ${c.maxAge} (${c.test})`;
    it(label, () => {
      const r = parseHsts(c.header);
      assert.equal(r.valid, true, JSON.stringify(r.problems));
      if (expected !== null) assert.equal(r.maxAge, expected);
      if (c.includeSubDomains !== null) assert.equal(r.includeSubDomains, c.includeSubDomains);
    });
  }
  for (const c of cr.invalid) {
    it(`rejects ${JSON.stringify(c.header)} (${c.test})`, () => {
      assert.equal(parseHsts(c.header).valid, false);
    });
  }
});
