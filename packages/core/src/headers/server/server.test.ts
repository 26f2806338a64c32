import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy, type PolicyOptions } from '../../policy/index.ts';
import { parseServer } from './index.ts';

const plan = (o: PolicyOptions) => {
  const p = createPolicy(o);
  return {
    set: p.headersFor({ https: true }).find(([n]) => n === 'Server')?.[1],
    removed: p.https.remove.has('server') && p.http.remove.has('server'),
  };
};

describe('Server', () => {
  it('true removes Server, even when removeHeaders is off', () => {
    assert.deepEqual(plan({ headers: { server: true } }), { set: undefined, removed: true });
    assert.deepEqual(plan({ preset: 'helmet', headers: { server: true }, removeHeaders: false }), {
      set: undefined,
      removed: true,
    });
    assert.deepEqual(plan({ headers: { server: {} } }), { set: undefined, removed: true });
  });

  it('a string sets Server and it is never stripped', () => {
    assert.deepEqual(plan({ headers: { server: 'edge' } }), { set: 'edge', removed: false });
    assert.deepEqual(plan({ headers: { server: { value: 'acme/2 (internal)' } } }), {
      set: 'acme/2 (internal)',
      removed: false,
    });
  });

  it('false leaves Server as the app sends it, though it is on the OWASP remove list', () => {
    const p = createPolicy({ headers: { server: false }, removeHeaders: true });
    assert.equal(p.https.remove.has('server'), false);
    assert.equal(p.https.remove.has('x-powered-by'), true);
  });

  it('presets that do not mention server leave it alone', () => {
    assert.deepEqual(plan({ preset: 'helmet' }), { set: undefined, removed: false });
    assert.deepEqual(plan({ preset: 'barbican' }), { set: undefined, removed: true });
  });

  it('refuses removeHeaders entries that contradict headers.server', () => {
    assert.throws(
      () => plan({ headers: { server: false }, removeHeaders: ['X-Powered-By', 'Server'] }),
      { code: 'BARBICAN_E_CONFLICT', path: 'removeHeaders' },
    );
    assert.throws(() => plan({ preset: 'helmet', removeHeaders: { add: ['server'] } }), {
      code: 'BARBICAN_E_CONFLICT',
    });
    assert.throws(() => plan({ removeHeaders: { keep: ['Server'] } }), {
      code: 'BARBICAN_E_CONFLICT',
      path: 'removeHeaders.keep',
    });
    // Agreeing mentions are fine.
    assert.equal(plan({ removeHeaders: ['Server'] }).removed, true);
    assert.equal(
      plan({ headers: { server: 'edge' }, removeHeaders: { add: ['Server'] } }).set,
      'edge',
    );
  });

  for (const bad of [
    '',
    ' edge',
    'edge\r\nSet-Cookie: a=b',
    'edge\n',
    'edge\0',
    'édge',
    'a b  c',
    '(comment)',
    'a/b/c',
    'x'.repeat(300),
  ]) {
    it(`refuses the value ${JSON.stringify(bad.slice(0, 20))}`, () => {
      assert.throws(() => plan({ headers: { server: bad } }), { path: 'headers.server' });
      assert.throws(() => plan({ headers: { server: { value: bad } } }), {
        path: 'headers.server.value',
      });
    });
  }

  for (const bad of [1, null, [], { valu: 'x' }]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => plan({ headers: { server: bad as never } }),
        /BARBICAN_E_(TYPE|UNKNOWN_OPTION)/,
      );
    });
  }
});

describe('parseServer', () => {
  it('finds the product and whether it gives a version away', () => {
    assert.deepEqual(parseServer('nginx/1.22.1'), {
      valid: true,
      product: 'nginx/1.22.1',
      revealsVersion: true,
    });
    assert.deepEqual(parseServer('Apache/2.4.57 (Debian)'), {
      valid: true,
      product: 'Apache/2.4.57',
      revealsVersion: true,
    });
    assert.deepEqual(parseServer('cloudflare'), {
      valid: true,
      product: 'cloudflare',
      revealsVersion: false,
    });
    assert.equal(parseServer('').valid, false);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
        assert.equal(typeof parseServer(s as string).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
  });
});
