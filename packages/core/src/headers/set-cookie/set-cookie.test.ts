import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCookieDate, parseSetCookie } from './parse.ts';

const codes = (s: string): string[] => parseSetCookie(s).problems.map((p) => p.code);

describe('parseSetCookie: the name-value pair (RFC 6265bis §5.6)', () => {
  it('splits the pair at the first "=" and trims WSP', () => {
    const c = parseSetCookie(' sid = a=b=c ;Secure');
    assert.equal(c.name, 'sid');
    assert.equal(c.value, 'a=b=c');
    assert.equal(c.valid, true);
  });

  it('keeps quotes and inner spaces as part of the value', () => {
    assert.equal(parseSetCookie('a="x y"').value, '"x y"');
  });

  it('reads a pair without "=" as an empty name with the pair as value', () => {
    const c = parseSetCookie('token; Secure');
    assert.equal(c.name, '');
    assert.equal(c.value, 'token');
    assert.equal(c.valid, true);
    assert.deepEqual(codes('token; Secure'), ['set_cookie.name.missing']);
  });

  it('does not look for "=" past the first ";"', () => {
    const c = parseSetCookie('token; Path=/');
    assert.equal(c.name, '');
    assert.equal(c.value, 'token');
    assert.equal(c.path, '/');
  });

  it('accepts an empty value', () => {
    const c = parseSetCookie('a=');
    assert.equal(c.name, 'a');
    assert.equal(c.value, '');
    assert.equal(c.valid, true);
  });

  it('ignores a cookie with neither name nor value (§5.7 step 2)', () => {
    for (const s of ['', '=', ' = ; Secure']) {
      const c = parseSetCookie(s);
      assert.equal(c.valid, false, s);
      assert.ok(codes(s).includes('set_cookie.empty'), s);
    }
  });

  it('ignores the whole line when it holds a control character (§5.6 step 1)', () => {
    for (const ch of ['\0', '\r', '\n', '\x01', '\x7f']) {
      const s = `a=1${ch}; Secure`;
      const c = parseSetCookie(s);
      assert.equal(c.valid, false);
      assert.deepEqual(
        c.problems.map((p) => [p.code, p.offset]),
        [['set_cookie.control_character', 3]],
      );
    }
    assert.equal(parseSetCookie('a=1;\tSecure').valid, true, 'HTAB is allowed');
  });

  it('ignores a cookie whose name and value exceed 4096 octets (§5.6 step 5)', () => {
    assert.equal(parseSetCookie(`a=${'x'.repeat(4095)}`).valid, true);
    const big = parseSetCookie(`ab=${'x'.repeat(4095)}`);
    assert.equal(big.valid, false);
    assert.deepEqual(
      big.problems.map((p) => p.code),
      ['set_cookie.too_large'],
    );
  });
});

