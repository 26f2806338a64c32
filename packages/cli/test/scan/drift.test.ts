/**
 * `barbican scan --policy FILE`: drift, end to end through the CLI.
 *
 * - A site served by the middleware with policy P: zero drift, the same
 *   grade as without `--policy`, exit 0.
 * - Real nginx serving P's headers, TLS and redirect: zero drift; the same
 *   config with one header changed, one removed, TLS 1.1 on and the
 *   redirect off: exactly those four, exit 1, in every output format.
 * - A policy file that is invalid: exit 2 with the config error. A site
 *   that misbehaves under probing: no crash, bounded time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPolicy, nodeTlsOptions, TLS_PROFILES, type Policy } from '@barbican/core';
import { withBarbican } from '@barbican/core/node';
import { createThrowawayCa, type ScanResult } from '@barbican/scanner';
import { run } from '../../src/cli.ts';
import { memoryIo } from '../../src/io.ts';
import { freePorts, nginxConf, startNginx, type Nginx } from './nginx.ts';

const dir = mkdtempSync(join(tmpdir(), 'barbican-drift-cli-'));
const ca = createThrowawayCa('Drift CLI Test CA');
const leaf = ca.issue({ names: ['127.0.0.1'] });
const files = {
  ca: join(dir, 'ca.pem'),
  cert: join(dir, 'cert.pem'),
  key: join(dir, 'key.pem'),
};
const servers: Server[] = [];
const sockets = new Set<Socket>();
const nginxes: Nginx[] = [];

before(() => {
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.cert, leaf.cert + ca.cert);
  writeFileSync(files.key, leaf.key);
});

after(async () => {
  await Promise.all(nginxes.map((n) => n.stop()));
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

/**
 * Policy P, as a YAML file. One CBC suite (TLS 1.0/1.1-capable) is listed so
 * that turning TLS 1.1 on in a server is one line; `headers.server: false`
 * because stock nginx cannot remove its own `Server: nginx`.
 */
function policyFile(name: string, httpsPort: number): { file: string; policy: Policy } {
  const ciphers = [...TLS_PROFILES.intermediate.ciphers, 'ECDHE-ECDSA-AES128-SHA'];
  const yaml = `# Policy P for the drift tests
preset: barbican
allowedHosts: ["127.0.0.1"]
sslRedirect: { port: ${httpsPort} }
headers:
  server: false
tls:
  ciphers: [${ciphers.map((c) => `"${c}"`).join(', ')}]
ignoreWarnings: [BARBICAN_W_TLS_WEAK]
`;
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return {
    file,
    policy: createPolicy({
      preset: 'barbican',
      allowedHosts: ['127.0.0.1'],
      sslRedirect: { port: httpsPort },
      headers: { server: false },
      tls: { ciphers },
      ignoreWarnings: ['BARBICAN_W_TLS_WEAK'],
    }),
  };
}

const page: RequestListener = (_req, res) => {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end('<!doctype html><title>drift</title><p>hello</p>');
};

const target = (httpsPort: number, httpPort: number, file: string): string[] => [
  `https://127.0.0.1:${httpsPort}/`,
  '--http-port',
  String(httpPort),
  '--ca',
  files.ca,
  '--policy',
  file,
];

/** `code scheme header` of each drift finding, with the value for TLS. */
const driftCodes = (r: ScanResult): string[] =>
  r.findings
    .filter((f) => f.code.startsWith('drift.'))
    .map((f) =>
      [f.code, f.directive, f.header, f.header === 'tls' ? f.value : undefined]
        .filter((x) => x !== undefined)
        .join(' '),
    )
    .sort();

