/**
 * The proof every real server goes through, once per preset: the export
 * passes the server's own validator, the server starts on loopback in front
 * of the tiny app, and its answers match the middleware twin's for the same
 * policy and request — 200, 404 and an upstream 502 over HTTPS and plain
 * HTTP, the redirect (GET and POST) and the host refusal — less only the
 * headers the export declared lossy for the target. Then `barbican scan
 * --policy --target` finds no drift on it beyond those declared losses, and
 * gives it the grade and score it gives the middleware.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  createPolicy,
  DEFAULT_ERROR_PAGE,
  DEFAULT_ERROR_PAGE_CONTENT_TYPE,
  PRESET_NAMES,
  type Policy,
  type PolicyOptions,
  type PresetName,
} from '@barbican/core';
import {
  declaredLosses,
  exportPolicy,
  type ExportResult,
  type Loss,
  type TargetName,
} from '@barbican/export';
import { scan, staticLookup, type ScanResult } from '@barbican/scanner';
import { freePorts, waitForPort, type RunningServer } from './process.ts';
import {
  APP_HOST,
  ask,
  comparable,
  createPki,
  handshake,
  removeDir,
  startTwin,
  startUpstream,
  writeFiles,
  type Answer,
  type Listening,
  type Pki,
} from './world.ts';

/** How to validate and run one server from a directory of exported files. */
export interface Driver {
  readonly target: TargetName;
  /** Throws with the validator's output when the config is refused. */
  validate(dir: string): void;
  start(dir: string): RunningServer;
  /** Checks only this server needs (its traps), run while it is up. */
  more?(t: TestContext, run: Run): Promise<void>;
  /** The certificate files the server takes (default: chain and key apart). */
  certificate?(pki: Pki): { cert: string; key: string };
  /** Whether the server can put the policy's Server on proxied answers (stock nginx cannot). */
  readonly setsServer: boolean;
}

/** Ports a run uses. */
export interface Ports {
  readonly http: number;
  readonly https: number;
}

/** The policy every server is proven with: a preset plus hosts and the redirect. */
export function proofPolicy(preset: PresetName, ports: Ports, more: PolicyOptions = {}): Policy {
  return createPolicy({
    preset,
    allowedHosts: [APP_HOST],
    sslRedirect: { port: ports.https, exempt: ['/.well-known/acme-challenge/', '/plain/'] },
    ...more,
  });
}

/**
 * Header values that need escaping in some format: `"` and `\` (quoted
 * strings), `$` (nginx variables, HAProxy environment), `%` (Apache and
 * HAProxy formats), `{ }` (Caddy placeholders), `'` (CSP keywords).
 */
export const TRICKY: PolicyOptions = {
  headers: {
    csp: "default-src 'self' https://cdn.example/a$b/; img-src 'self' data:",
    reportTo:
      '{"group":"a\\\\b","max_age":10,"endpoints":[{"url":"https://r.example/x?a=1%20$&b={c}"}]}',
  },
};

/** The scenarios each server runs: every preset, and the escaping one. */
const SCENARIOS: readonly {
  readonly name: string;
  readonly preset: PresetName;
  readonly more: PolicyOptions;
}[] = [
  ...PRESET_NAMES.map((preset) => ({ name: `preset ${preset}`, preset, more: {} })),
  { name: 'values that need escaping (" \\ $ % { } \')', preset: 'barbican', more: TRICKY },
];

/**
 * The headers the export declared it sends whatever the policy says, with
 * the exact value (`null`: not sent), e.g. `server` → `nginx`.
 */
export function declaredHeaders(losses: readonly Loss[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const sign of losses.flatMap((l) => l.served ?? []))
    if (sign.kind === 'header') out.set(sign.name, sign.value);
  return out;
}

type Headers = Record<string, string[]>;

