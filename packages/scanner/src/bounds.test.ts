import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCsp } from './csp/index.ts';
import { boundFindings, FINDING_LIMITS, TRUNCATED_CODE } from './bounds.ts';
import type { Finding } from './model.ts';

function finding(code: string, value: string, directive = 'script-src'): Finding {
  return {
    code,
    severity: 'low',
    header: 'content-security-policy',
    directive,
    value,
    message: `${value} in ${directive}.`,
    fix: 'Fix it.',
    spec: 'https://www.w3.org/TR/CSP3/',
  };
}

describe('boundFindings', () => {
  it('leaves a list within the bounds unchanged', () => {
    const list = [finding('a', 'x'), finding('a', 'y'), finding('b', 'x')];
    assert.deepEqual(boundFindings(list), list);
  });

  it('aggregates one code in one directive past perGroup, counting and naming the rest', () => {
    const list = Array.from({ length: 1000 }, (_, i) => finding('csp.allowlist', `h${i}`));
    const out = boundFindings(list);
    assert.equal(out.length, FINDING_LIMITS.perGroup);
    const last = out[out.length - 1]!;
    assert.equal(last.instances, 1000 - (FINDING_LIMITS.perGroup - 1));
    assert.equal(last.more?.length, FINDING_LIMITS.sample);
    assert.match(last.message, /The same applies to 995 more values in script-src\./);
    assert.deepEqual(boundFindings(out), out, 'idempotent');
  });

  it('keeps groups of different directives apart', () => {
    const list = [
      ...Array.from({ length: 8 }, (_, i) => finding('c', `h${i}`, 'script-src')),
      ...Array.from({ length: 8 }, (_, i) => finding('c', `h${i}`, 'img-src')),
    ];
    assert.equal(boundFindings(list).length, 2 * FINDING_LIMITS.perGroup);
  });

  it('clips long values and texts, saying how long they were', () => {
    const [f] = boundFindings([finding('c', 'x'.repeat(100_000))]);
    assert.ok(f !== undefined && f.value !== undefined);
    assert.ok(f.value.length < FINDING_LIMITS.valueChars + 40);
    assert.match(f.value, /… \(100000 characters in all\)$/);
    assert.ok(f.message.length < FINDING_LIMITS.textChars + 40);
  });

  it('caps the total with one note counting what was left out', () => {
    const list = Array.from({ length: 5000 }, (_, i) => finding(`code-${i}`, 'v', `d${i}`));
    const out = boundFindings(list);
    assert.equal(out.length, FINDING_LIMITS.total);
    const note = out[out.length - 1]!;
    assert.equal(note.code, TRUNCATED_CODE);
    assert.match(note.message, /^4801 more findings were left out \(4801 low\)/);
  });
});

describe('the CSP analysis is bounded', () => {
  it('1,000 hosts: a few findings, each fix short, the rewrite whole once', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => `https://h${i}.example.com`);
    const policy = `script-src ${hosts.join(' ')}; object-src 'none'`;
    const { findings, fixed } = analyzeCsp(policy);
    assert.ok(findings.length < 20, `${findings.length} findings`);
    for (const f of findings) assert.ok(f.fix.length < 1000, f.fix);
    assert.ok(fixed.includes('https://h999.example.com'));
    assert.ok(JSON.stringify({ findings, fixed }).length < 3 * policy.length);
  });
});
