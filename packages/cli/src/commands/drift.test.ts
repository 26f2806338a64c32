/**
 * `barbican scan --policy FILE`: drift, end to end through the CLI.
 *
 * - A site served by the middleware with policy P: zero drift, the same
 *   grade as without `--policy`, exit 0.
 * - Real nginx serving `barbican export --target nginx` of P: zero drift;
 *   the same export with one header changed, one removed, TLS 1.1 on and
 *   the redirect off: exactly those four, exit 1, in every output format.
 * - A policy file that is invalid: exit 2 with the config error. A site
 *   that misbehaves under probing: no crash, bounded time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPolicy, nodeTlsOptions, TLS_PROFILES, type Policy } from '@barbican/core';
import { withBarbican } from '@barbican/core/node';
import { createThrowawayCa, type ScanResult } from '@barbican/scanner';
import { run } from '../cli.ts';
import { memoryIo } from '../io.ts';
import { exportPolicy, type ExportFile } from '@barbican/export';
import {
  freePorts,
  runTool,
  startServer,
  waitForPort,
  type RunningServer,
} from '../../../export/test/harness/process.ts';
import { writeFiles } from '../../../export/test/harness/world.ts';
import { driftCodes, loopback, page } from '../../../scanner/test/drift/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'barbican-drift-cli-'));
const ca = createThrowawayCa('Drift CLI Test CA');
const leaf = ca.issue({ names: ['127.0.0.1'] });
const files = {
  ca: join(dir, 'ca.pem'),
  cert: join(dir, 'cert.pem'),
  key: join(dir, 'key.pem'),
};
const net = loopback();
const listen = (server: NetServer): Promise<number> => net.listen(server);
const nginxes: RunningServer[] = [];

before(() => {
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.cert, leaf.cert + ca.cert);
  writeFileSync(files.key, leaf.key);
});

after(async () => {
  await Promise.all(nginxes.map((n) => n.stop()));
  net.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

/**
 * Policy P, as a YAML file. One CBC suite (TLS 1.0/1.1-capable) is listed so
 * that turning TLS 1.1 on in a server is one line; `headers.server: false`
 * because stock nginx cannot remove its own `Server: nginx` (with
 * `stripServer`, the preset's removal stays: see the `--target` tests).
 */
function policyFile(
  name: string,
  httpsPort: number,
  stripServer = false,
): { file: string; policy: Policy } {
  const ciphers = [...TLS_PROFILES.intermediate.ciphers, 'ECDHE-ECDSA-AES128-SHA'];
  // The groups Debian's nginx (OpenSSL 3.0) offers: the profile's
  // X25519MLKEM768 needs 3.5, and a scan without --target reports a group
  // the server refuses.
  const curves = ['X25519', 'prime256v1', 'secp384r1'];
  const yaml = `# Policy P for the drift tests
preset: barbican
allowedHosts: ["127.0.0.1"]
sslRedirect: { port: ${httpsPort} }
headers:
  server: ${stripServer ? 'true' : 'false'}
tls:
  ciphers: [${ciphers.map((c) => `"${c}"`).join(', ')}]
  curves: [${curves.join(', ')}]
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
      headers: { server: stripServer },
      tls: { ciphers, curves },
      ignoreWarnings: ['BARBICAN_W_TLS_WEAK'],
    }),
  };
}

const target = (httpsPort: number, httpPort: number, file: string): string[] => [
  `https://127.0.0.1:${httpsPort}/`,
  '--http-port',
  String(httpPort),
  '--ca',
  files.ca,
  '--policy',
  file,
];

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

const NGINX = '/usr/sbin/nginx';

/**
 * The four differences of the issue's proof, as edits of the nginx export:
 * each must match exactly once, so a change in the export's output fails
 * here instead of silently leaving a drift out.
 */
