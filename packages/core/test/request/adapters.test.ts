/**
 * The hostile-request table through every framework adapter of the shared
 * behaviour harness (raw TCP to each real server on 127.0.0.1, so odd Host
 * headers, duplicate headers and absolute-form targets arrive as sent).
 *
 * Every row runs through every adapter, with two exceptions the frameworks
 * impose: `next start` builds the middleware's URL by appending the
 * request-target to its own origin, so a target that is not origin-form
 * never reaches Next's middleware (see `nextCanRoute`); and
 * `@hono/node-server` refuses a Host whose URL form differs from it (a
 * non-canonical IPv6 literal) before the app runs (see `nodeServerCanRoute`).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createPolicy } from '../../src/policy/index.ts';
import { ADAPTERS, nextCanRoute, nodeServerCanRoute, type Running } from '../adapters/harness.ts';
import { HOSTILE, POLICIES, type HostileCase } from './hostile-table.ts';

interface Outcome {
  status: number;
  location: string | undefined;
  hsts: boolean;
}

function send(port: number, c: HostileCase): Promise<Outcome> {
  const lines = [`${c.method ?? 'GET'} ${c.target ?? '/'} HTTP/1.1`];
  for (const [n, v] of c.headers) lines.push(`${n}: ${v}`);
  lines.push('Connection: close', '', '');
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const head = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0] ?? '';
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        location: /\r\nlocation: *([^\r]*)/i.exec(head)?.[1],
        hsts: /\r\nstrict-transport-security:/i.test(head),
      });
    });
    s.end(Buffer.from(lines.join('\r\n'), 'latin1'));
  });
}

/** Adapters that hand the app a Fetch `Request`, whose URL is normalised (dot segments removed). */
const FETCH_BASED = new Set(['hono', 'hono node-server', 'fetch', 'next']);

let ran = 0;
let skipped = 0;
for (const adapter of ADAPTERS) {
  describe(`hostile requests: ${adapter.name}`, () => {
    const running = new Map<string, Running>();
    let calls = 0;
    before(async () => {
      for (const [name, options] of Object.entries(POLICIES)) {
        running.set(
          name,
          await adapter.start(createPolicy(options), undefined, () => {
            calls++;
          }),
        );
      }
    });
    after(async () => {
      await Promise.all([...running.values()].map((r) => r.close()));
    });
    for (const c of HOSTILE) {
      const target = c.target ?? '/';
      const host = c.headers.find(([n]) => n.toLowerCase() === 'host')?.[1];
      const skip =
        adapter.name === 'next' && !nextCanRoute(target)
          ? 'Next never routes this target'
          : adapter.name === 'hono node-server' && !nodeServerCanRoute(host)
            ? '@hono/node-server answers 400 itself before the app runs'
            : false;
      if (skip !== false) skipped++;
      it(c.name, { skip }, async () => {
        const r = running.get(c.policy) ?? assert.fail(c.policy);
        const before = calls;
        const got = await send(Number(new URL(r.url).port), c);
        ran++;
        assert.equal(got.status, c.status, 'status');
        // The app runs exactly for the requests Barbican lets through.
        assert.equal(calls - before, c.status === 200 ? 1 : 0, 'app calls');
        if (c.location === undefined) assert.equal(got.location, undefined, 'no location');
        else {
          // A Fetch runtime sees the target as a URL, with dot segments
          // already resolved: the Location is that URL's form of the path.
          const want = FETCH_BASED.has(adapter.name) ? new URL(c.location).href : c.location;
          assert.equal(got.location, want, 'location');
        }
        if (c.hsts !== undefined) assert.equal(got.hsts, c.hsts, 'HSTS');
      });
    }
  });
}

after(() => {
  // Every adapter × every row, minus the few requests a framework never
  // hands to the app (named above), and those stay few.
  assert.equal(ran, ADAPTERS.length * HOSTILE.length - skipped, `ran ${ran}`);
  assert.ok(skipped <= 20, `skipped ${skipped}`);
});
