import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestFacts } from '../plan.ts';
import { clientAddress, compileProxyGuard, parseForwarded } from './proxies.ts';

const facts = (peer: string | undefined, headers: Record<string, string[]>): RequestFacts => ({
  method: 'GET',
  target: '/',
  peer,
  tls: false,
  headerValues: (n) => headers[n] ?? [],
});

describe('RFC 7239 Forwarded', () => {
  it('parses elements, quoted values and IPv6 nodes', () => {
    assert.deepEqual(
      parseForwarded([
        'for=192.0.2.60;proto=http;by=203.0.113.43',
        'for="[2001:db8:cafe::17]:4711";host="a.example"',
      ]),
      [
        { for: '192.0.2.60', proto: 'http', by: '203.0.113.43' },
        { for: '[2001:db8:cafe::17]:4711', host: 'a.example' },
      ],
    );
  });
  it('refuses malformed or repeated parameters', () => {
    for (const bad of ['for', 'for=a;for=b', 'proto="https', 'a b=c'])
      assert.equal(parseForwarded([bad]), undefined, bad);
  });
});

describe('effective client address', () => {
  const g = compileProxyGuard(['loopback', '10.0.0.0/8'], undefined, 'trustedProxies');
  it('is the peer when the peer is not a trusted proxy, whatever it claims', () => {
    assert.equal(
      clientAddress(facts('203.0.113.9', { 'x-forwarded-for': ['127.0.0.1'] }), g),
      '203.0.113.9',
    );
  });
  it('walks X-Forwarded-For right to left past trusted proxies', () => {
    const f = facts('::ffff:127.0.0.1', { 'x-forwarded-for': ['6.6.6.6, 198.51.100.7, 10.0.0.2'] });
    assert.equal(clientAddress(f, g), '198.51.100.7');
  });
  it('prefers Forwarded for= and strips ports and brackets', () => {
    const f = facts('127.0.0.1', {
      forwarded: ['for="[2001:db8::7]:4711"'],
      'x-forwarded-for': ['1.1.1.1'],
    });
    assert.equal(clientAddress(f, g), '2001:db8::7');
  });
  it('stops at an unparseable hop', () => {
    assert.equal(clientAddress(facts('127.0.0.1', { forwarded: ['for=unknown'] }), g), '127.0.0.1');
  });
});