describe('barbican scan --policy: a site served by the middleware', () => {
  it('has zero drift and the grade it has without --policy', async () => {
    const https = createHttpsServer({ cert: leaf.cert + ca.cert, key: leaf.key });
    https.on('tlsClientError', () => {});
    const httpsPort = await listen(https);
    const { file, policy } = policyFile('middleware.yaml', httpsPort);
    const { options } = nodeTlsOptions(policy.tls, process.versions.openssl);
    https.setSecureContext({ ...options, cert: leaf.cert + ca.cert, key: leaf.key });
    const app = withBarbican(page, policy);
    https.on('request', app);
    const httpPort = await listen(createHttpServer(app));

    const withPolicy = await cli('scan', ...target(httpsPort, httpPort, file), '--json');
    assert.equal(withPolicy.code, 0, withPolicy.err + withPolicy.out);
    const r = JSON.parse(withPolicy.out) as ScanResult;
    assert.deepEqual(driftCodes(r), []);
    assert.equal(r.drift?.count, 0);
    const without = await cli('scan', ...target(httpsPort, httpPort, file).slice(0, -2), '--json');
    assert.equal(without.code, 0, without.err);
    const plain = JSON.parse(without.out) as ScanResult;
    assert.equal(r.grade, plain.grade);
    assert.equal(r.score, plain.score);
    assert.equal(plain.drift, undefined);

    const text = await cli('scan', ...target(httpsPort, httpPort, file));
    assert.equal(text.code, 0);
    assert.match(text.out, /Drift from the policy\n {2}✓ the site serves what the policy says/);
  });
});

