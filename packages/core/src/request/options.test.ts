import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRequest } from '../engine.ts';
import type { RequestFacts } from '../plan.ts';
import { BarbicanError } from '../errors.ts';
import { createPolicy } from '../policy/index.ts';

const get = (
  host: string,
  tls: boolean,
  peer = '127.0.0.1',
  more: Record<string, string[]> = {},
): RequestFacts => ({
  method: 'GET',
  target: '/',
  peer,
  tls,
  headerValues: (n) => (n === 'host' ? [host] : (more[n] ?? [])),
});
const hsts = (v: ReturnType<typeof evaluateRequest>) =>
  v.kind === 'pass' && v.plan.set.some(([n]) => n === 'Strict-Transport-Security');

describe('request options', () => {
  it('sslRedirect without allowedHosts or a fixed host is an open redirect: refused', () => {
    assert.throws(
      () => createPolicy({ sslRedirect: true }),
      (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_OPEN_REDIRECT',
    );
  });
  it('trusted origins need a scheme (Django 4.0 lesson)', () => {
    assert.throws(
      () => createPolicy({ csrf: { trustedOrigins: ['example.com'] } }),
      /Did you mean "https:\/\/example.com"\?.*BARBICAN_E_ORIGIN/,
    );
  });
  it('typos get a suggestion', () => {
    assert.throws(
      () => createPolicy({ allowedHost: ['a'] } as never),
      /Did you mean "allowedHosts"/,
    );
    assert.throws(() => createPolicy({ badHostStatus: 500 } as never), /BARBICAN_E_TYPE/);
  });
  it('withholds HSTS from localhost and IP literals over HTTPS, unless forced', () => {
    const p = createPolicy({});
    assert.equal(hsts(evaluateRequest(p, get('app.example', true))), true);
    assert.equal(hsts(evaluateRequest(p, get('localhost:3000', true))), false);
    assert.equal(hsts(evaluateRequest(p, get('api.localhost', true))), false);
    assert.equal(hsts(evaluateRequest(p, get('[::1]', true))), false);
    assert.equal(hsts(evaluateRequest(p, get('127.0.0.1', true))), false);
    assert.equal(hsts(evaluateRequest(p, get('app.example', false))), false);
    const forced = createPolicy({ forceStsHeader: true });
    assert.equal(hsts(evaluateRequest(forced, get('localhost', true))), true);
    assert.equal(hsts(evaluateRequest(forced, get('app.example', false))), true);
  });
  it('development mode turns HSTS off even when forced, and says so as warning data', () => {
    const p = createPolicy({
      development: true,
      forceStsHeader: true,
      allowedHosts: ['a.example'],
    });
    assert.equal(hsts(evaluateRequest(p, get('evil.example', true))), false);
    assert.equal(hsts(evaluateRequest(p, get('evil.example', false))), false);
    assert.ok(p.warnings.some((w) => w.code === 'BARBICAN_W_DEVELOPMENT'));
  });
  it('exposes the effective client address on pass verdicts', () => {
    const p = createPolicy({ trustedProxies: ['loopback'] });
    const v = evaluateRequest(
      p,
      get('a.example', false, '127.0.0.1', { 'x-forwarded-for': ['198.51.100.4'] }),
    );
    assert.equal(v.kind === 'pass' ? v.clientIp : 'respond', '198.51.100.4');
    const plain = evaluateRequest(createPolicy({}), get('a.example', false, '::ffff:192.0.2.3'));
    assert.equal(plain.kind === 'pass' ? plain.clientIp : 'respond', '192.0.2.3');
  });
  it('temporary redirects keep the method: 302 for GET, 307 otherwise; custom port', () => {
    const p = createPolicy({
      allowedHosts: ['a.example'],
      sslRedirect: { status: 302, port: 8443 },
    });
    const v = evaluateRequest(p, get('a.example', false));
    assert.equal(
      v.kind === 'respond' && `${v.status} ${v.headers[0]?.[1] ?? ''}`,
      '302 https://a.example:8443/',
    );
    const post = evaluateRequest(p, { ...get('a.example', false), method: 'POST' });
    assert.equal(post.kind === 'respond' && post.status, 307);
  });
  it('a policy without request options takes the fast path', () => {
    assert.equal(createPolicy({}).guards.active, false);
    assert.equal(createPolicy({ allowedHosts: ['*'] }).guards.active, true);
  });
});

describe('BARBICAN_W_NO_ALLOWED_HOSTS', () => {
  const codes = (o: Parameters<typeof createPolicy>[0]) =>
    createPolicy(o).warnings.map((w) => w.code);

  it('warns for a production policy (development not on) without allowedHosts', () => {
    const w = createPolicy({}).warnings.find((x) => x.code === 'BARBICAN_W_NO_ALLOWED_HOSTS');
    assert.equal(w?.path, 'allowedHosts');
    assert.match(w.message, /\["\*"\]/);
    assert.ok(codes({ csrf: true, development: false }).includes('BARBICAN_W_NO_ALLOWED_HOSTS'));
  });

  it('is silenced by a host list, by "*" (any host, said explicitly) and by ignoreWarnings', () => {
    assert.ok(!codes({ allowedHosts: ['app.example'] }).includes('BARBICAN_W_NO_ALLOWED_HOSTS'));
    assert.ok(!codes({ allowedHosts: ['*'] }).includes('BARBICAN_W_NO_ALLOWED_HOSTS'));
    assert.ok(
      !codes({ ignoreWarnings: ['BARBICAN_W_NO_ALLOWED_HOSTS'] }).includes(
        'BARBICAN_W_NO_ALLOWED_HOSTS',
      ),
    );
  });

  it('is not raised in development, which turns host checks off on purpose', () => {
    assert.deepEqual(codes({ development: true }), ['BARBICAN_W_DEVELOPMENT']);
  });

  it('follows a route policy: extend() with allowedHosts silences it', () => {
    const site = createPolicy({});
    assert.ok(
      !site
        .extend({ allowedHosts: ['app.example'] })
        .warnings.some((w) => w.code === 'BARBICAN_W_NO_ALLOWED_HOSTS'),
    );
  });
});
