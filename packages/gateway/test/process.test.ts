/**
 * The gateway as users run it: `barbican gateway --config FILE` in a child
 * process. A 1 GiB upload streams through with the gateway's RSS under
 * 200 MB; a 2-worker cluster serves, sums its metrics, reloads every worker
 * on SIGHUP and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get as httpGet } from 'node:http';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { HOST, makePki, startUpstream, type TestPki, type Upstream } from './helpers.ts';
import { rssOf, spawnGateway } from './spawn.ts';

const GIB = 1024 * 1024 * 1024;

function config(
  pki: TestPki,
  upstream: string,
  gateway: Record<string, unknown> = {},
  policy: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    preset: 'barbican',
    allowedHosts: [HOST],
    tls: { certificates: [{ cert: pki.certFile, key: pki.keyFile }] },
    ...policy,
    gateway: {
      upstreams: [upstream],
      listen: '127.0.0.1:0',
      httpListen: false,
      adminListen: false,
      workers: 1,
      watch: false,
      ...gateway,
    },
  };
}

function adminText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet(`http://127.0.0.1:${port}${path}`, (res) => {
      let b = '';
      res.setEncoding('utf8').on('data', (d: string) => (b += d));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
}

function fetchHeader(port: number, pki: TestPki, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: pki.ca.cert,
        servername: HOST,
        headers: { host: HOST },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers[name])));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('gateway process: a 1 GiB streamed upload', () => {
  let up: Upstream;
  const pki = makePki();
  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
    pki.cleanup();
  });

  it('streams 1 GiB to the upstream with the gateway RSS under 200 MB', async (t) => {
    const gw = await spawnGateway(
      pki.dir,
      config(pki, up.url, { limits: { requestBody: 0 }, accessLog: false }),
    );
    // The serving process: the one worker the CLI's primary forked.
    const { execFileSync } = await import('node:child_process');
    const pid = Number(
      execFileSync('pgrep', ['-P', String(gw.child.pid)], { encoding: 'utf8' }).trim(),
    );
    let peak = await rssOf(pid);
    const sampler = setInterval(() => {
      rssOf(pid).then(
        (r) => (peak = Math.max(peak, r)),
        () => undefined,
      );
    }, 50);
    try {
      const chunk = Buffer.alloc(1024 * 1024, 120);
      const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: gw.httpsPort,
            path: '/upload',
            method: 'POST',
            ca: pki.ca.cert,
            servername: HOST,
            headers: { host: HOST, 'content-length': String(GIB) },
            agent: false,
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        // A fast local generator: one 1 MiB buffer written 1024 times, with backpressure.
        let sent = 0;
        const pump = (): void => {
          while (sent < 1024) {
            sent++;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          req.end();
        };
        pump();
      });
      assert.equal(reply.status, 200, reply.body);
      assert.equal((JSON.parse(reply.body) as { bytes: number }).bytes, GIB);
      t.diagnostic(`serving worker RSS peaked at ${Math.round(peak / 1048576)} MB`);
      assert.ok(peak < 200 * 1024 * 1024, `gateway RSS peaked at ${Math.round(peak / 1048576)} MB`);
    } finally {
      clearInterval(sampler);
      await gw.stop();
    }
  });
});

describe('gateway process: a 2-worker cluster', () => {
  let up: Upstream;
  const pki = makePki();
  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
    pki.cleanup();
  });

  it('serves from both workers, sums metrics, reloads all on SIGHUP, stops on SIGTERM', async () => {
    const gw = await spawnGateway(
      pki.dir,
      config(pki, up.url, { workers: 2, adminListen: '127.0.0.1:0' }),
    );
    try {
      for (let i = 0; i < 20; i++)
        assert.equal(await fetchHeader(gw.httpsPort, pki, 'x-frame-options'), 'DENY');
      const metrics = await adminText(gw.adminPort ?? 0, '/metrics');
      assert.match(metrics, /barbican_gateway_requests_total\{status="200"\} 20\b/);
      assert.equal(
        (JSON.parse(await adminText(gw.adminPort ?? 0, '/healthz')) as { status: string }).status,
        'ok',
      );
      const pids = new Set(
        gw
          .stdout()
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { id: string }).id.split('-')[0]),
      );
      assert.equal(pids.size, 2, 'both workers served requests');

      writeFileSync(
        join(pki.dir, 'barbican.config.json'),
        JSON.stringify(
          config(
            pki,
            up.url,
            { workers: 2, adminListen: '127.0.0.1:0' },
            { headers: { xFrameOptions: 'SAMEORIGIN' } },
          ),
        ),
      );
      gw.child.kill('SIGHUP');
      const deadline = Date.now() + 10_000;
      while (!gw.stderr().includes('configuration reloaded') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      for (let i = 0; i < 20; i++)
        assert.equal(await fetchHeader(gw.httpsPort, pki, 'x-frame-options'), 'SAMEORIGIN');
    } finally {
      const code = await gw.stop();
      assert.equal(code, 0);
      assert.match(gw.stderr(), /"message":"stopped"/);
    }
  });

  for (const workers of [1, 2]) {
    it(`keeps serving when its stdout reader goes away (${workers} worker${workers === 1 ? '' : 's'}): no EPIPE crash`, async () => {
      // `barbican gateway | head`, or a log shipper that died: EPIPE on the
      // access log once killed a worker per logged request.
      const gw = await spawnGateway(pki.dir, config(pki, up.url, { workers }));
      try {
        gw.child.stdout?.destroy();
        for (let i = 0; i < 10; i++)
          assert.equal(await fetchHeader(gw.httpsPort, pki, 'x-frame-options'), 'DENY');
        const deadline = Date.now() + 5_000;
        while (!gw.stderr().includes('stdout is closed') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.match(
          gw.stderr(),
          /"level":"warn","message":"stdout is closed: access log lines are dropped from now on"/,
        );
        assert.doesNotMatch(gw.stderr(), /EPIPE\n|\n\s+at |a worker exited/);
      } finally {
        assert.equal(await gw.stop(), 0);
      }
    });
  }

  it('refuses to start with a bad config, naming file, line and option, exit 2', async () => {
    const file = join(pki.dir, 'bad.yaml');
    writeFileSync(
      file,
      `preset: barbican\nallowedHosts: [${HOST}]\ngateway:\n  upstreams: [http://127.0.0.1:1]\n  listn: ":8443"\n`,
    );
    const child = spawn(
      process.execPath,
      [new URL('../../cli/src/bin.ts', import.meta.url).pathname, 'gateway', '--config', file],
      {
        cwd: pki.dir,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2);
    assert.match(err, /bad\.yaml:5:\d+: gateway\.listn: unknown option.*did you mean "listen"/i);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  });

  // Node's cluster workers happen to start with equal ticket keys already (observed on Node 24);
  // the primary's shared keys keep it so across reloads and rotations.
  it('resumes a TLS session ticket from one worker on the other', async () => {
    const gw = await spawnGateway(
      pki.dir,
      config(
        pki,
        up.url,
        { workers: 2 },
        { tls: { sessionTickets: true, certificates: [{ cert: pki.certFile, key: pki.keyFile }] } },
      ),
    );
    try {
      const handshake = (
        session?: Buffer,
      ): Promise<{ reused: boolean; session: Buffer | undefined }> =>
        new Promise((resolve, reject) => {
          let ticket: Buffer | undefined;
          const s = tlsConnect(
            {
              host: '127.0.0.1',
              port: gw.httpsPort,
              servername: HOST,
              ca: pki.ca.cert,
              maxVersion: 'TLSv1.2',
              ...(session === undefined ? {} : { session }),
            },
            () => {
              const reused = s.isSessionReused();
              // TLS 1.2 sends the ticket in the handshake: it is there once connected.
              ticket = s.getSession();
              s.end();
              resolve({ reused, session: ticket });
            },
          );
          s.on('error', reject);
        });
      const first = await handshake();
      assert.ok(first.session !== undefined);
      // Round-robin over two workers: several resumptions land on both.
      const reused: boolean[] = [];
      for (let i = 0; i < 6; i++) reused.push((await handshake(first.session)).reused);
      assert.deepEqual(reused, [true, true, true, true, true, true]);
    } finally {
      await gw.stop();
    }
  });
});
