import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarbicanError, toJsonSchema } from '@barbican/core';
import { gatewayOptionsSchema, parseListen, resolveGatewayOptions } from './options.ts';
import { checkTarget, headerKinds, inspectHeaders } from './inspect.ts';
import { redactTarget } from './access-log.ts';

function fails(input: unknown, code: string, pathRe: RegExp): void {
  assert.throws(
    () => resolveGatewayOptions(gatewayOptionsSchema.parse(input, 'gateway')),
    (e: unknown) => e instanceof BarbicanError && e.code === code && pathRe.test(e.message),
  );
}

describe('gateway options', () => {
  it('applies the documented defaults', () => {
    const o = resolveGatewayOptions(
      gatewayOptionsSchema.parse({ upstream: 'http://127.0.0.1:3000/' }, 'gateway'),
    );
    assert.deepEqual(o.upstreams, ['http://127.0.0.1:3000']);
    assert.deepEqual(o.listen, { host: '0.0.0.0', port: 443 });
    assert.deepEqual(o.httpListen, { host: '0.0.0.0', port: 80 });
    assert.deepEqual(o.adminListen, { host: '127.0.0.1', port: 9901 });
    assert.equal(o.workers, 0);
    assert.equal(o.http2, true);
    assert.equal(o.rateLimit, false);
    assert.equal(o.limits.requestBody, 100 * 1024 * 1024);
    assert.deepEqual(o.methods, ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
  });

  it('parses listen addresses', () => {
    assert.deepEqual(parseListen(':8443'), { host: '0.0.0.0', port: 8443 });
    assert.deepEqual(parseListen('8443'), { host: '0.0.0.0', port: 8443 });
    assert.deepEqual(parseListen('[::1]:443'), { host: '::1', port: 443 });
    assert.deepEqual(parseListen('127.0.0.1:80'), { host: '127.0.0.1', port: 80 });
    assert.equal(typeof parseListen('localhost:99999'), 'string');
    assert.equal(typeof parseListen('http://x:1'), 'string');
  });

  it('refuses typos with "did you mean", naming the option path', () => {
    fails(
      { upstream: 'http://a:1', listn: ':1' },
      'BARBICAN_E_UNKNOWN_OPTION',
      /gateway\.listn.*Did you mean "listen"/,
    );
    fails(
      { upstream: 'http://a:1', timeouts: { conect: 1 } },
      'BARBICAN_E_UNKNOWN_OPTION',
      /gateway\.timeouts\.conect.*"connect"/,
    );
  });

  it('refuses upstreams with a path, credentials or another scheme', () => {
    fails(
      { upstream: 'http://a:1/app' },
      'BARBICAN_E_GATEWAY_UPSTREAM',
      /gateway\.upstream: expected an origin without a path/,
    );
    fails({ upstream: 'http://user:pw@a:1' }, 'BARBICAN_E_GATEWAY_UPSTREAM', /credentials/);
    fails({ upstreams: ['ftp://a'] }, 'BARBICAN_E_GATEWAY_UPSTREAM', /gateway\.upstreams\[0\]/);
    fails({}, 'BARBICAN_E_GATEWAY_UPSTREAM', /no upstream/);
    fails(
      { upstream: 'http://a:1', upstreams: ['http://b:1'] },
      'BARBICAN_E_CONFLICT',
      /gateway\.upstream/,
    );
  });

  it('refuses a malformed listener and a redis URL with its password masked', () => {
    fails(
      { upstream: 'http://a:1', listen: 'everywhere' },
      'BARBICAN_E_GATEWAY_LISTEN',
      /gateway\.listen/,
    );
    assert.throws(
      () =>
        gatewayOptionsSchema.parse({ rateLimit: { store: 'memcache://user:secret@x' } }, 'gateway'),
      (e: unknown) => e instanceof BarbicanError && !e.message.includes('secret'),
    );
  });

  it('has a JSON Schema (for barbican schema and editors)', () => {
    const schema = gatewayOptionsSchema.toJsonSchema() as { properties: Record<string, unknown> };
    for (const key of [
      'upstream',
      'upstreams',
      'listen',
      'httpListen',
      'adminListen',
      'rateLimit',
      'limits',
      'timeouts',
    ]) {
      assert.ok(key in schema.properties, key);
    }
    assert.ok(toJsonSchema());
  });
});

describe('request inspection', () => {
  const kinds = headerKinds(['x-csp-nonce', 'x-request-id']);
  const inspect = (raw: string[], http10 = false) => inspectHeaders(raw, kinds, 100, http10, false);

  it('forwards end-to-end headers and drops hop-by-hop and forwarding ones', () => {
    const r = inspect([
      'Host',
      'a',
      'Accept',
      '*/*',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'X-Forwarded-For',
      '6.6.6.6',
      'X-CSP-Nonce',
      'forged',
      'Cookie',
      'a=b',
    ]);
    assert.ok(!('status' in r));
    assert.deepEqual(r.headers, ['Accept', '*/*', 'Cookie', 'a=b']);
    assert.equal(r.xff, '6.6.6.6');
    assert.equal(r.host, 'a');
  });

  it('refuses framing that two parsers could read differently', () => {
    const refused = (raw: string[], http10 = false) =>
      (inspect(raw, http10) as { status?: number }).status;
    assert.equal(refused(['Host', 'a', 'Transfer-Encoding', 'gzip, chunked']), 400);
    assert.equal(
      refused(['Host', 'a', 'Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked']),
      400,
    );
    assert.equal(refused(['Host', 'a', 'Transfer-Encoding', 'chunked'], true), 400);
    assert.equal(refused(['Host', 'a', 'Content-Length', '1', 'Content-Length', '1']), 400);
    assert.equal(refused(['Host', 'a', 'Host', 'b']), 400);
    assert.equal(refused(['Accept', '*/*']), 400);
    assert.equal(refused(['Accept', '*/*'], true), undefined);
    assert.equal(refused(['Host', 'a', 'Transfer-Encoding', ' Chunked ']), undefined);
  });

  it('checks request-targets', () => {
    assert.equal(checkTarget('/a/b?c=1', 100), '/a/b?c=1');
    assert.equal(checkTarget('http://h/a?b', 100), '/a?b');
    assert.equal(checkTarget('http://h', 100), '/');
    assert.equal(checkTarget('/%2E%2E/x', 100).constructor, Object);
    assert.deepEqual(checkTarget('/x'.repeat(100), 100), {
      status: 414,
      reason: 'request-target too long',
    });
    assert.deepEqual(checkTarget('/a/...', 100), '/a/...');
  });

  it('redacts secret-looking query values in the access log', () => {
    assert.equal(
      redactTarget('/cb?code=abc&state=1&api_key=k&Password=p', ['code', 'key', 'pass']),
      '/cb?code=[redacted]&state=1&api_key=[redacted]&Password=[redacted]',
    );
    assert.equal(redactTarget('/plain', ['code']), '/plain');
  });
});