/**
 * The server's and the twin's comparable headers, where a header the export
 * declared is taken as equal only when the server sends exactly the
 * declared value (a declared `Server: Apache` excuses nothing else, such as
 * the app's own `Server: tiny/1.0`).
 */
function reconciled(
  server: Answer,
  twin: Answer,
  declared: ReadonlyMap<string, string | null>,
  ignore: ReadonlySet<string> = new Set(),
): { server: Headers; twin: Headers } {
  const s = comparable(server, ignore);
  const w = new Map(Object.entries(comparable(twin, ignore)));
  for (const [name, value] of declared) {
    const sent = s[name];
    const asDeclared =
      value === null ? sent === undefined : sent?.length === 1 && sent[0] === value;
    if (!asDeclared) continue;
    if (sent === undefined) w.delete(name);
    else w.set(name, sent);
  }
  const sorted = [...w].sort(([a], [b]) => a.localeCompare(b));
  return { server: s, twin: Object.fromEntries(sorted) };
}

/** Exports `policy` for the driver's target into a new directory, with loopback ports. */
export function exportInto(
  driver: Driver,
  policy: Policy,
  pki: Pki,
  upstream: number,
  ports: Ports,
): { dir: string; result: ExportResult } {
  const dir = mkdtempSync(join(pki.dir, `${driver.target}-`));
  // Workers that drop privileges (Apache as www-data) read the error page here.
  chmodSync(dir, 0o755);
  const result = exportPolicy(policy, driver.target, {
    deploy: {
      upstream: `http://127.0.0.1:${upstream}`,
      listen: { address: '127.0.0.1', http: ports.http, https: ports.https },
      certificate: driver.certificate?.(pki) ?? { cert: pki.certFile, key: pki.keyFile },
      dir,
      runtimeDir: dir,
    },
  });
  writeFiles(dir, result.files);
  return { dir, result };
}

/** What a running proof knows, for a driver's own checks. */
export interface Run {
  readonly pki: Pki;
  readonly ports: Ports;
  readonly twinPorts: Ports;
  readonly policy: Policy;
  readonly result: ExportResult;
}

interface Pair {
  readonly server: Answer;
  readonly twin: Answer;
}

/**
 * Runs the whole proof for a driver: one `describe`, one test per preset,
 * each starting the server once.
 */
export function proveTarget(driver: Driver): void {
  void describe(`${driver.target}: the exported config behaves like the middleware`, () => {
    let pki: Pki;
    let upstream: Listening;
    let twin: Awaited<ReturnType<typeof startTwin>>;
    before(async () => {
      pki = createPki();
      upstream = await startUpstream();
      twin = await startTwin(pki);
    });
    after(async () => {
      await twin.close();
      await upstream.close();
      removeDir(pki.dir);
    });
    for (const { name, preset, more } of SCENARIOS) {
      void it(`${name}: validates, runs, and answers as the middleware does`, async (t) => {
        const [http = 0, https = 0] = await freePorts(2);
        const ports = { http, https };
        const policy = proofPolicy(preset, ports, more);
        const { dir, result } = exportInto(driver, policy, pki, upstream.port, ports);
        driver.validate(dir);
        twin.use(policy);
        const server = driver.start(dir);
        try {
          await waitForPort(https, server);
          await waitForPort(http, server);
          const twinPorts = { http: twin.http.port, https: twin.https.port };
          const intercept = result.losses.some((l) => l.feature === 'errors')
            ? []
            : policy.errors.intercept;
          const names = new Set(
            [...policy.headersFor({ https: true }), ...policy.headersFor({ https: false })].map(
              ([n]) => n.toLowerCase(),
            ),
          );
          const declared = declaredHeaders(result.losses);
          await compareAll(t, pki, ports, twinPorts, declared, intercept, names);
          await coverage(t, pki, ports, policy);
          await fingerprints(t, pki, ports, policy, declared);
          await driver.more?.(t, { pki, ports, twinPorts, policy, result });
          await drift(t, pki, ports, twinPorts, policy, result);
          await t.test(
            'the comparison is not vacuous: the policy headers are on the answers',
            async () => {
              const { server } = await both(pki, ports, twinPorts, true, '/missing');
              for (const [name, value] of policy.headersFor({ https: true })) {
                if (name.toLowerCase() === 'server') continue;
                assert.deepEqual(server.headers[name.toLowerCase()], [value], name);
              }
            },
          );
        } finally {
          await server.stop();
        }
      });
    }
    void it(`headers.server set: the policy's Server replaces the app's, or the declared one is sent`, async () => {
      await serverSet(driver, pki, upstream.port);
    });
  });
}

