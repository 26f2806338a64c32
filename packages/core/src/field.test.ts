import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCommaDirectives, parseDirectiveList } from './directive-list.ts';
import { isToken, isTokenChar, skipOws, TOKEN, tokenEnd, trimOws } from './field.ts';

describe('RFC 9110 token', () => {
  it('isTokenChar agrees with the TOKEN pattern on every UTF-16 code unit', () => {
    for (let c = 0; c < 0x10000; c++)
      assert.equal(isTokenChar(c), TOKEN.test(String.fromCharCode(c)), `U+${c.toString(16)}`);
  });
  it('accepts header names and refuses separators', () => {
    assert.ok(isToken('X-Powered-By'));
    assert.ok(isToken("!#$%&'*+-.^_`|~"));
    for (const bad of ['', 'a b', 'a:b', 'a"b', 'a,b', 'a;b', 'é', 'a\r\nb'])
      assert.ok(!isToken(bad));
  });
  it('tokenEnd stops at the first non-token character', () => {
    assert.equal(tokenEnd('max-age=5', 0), 7);
    assert.equal(tokenEnd('max-age=5', 8), 9);
    assert.equal(tokenEnd('=x', 0), 0);
  });
});

describe('OWS', () => {
  it('trims SP and HTAB only, never line breaks or NBSP', () => {
    assert.equal(trimOws(' \t a b \t '), 'a b');
    assert.equal(trimOws('\n a \u00a0'), '\n a \u00a0');
    assert.equal(skipOws(' \t x', 0), 3);
  });
  it('is linear on a long run of whitespace before a non-space', () => {
    const hostile = `${' '.repeat(200_000)}x${' '.repeat(200_000)}`;
    assert.equal(trimOws(hostile), 'x');
  });
});

describe('directive lists', () => {
  it('reads ; and , lists with one grammar', () => {
    const semi = parseDirectiveList('max-age=600 ; includeSubDomains; a="b;c"', 'x');
    const comma = parseCommaDirectives('max-age=600 , includeSubDomains, a="b,c"', 'x');
    assert.deepEqual(semi.problems, []);
    assert.deepEqual(comma.problems, []);
    const shape = (d: { name: string; value: string | undefined; quoted: boolean }) => [
      d.name,
      d.value,
      d.quoted,
    ];
    assert.deepEqual(semi.directives.map(shape), [
      ['max-age', '600', false],
      ['includesubdomains', undefined, false],
      ['a', 'b;c', true],
    ]);
    assert.deepEqual(comma.directives.map(shape), [
      ['max-age', '600', false],
      ['includesubdomains', undefined, false],
      ['a', 'b,c', true],
    ]);
  });
  it('keeps a malformed ;-directive (HSTS reports on it) and drops a malformed ,-directive', () => {
    const semi = parseDirectiveList('max-age= ; x', 'hsts');
    const comma = parseCommaDirectives('max-age= , x', 'cache_control');
    assert.deepEqual(
      semi.directives.map((d) => d.name),
      ['max-age', 'x'],
    );
    assert.deepEqual(
      comma.directives.map((d) => d.name),
      ['x'],
    );
    assert.deepEqual(
      [...semi.problems, ...comma.problems].map((p) => p.code),
      ['hsts.syntax', 'cache_control.syntax'],
    );
  });
  it('never throws and reports offsets inside the value', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.constantFrom(';', ','), (s, sep) => {
        const r = sep === ';' ? parseDirectiveList(s, 'x') : parseCommaDirectives(s, 'x');
        for (const p of r.problems) assert.ok(p.offset >= 0 && p.offset <= s.length);
        for (const d of r.directives) assert.ok(isToken(d.name));
      }),
      { numRuns: 500 },
    );
  });
});