/** nginx's `http {}` body for policy P, mutated or not. */
function nginxHttp(policy: Policy, ports: { https: number; http: number }, drift: boolean): string {
  const headers = policy
    .headersFor({ https: true })
    .filter(([n]) => !(drift && n === 'X-Frame-Options'))
    .map(([n, v]) => {
      const value = drift && n === 'Referrer-Policy' ? 'no-referrer-when-downgrade' : v;
      // Nothing here needs nginx escaping; say so rather than assume it.
      assert.doesNotMatch(value, /["$\\]/);
      return `add_header ${n} "${value}" always;`;
    });
  writeFileSync(
    join(dir, drift ? 'headers-drift.conf' : 'headers.conf'),
    `${headers.join('\n')}\n`,
  );
  // TLS settings of the default server apply to connections without SNI
  // (an IP literal), so both HTTPS servers include the same lines.
  const tls = [
    `ssl_certificate ${files.cert};`,
    `ssl_certificate_key ${files.key};`,
    `ssl_protocols ${drift ? 'TLSv1.1 ' : ''}${policy.tls.protocols.join(' ')};`,
    `ssl_ciphers ${policy.tls.ciphers.join(':')}${drift ? ':@SECLEVEL=0' : ''};`,
    // OpenSSL 3.0 has no X25519MLKEM768: the groups it has, in the policy's order.
    `ssl_ecdh_curve ${policy.tls.curves.filter((c) => !c.includes('MLKEM')).join(':')};`,
    `ssl_prefer_server_ciphers ${policy.tls.preferServerCiphers ? 'on' : 'off'};`,
    `ssl_session_tickets ${policy.tls.sessionTickets ? 'on' : 'off'};`,
  ];
  writeFileSync(join(dir, drift ? 'tls-drift.conf' : 'tls.conf'), `${tls.join('\n')}\n`);
  const include = (what: string): string =>
    `include ${join(dir, `${what}${drift ? '-drift' : ''}.conf`)};`;
  const http = drift
    ? 'location / { default_type text/html; return 200 "<!doctype html><title>drift</title>"; }'
    : `location /.well-known/acme-challenge/ { return 404; }
    location / { return 301 https://$host:${ports.https}$request_uri; }`;
  return `  server_tokens off;
  default_type text/html;
  server { listen 127.0.0.1:${ports.http} default_server; server_name _; return 444; }
  server { listen 127.0.0.1:${ports.https} ssl default_server; server_name _; ${include('tls')} return 444; }
  server {
    listen 127.0.0.1:${ports.https} ssl;
    server_name 127.0.0.1;
    ${include('tls')}
    ${include('headers')}
    location / { return 200 "<!doctype html><title>drift</title><p>hello</p>"; }
  }
  server {
    listen 127.0.0.1:${ports.http};
    server_name 127.0.0.1;
    ${http}
  }`;
}

async function nginxSite(
  drift: boolean,
): Promise<{ ports: { https: number; http: number }; file: string }> {
  const [https = 0, http = 0] = await freePorts(2);
  const ports = { https, http };
  const { file, policy } = policyFile(drift ? 'nginx-drift.yaml' : 'nginx.yaml', https);
  const prefix = join(dir, drift ? 'nginx-drift' : 'nginx');
  mkdirSync(prefix, { recursive: true });
  nginxes.push(
    await startNginx(prefix, nginxConf(prefix, nginxHttp(policy, ports, drift)), [https, http]),
  );
  return { ports, file };
}

describe('barbican scan --policy: real nginx', () => {
  it('has zero drift when nginx serves the policy', async () => {
    const { ports, file } = await nginxSite(false);
    const r = await cli('scan', ...target(ports.https, ports.http, file), '--json');
    assert.equal(r.code, 0, r.err + r.out);
    assert.deepEqual(driftCodes(JSON.parse(r.out) as ScanResult), []);
  });

  it('reports exactly the four differences: a header changed, one removed, TLS 1.1 on, the redirect off', async () => {
    const { ports, file } = await nginxSite(true);
    const args = target(ports.https, ports.http, file);
    const json = await cli('scan', ...args, '--json');
    assert.equal(json.code, 1, json.err);
    const r = JSON.parse(json.out) as ScanResult;
    assert.deepEqual(driftCodes(r), [
      'drift.header.different https referrer-policy',
      'drift.header.missing https x-frame-options',
      'drift.redirect.missing redirects',
      'drift.tls.protocol.accepted tls TLSv1.1',
    ]);
    assert.equal(r.drift?.count, 4);
    assert.match(json.err, /4 difference\(s\) from .*nginx-drift\.yaml/);

    const text = await cli('scan', ...args);
    assert.equal(text.code, 1);
    assert.match(text.out, /✗ 4 difference\(s\)/);
    assert.match(text.out, /accepts TLSv1\.1; the policy allows only TLSv1\.2, TLSv1\.3/);
    const sarif = await cli('scan', ...args, '--sarif');
    assert.equal(sarif.code, 1);
    const ruleIds = (
      JSON.parse(sarif.out) as { runs: { results: { ruleId: string }[] }[] }
    ).runs[0]?.results.map((x) => x.ruleId);
    for (const code of [
      'drift.header.different',
      'drift.header.missing',
      'drift.redirect.missing',
      'drift.tls.protocol.accepted',
    ])
      assert.ok(ruleIds?.includes(code), code);
    const md = await cli('scan', ...args, '--markdown');
    assert.equal(md.code, 1);
    assert.match(md.out, /drift from the policy: \*\*4\*\*/);
    assert.match(md.out, /`drift\.redirect\.missing`/);
  });
});

describe('barbican scan --policy: bad input', () => {
  for (const [name, content, pattern] of [
    ['YAML that does not parse', 'preset: [barbican\n', /bad\.yaml:\d+:\d+: .*is not valid YAML/],
    [
      'a mistyped option',
      'preest: barbican\n',
      /bad\.yaml:1:\d+: preest: unknown option.*Did you mean "preset"\? \[BARBICAN_E_UNKNOWN_OPTION\]/,
    ],
    ['TLS 1.1 in the policy', 'tls: { protocols: [TLSv1.1] }\n', /BARBICAN_E_TLS_INSECURE/],
  ] as const) {
    it(`exits 2 for ${name}, before any request`, async () => {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, content);
      // Port 9 on loopback: nothing listens, and nothing is sent anyway.
      const r = await cli('scan', 'https://127.0.0.1:9/', '--policy', file, '--timeout', '200');
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, pattern);
      assert.equal(r.out, '');
    });
  }

  it('exits 2 for a policy file that does not exist', async () => {
    const r = await cli('scan', 'https://127.0.0.1:9/', '--policy', join(dir, 'nope.yaml'));
    assert.equal(r.code, 2);
    assert.match(r.err, /nope\.yaml.*cannot be read.*does not exist/);
  });

  it('stays bounded and does not crash when the site misbehaves under probing', async () => {
    // HTTP answers; the HTTPS port accepts connections and never speaks.
    const httpPort = await listen(createHttpServer(page));
    const silent = createTcpServer(() => {});
    const httpsPort = await listen(silent as unknown as Server);
    const { file } = policyFile('hostile.yaml', httpsPort);
    const started = Date.now();
    const r = await cli(
      'scan',
      `https://127.0.0.1:${httpsPort}/`,
      '--http-port',
      String(httpPort),
      '--policy',
      file,
      '--timeout',
      '500',
      '--json',
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `${elapsed} ms`);
    assert.equal(r.code, 1, r.err);
    assert.doesNotMatch(r.err, /internal error/);
    const codes = driftCodes(JSON.parse(r.out) as ScanResult);
    assert.ok(codes.includes('drift.probe.failed https'), codes.join('\n'));
    assert.ok(codes.includes('drift.redirect.missing redirects'), codes.join('\n'));
  });
});