/**
 * The presets remove Server or keep it; this policy sets it. The middleware
 * is no reference here (it lets the app override a header the policy sets),
 * so the policy is: proxied answers carry `Server: edge` where the server
 * can set it, every other Server is exactly the one the export declared,
 * and the app's own `Server: tiny/1.0` never gets through.
 */
async function serverSet(driver: Driver, pki: Pki, upstream: number): Promise<void> {
  const [http = 0, https = 0] = await freePorts(2);
  const ports = { http, https };
  const policy = proofPolicy('barbican', ports, { headers: { server: 'edge' } });
  const { dir, result } = exportInto(driver, policy, pki, upstream, ports);
  driver.validate(dir);
  const own = declaredHeaders(result.losses).get('server');
  const allowed = [['edge'], ...(own === undefined || own === null ? [] : [[own]])];
  const server = driver.start(dir);
  try {
    await waitForPort(https, server);
    await waitForPort(http, server);
    for (const [tls, path] of [
      [true, '/ok'],
      [true, '/missing'],
      [true, '/fail'],
      [false, '/plain/ok'],
      [false, '/somewhere'],
    ] as const) {
      const r = await ask(pki, { tls, port: tls ? ports.https : ports.http, path });
      const sent = r.headers['server'];
      const where = `${tls ? 'HTTPS' : 'HTTP'} ${path}: ${JSON.stringify(sent)}`;
      assert.ok(
        allowed.some((a) => JSON.stringify(a) === JSON.stringify(sent)),
        where,
      );
      if (path.endsWith('/ok')) assert.deepEqual(sent, driver.setsServer ? ['edge'] : [own], where);
    }
  } finally {
    await server.stop();
  }
}

async function both(
  pki: Pki,
  ports: Ports,
  twinPorts: Ports,
  tls: boolean,
  path: string,
  extra: { method?: string; host?: string } = {},
): Promise<Pair> {
  const [server, twin] = await Promise.all([
    ask(pki, { tls, port: tls ? ports.https : ports.http, path, ...extra }),
    ask(pki, { tls, port: tls ? twinPorts.https : twinPorts.http, path, ...extra }),
  ]);
  return { server, twin };
}

/** Headers a static error page legitimately changes. */
const PAGE_HEADERS = new Set(['content-type', 'etag', 'last-modified', 'accept-ranges']);

