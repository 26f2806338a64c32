/**
 * Runs the hostile-request table through the core engine, through node:http
 * over real sockets (raw TCP, so duplicate Host headers, absolute-form
 * targets and odd bytes reach the server as sent), and through secureFetch.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { withBarbican } from '../../src/adapters/node.ts';
import { secureFetch } from '../../src/adapters/fetch.ts';
import { evaluateRequest } from '../../src/engine.ts';
import type { RequestFacts } from '../../src/plan.ts';
import { createPolicy, type Policy } from '../../src/policy/index.ts';
import { HOSTILE, POLICIES, type HostileCase } from './hostile-table.ts';

const built: Record<string, Policy> = Object.fromEntries(
  Object.entries(POLICIES).map(([k, v]) => [k, createPolicy(v)]),
);
const policyOf = (c: HostileCase): Policy => built[c.policy] ?? assert.fail(c.policy);

interface Outcome {
  status: number;
  location: string | undefined;
  hsts: boolean;
}

function check(c: HostileCase, got: Outcome): void {
  assert.equal(got.status, c.status, `${c.name}: status`);
  if (c.location !== undefined) assert.equal(got.location, c.location, `${c.name}: location`);
  else assert.equal(got.location, undefined, `${c.name}: no location`);
  if (c.hsts !== undefined) assert.equal(got.hsts, c.hsts, `${c.name}: HSTS`);
}

it('the table has at least 60 hostile requests', () => {
  assert.ok(HOSTILE.length >= 60, String(HOSTILE.length));
  assert.equal(new Set(HOSTILE.map((c) => c.name)).size, HOSTILE.length, 'unique names');
});

describe('hostile requests: core engine', () => {
  for (const c of HOSTILE) {
    it(c.name, () => {
      const facts: RequestFacts = {
        method: c.method ?? 'GET',
        target: c.target ?? '/',
        peer: '127.0.0.1',
        tls: false,
        headerValues: (n) => c.headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v),
      };
      const v = evaluateRequest(policyOf(c), facts);
      if (v.kind === 'pass') {
        check(c, {
          status: 200,
          location: undefined,
          hsts: v.plan.set.some(([n]) => n.toLowerCase() === 'strict-transport-security'),
        });
      } else {
        check(c, {
          status: v.status,
          location: v.headers.find(([n]) => n === 'location')?.[1],
          hsts: false,
        });
        assert.ok(v.reason.length > 0, 'a reason for the logs');
        if (v.status >= 400) assert.doesNotMatch(v.body, /evil|host|csrf/i, 'generic body');
      }
    });
  }
});

/** Sends raw bytes and parses the status line and headers of the answer. */
function rawRequest(port: number, c: HostileCase): Promise<Outcome> {
  const lines = [`${c.method ?? 'GET'} ${c.target ?? '/'} HTTP/1.1`];
  for (const [n, v] of c.headers) lines.push(`${n}: ${v}`);
  lines.push('Connection: close', '', '');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.split('\r\n\r\n')[0] ?? '';
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const get = (name: string) =>
        headerLines
          .find((l) => l.toLowerCase().startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim();
      resolve({
        status,
        location: get('location'),
        hsts: get('strict-transport-security') !== undefined,
      });
    });
    socket.end(Buffer.from(lines.join('\r\n'), 'latin1'));
  });
}

describe('hostile requests: node:http over raw TCP', () => {
  const servers = new Map<string, Server>();
  before(async () => {
    for (const [name, policy] of Object.entries(built)) {
      const server = createServer(
        withBarbican((_req, res) => {
          res.end('ok');
        }, policy),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.set(name, server);
    }
  });
  after(async () => {
    await Promise.all(
      [...servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  });
  for (const c of HOSTILE) {
    it(c.name, async () => {
      const server = servers.get(c.policy) ?? assert.fail(c.policy);
      check(c, await rawRequest((server.address() as AddressInfo).port, c));
    });
  }
});

describe('hostile requests: secureFetch', () => {
  const handlers = new Map(
    Object.entries(built).map(([name, policy]) => [
      name,
      secureFetch(
        () => new Response('ok'),
        policy,
        () => '127.0.0.1',
      ),
    ]),
  );
  let ran = 0;
  let refused = 0;
  for (const c of HOSTILE) {
    it(c.name, async () => {
      const target = c.target ?? '/';
      const host = c.headers.find(([n]) => n === 'Host')?.[1] ?? '';
      // A Fetch runtime builds request.url from the request-target and Host.
      const url = target.startsWith('/') ? `http://${host}${target}` : target;
      let request: Request;
      try {
        const headers = new Headers();
        for (const [n, v] of c.headers) headers.append(n, v);
        request = new Request(url, { method: c.method ?? 'GET', headers });
      } catch {
        // The Fetch API refuses to build it (CR, LF or NUL in a header, a
        // Host that makes no URL): no Fetch app can ever see this request.
        assert.ok(c.status >= 400, `${c.name}: unrepresentable but expected ${c.status}`);
        refused++;
        return;
      }
      ran++;
      const handler = handlers.get(c.policy) ?? assert.fail(c.policy);
      const res = await handler(request);
      // The runtime's URL has dot segments resolved: so has the Location.
      const want = c.location === undefined ? c : { ...c, location: new URL(c.location).href };
      check(want, {
        status: res.status,
        location: res.headers.get('location') ?? undefined,
        hsts: res.headers.has('strict-transport-security'),
      });
    });
  }
  after(() => {
    assert.ok(ran >= 60, `fetch ran ${ran} cases`);
    assert.equal(ran + refused, HOSTILE.length);
  });
});
