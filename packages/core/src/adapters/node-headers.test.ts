import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { createPolicy } from '../policy/index.ts';
import { directHeaderStore, writePlanHeaders } from './node-headers.ts';

const plan = createPolicy({ preset: 'strict', allowedHosts: ['*'] }).https;
const fresh = (): ServerResponse => new ServerResponse(new IncomingMessage(new Socket()));
const head = (r: ServerResponse): unknown => (r as unknown as { _header: unknown })._header;

describe('writing plan headers onto a Node response', () => {
  it('uses the direct store on this Node (self-test passed)', () => {
    // Node 22 and 24 keep outgoing headers under kOutHeaders; if a future
    // Node changes that, the fallback keeps working and this test says so.
    assert.equal(directHeaderStore, true);
  });

  it('produces exactly what setHeader produces, on the wire and through the API', () => {
    const viaApi = fresh();
    for (const [n, v] of plan.set) viaApi.setHeader(n, v);
    const direct = fresh();
    writePlanHeaders(plan, direct);
    assert.deepEqual(direct.getHeaders(), viaApi.getHeaders());
    assert.deepEqual(direct.getHeaderNames(), viaApi.getHeaderNames());
    viaApi.writeHead(200);
    direct.writeHead(200);
    assert.equal(head(direct), head(viaApi));
  });

  it('keeps headers set earlier and lets later setHeader calls override (handler wins)', () => {
    const res = fresh();
    res.setHeader('X-Powered-By', 'Express');
    writePlanHeaders(plan, res);
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    res.appendHeader('Cache-Control', 'private');
    assert.equal(res.getHeader('x-powered-by'), 'Express');
    assert.equal(res.getHeader('x-frame-options'), 'SAMEORIGIN');
    res.removeHeader('x-content-type-options');
    assert.equal(res.hasHeader('x-content-type-options'), false);
    res.writeHead(204);
    assert.match(String(head(res)), /\r\nX-Frame-Options: SAMEORIGIN\r\n/);
  });

  it('falls back to setHeader, and its error, once the head was sent', () => {
    const res = fresh();
    res.writeHead(200);
    assert.throws(() => writePlanHeaders(plan, res), { code: 'ERR_HTTP_HEADERS_SENT' });
  });

  it('gives every response its own entries (no state shared across responses)', () => {
    const a = fresh();
    const b = fresh();
    writePlanHeaders(plan, a);
    writePlanHeaders(plan, b);
    a.setHeader('X-Frame-Options', 'SAMEORIGIN');
    assert.equal(b.getHeader('x-frame-options'), 'DENY');
  });
});