async function compareAll(
  t: TestContext,
  pki: Pki,
  ports: Ports,
  twinPorts: Ports,
  declared: ReadonlyMap<string, string | null>,
  intercept: readonly number[],
  policyNames: ReadonlySet<string>,
): Promise<void> {
  const cases: [boolean, string][] = [
    [true, '/ok'],
    [true, '/missing'],
    [true, '/fail'],
    [false, '/plain/ok'],
    [false, '/plain/missing'],
    [false, '/plain/fail'],
  ];
  for (const [tls, path] of cases) {
    await t.test(`${tls ? 'HTTPS' : 'HTTP'} ${path}: same status and headers`, async () => {
      const { server, twin } = await both(pki, ports, twinPorts, tls, path);
      assert.equal(server.status, twin.status);
      if (!intercept.includes(server.status)) {
        const h = reconciled(server, twin, declared);
        assert.deepEqual(h.server, h.twin);
        return;
      }
      // errors.intercept: the upstream answer (body and the app's own
      // headers) is replaced by the error page, with the same status and
      // the same policy headers.
      const h = reconciled(server, twin, declared, PAGE_HEADERS);
      const policyOnly = (h: Headers) =>
        Object.fromEntries(Object.entries(h).filter(([n]) => policyNames.has(n)));
      assert.deepEqual(policyOnly(h.server), policyOnly(h.twin));
      assert.equal(server.body, DEFAULT_ERROR_PAGE);
      assert.deepEqual(server.headers['content-type'], [DEFAULT_ERROR_PAGE_CONTENT_TYPE]);
    });
  }
  for (const method of ['GET', 'POST']) {
    await t.test(`HTTP ${method} redirects like the middleware`, async () => {
      const { server, twin } = await both(
        pki,
        ports,
        twinPorts,
        false,
        '/account/login?next=%2Fhome',
        { method },
      );
      assert.equal(server.status, twin.status);
      assert.deepEqual(server.headers['location'], twin.headers['location']);
    });
  }
  await t.test('HTTP: a dot segment does not reach the app through an exempt path', async () => {
    const { server, twin } = await both(pki, ports, twinPorts, false, '/plain/../account');
    assert.equal(twin.status, 301);
    assert.equal(server.status, twin.status);
  });
  for (const tls of [false, true]) {
    await t.test(
      `${tls ? 'HTTPS' : 'HTTP'}: a host not on allowedHosts is refused like the middleware`,
      async () => {
        const { server, twin } = await both(pki, ports, twinPorts, tls, '/ok', {
          host: 'evil.test',
        });
        assert.equal(server.status, twin.status);
        assert.notEqual(server.status, 200);
      },
    );
  }
}

/**
 * Beyond parity: the server's own redirect carries the policy's headers
 * (nginx `always`, Apache `Header always`, HAProxy `http-after-response`,
 * Caddy's deferred header block), and a header the app sets too is sent
 * once, with the policy's value (no duplicate from a second header table).
 */
async function coverage(t: TestContext, pki: Pki, ports: Ports, policy: Policy): Promise<void> {
  const plain = new Map(policy.headersFor({ https: false }));
  const secure = new Map(policy.headersFor({ https: true }));
  await t.test("the server's own redirect carries the policy headers", async () => {
    const redirect = await ask(pki, { tls: false, port: ports.http, path: '/somewhere' });
    assert.equal(redirect.status, 301);
    for (const [name, value] of plain) {
      if (name.toLowerCase() === 'server' || secure.get(name) !== value) continue;
      assert.deepEqual(redirect.headers[name.toLowerCase()], [value], name);
    }
  });
  await t.test(
    "TLS: the server accepts exactly the policy's protocols and TLS 1.2 suites",
    async () => {
      const tls = policy.tls;
      assert.equal(await handshake(pki, ports.https, 'TLSv1.3'), tls.protocols.includes('TLSv1.3'));
      for (const suite of [
        'ECDHE-ECDSA-AES128-GCM-SHA256',
        'ECDHE-ECDSA-AES256-GCM-SHA384',
        'ECDHE-ECDSA-AES128-SHA',
      ]) {
        const allowed = tls.protocols.includes('TLSv1.2') && tls.ciphers.includes(suite);
        assert.equal(await handshake(pki, ports.https, 'TLSv1.2', suite), allowed, suite);
      }
    },
  );
  await t.test('a header the app sets as well is sent once, with the policy value', async () => {
    const r = await ask(pki, { tls: true, port: ports.https, path: '/dup' });
    for (const name of ['X-Content-Type-Options', 'Referrer-Policy']) {
      const value = secure.get(name);
      if (value !== undefined) assert.deepEqual(r.headers[name.toLowerCase()], [value], name);
    }
  });
}