describe('parseSetCookie: attributes (RFC 6265bis §5.6.1–§5.6.7)', () => {
  it('matches attribute names case-insensitively', () => {
    const c = parseSetCookie('a=1; SECURE; httponly; sAmEsItE=lAx; PATH=/x; DoMaIn=Example.COM');
    assert.equal(c.secure, true);
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'lax');
    assert.equal(c.sameSiteValue, 'lAx');
    assert.equal(c.path, '/x');
    assert.equal(c.domain, 'example.com');
  });

  it('lets the last attribute of a kind win, and says so', () => {
    const c = parseSetCookie('a=1; Path=/a; Path=/b; SameSite=Strict; SameSite=Lax');
    assert.equal(c.path, '/b');
    assert.equal(c.sameSite, 'lax');
    assert.deepEqual(codes('a=1; Path=/a; Path=/b'), ['set_cookie.attribute.repeated']);
  });

  it('lets a later invalid SameSite replace a valid one with "default" (§5.6.7)', () => {
    const c = parseSetCookie('a=1; Secure; SameSite=Strict; SameSite=Bogus');
    assert.equal(c.sameSite, 'default');
    assert.equal(c.sameSiteValue, 'Bogus');
    assert.ok(codes('a=1; SameSite=Bogus').includes('set_cookie.same_site.invalid'));
  });

  it('reads an empty SameSite as "default" and no SameSite as undefined', () => {
    assert.equal(parseSetCookie('a=1; SameSite').sameSite, 'default');
    assert.equal(parseSetCookie('a=1').sameSite, undefined);
  });

  it('ignores SameSite=None without Secure (§5.7 step 19)', () => {
    assert.equal(parseSetCookie('a=1; SameSite=None; Secure').valid, true);
    const c = parseSetCookie('a=1; SameSite=None');
    assert.equal(c.valid, false);
    assert.deepEqual(codes('a=1; SameSite=None'), ['set_cookie.same_site.none_insecure']);
  });

  it('drops a leading dot from Domain and lower-cases it (§5.6.3)', () => {
    assert.equal(parseSetCookie('a=1; Domain=.Example.com').domain, 'example.com');
  });

  it('keeps the cookie host-only for an empty Domain (§5.7 step 10)', () => {
    const c = parseSetCookie('a=1; Domain=example.com; Domain=');
    assert.equal(c.domain, undefined);
    assert.ok(codes('a=1; Domain=').includes('set_cookie.domain.empty'));
  });

  it('ignores a cookie whose Domain is not ASCII (§5.7 step 8)', () => {
    assert.deepEqual(codes('a=1; Domain=exämple.com'), ['set_cookie.domain.non_ascii']);
  });

  it('uses the default path for an absent Path or one not starting with "/" (§5.6.4)', () => {
    assert.equal(parseSetCookie('a=1').path, undefined);
    assert.equal(parseSetCookie('a=1; Path=app').path, undefined);
    assert.equal(parseSetCookie('a=1; Path=/; Path=').path, undefined);
    assert.deepEqual(codes('a=1; Path=app'), ['set_cookie.path.invalid']);
  });

  it('reads Secure and HttpOnly whatever their value', () => {
    const c = parseSetCookie('a=1; Secure=no; HttpOnly=false');
    assert.equal(c.secure, true);
    assert.equal(c.httpOnly, true);
  });

  it('reads Max-Age as delta-seconds, negative allowed, capped at 400 days (§5.6.2)', () => {
    assert.equal(parseSetCookie('a=1; Max-Age=3600').maxAge, 3600);
    assert.equal(parseSetCookie('a=1; Max-Age=-1').maxAge, -1);
    assert.equal(parseSetCookie('a=1; Max-Age=0').maxAge, 0);
    assert.equal(parseSetCookie('a=1; Max-Age=99999999999').maxAge, 34_560_000);
    assert.deepEqual(codes('a=1; Max-Age=99999999999'), ['set_cookie.max_age.capped']);
  });

  it('ignores a Max-Age that is not an integer, keeping an earlier one', () => {
    for (const bad of ['1.5', '+1', '1e3', '', '-', ' 1x']) {
      const c = parseSetCookie(`a=1; Max-Age=60; Max-Age=${bad}`);
      assert.equal(c.maxAge, 60, bad);
      assert.ok(codes(`a=1; Max-Age=${bad}`).includes('set_cookie.max_age.invalid'), bad);
    }
  });

  it('reads Expires as a cookie-date and ignores one that fails', () => {
    assert.equal(
      parseSetCookie('a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT').expires,
      Date.UTC(2015, 9, 21, 7, 28, 0),
    );
    const c = parseSetCookie('a=1; Expires=tomorrow');
    assert.equal(c.expires, undefined);
    assert.deepEqual(codes('a=1; Expires=tomorrow'), ['set_cookie.expires.invalid']);
    assert.equal(c.attributes[0]?.applied, false);
  });

  it('reads Partitioned, and ignores it without Secure (CHIPS)', () => {
    assert.equal(parseSetCookie('a=1; Secure; Partitioned').partitioned, true);
    assert.equal(parseSetCookie('a=1; Secure; Partitioned').valid, true);
    assert.deepEqual(codes('a=1; Partitioned'), ['set_cookie.partitioned.insecure']);
  });

  it('ignores an attribute value over 1024 octets but keeps the cookie (§5.6 step 6)', () => {
    const c = parseSetCookie(`a=1; Path=/ok; Path=/${'x'.repeat(1024)}`);
    assert.equal(c.path, '/ok');
    assert.equal(c.valid, true);
    assert.ok(c.problems.some((p) => p.code === 'set_cookie.attribute.too_long'));
  });

  it('warns about unknown attributes, which browsers ignore', () => {
    const c = parseSetCookie('a=1; Secure; Foo=bar; Priority=High');
    assert.deepEqual(
      c.problems.map((p) => [p.code, p.offset]),
      [['set_cookie.attribute.unknown', 13]],
    );
    assert.deepEqual(
      c.attributes.map((a) => [a.name, a.value, a.offset, a.applied]),
      [
        ['secure', '', 5, true],
        ['foo', 'bar', 13, false],
        ['priority', 'High', 22, true],
      ],
    );
  });

  it('skips empty cookie-avs', () => {
    const c = parseSetCookie('a=1;; ;Secure;');
    assert.equal(c.secure, true);
    assert.deepEqual(c.problems, []);
  });
});

