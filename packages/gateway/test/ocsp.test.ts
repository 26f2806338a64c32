/**
 * OCSP stapling on loopback: a CA and leaves made by `openssl`, answers
 * made by `openssl ocsp -index -rsigner -CA`, the staple checked with
 * `openssl s_client -status`; then the responder's failures (down, slow,
 * garbage, too big), none of which may break a handshake.
 */
import assert from 'node:assert/strict';
import cluster from 'node:cluster';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { checkOcspResponse, ocspTarget, OcspError, type OcspTarget } from '../src/ocsp.ts';
import { stapleTimes } from '../src/stapling.ts';
import { startTestGateway, startUpstream, type TestGateway, type Upstream } from './helpers.ts';
import { makeOcspPki, openssl, sClientStatus, type OcspPki } from './ocsp-pki.ts';

/** Waits until `pred` holds over the gateway's events (bounded). */
async function waitForEvent(
  t: TestGateway,
  pred: (e: Record<string, unknown>) => boolean,
  ms = 15_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = t.events.find(pred);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) {
      throw new Error(`no such event within ${ms} ms: ${JSON.stringify(t.events)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const byCode =
  (code: string) =>
  (e: Record<string, unknown>): boolean =>
    e.code === code;

function certificates(pki: OcspPki, which: readonly ('good' | 'revoked' | 'plain')[]) {
  return which.map((w) => ({ cert: pki[w].certFile, key: pki[w].keyFile }));
}

async function gatewayFor(
  up: Upstream,
  pki: OcspPki,
  which: readonly ('good' | 'revoked' | 'plain')[],
  options: { stapling?: boolean; gateway?: Record<string, unknown>; fork?: boolean } = {},
): Promise<TestGateway> {
  return startTestGateway(up, {
    policy: {
      allowedHosts: ['good.test', 'revoked.test', 'plain.test'],
      tls: { ocspStapling: options.stapling ?? true, certificates: certificates(pki, which) },
    },
    gateway: { ...options.gateway },
    ...(options.fork === true ? { start: { fork: true } } : {}),
  });
}

describe('OCSP stapling against openssl ocsp', () => {
  let up: Upstream;
  let pki: OcspPki;
  let t: TestGateway;
  before(async () => {
    up = await startUpstream();
    pki = await makeOcspPki();
    t = await gatewayFor(up, pki, ['good', 'revoked', 'plain']);
    await waitForEvent(t, (e) => e.message === 'OCSP staple fetched');
    await waitForEvent(t, byCode('BARBICAN_W_GATEWAY_OCSP_REVOKED'));
  });
  after(async () => {
    await t.close();
    await up.close();
    await pki.cleanup();
  });

  it('staples a "good" response that openssl s_client verifies', async () => {
    const r = await sClientStatus(t.httpsPort, 'good.test', pki.caFile);
    assert.ok(r.handshake, r.output);
    assert.match(r.output, /OCSP Response Status: successful/);
    assert.equal(r.certStatus, 'good', r.output);
    assert.match(r.output, /Next Update: /);
  });

  it('staples the "revoked" status of a revoked certificate, and warns', async () => {
    const r = await sClientStatus(t.httpsPort, 'revoked.test', pki.caFile);
    assert.ok(r.handshake, r.output);
    assert.equal(r.certStatus, 'revoked', r.output);
    const w = t.events.find(byCode('BARBICAN_W_GATEWAY_OCSP_REVOKED'));
    assert.equal(w?.subject, 'CN=revoked.test');
  });

  it('skips a certificate without an OCSP URL: logged once, served without a staple', async () => {
    const r = await sClientStatus(t.httpsPort, 'plain.test', pki.caFile);
    assert.ok(r.handshake, r.output);
    assert.equal(r.certStatus, undefined);
    assert.match(r.output, /OCSP response: no response sent/);
    const skips = t.events.filter(byCode('BARBICAN_W_GATEWAY_OCSP_SKIPPED'));
    assert.equal(skips.length, 1, JSON.stringify(skips));
    assert.match(String(skips[0]?.reason), /no http\(s\) OCSP responder/);
    // A reload keeps the staples and does not log the skip again.
    const before = pki.requests;
    assert.equal((await t.gw.reload()).applied, true);
    assert.equal(t.events.filter(byCode('BARBICAN_W_GATEWAY_OCSP_SKIPPED')).length, 1);
    assert.equal(pki.requests, before, 'unchanged certificates are not fetched again');
    assert.equal((await sClientStatus(t.httpsPort, 'good.test', pki.caFile)).certStatus, 'good');
  });

  it('keeps serving the cached staple when the responder goes away', async () => {
    await pki.stopResponder();
    const r = await sClientStatus(t.httpsPort, 'good.test', pki.caFile);
    assert.ok(r.handshake, r.output);
    assert.equal(r.certStatus, 'good', 'valid until its nextUpdate, an hour away');
  });

  it('matches the request openssl builds, byte for byte', async () => {
    const target = ocspTarget(readFileSync(pki.good.certFile, 'utf8'));
    assert.ok('url' in target);
    await openssl(
      ['ocsp', '-issuer', 'ca.pem', '-cert', 'good.test.pem', '-no_nonce', '-reqout', 'mine.der'],
      pki.dir,
    );
    assert.deepEqual(target.request, readFileSync(`${pki.dir}/mine.der`));
    assert.equal(target.url, pki.responderUrl);
  });
});

describe('OCSP stapling shared by all workers', () => {
  it('every worker staples what the primary fetched', async () => {
    const up = await startUpstream();
    const pki = await makeOcspPki();
    const t = await gatewayFor(up, pki, ['good'], { gateway: { workers: 2 }, fork: true });
    try {
      await waitForEvent(t, (e) => e.message === 'OCSP staple fetched');
      // The cluster hands connections out round-robin: six land on both workers.
      const statuses = await Promise.all(
        Array.from({ length: 6 }, () => sClientStatus(t.httpsPort, 'good.test', pki.caFile)),
      );
      for (const s of statuses) assert.equal(s.certStatus, 'good', s.output);
      // A worker that replaces a dead one gets the staple in its start message.
      const victim = Object.values(cluster.workers ?? {})[0];
      assert.ok(victim !== undefined);
      // Listening, in a cluster, means taking connections: from then on the new worker
      // gets its share of the round-robin.
      const replaced = new Promise((r) => cluster.once('listening', r));
      victim.process.kill('SIGKILL');
      await replaced;
      const after = await Promise.all(
        Array.from({ length: 6 }, () => sClientStatus(t.httpsPort, 'good.test', pki.caFile)),
      );
      for (const s of after) assert.equal(s.certStatus, 'good', s.output);
      assert.equal(pki.requests, 1, 'fetched once for all workers');
    } finally {
      await t.close();
      await up.close();
      await pki.cleanup();
    }
  });
});

describe('OCSP stapling on reload', () => {
  it('turning stapling on, then swapping the certificate, staples the new one; off drops it', async () => {
    const up = await startUpstream();
    const pki = await makeOcspPki();
    let tls: Record<string, unknown> = {
      ocspStapling: false,
      certificates: certificates(pki, ['good']),
    };
    const input = () => ({
      policy: { preset: 'barbican', allowedHosts: ['good.test', 'revoked.test'], tls },
      gateway: {
        upstreams: [up.url],
        listen: '127.0.0.1:0',
        httpListen: false,
        adminListen: false,
        workers: 1,
        watch: false,
        timeouts: { shutdown: 1000 },
      },
      baseDir: pki.dir,
    });
    const t = await startTestGateway(up, {
      policy: { allowedHosts: ['good.test', 'revoked.test'], tls },
      start: { load: () => Promise.resolve(input()) },
    });
    try {
      assert.equal(
        (await sClientStatus(t.httpsPort, 'good.test', pki.caFile)).certStatus,
        undefined,
      );
      tls = { ...tls, ocspStapling: true };
      assert.equal((await t.gw.reload()).applied, true);
      await waitForEvent(t, (e) => e.message === 'OCSP staple fetched');
      assert.equal((await sClientStatus(t.httpsPort, 'good.test', pki.caFile)).certStatus, 'good');
      tls = { ...tls, certificates: certificates(pki, ['revoked']) };
      assert.equal((await t.gw.reload()).applied, true);
      await waitForEvent(t, byCode('BARBICAN_W_GATEWAY_OCSP_REVOKED'));
      const r = await sClientStatus(t.httpsPort, 'revoked.test', pki.caFile);
      assert.equal(r.certStatus, 'revoked', r.output);
      tls = { ...tls, ocspStapling: false };
      assert.equal((await t.gw.reload()).applied, true);
      assert.equal(
        (await sClientStatus(t.httpsPort, 'revoked.test', pki.caFile)).certStatus,
        undefined,
      );
      assert.equal(pki.requests, 2);
    } finally {
      await t.close();
      await up.close();
      await pki.cleanup();
    }
  });
});

describe('OCSP responder failures never break a handshake', () => {
  let up: Upstream;
  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
  });

  const cases: {
    name: string;
    prepare: (pki: OcspPki) => Promise<void> | void;
    code: string;
    reason: RegExp;
  }[] = [
    {
      name: 'responder down',
      prepare: (pki) => pki.stopResponder(),
      code: 'BARBICAN_W_GATEWAY_OCSP_FETCH',
      reason: /connection refused/,
    },
    {
      name: 'responder silent past the timeout',
      prepare: (pki) => void (pki.mode = 'hang'),
      code: 'BARBICAN_W_GATEWAY_OCSP_FETCH',
      reason: /no complete answer within 500 ms/,
    },
    {
      name: 'responder answering garbage',
      prepare: (pki) => void (pki.mode = 'garbage'),
      code: 'BARBICAN_W_GATEWAY_OCSP_INVALID',
      reason: /not an OCSP response/,
    },
    {
      name: 'responder answering 200 KB',
      prepare: (pki) => void (pki.mode = 'huge'),
      code: 'BARBICAN_W_GATEWAY_OCSP_FETCH',
      reason: /over 65536 bytes/,
    },
    {
      name: 'responder answering HTTP 500',
      prepare: (pki) => void (pki.mode = 'http-500'),
      code: 'BARBICAN_W_GATEWAY_OCSP_FETCH',
      reason: /HTTP 500/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: no staple, a ${c.code} warning`, async () => {
      const pki = await makeOcspPki();
      await c.prepare(pki);
      const t = await gatewayFor(up, pki, ['good'], {
        gateway: { timeouts: { shutdown: 1000, ocsp: 500 } },
      });
      try {
        const w = await waitForEvent(t, byCode(c.code));
        assert.match(String(w.reason), c.reason);
        assert.equal(w.staple, 'none');
        assert.equal(typeof w.retryInSeconds, 'number');
        const r = await sClientStatus(t.httpsPort, 'good.test', pki.caFile);
        assert.ok(r.handshake, r.output);
        assert.equal(r.certStatus, undefined);
        assert.match(r.output, /OCSP response: no response sent/);
        assert.equal((await t.gw.reload()).applied, true, 'the gateway keeps working');
      } finally {
        await t.close();
        await pki.cleanup();
      }
    });
  }

  it('with stapling off, asks no responder and staples nothing', async () => {
    const pki = await makeOcspPki();
    const t = await gatewayFor(up, pki, ['good'], { stapling: false });
    try {
      const r = await sClientStatus(t.httpsPort, 'good.test', pki.caFile);
      assert.ok(r.handshake, r.output);
      assert.equal(r.certStatus, undefined);
      assert.equal(pki.requests, 0);
      assert.equal(t.events.filter((e) => String(e.code).includes('OCSP')).length, 0);
    } finally {
      await t.close();
      await pki.cleanup();
    }
  });
});