function fourDrifts(upstream: number): readonly (readonly [string, RegExp, string])[] {
  return [
    [
      'barbican-headers.conf',
      /add_header Referrer-Policy "strict-origin-when-cross-origin" always;/,
      'add_header Referrer-Policy "no-referrer-when-downgrade" always;',
    ],
    ['barbican-headers.conf', /add_header X-Frame-Options "DENY" always;\n/, ''],
    // TLS 1.1 on OpenSSL 3.0 needs security level 0 (its handshake signs with SHA-1).
    [
      'barbican-tls.conf',
      /ssl_protocols TLSv1\.2 TLSv1\.3;/,
      'ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3;',
    ],
    ['barbican-tls.conf', /ssl_ciphers "([^"]+)";/, 'ssl_ciphers "$1:@SECLEVEL=0";'],
    // The redirect off: plain HTTP proxies the app instead.
    [
      'barbican-plain-server.conf',
      /location \/ \{\n\s*if \(\$request_method[^\n]*\n\s*return 308 [^\n]*\n\s*\}/,
      `location / { proxy_pass http://127.0.0.1:${upstream}; }`,
    ],
  ];
}

function edit(
  files: readonly ExportFile[],
  edits: readonly (readonly [string, RegExp, string])[],
): ExportFile[] {
  return files.map((f) => {
    let content = f.content;
    for (const [path, from, to] of edits) {
      if (path !== f.path) continue;
      assert.equal(content.match(new RegExp(from, 'g'))?.length, 1, `${path}: ${String(from)}`);
      content = content.replace(from, to);
    }
    return { ...f, content };
  });
}

/**
 * nginx serving the app through `barbican export --target nginx` of policy
 * P (the complete example nginx.conf and the files it includes), edited
 * with the four drifts or not.
 */
async function nginxSite(
  drift: boolean,
  site: { name?: string; stripServer?: boolean; edits?: typeof SERVER_TOKENS_ON } = {},
): Promise<{ ports: { https: number; http: number }; file: string }> {
  const [https = 0, http = 0] = await freePorts(2);
  const upstream = await listen(createHttpServer(site.stripServer === true ? fingerprinted : page));
  const name = site.name ?? (drift ? 'nginx-drift' : 'nginx');
  const { file, policy } = policyFile(`${name}.yaml`, https, site.stripServer);
  const prefix = join(dir, name);
  mkdirSync(prefix, { recursive: true });
  const exported = exportPolicy(policy, 'nginx', {
    deploy: {
      upstream: `http://127.0.0.1:${upstream}`,
      listen: { address: '127.0.0.1', http, https },
      certificate: { cert: files.cert, key: files.key },
      dir: prefix,
      runtimeDir: prefix,
    },
  });
  const edits = [...(drift ? fourDrifts(upstream) : []), ...(site.edits ?? [])];
  writeFiles(prefix, edit(exported.files, edits));
  const args = ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', join(prefix, 'nginx.conf')];
  const test = runTool(NGINX, ['-t', '-q', ...args]);
  assert.equal(test.status, 0, test.output);
  const server = startServer(NGINX, [...args, '-g', 'daemon off;']);
  nginxes.push(server);
  await waitForPort(https, server);
  await waitForPort(http, server);
  return { ports: { https, http }, file };
}

