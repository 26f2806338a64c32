/**
 * Zero-downtime reload: a new configuration and a swapped certificate under
 * continuous load, with no failed request; a bad configuration or
 * certificate kept out while the old one keeps serving.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { GatewayInput } from '../src/index.ts';
import {
  HOST,
  get,
  makePki,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type TestPki,
  type Upstream,
} from './helpers.ts';

/** Keeps `concurrency` clients busy until stopped; half reuse connections, half handshake every time. */
function load(
  t: TestGateway,
  concurrency: number,
): { stop(): Promise<{ ok: number; failed: string[]; frames: Set<string> }> } {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const frames = new Set<string>();
  const keep = new Agent({ ca: t.pki.ca.cert, keepAlive: true, servername: HOST });
  const one = (fresh: boolean): Promise<void> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: t.httpsPort,
          path: '/',
          ca: t.pki.ca.cert,
          servername: HOST,
          headers: { host: HOST },
          agent: fresh ? false : keep,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            else failed.push(`status ${res.statusCode}`);
            frames.add(String(res.headers['x-frame-options']));
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        failed.push(e.message);
        resolve();
      });
      req.end();
    });
  const loops = Array.from({ length: concurrency }, async (_v, i) => {
    while (running) await one(i % 2 === 0);
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      keep.destroy();
      return { ok, failed, frames };
    },
  };
}

function serial(port: number, pki: TestPki): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername: HOST, ca: pki.ca.cert }, () => {
      const sn = s.getPeerCertificate().serialNumber;
      s.destroy();
      resolve(sn);
    });
    s.on('error', reject);
  });
}

describe('gateway reload under load', () => {
  let up: Upstream;
  let t: TestGateway;
  let frame = 'DENY';
  let breakConfig = false;
  const pki = makePki();
  before(async () => {
    up = await startUpstream();
    const input = (): GatewayInput => ({
      policy: {
        preset: 'barbican',
        allowedHosts: [HOST],
        headers: { xFrameOptions: frame },
        tls: { certificates: [{ cert: pki.certFile, key: pki.keyFile }] },
        ...(breakConfig ? { headres: {} } : {}),
      },
      gateway: {
        upstreams: [up.url],
        listen: '127.0.0.1:0',
        httpListen: false,
        adminListen: false,
        workers: 1,
        watch: false,
      },
      baseDir: pki.dir,
    });
    t = await startTestGateway(
      up,
      { policy: { allowedHosts: [HOST] }, start: { load: () => Promise.resolve(input()) } },
      pki,
    );
  });
  after(async () => {
    await t.close();
    await up.close();
    pki.cleanup();
  });

  it('applies a new configuration under load with no failed request', async () => {
    const l = load(t, 8);
    await new Promise((r) => setTimeout(r, 300));
    frame = 'SAMEORIGIN';
    const result = await t.gw.reload();
    assert.equal(result.applied, true, result.error?.message);
    await new Promise((r) => setTimeout(r, 300));
    const { ok, failed, frames } = await l.stop();
    assert.deepEqual(failed, []);
    assert.ok(ok > 20, `only ${ok} requests`);
    assert.deepEqual([...frames].sort(), ['DENY', 'SAMEORIGIN']);
    assert.equal((await get(t, '/')).headers['x-frame-options'], 'SAMEORIGIN');
  });

  it('swaps the certificate under load: new handshakes get it, no request fails', async () => {
    const before = await serial(t.httpsPort, pki);
    const next = pki.issue([HOST, 'localhost'], 'next');
    const l = load(t, 8);
    await new Promise((r) => setTimeout(r, 300));
    copyFileSync(next.certFile, pki.certFile);
    copyFileSync(next.keyFile, pki.keyFile);
    const result = await t.gw.reload();
    assert.equal(result.applied, true, result.error?.message);
    await new Promise((r) => setTimeout(r, 300));
    const { failed } = await l.stop();
    assert.deepEqual(failed, []);
    const after = await serial(t.httpsPort, pki);
    assert.notEqual(after, before);
  });

  it('keeps a bad certificate out and keeps serving the old one', async () => {
    const before = await serial(t.httpsPort, pki);
    const good = readFileSync(pki.certFile);
    writeFileSync(
      pki.certFile,
      '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n',
    );
    try {
      const result = await t.gw.reload();
      assert.equal(result.applied, false);
      assert.equal(result.error?.code, 'BARBICAN_E_GATEWAY_CERT');
      assert.equal(await serial(t.httpsPort, pki), before);
      assert.equal((await get(t, '/')).status, 200);
      const event = t.events.find((e) => e['code'] === 'BARBICAN_E_GATEWAY_RELOAD');
      assert.match(String(event?.['reason']), /tls\.certificates\[0\]\.cert/);
    } finally {
      writeFileSync(pki.certFile, good);
    }
  });

  it('keeps a bad configuration out (a typo) and keeps serving the old one', async () => {
    breakConfig = true;
    try {
      const result = await t.gw.reload();
      assert.equal(result.applied, false);
      assert.equal(result.error?.code, 'BARBICAN_E_UNKNOWN_OPTION');
      assert.match(result.error.message, /headres.*did you mean "headers"/i);
      assert.equal((await get(t, '/')).status, 200);
    } finally {
      breakConfig = false;
    }
  });
});

describe('gateway reload on file change', () => {
  it('reloads by itself when a watched certificate file changes', async () => {
    const pki = makePki();
    const up = await startUpstream();
    const t = await startTestGateway(up, { gateway: { watch: true } }, pki);
    try {
      const before = await serial(t.httpsPort, pki);
      const next = pki.issue([HOST, 'localhost'], 'next');
      copyFileSync(next.keyFile, pki.keyFile);
      copyFileSync(next.certFile, pki.certFile);
      const deadline = Date.now() + 8000;
      let now = before;
      while (now === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        now = await serial(t.httpsPort, pki);
      }
      assert.notEqual(now, before, 'the new certificate was not picked up');
      assert.ok(t.events.some((e) => e['message'] === 'configuration reloaded'));
    } finally {
      await t.close();
      await up.close();
      pki.cleanup();
    }
  });
});
