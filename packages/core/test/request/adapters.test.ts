/**
 * The hostile-request table through every framework adapter of the shared
 * behaviour harness (raw TCP to each real server on 127.0.0.1, so odd Host
 * headers, duplicate headers and absolute-form targets arrive as sent).
 *
 * Every row runs through every adapter. Where a framework answers or
 * rewrites a request before any middleware runs, the row asserts what that
 * real server does instead ({@link SHOWN}, with the reason), so a change in
 * the framework fails here rather than passing unnoticed.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createPolicy } from '../../src/policy/index.ts';
import { ADAPTERS, type Running } from '../adapters/harness.ts';
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
    // Written, not ended: a client that half-closes looks gone to some
    // servers (Next aborts a handler still at work). `Connection: close`
    // makes the server close once it answered; a silent one times out.
    s.setTimeout(15_000, () => s.destroy(new Error('no answer in 15 s')));
    s.write(Buffer.from(lines.join('\r\n'), 'latin1'));
  });
}

/** Adapters that hand the app a Fetch `Request`, whose URL is normalised (dot segments removed). */
const FETCH_BASED = new Set(['hono', 'hono node-server', 'fetch', 'next']);

/** What a real server does with a row instead of the table's outcome. */
interface Shown {
  readonly status: number;
  readonly location?: string;
  /** Whether the app ran. */
  readonly app: boolean;
  readonly why: string;
}

/**
 * `next start` (16.4.5) answers 308 itself, before the proxy.ts middleware
 * runs, when the request-target contains `//` or `\` (resolve-routes
 * "normalizes repeated slashes"): every absolute-form target does. The
 * Location is the target with repeated slashes collapsed: for absolute-form,
 * the URL the client itself named. Browsers never send absolute-form to an
 * origin server, so only a raw client can be sent to a host it chose.
 */
const NEXT_SLASHES = 'next start answers 308 itself for a target with "//" (absolute-form too)';
/** Node's IncomingMessage keeps the first Host header and drops the others; Next builds its Request from that. */
const NEXT_ONE_HOST = 'next start hands the middleware only the first Host header';
/**
 * next start fills in X-Forwarded-Proto/-Host/-For/-Port from its own
 * socket whenever the request lacks them, before the middleware runs, and
 * Barbican reads X-Forwarded-* before RFC 7239 Forwarded: a proxy that
 * sends only Forwarded is contradicted by Next's own values (docs/adapters.md).
 */
const NEXT_XF =
  'next start adds X-Forwarded-Proto: http and X-Forwarded-Host: <Host>, which outrank Forwarded';

const SHOWN: Readonly<Record<string, Readonly<Record<string, Shown>>>> = {
  next: {
    'absolute-form equal to Host': {
      status: 308,
      location: 'http://app.example/x',
      app: false,
      why: NEXT_SLASHES,
    },
    'absolute-form to another host': {
      status: 308,
      location: 'http://evil.example/x',
      app: false,
      why: NEXT_SLASHES,
    },
    'absolute-form to another allowed host': {
      status: 308,
      location: 'http://example.com/',
      app: false,
      why: NEXT_SLASHES,
    },
    'absolute-form target redirected': {
      status: 308,
      location: 'http://app.example/p?q',
      app: false,
      why: NEXT_SLASHES,
    },
    // Still on our host: a relative Location.
    'protocol-relative path stays on our host': {
      status: 308,
      location: '/evil.tld/x',
      app: false,
      why: NEXT_SLASHES,
    },
    'two Host headers': { status: 200, app: true, why: NEXT_ONE_HOST },
    'two identical Host headers': { status: 200, app: true, why: NEXT_ONE_HOST },
    'duplicate Host refused even without an allow-list': {
      status: 308,
      location: 'https://secure.example/',
      app: false,
      why: NEXT_ONE_HOST,
    },
    'trusted RFC 7239 proto': {
      status: 301,
      location: 'https://app.example/',
      app: false,
      why: NEXT_XF,
    },
    'RFC 7239 host= from a trusted proxy': { status: 400, app: false, why: NEXT_XF },
  },
  'hono node-server': {
    // @hono/node-server's buildUrl refuses a Host whose URL form has another
    // length ([2001:0DB8:0:0::1] becomes [2001:db8::1]): an allowed host.
    'IPv6 non-canonical, with port': {
      status: 400,
      app: false,
      why: '@hono/node-server answers 400 itself for a Host the URL parser rewrites',
    },
  },
};

function check(adapter: string, c: HostileCase, got: Outcome, appCalls: number): void {
  const shown = SHOWN[adapter]?.[c.name];
  if (shown !== undefined) {
    assert.equal(got.status, shown.status, 'status');
    assert.equal(appCalls, shown.app ? 1 : 0, 'app calls');
    assert.equal(got.location, shown.location, 'location');
    return;
  }
  assert.equal(got.status, c.status, 'status');
  // The app runs exactly for the requests Barbican lets through.
  assert.equal(appCalls, c.status === 200 ? 1 : 0, 'app calls');
  if (c.location === undefined) assert.equal(got.location, undefined, 'no location');
  else {
    // A Fetch runtime sees the target as a URL, with dot segments
    // already resolved: the Location is that URL's form of the path.
    const want = FETCH_BASED.has(adapter) ? new URL(c.location).href : c.location;
    assert.equal(got.location, want, 'location');
  }
  if (c.hsts !== undefined) assert.equal(got.hsts, c.hsts, 'HSTS');
}

let ran = 0;
for (const adapter of ADAPTERS) {
  describe(`hostile requests: ${adapter.name}`, () => {
    const running = new Map<string, Running>();
    let calls = 0;
    before(async () => {
      const names = Object.keys(POLICIES);
      const started = await Promise.allSettled(
        names.map((name) =>
          adapter.start(createPolicy(POLICIES[name]), undefined, () => {
            calls++;
          }),
        ),
      );
      started.forEach((r, i) => {
        if (r.status === 'fulfilled') running.set(names[i] ?? '', r.value);
      });
      for (const r of started) if (r.status === 'rejected') throw r.reason;
    });
    after(async () => {
      await Promise.all([...running.values()].map((r) => r.close()));
    });
    for (const c of HOSTILE) {
      const why = SHOWN[adapter.name]?.[c.name]?.why;
      it(why === undefined ? c.name : `${c.name}: ${why}`, async () => {
        const r = running.get(c.policy) ?? assert.fail(c.policy);
        const before = calls;
        const got = await send(Number(new URL(r.url).port), c);
        ran++;
        check(adapter.name, c, got, calls - before);
      });
    }
  });
}

it('every framework deviation names a real adapter and row, and differs from the table', () => {
  for (const [name, rows] of Object.entries(SHOWN)) {
    assert.ok(
      ADAPTERS.some((a) => a.name === name),
      name,
    );
    for (const [row, shown] of Object.entries(rows)) {
      const c = HOSTILE.find((h) => h.name === row) ?? assert.fail(`${name}: ${row}`);
      assert.ok(shown.status !== c.status || shown.location !== c.location, `${name}: ${row}`);
    }
  }
});

after(() => {
  // Every adapter × every row: none skipped.
  assert.equal(ran, ADAPTERS.length * HOSTILE.length, `ran ${ran}`);
});
