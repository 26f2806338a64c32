import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secureFetch } from '../adapters/fetch.ts';
import { createPolicy } from '../policy/index.ts';

const codes = (allowedHosts: string[]): string[] =>
  createPolicy({ allowedHosts, sslRedirect: true })
    .warnings.filter((w) => w.code === 'BARBICAN_W_REDIRECT_UNREACHABLE')
    .map((w) => w.path);

describe('options that contradict each other: allowedHosts with a port, and sslRedirect', () => {
  it('warns, as seed 000 imports it, and the request it warns about is indeed refused', async () => {
    const policy = createPolicy({ allowedHosts: ['host.known.com:443'], sslRedirect: true });
    const w = policy.warnings.find((x) => x.code === 'BARBICAN_W_REDIRECT_UNREACHABLE');
    assert.ok(w !== undefined);
    assert.equal(w.path, 'allowedHosts[0]');
    assert.match(
      w.message,
      /List "host\.known\.com" without a port \(any port\), or add "host\.known\.com:80"/,
    );
    const res = await secureFetch(
      () => new Response('app'),
      policy,
    )(new Request('http://host.known.com/'));
    assert.equal(res.status, 400, 'the redirect never fires');
  });

  it('is silent when some entry accepts the host on port 80, or without sslRedirect', () => {
    assert.deepEqual(codes(['host.known.com:443', 'host.known.com']), []);
    assert.deepEqual(codes(['host.known.com:443', 'host.known.com:80']), []);
    assert.deepEqual(codes(['host.known.com', '/^app\\.example$/', '*.example.org']), []);
    const off = createPolicy({ allowedHosts: ['host.known.com:443'] });
    assert.equal(
      off.warnings.some((x) => x.code === 'BARBICAN_W_REDIRECT_UNREACHABLE'),
      false,
    );
  });

  it('names each entry that blocks its own redirect', () => {
    assert.deepEqual(codes(['a.example:443', 'b.example:8443', 'c.example']), [
      'allowedHosts[0]',
      'allowedHosts[1]',
    ]);
  });
});
