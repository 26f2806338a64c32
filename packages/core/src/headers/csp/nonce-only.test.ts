import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secureFetch } from '../../adapters/fetch.ts';
import { BarbicanError } from '../../barbican-error.ts';
import { createPolicy } from '../../policy/index.ts';

describe('a directive whose only source is the nonce', () => {
  it('an empty list in nonce becomes script-src with the per-request nonce alone', async () => {
    const policy = createPolicy({
      headers: {
        csp: { directives: { 'script-src': [], 'object-src': ["'none'"] }, nonce: ['script-src'] },
      },
    });
    const handler = secureFetch(
      (_req, ctx) => new Response(`<script nonce="${ctx.nonce()}"></script>`),
      policy,
    );
    const res = await handler(new Request('https://app.example/'));
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /(^|; )script-src 'nonce-[\w+/-]+={0,2}'(;|$)/);
  });

  it('an empty list that gets no nonce is still refused, with the way out named', () => {
    assert.throws(
      () => createPolicy({ headers: { csp: { directives: { 'script-src': [] }, nonce: false } } }),
      (e: unknown) =>
        e instanceof BarbicanError &&
        e.code === 'BARBICAN_E_CSP_SOURCE' &&
        e.path === 'headers.csp.directives.script-src' &&
        /list it in nonce/.test(e.message),
    );
  });
});