describe('barbican scan --policy: real nginx', () => {
  it("has zero drift when nginx serves the policy's export", async () => {
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

/** An app that announces itself, as the proxies' upstreams do. */
const fingerprinted: RequestListener = (req, res) => {
  res.setHeader('server', 'tiny/1.0');
  res.setHeader('x-powered-by', 'Express');
  page(req, res);
};

/** nginx announcing its version: the declared loss is `Server: nginx`, not this. */
const SERVER_TOKENS_ON: readonly (readonly [string, RegExp, string])[] = [
  ['barbican-headers.conf', /server_tokens off;/, 'server_tokens on;'],
];

describe('barbican scan --policy --target: the losses the export declared', () => {
  it('nginx\'s own "Server: nginx" is drift without --target, an expected loss with it', async () => {
    const { ports, file } = await nginxSite(false, { name: 'nginx-server', stripServer: true });
    const args = target(ports.https, ports.http, file);
    const plain = await cli('scan', ...args, '--json');
    assert.equal(plain.code, 1, plain.err);
    assert.deepEqual(driftCodes(JSON.parse(plain.out) as ScanResult), [
      'drift.fingerprint.present https server',
    ]);

    const lossy = await cli('scan', ...args, '--target', 'nginx', '--json');
    assert.equal(lossy.code, 0, lossy.err + lossy.out);
    const r = JSON.parse(lossy.out) as ScanResult;
    assert.deepEqual(driftCodes(r), []);
    assert.deepEqual([r.drift?.count, r.drift?.expectedLosses], [0, 1]);
    const expected = r.findings.filter((f) => f.code === 'loss.expected');
    assert.equal(expected.length, 1);
    const [loss] = expected;
    assert.ok(loss);
    assert.equal(loss.severity, 'info');
    assert.equal(loss.header, 'server');
    assert.equal(loss.value, 'nginx');
    assert.match(
      loss.message,
      /nginx 1\.22\.1 declared this loss \(BARBICAN_W_EXPORT_LOSSY server-header, headers\.server\)/,
    );
    // The app's own X-Powered-By is stripped by nginx: nothing else was excused.
    assert.equal(
      r.findings.some((f) => f.header === 'x-powered-by'),
      false,
    );

    const text = await cli('scan', ...args, '--target', 'nginx');
    assert.equal(text.code, 0);
    assert.match(text.out, /✓ the site serves what the policy says/);
    assert.match(
      text.out,
      /1 expected loss\(es\) the target declared, not drift \(loss\.expected\)/,
    );
  });

  it('is precise: "Server: nginx/1.22.1" is not the declared "Server: nginx", so it stays drift', async () => {
    const { ports, file } = await nginxSite(false, {
      name: 'nginx-tokens',
      stripServer: true,
      edits: SERVER_TOKENS_ON,
    });
    const r = await cli(
      'scan',
      ...target(ports.https, ports.http, file),
      '--target',
      'nginx',
      '--json',
    );
    assert.equal(r.code, 1, r.err);
    const result = JSON.parse(r.out) as ScanResult;
    assert.deepEqual(driftCodes(result), ['drift.fingerprint.present https server']);
    assert.match(result.findings.find((f) => f.header === 'server')?.value ?? '', /^nginx\/\d/);
    assert.equal(result.drift?.expectedLosses, 0);
  });

  it('exits 2 for --target without --policy, an unknown target, or a version without --target', async () => {
    const site = 'https://127.0.0.1:9/';
    const noPolicy = await cli('scan', site, '--target', 'nginx');
    assert.equal(noPolicy.code, 2);
    assert.match(noPolicy.err, /--target needs --policy/);
    const { file } = policyFile('target-usage.yaml', 9);
    const unknown = await cli('scan', site, '--policy', file, '--target', 'ngnix');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /ngnix/);
    const version = await cli('scan', site, '--policy', file, '--target-version', '1.25.1');
    assert.equal(version.code, 2);
    assert.match(version.err, /--target-version needs --target/);
    const old = await cli(
      'scan',
      site,
      '--policy',
      file,
      '--target',
      'nginx',
      '--target-version',
      '0.9',
    );
    assert.equal(old.code, 2);
    assert.match(old.err, /BARBICAN_E_EXPORT_TARGET/);
    for (const r of [noPolicy, unknown, version, old]) assert.equal(r.out, '');
  });
});

describe('barbican scan --policy: bad input', () => {
  it('is in --help, with an example', async () => {
    const r = await cli('scan', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /--policy <file>/);
    assert.match(r.out, /barbican scan https:\/\/example\.com --policy barbican\.config\.yaml/);
  });

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
    const httpsPort = await listen(silent);
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
