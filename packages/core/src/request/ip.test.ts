import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarbicanError } from '../errors.ts';
import { compileIpMatcher, formatIp, parseCidr, parseIp, trustedProxyRanges } from './ip.ts';

describe('IP parsing', () => {
  it('formats canonically (dotted IPv4, RFC 5952 IPv6)', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', '127.0.0.1'],
      ['::ffff:127.0.0.1', '127.0.0.1'],
      ['2001:0DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['::1', '::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['fe80::', 'fe80::'],
    ];
    for (const [input, out] of cases) {
      const ip = parseIp(input);
      assert.ok(ip, input);
      assert.equal(formatIp(ip), out);
    }
  });
  it('refuses ambiguous or malformed addresses', () => {
    for (const bad of [
      '010.0.0.1',
      '1.2.3',
      '256.1.1.1',
      '1.2.3.4.5',
      '0x7f.0.0.1',
      '1::2::3',
      'fe80::1%eth0',
      ':::',
      '12345::',
      '',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });
});

describe('CIDR matching', () => {
  it('matches IPv4, IPv6 and IPv4-mapped peers against ranges and named sets', () => {
    const m = compileIpMatcher(['10.0.0.0/8', '2001:db8::/32', 'loopback'], 'trustedProxies');
    assert.equal(m('10.1.2.3'), true);
    assert.equal(m('::ffff:10.1.2.3'), true);
    assert.equal(m('11.0.0.1'), false);
    assert.equal(m('2001:db8:ffff::1'), true);
    assert.equal(m('2001:db9::1'), false);
    assert.equal(m('127.8.9.10'), true);
    assert.equal(m('::1'), true);
    assert.equal(m(undefined), false);
    assert.equal(m('not an ip'), false);
  });
  it('named sets cover private and link-local ranges', () => {
    const m = compileIpMatcher(['private', 'linklocal'], 'p');
    for (const ip of ['192.168.1.1', '172.31.0.1', 'fd00::1', '169.254.1.1', 'fe80::1'])
      assert.equal(m(ip), true, ip);
    for (const ip of ['172.32.0.1', '8.8.8.8', '2001:db8::1']) assert.equal(m(ip), false, ip);
  });
  it('refuses bad entries with BARBICAN_E_CIDR and a hint', () => {
    for (const bad of ['10.0.0.0/33', '::/129', 'example.com', '10.0.0.0/', '10.0.0.0/08']) {
      assert.throws(
        () => parseCidr(bad, 'trustedProxies[0]'),
        (e: unknown) => {
          assert.ok(e instanceof BarbicanError);
          assert.equal(e.code, 'BARBICAN_E_CIDR');
          assert.equal(e.path, 'trustedProxies[0]');
          return true;
        },
      );
    }
    assert.throws(() => parseCidr('10.0.0.1/8', 'p'), /Did you mean "10\.0\.0\.0\/8"/);
  });
});

describe('trustedProxyRanges', () => {
  it('expands named sets and writes every entry as address/prefix', () => {
    assert.deepEqual(trustedProxyRanges(['loopback', '10.1.2.3', '2001:DB8::/32']), [
      '127.0.0.0/8',
      '::1/128',
      '10.1.2.3/32',
      '2001:db8::/32',
    ]);
  });
  it('refuses a bad entry with its path', () => {
    assert.throws(() => trustedProxyRanges(['10.0.0.0/8', 'nope']), {
      code: 'BARBICAN_E_CIDR',
      path: 'trustedProxies[1]',
    });
  });
});