describe('parseSetCookie: cookie prefixes (RFC 6265bis §4.1.3, §5.7)', () => {
  it('accepts a __Secure- cookie with Secure, refuses one without', () => {
    assert.equal(parseSetCookie('__Secure-id=1; Secure').valid, true);
    assert.equal(parseSetCookie('__Secure-id=1; Secure').prefix, '__Secure-');
    assert.deepEqual(codes('__Secure-id=1'), ['set_cookie.prefix.secure']);
  });

  it('accepts a __Host- cookie with Secure, Path=/ and no Domain', () => {
    const c = parseSetCookie('__Host-id=1; Secure; Path=/; HttpOnly; SameSite=Lax');
    assert.equal(c.valid, true);
    assert.equal(c.prefix, '__Host-');
  });

  for (const [line, why] of [
    ['__Host-id=1; Path=/', 'Secure'],
    ['__Host-id=1; Secure; Path=/; Domain=example.com', 'no Domain'],
    ['__Host-id=1; Secure', 'Path=/'],
    ['__Host-id=1; Secure; Path=/app', 'Path=/'],
  ] as const) {
    it(`refuses ${line} (needs ${why})`, () => {
      const c = parseSetCookie(line);
      assert.equal(c.valid, false);
      const p = c.problems.find((x) => x.code === 'set_cookie.prefix.host');
      assert.ok(p?.message.includes(why), p?.message);
    });
  }

  it('matches prefixes case-insensitively, so __host- gets no free pass', () => {
    assert.equal(parseSetCookie('__host-id=1; Path=/').prefix, '__Host-');
    assert.equal(parseSetCookie('__host-id=1; Path=/').valid, false);
    assert.equal(parseSetCookie('__SECURE-id=1').valid, false);
  });

  it('refuses a nameless cookie whose value looks prefixed', () => {
    assert.deepEqual(codes('__Host-id; Secure; Path=/'), [
      'set_cookie.name.missing',
      'set_cookie.prefix.nameless',
    ]);
    assert.equal(parseSetCookie('=__secure-id; Secure').valid, false);
  });
});

describe('parseCookieDate (RFC 6265bis §5.1.1)', () => {
  const cases: [string, number | undefined][] = [
    ['Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['6 november 2069 8:9:7', Date.UTC(2069, 10, 6, 8, 9, 7)],
    ['Thu, 01-Jan-70 00:00:01 GMT', 1000],
    ['Sat, 01 Jan 2000 00:00:00 GMT+0100', Date.UTC(2000, 0, 1)],
    ['Mon, 30 Feb 2015 00:00:00 GMT', undefined],
    ['Mon, 32 Jan 2015 00:00:00 GMT', undefined],
    ['Mon, 01 Jan 1600 00:00:00 GMT', undefined],
    ['Mon, 01 Jan 2015 24:00:00 GMT', undefined],
    ['Mon, 01 Jan 2015', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected === undefined ? 'fails' : new Date(expected).toISOString()}`, () => {
      assert.equal(parseCookieDate(text), expected);
    });
  }
});

describe('parseSetCookie: properties', () => {
  it('never throws, and every offset lies in the field', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const r = parseSetCookie(s);
        assert.equal(typeof r.valid, 'boolean');
        for (const p of r.problems) assert.ok(p.offset >= 0 && p.offset <= s.length, p.code);
        for (const a of r.attributes) assert.ok(a.offset >= 0 && a.offset <= s.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on cookie-shaped input either', () => {
    const piece = fc.constantFrom(
      ';',
      '=',
      ' ',
      '\t',
      '.',
      '/',
      'Secure',
      'HttpOnly',
      'SameSite',
      'None',
      'Domain',
      'Path',
      'Max-Age',
      'Expires',
      '-1',
      '99999999999999999999',
      'Partitioned',
      '__Host-',
      '__Secure-',
      'Jan 1 2020 00:00:00',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const s = parts.join('');
        const r = parseSetCookie(s);
        for (const p of r.problems) assert.ok(p.offset >= 0 && p.offset <= s.length, p.code);
        if (r.maxAge !== undefined) assert.ok(Number.isSafeInteger(r.maxAge));
        assert.equal(r.valid, !r.problems.some((p) => p.severity === 'error'));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips name, value and flags of a well-formed cookie', () => {
    const token = fc.stringMatching(/^\w{1,12}$/);
    fc.assert(
      fc.property(
        token,
        token,
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('Strict', 'Lax'),
        (name, value, secure, httpOnly, sameSite) => {
          let s = `${name}=${value}; Path=/; SameSite=${sameSite}`;
          if (secure) s += '; Secure';
          if (httpOnly) s += '; HttpOnly';
          const r = parseSetCookie(s);
          assert.equal(r.name, name);
          assert.equal(r.value, value);
          assert.equal(r.secure, secure);
          assert.equal(r.httpOnly, httpOnly);
          assert.equal(r.sameSite, sameSite.toLowerCase());
        },
      ),
    );
  });
});
