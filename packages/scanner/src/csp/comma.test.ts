import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCsp } from './index.ts';

describe('a comma that was meant as a semicolon', () => {
  it("flags script-src 'self', object-src 'none' (CSP3 §2.2.1: the comma starts a policy)", () => {
    const { findings } = analyzeCsp("script-src 'self', object-src 'none'");
    const comma = findings.filter((f) => f.code === 'csp.syntax.comma');
    assert.equal(comma.length, 1);
    const [f] = comma;
    assert.ok(f !== undefined);
    assert.equal(f.directive, 'object-src');
    assert.match(f.message, /a ";" was almost certainly meant/);
  });

  it('does not flag policies enforced together on purpose, or separate header lines', () => {
    const twice = analyzeCsp("script-src 'nonce-abcdefgh12345678', script-src 'self'");
    assert.equal(twice.findings.filter((f) => f.code === 'csp.syntax.comma').length, 0);
    const lines = analyzeCsp(["script-src 'self'", "object-src 'none'"]);
    assert.equal(lines.findings.filter((f) => f.code === 'csp.syntax.comma').length, 0);
  });
});