/** What the tiny app sends that a policy may strip: {@link appHandler}'s fingerprints. */
const APP_FINGERPRINTS: readonly (readonly [string, string])[] = [
  ['server', 'tiny/1.0'],
  ['x-powered-by', 'Express'],
];

/**
 * The upstream's own fingerprints (`Server: tiny/1.0`, `X-Powered-By:
 * Express`) never get through where the policy removes them: on proxied
 * answers (200, 404 over both schemes) and on intercepted ones. A header
 * the export declared may carry exactly the declared value (nginx's own
 * `Server: nginx`), nothing else.
 */
async function fingerprints(
  t: TestContext,
  pki: Pki,
  ports: Ports,
  policy: Policy,
  declared: ReadonlyMap<string, string | null>,
): Promise<void> {
  const removed = new Set(policy.guards.https.removeList);
  const stripped = APP_FINGERPRINTS.filter(([name]) => removed.has(name));
  if (stripped.length === 0) return;
  await t.test("the app's own Server and X-Powered-By do not get through", async () => {
    for (const [tls, path] of [
      [true, '/ok'],
      [true, '/missing'],
      [true, '/fail'],
      [false, '/plain/ok'],
      [false, '/plain/missing'],
    ] as const) {
      const r = await ask(pki, { tls, port: tls ? ports.https : ports.http, path });
      for (const [name] of stripped) {
        const own = declared.get(name);
        const allowed = own === undefined || own === null ? undefined : [own];
        assert.deepEqual(r.headers[name], allowed, `${name} on ${tls ? 'HTTPS' : 'HTTP'} ${path}`);
      }
    }
  });
}

/** The certificate's name resolves to loopback; nothing else resolves (the www check). */
const LOOKUP = staticLookup({ [APP_HOST]: '127.0.0.1' }, { others: 'not-found' });

/** `barbican scan --policy` of a site on `ports`, as `https://app.test/`. */
function scanPolicy(
  pki: Pki,
  ports: Ports,
  policy: Policy,
  losses?: ReturnType<typeof declaredLosses>,
): Promise<ScanResult> {
  return scan(`https://${APP_HOST}:${ports.https}/`, {
    policy,
    ca: pki.ca,
    httpPort: ports.http,
    httpsPort: ports.https,
    lookup: LOOKUP,
    ...(losses === undefined ? {} : { losses }),
  });
}

/** A scan's drift findings, one line each, for a readable assertion. */
function driftLines(r: ScanResult): string[] {
  return r.findings
    .filter((f) => f.code.startsWith('drift.'))
    .map((f) => `${f.code} ${f.header} ${f.directive ?? ''} ${f.value ?? ''}: ${f.message}`);
}

/**
 * `barbican scan --policy FILE --target T` on the running server: no drift
 * beyond what the export declared for the target (a declared loss must be
 * exactly what is served, e.g. nginx's `Server: nginx`), and the grade and
 * score the middleware twin gets for the same policy. The twin itself has
 * no drift, so it is a fair reference.
 */
async function drift(
  t: TestContext,
  pki: Pki,
  ports: Ports,
  twinPorts: Ports,
  policy: Policy,
  result: ExportResult,
): Promise<void> {
  await t.test(
    "barbican scan --policy --target: no undeclared drift, and the middleware's grade",
    async () => {
      const [served, twin] = await Promise.all([
        scanPolicy(pki, ports, policy, declaredLosses(result)),
        scanPolicy(pki, twinPorts, policy),
      ]);
      assert.deepEqual(driftLines(twin), [], 'the middleware twin drifts from its own policy');
      assert.deepEqual(driftLines(served), []);
      const summary = served.drift;
      assert.ok(summary?.complete, 'every drift probe finished');
      // Not vacuous: the drift probes ran (extra requests and TLS handshakes).
      assert.ok(summary.requests > 0 && summary.handshakes > 0, JSON.stringify(summary));
      assert.deepEqual([served.grade, served.score], [twin.grade, twin.score]);
    },
  );
}