describe('checkOcspResponse', () => {
  let pki: OcspPki;
  let good: OcspTarget;
  let revoked: OcspTarget;
  let goodAnswer: Buffer;
  let revokedAnswer: Buffer;
  const targetOf = (file: string): OcspTarget => {
    const t = ocspTarget(readFileSync(file, 'utf8'));
    assert.ok('url' in t, JSON.stringify(t));
    return t;
  };
  const ask = async (target: OcspTarget): Promise<Buffer> => {
    const res = await fetch(pki.responderUrl, {
      method: 'POST',
      body: new Uint8Array(target.request),
    });
    return Buffer.from(await res.arrayBuffer());
  };
  before(async () => {
    pki = await makeOcspPki();
    good = targetOf(pki.good.certFile);
    revoked = targetOf(pki.revoked.certFile);
    goodAnswer = await ask(good);
    revokedAnswer = await ask(revoked);
  });
  after(() => pki.cleanup());

  it('reads good and revoked answers with their times', () => {
    const g = checkOcspResponse(goodAnswer, good);
    assert.equal(g.status, 'good');
    const minutes = ((g.nextUpdate?.getTime() ?? 0) - g.thisUpdate.getTime()) / 60_000;
    assert.equal(minutes, 60);
    const r = checkOcspResponse(revokedAnswer, revoked);
    assert.equal(r.status, 'revoked');
    assert.equal(r.revokedAt?.toISOString(), '2026-12-01T00:00:00.000Z');
  });

  it('refuses an answer for another certificate, an expired one, and a failed status', () => {
    assert.throws(() => checkOcspResponse(revokedAnswer, good), /does not name this certificate/);
    assert.throws(
      () => checkOcspResponse(goodAnswer, good, Date.now() + 2 * 3600_000),
      /has expired/,
    );
    // OCSPResponse { responseStatus tryLater }.
    assert.throws(
      () => checkOcspResponse(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]), good),
      /answered tryLater/,
    );
  });

  it('refuses a response signed by anyone but the issuer or a certified OCSP signer', async () => {
    const other = await makeOcspPki();
    writeFileSync(join(pki.dir, 'forge-req.der'), good.request);
    const signWith = async (cert: string, key: string): Promise<Buffer> => {
      await openssl(
        [
          'ocsp',
          '-index',
          'index.txt',
          '-rsigner',
          cert,
          '-rkey',
          key,
          '-CA',
          'ca.pem',
          '-reqin',
          'forge-req.der',
          '-respout',
          'forged.der',
          '-nmin',
          '60',
        ],
        pki.dir,
      );
      return readFileSync(join(pki.dir, 'forged.der'));
    };
    try {
      // Another CA's OCSP responder.
      const foreign = await signWith(
        join(other.dir, 'responder.pem'),
        join(other.dir, 'responder-key.pem'),
      );
      assert.throws(() => checkOcspResponse(foreign, good), /signature is not the issuer/);
      // A certificate of the right CA, but not certified for OCSP signing.
      const leafSigned = await signWith(pki.plain.certFile, pki.plain.keyFile);
      assert.throws(() => checkOcspResponse(leafSigned, good), /signature is not the issuer/);
      // The CA itself may sign.
      const byCa = await signWith('ca.pem', 'ca-key.pem');
      assert.equal(checkOcspResponse(byCa, good).status, 'good');
      // An hour before it was made (the CA signer has no validity window of its own here).
      assert.throws(() => checkOcspResponse(byCa, good, Date.now() - 3600_000), /from the future/);
      // One flipped bit in the signature.
      const tampered = Buffer.from(goodAnswer);
      tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 0xff;
      assert.throws(() => checkOcspResponse(tampered, good), OcspError);
    } finally {
      await other.cleanup();
    }
  });

  it('never throws anything but OcspError on mangled bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (edits, cut) => {
          const bytes = Buffer.from(goodAnswer);
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          const input = bytes.subarray(0, bytes.length - (cut % 8));
          try {
            checkOcspResponse(input, good);
          } catch (error) {
            return error instanceof OcspError;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('stapleTimes', () => {
  it('refreshes halfway to nextUpdate, at most an hour away; staples until nextUpdate', () => {
    const now = Date.parse('2026-12-06T00:00:00Z');
    const at = (h: number): Date => new Date(now + h * 3600_000);
    assert.deepEqual(stapleTimes({ status: 'good', thisUpdate: at(0), nextUpdate: at(168) }, now), {
      refresh: now + 3600_000,
      expires: now + 168 * 3600_000,
    });
    assert.deepEqual(stapleTimes({ status: 'good', thisUpdate: at(0), nextUpdate: at(1) }, now), {
      refresh: now + 1800_000,
      expires: now + 3600_000,
    });
    assert.deepEqual(
      stapleTimes({ status: 'good', thisUpdate: at(0), nextUpdate: undefined }, now),
      {
        refresh: now + 3600_000,
        expires: now + 2 * 3600_000,
      },
    );
  });
});
