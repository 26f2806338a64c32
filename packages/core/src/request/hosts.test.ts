import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarbicanError } from '../errors.ts';
import { compileHostMatcher, describeAllowedHosts, parseHost, unsafeRegexReason } from './hosts.ts';

const ok = (text: string) => {
  const h = parseHost(text);
  assert.ok(h.kind !== 'invalid', `${text}: ${h.kind === 'invalid' ? h.reason : ''}`);
  return h;
};

describe('parseHost (Django host validation cases)', () => {
  it('accepts legitimate hosts and canonicalises them', () => {
    assert.deepEqual(ok('Example.COM.:80'), { kind: 'name', name: 'example.com', port: 80 });
    assert.deepEqual(ok('12.34.56.78:443'), { kind: 'ipv4', name: '12.34.56.78', port: 443 });
    assert.deepEqual(ok('[2001:0db8::0001]'), {
      kind: 'ipv6',
      name: '[2001:db8::1]',
      port: undefined,
    });
    assert.equal(ok('xn--4ca9at.com').name, 'xn--4ca9at.com');
  });
  it('refuses poisoned hosts with a reason', () => {
    const cases: [string, RegExp][] = [
      ['example.com@evil.tld', /userinfo/],
      ['example.com:dr.frankenstein@evil.tld:80', /userinfo/],
      ['example.com:80/badpath', /path/],
      ['example.com: recovermypassword.com', /whitespace/],
      ['example.com\r\nx: y', /control/],
      ['exämple.com', /non-ASCII/],
      ['2001:db8::1', /unbracketed/],
      ['127.1', /IPv4/],
      ['a..b', /label/],
      ['', /empty/],
    ];
    for (const [input, reason] of cases) {
      const h = parseHost(input);
      assert.equal(h.kind, 'invalid', input);
      assert.match(h.reason, reason);
    }
  });
});

describe('allowedHosts', () => {
  it('matches exact, domain, port-bound, IDN and regex entries', () => {
    const m = compileHostMatcher(
      [
        'a.example',
        '*.multitenant.com',
        'api.example:8443',
        'bücher.example',
        '/^x-[0-9]{1,3}\\.example$/',
      ],
      'allowedHosts',
    );
    const yes = (t: string, port = 443) => m(ok(t), port);
    assert.equal(yes('a.example:1234'), true);
    assert.equal(yes('multitenant.com'), true);
    assert.equal(yes('anything.multitenant.com'), true);
    assert.equal(yes('evilmultitenant.com'), false);
    assert.equal(yes('api.example', 80), false);
    assert.equal(yes('api.example:8443'), true);
    assert.equal(yes('xn--bcher-kva.example'), true);
    assert.equal(yes('x-12.example'), true);
    assert.equal(yes('x-1234.example'), false);
  });
  it('"*" admits any well-formed host', () => {
    assert.equal(compileHostMatcher(['*'], 'h')(ok('whatever.tld'), 80), true);
  });
  it('teaches when an entry is a URL, unanchored, unsafe or malformed', () => {
    const code = (entry: string) => {
      try {
        compileHostMatcher([entry], 'allowedHosts');
      } catch (e) {
        assert.ok(e instanceof BarbicanError);
        assert.equal(e.path, 'allowedHosts[0]');
        return e.code;
      }
      return 'none';
    };
    assert.equal(code('https://example.com/'), 'BARBICAN_E_HOST_PATTERN');
    assert.throws(
      () => compileHostMatcher(['https://example.com'], 'a'),
      /Did you mean "example.com"/,
    );
    assert.equal(code('/example\\.com/'), 'BARBICAN_E_HOST_PATTERN');
    assert.equal(code('/^(a+)+$/'), 'BARBICAN_E_UNSAFE_REGEX');
    assert.equal(code('/^(a|aa)*$/'), 'BARBICAN_E_UNSAFE_REGEX');
    assert.equal(code('/^(a)\\1$/'), 'BARBICAN_E_UNSAFE_REGEX');
    assert.equal(code('/^(?=a)a$/'), 'BARBICAN_E_UNSAFE_REGEX');
    assert.equal(code('/^[$/'), 'BARBICAN_E_HOST_PATTERN');
    assert.equal(code('exa mple.com'), 'BARBICAN_E_HOST_PATTERN');
    assert.equal(code('.[::1]'), 'BARBICAN_E_HOST_PATTERN');
  });
  it('a top-level alternation cannot escape the anchors', () => {
    const m = compileHostMatcher(['/^a\\.example|b\\.example$/'], 'h');
    assert.equal(m(ok('a.example.evil.tld'), 80), false);
    assert.equal(m(ok('a.example'), 80), true);
  });
  it('the ReDoS check passes bounded, flat patterns', () => {
    for (const safe of ['[a-z0-9-]{1,63}\\.example\\.com', '(www\\.)?example\\.com', 'a(b|c)d'])
      assert.equal(unsafeRegexReason(safe), undefined, safe);
    for (const bad of ['(a*)*', '(a+){2,}', '((ab)+)+', '(x|y)+'])
      assert.notEqual(unsafeRegexReason(bad), undefined, bad);
  });
});

describe('describeAllowedHosts (what exporters read)', () => {
  it('canonicalises each entry into its kind, name and port', () => {
    assert.deepEqual(
      describeAllowedHosts(
        ['*', 'App.Example', '*.example.com:8443', '.bücher.example', '/^a[0-9]{1,3}\\.x$/'],
        'allowedHosts',
      ),
      [
        { kind: 'any', entry: '*' },
        { kind: 'exact', entry: 'App.Example', name: 'app.example', port: undefined },
        { kind: 'domain', entry: '*.example.com:8443', name: 'example.com', port: 8443 },
        {
          kind: 'domain',
          entry: '.bücher.example',
          name: 'xn--bcher-kva.example',
          port: undefined,
        },
        { kind: 'regex', entry: '/^a[0-9]{1,3}\\.x$/', source: 'a[0-9]{1,3}\\.x' },
      ],
    );
  });
  it('refuses what the matcher refuses, with the entry path', () => {
    assert.throws(() => describeAllowedHosts(['ok.example', 'https://x.example'], 'allowedHosts'), {
      code: 'BARBICAN_E_HOST_PATTERN',
      path: 'allowedHosts[1]',
    });
  });
});
