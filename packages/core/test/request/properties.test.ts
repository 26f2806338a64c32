/**
 * Property-based tests (fast-check): whatever the request, a redirect never
 * leaves the allow-list and HSTS never rides on an effective-HTTP response.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { evaluateRequest } from '../../src/engine.ts';
import type { RequestFacts } from '../../src/plan.ts';
import { createPolicy } from '../../src/policy/index.ts';
import { parseHost } from '../../src/request/hosts.ts';

const ALLOWED = ['app.example', '.example.com', '[2001:db8::1]'];
const allowedName = (name: string): boolean =>
  name === 'app.example' ||
  name === 'example.com' ||
  name.endsWith('.example.com') ||
  name === '[2001:db8::1]';

const hostish = fc.oneof(
  fc.constantFrom(
    'app.example',
    'APP.example.',
    'a.example.com',
    'evil.example',
    'example.com.evil.tld',
    'app.example@evil.tld',
    '[2001:db8::1]:8080',
    'localhost',
    '127.0.0.1',
    '',
  ),
  fc.string({ maxLength: 40 }),
  fc.domain(),
);
const target = fc.oneof(
  fc.constantFrom('/', '/x?y=1', '//evil.tld/', 'evil.tld', 'http://evil.example/', '*'),
  fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  fc.webUrl(),
  fc.string({ maxLength: 30 }),
);
const headerPair = fc.tuple(
  fc.constantFrom(
    'host',
    'x-forwarded-proto',
    'x-forwarded-host',
    'forwarded',
    'origin',
    'x-forwarded-for',
  ),
  fc.oneof(hostish, fc.constantFrom('https', 'http', 'proto=https;host=evil.example')),
);
const request = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'),
  target,
  headers: fc.array(headerPair, { maxLength: 6 }),
  peer: fc.constantFrom('127.0.0.1', '::ffff:127.0.0.1', '203.0.113.5', undefined),
  tls: fc.boolean(),
});

function facts(r: {
  method: string;
  target: string;
  headers: [string, string][];
  peer: string | undefined;
  tls: boolean;
}): RequestFacts {
  return {
    method: r.method,
    target: r.target,
    peer: r.peer,
    tls: r.tls,
    headerValues: (n) => r.headers.filter(([k]) => k === n).map(([, v]) => v),
  };
}

const policies = [
  createPolicy({ allowedHosts: ALLOWED, sslRedirect: true }),
  createPolicy({
    allowedHosts: ALLOWED,
    sslRedirect: { status: 307, port: 8443 },
    trustedProxies: ['loopback'],
    proxyHeaders: { host: 'X-Forwarded-Host' },
  }),
  createPolicy({ allowedHosts: ALLOWED, sslRedirect: true, trustedProxies: ['loopback'] }),
];

it('a redirect never points at a host outside the allow-list', () => {
  fc.assert(
    fc.property(request, fc.constantFrom(...policies), (r, policy) => {
      const v = evaluateRequest(policy, facts(r));
      if (v.kind !== 'respond' || v.status < 300 || v.status >= 400) return;
      const location = v.headers.find(([n]) => n === 'location')?.[1] ?? '';
      const url = new URL(location);
      assert.equal(url.protocol, 'https:');
      const host = parseHost(url.host);
      assert.ok(host.kind !== 'invalid' && allowedName(host.name), location);
      // The authority of the Location is exactly the validated host (+ port).
      assert.match(location, /^https:\/\/[^/?#@\\]+\//);
    }),
    { numRuns: 2000 },
  );
});

it('HSTS never appears on an effective-HTTP response', () => {
  const all = [...policies, createPolicy({}), createPolicy({ trustedProxies: ['loopback'] })];
  fc.assert(
    fc.property(request, fc.constantFrom(...all), (r, policy) => {
      const v = evaluateRequest(policy, facts(r));
      if (v.kind === 'respond') {
        assert.ok(!v.headers.some(([n]) => n.toLowerCase() === 'strict-transport-security'));
        return;
      }
      const hsts = v.plan.set.some(([n]) => n.toLowerCase() === 'strict-transport-security');
      if (!v.https) assert.equal(hsts, false);
    }),
    { numRuns: 2000 },
  );
});

it('a pass verdict always has a host on the allow-list (or none when unchecked)', () => {
  fc.assert(
    fc.property(request, (r) => {
      const v = evaluateRequest(policies[1] ?? assert.fail(), facts(r));
      if (v.kind === 'pass') assert.ok(v.host !== undefined && allowedName(v.host), v.host);
    }),
    { numRuns: 1000 },
  );
});

it('evaluateRequest never throws, whatever the bytes', () => {
  fc.assert(
    fc.property(request, fc.constantFrom(...policies), (r, policy) => {
      evaluateRequest(policy, facts(r));
    }),
    { numRuns: 1000 },
  );
});
