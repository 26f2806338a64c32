import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BarbicanError, ERROR_CODES, WARNING_CODES, didYouMean, quote } from './errors.ts';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set(
  [...doc.matchAll(/^### (BARBICAN_[EW]_[A-Z0-9_]+)$/gm)].map((m) => m[1]),
);

describe('error codes', () => {
  it('docs/errors.md documents every code in errors.ts, and no other', () => {
    const inCode = new Set([...Object.keys(ERROR_CODES), ...Object.keys(WARNING_CODES)]);
    assert.deepEqual(
      [...inCode].filter((c) => !documented.has(c)),
      [],
      'codes missing from docs/errors.md',
    );
    assert.deepEqual(
      [...documented].filter((c) => !inCode.has(c as string)),
      [],
      'documented codes that no longer exist',
    );
  });

  it('error codes start with BARBICAN_E_ and warnings with BARBICAN_W_', () => {
    for (const c of Object.keys(ERROR_CODES)) assert.match(c, /^BARBICAN_E_[A-Z0-9_]+$/);
    for (const c of Object.keys(WARNING_CODES)) assert.match(c, /^BARBICAN_W_[A-Z0-9_]+$/);
  });

  it('messages carry the path, the quoted value, the allowed values and the code', () => {
    const e = new BarbicanError('BARBICAN_E_RANGE', 'expected a whole number', {
      path: 'headers.hsts.maxAge',
      value: -1,
      allowed: '0 or more',
    });
    assert.equal(
      e.message,
      'headers.hsts.maxAge: expected a whole number; got -1. Allowed: 0 or more [BARBICAN_E_RANGE]',
    );
    assert.deepEqual(e.toJSON(), {
      code: 'BARBICAN_E_RANGE',
      message: e.message,
      path: 'headers.hsts.maxAge',
      value: -1,
      allowed: '0 or more',
    });
  });

  it('quote() escapes control characters so a bad value cannot forge log lines', () => {
    assert.equal(quote('a\r\nSet-Cookie: x'), '"a\\r\\nSet-Cookie: x"');
    assert.equal(quote('x'.repeat(500)).length, 120);
    assert.equal(quote(10n), '10n');
  });

  it('didYouMean() finds case and small-typo neighbours only', () => {
    assert.equal(didYouMean('maxage', ['maxAge', 'preload']), 'maxAge');
    assert.equal(
      didYouMean('includeSubdomain', ['maxAge', 'includeSubDomains']),
      'includeSubDomains',
    );
    assert.equal(didYouMean('zzzzzz', ['maxAge', 'preload']), undefined);
  });
});
