/**
 * `npm run bench -- gateway`: barbican gateway against nginx (Debian's
 * package) as a reverse proxy, in front of the same upstream (an nginx that
 * answers 200), on loopback:
 *
 * - plain HTTP/1.1 keep-alive and TLS (wrk, `-t2 -c50`), with 1 worker each
 *   and with one worker per core each (nginx `worker_processes` = gateway
 *   `workers`);
 * - HTTP/2 over TLS (h2load, Debian's nghttp2-client), when installed.
 *
 * Both proxies do the same work: the policy's headers on every response
 * (nginx `add_header … always`), fingerprinting headers hidden, `Host` and
 * `X-Forwarded-For/Proto` set, keep-alive to the upstream, access log off,
 * the same certificate and the Mozilla intermediate suites. The gateway also
 * runs its request checks (framing, target, host allow-list): nginx has no
 * equivalent, so they count against the gateway.
 *
 * A third proxy, the floor (`bench/lib/floor-proxy.ts`), does the same
 * visible work on the stack issue 9 mandates (node:http, node:https,
 * node:http2, an undici `Pool` with the gateway's connection count and
 * keep-alive) and nothing else: no check, no log, no metric. No proxy built
 * on that stack can beat it, so it bounds the gateway from above, and
 * gateway/floor says how much of that bound Barbican's hardening keeps.
 * Its response headers are checked against nginx's before the load.
 *
 * Runs are interleaved (nginx, gateway, floor; then gateway, floor, nginx;
 * …) and each ratio is the median of per-round ratios. Lines for scripts:
 * `ratio gateway/nginx <mode> rps: N` (target ≥ 0.6),
 * `ratio gateway/nginx <mode> p99: N` (target ≤ 2),
 * `ratio floor/nginx <mode> rps: N`, `ratio floor/nginx <mode> p99: N` and
 * `ratio gateway/floor <mode> rps: N` (no targets: the bound, and the share
 * of it kept).
 *
 * `--soak` runs the bounded soak instead: the gateway alone, TLS, all cores,
 * 50 connections for `--soak-seconds` (default 300), RSS of every gateway
 * process sampled every 10 s; exit 1 on any error or a memory climb.
 *
 * Flags: `--seconds N` per run (default 5), `--rounds N` (default 3),
 * `--connections N` (default 50), `--no-floor` (nginx and the gateway
 * only; `--floor`, the default, keeps it), `--soak`, `--soak-seconds N`,
 * `--cpu-prof DIR` (every gateway and floor process, workers and
 * primary, writes a V8 CPU profile on exit to `DIR/gateway-<workers>w`
 * or `DIR/floor-<workers>w`: profile both under the same load).
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPolicy, nodeTlsOptions, type PolicyOptions } from '@barbican/core';
import { resolveGatewayOptions, upstreamPoolOptions } from '@barbican/gateway/options';
import { createThrowawayCa } from '@barbican/scanner';
import { freePort, waitForPort } from '../scripts/services.ts';
import { headersOf } from './lib/children.ts';
import type { FloorOptions } from './lib/floor-proxy.ts';
import { median, numberFlag, pairedRatio, stringFlag, UsageError } from './lib/measure.ts';

export const description =
  'barbican gateway vs nginx (and the node:http + undici floor) as reverse proxies: wrk (HTTP/1.1, TLS; 1 worker and all cores), h2load (HTTP/2); --soak for the 5-minute soak';

const HOST = 'bench.test';
const CLI = new URL('../packages/cli/src/bin.ts', import.meta.url).pathname;
const FLOOR = new URL('./lib/floor-proxy.ts', import.meta.url).pathname;

/** Mozilla intermediate (guidelines 6.0): the gateway's default profile, written for nginx. */
const CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

/** Headers the proxies must hide (what the upstream sends that names software). */
const HIDDEN = ['X-Powered-By', 'X-Runtime', 'Via'];

/** A tool from Debian, or an error naming its package. */
function need(tool: string, pkg: string, versionArg = '-v'): void {
  const r = spawnSync(tool, [versionArg], { encoding: 'utf8' });
  if (r.error !== undefined) {
    throw new Error(
      `${tool} was not found: install Debian's ${pkg} (apt-get install -y --no-install-recommends ${pkg})`,
    );
  }
}

function hasTool(tool: string): boolean {
  return spawnSync(tool, ['--version'], { encoding: 'utf8' }).error === undefined;
}

/** `--cpu-prof DIR`: where the gateway and floor processes write their profiles (undefined: off). */
let profileDir: string | undefined;

/** Node flags that make a process (and the cluster workers it forks) write a CPU profile to `DIR/name`. */
function profileArgs(name: string): string[] {
  return profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`];
}

/** Processes this run started; all are killed at the end, whatever happens. */
const children = new Set<ChildProcess>();

/** The last few kB each child wrote to stderr, for the error when one dies mid-run. */
const stderrTails = new WeakMap<ChildProcess, string>();

function start(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stderr.on('data', (d: Buffer) => {
    stderrTails.set(child, ((stderrTails.get(child) ?? '') + d.toString('utf8')).slice(-4096));
  });
  return child;
}

/** Throws when a proxy died: a dead proxy must fail the run, not read as 0 req/s. */
function assertAlive(name: string, child: ChildProcess | undefined): void {
  if (child === undefined || (child.exitCode === null && child.signalCode === null)) return;
  const why = child.exitCode === null ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
  throw new Error(`${name} exited during the run (${why}):\n${stderrTails.get(child) ?? ''}`);
}

/** SIGTERM (nginx: fast shutdown, its workers too; the gateway: graceful), then SIGKILL what is left. */
async function killAll(): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  const deadline = Date.now() + 5000;
  while (children.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const c of children) c.kill('SIGKILL');
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The policy every proxy here applies (the gateway builds the same from its config). */
const POLICY: PolicyOptions = { preset: 'barbican', allowedHosts: [HOST] };

/** The policy's headers as nginx `add_header … always` lines (values checked for nginx-safe bytes). */
function addHeaders(https: boolean): string {
  return createPolicy(POLICY)
    .headersFor({ https })
    .map(([name, value]) => {
      if (/["$\\]/.test(value))
        throw new Error(`${name} has a byte this nginx config cannot quote`);
      return `      add_header ${name} "${value}" always;`;
    })
    .join('\n');
}

interface Ports {
  readonly http: number;
  readonly https: number;
  /** HTTP/2 over TLS, when not the `https` port (the floor serves it on a listener of its own). */
  readonly h2?: number;
}

function nginxProxyConfig(site: Setup, workers: number, ports: Ports): string {
  const { dir, upstream, cert, key } = site;
  const location = (https: boolean): string => `
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
${HIDDEN.map((h) => `      proxy_hide_header ${h};`).join('\n')}
${addHeaders(https)}
    }`;
  return `worker_processes ${workers};
daemon off;
pid ${dir}/nginx-proxy-${workers}.pid;
error_log ${dir}/nginx-proxy-${workers}.err;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  # nginx closes a client connection after 1000 requests by default (HTTP/2 too: GOAWAY);
  # the gateway does not, so neither does this nginx.
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream app { server 127.0.0.1:${upstream}; keepalive 128; }
  server {
    listen 127.0.0.1:${ports.http};
    server_name ${HOST};${location(false)}
  }
  server {
    listen 127.0.0.1:${ports.https} ssl http2;
    server_name ${HOST};
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ${CIPHERS};
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_prefer_server_ciphers off;
    ssl_session_tickets off;${location(true)}
  }
}
`;
}

function upstreamConfig(dir: string, port: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx-upstream.pid;
error_log ${dir}/nginx-upstream.err;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location / {
      add_header X-Powered-By "PHP/8.3";
      return 200 "hello world\\n";
    }
  }
}
`;
}

async function startNginx(
  dir: string,
  name: string,
  config: string,
  port: number,
): Promise<ChildProcess> {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, config);
  const child = start('nginx', ['-c', file, '-p', dir]);
  await waitForPort(port);
  return child;
}

interface Gateway {
  readonly child: ChildProcess;
  readonly ports: Ports;
}

async function startGatewayProcess(site: Setup, workers: number, ports: Ports): Promise<Gateway> {
  const { dir, upstream, cert, key } = site;
  const config = {
    preset: 'barbican',
    allowedHosts: [HOST],
    // The plain listener proxies here (no redirect), so both modes measure proxying.
    sslRedirect: false,
    tls: { certificates: [{ cert, key }] },
    gateway: {
      upstream: `http://127.0.0.1:${upstream}`,
      listen: `127.0.0.1:${ports.https}`,
      httpListen: `127.0.0.1:${ports.http}`,
      adminListen: false,
      workers,
      accessLog: false,
      watch: false,
    },
  };
  const file = join(dir, `gateway-${workers}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = start(
    process.execPath,
    [...process.execArgv, ...profileArgs(`gateway-${workers}w`), CLI, 'gateway', '--config', file],
    { cwd: dir },
  );
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout?.resume();
  await waitFor(() => err.includes('HTTPS  https://') || child.exitCode !== null, 'the gateway');
  if (child.exitCode !== null) throw new Error(`the gateway exited:\n${err}`);
  return { child, ports };
}

/**
 * Starts the floor proxy (see bench/lib/floor-proxy.ts) with what the
 * gateway gets: the same upstream, workers, certificate, TLS options
 * (core's mapping of the same policy), the upstream pool the gateway
 * builds (its `upstreamPoolOptions`: connections per worker, keep-alive,
 * timeouts), and the headers nginx sets and hides.
 */
async function startFloor(site: Setup, workers: number, ports: Required<Ports>): Promise<Gateway> {
  const policy = createPolicy(POLICY);
  const upstream = `http://127.0.0.1:${site.upstream}`;
  const options: FloorOptions = {
    upstream,
    pool: upstreamPoolOptions(resolveGatewayOptions({ upstream })),
    workers,
    ports,
    cert: site.cert,
    key: site.key,
    tls: nodeTlsOptions(policy.tls, process.versions.openssl).options,
    headers: {
      http: policy.headersFor({ https: false }).flat(),
      https: policy.headersFor({ https: true }).flat(),
    },
    // nginx hides the upstream's Server by default (proxy_hide_header's default list).
    hide: [...HIDDEN, 'Server'],
  };
  const child = start(process.execPath, [
    ...process.execArgv,
    ...profileArgs(`floor-${workers}w`),
    FLOOR,
    JSON.stringify(options),
  ]);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  await waitFor(() => out.includes('floor ready') || child.exitCode !== null, 'the floor proxy');
  if (child.exitCode !== null) throw new Error(`the floor proxy exited:\n${err}`);
  return { child, ports };
}

/** One load-generator run. */
interface Run {
  readonly rps: number;
  /** Milliseconds. */
  readonly p99: number;
  readonly errors: number;
  /** CPU time the proxy's processes used per request, microseconds (NaN when not measured). */
  readonly cpuUs?: number;
}

/** The process and its children (nginx master + workers, gateway primary + workers). */
function tree(pid: number): number[] {
  const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  return [pid, ...kids];
}

/** CPU seconds (user + system) a process tree has used so far (Linux /proc; 100 ticks/s). */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      // Fields after the command name: state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / 100;
}

/** Runs `load` and adds the proxy's CPU per request to its result. */
async function measured(pid: number, seconds: number, load: () => Promise<Run>): Promise<Run> {
  const before = cpuSeconds(pid);
  const r = await load();
  const cpu = cpuSeconds(pid) - before;
  return { ...r, cpuUs: (cpu * 1e6) / (r.rps * seconds) };
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/** Runs wrk and reads req/s, p99 and errors from its report. */
export function parseWrk(out: string): Run {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p = /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors =
    non2xx + (socket === null ? 0 : socket.slice(1).reduce((a, b) => a + Number(b), 0));
  return { rps, p99: p === null ? NaN : toMs(p[1] ?? '', p[2] ?? 'ms'), errors };
}

function wrk(url: string, seconds: number, connections: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = start('wrk', [
      '-t2',
      `-c${connections}`,
      `-d${seconds}s`,
      '--latency',
      '-H',
      `Host: ${HOST}`,
      url,
    ]);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`wrk exited ${code}:\n${out}`));
      else resolve(parseWrk(out));
    });
  });
}

/** Runs h2load for `seconds` and computes p99 from its per-request log. */
function h2load(port: number, seconds: number, connections: number, dir: string): Promise<Run> {
  const log = join(dir, `h2load-${port}-${Date.now()}.log`);
  return new Promise((resolve, reject) => {
    const child = start('h2load', [
      '-c',
      String(connections),
      '-m',
      '10',
      '-t',
      '2',
      '-D',
      String(seconds),
      '--log-file',
      log,
      '-H',
      `:authority: ${HOST}`,
      `https://127.0.0.1:${port}/`,
    ]);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`h2load exited ${code}:\n${out}`));
        return;
      }
      const rps = Number(/finished in [\d.]+[a-z]+, ([\d.]+) req\/s/.exec(out)?.[1] ?? NaN);
      const failed =
        Number(/(\d+) failed/.exec(out)?.[1] ?? 0) + Number(/(\d+) errored/.exec(out)?.[1] ?? 0);
      const times = readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => Number(l.split('\t')[2]))
        .filter((n) => Number.isFinite(n))
        .sort((a, b) => a - b);
      const p99 = (times[Math.floor(times.length * 0.99)] ?? NaN) / 1000;
      rmSync(log, { force: true });
      resolve({ rps, p99, errors: failed });
    });
  });
}

type Target = 'nginx' | 'gateway' | 'floor';

/** Samples per mode and target, one per round. */
type Results = Map<string, Record<Target, Run[]>>;

function record(results: Results, mode: string, target: Target, run: Run): void {
  console.log(
    `  ${target.padEnd(7)} ${mode.padEnd(7)} ${Math.round(run.rps).toString().padStart(6)} req/s  p99 ${run.p99.toFixed(1)} ms  cpu ${(run.cpuUs ?? NaN).toFixed(0)} µs/req${run.errors > 0 ? `  errors ${run.errors}` : ''}`,
  );
  let r = results.get(mode);
  if (r === undefined) {
    r = { nginx: [], gateway: [], floor: [] };
    results.set(mode, r);
  }
  r[target].push(run);
}

/**
 * The floor's lines for one mode: the bound (floor/nginx) and the share of
 * it the gateway keeps (gateway/floor), each the median of per-round ratios.
 */
function reportFloor(mode: string, r: Record<Target, Run[]>): void {
  const line = (a: Target, b: Target, k: 'rps' | 'p99' | 'cpuUs', what: string, note: string) => {
    const { ratio, min, max } = pairedRatio(
      r[a].map((x) => x[k] ?? NaN),
      r[b].map((x) => x[k] ?? NaN),
    );
    console.log(`ratio ${a}/${b} ${mode} ${what}: ${ratio.toFixed(2)}`);
    console.log(`  (rounds ${min.toFixed(2)}–${max.toFixed(2)}; ${note})`);
  };
  line('floor', 'nginx', 'rps', 'rps', 'the most a node:http + undici proxy reaches; no target');
  line('floor', 'nginx', 'p99', 'p99', 'no target');
  line('gateway', 'floor', 'rps', 'rps', "the share of the floor Barbican's hardening keeps");
  line(
    'gateway',
    'floor',
    'cpuUs',
    'cpu per request',
    "the gateway's CPU per request over the floor's; no target",
  );
}

/** Prints each mode's medians and the paired ratios; returns false when a target is missed. */
function report(results: Results): boolean {
  let met = true;
  const floor = [...results.values()].some((r) => r.floor.length > 0);
  console.log(
    `\nmode       nginx req/s     p99  cpu/req    gateway req/s     p99  cpu/req${floor ? '      floor req/s     p99  cpu/req' : ''}`,
  );
  for (const [mode, r] of results) {
    const m = (t: Target, k: 'rps' | 'p99' | 'cpuUs'): number =>
      median(r[t].map((x) => x[k] ?? NaN));
    const col = (t: Target): string =>
      `${Math.round(m(t, 'rps')).toString().padStart(11)}  ${m(t, 'p99').toFixed(1).padStart(6)}ms  ${m(t, 'cpuUs').toFixed(0).padStart(5)}µs`;
    console.log(
      `${mode.padEnd(8)} ${col('nginx')}  ${col('gateway')}${floor ? `  ${col('floor')}` : ''}`,
    );
  }
  console.log('');
  for (const [mode, r] of results) {
    const rps = r.gateway.map((g, i) => g.rps / (r.nginx[i]?.rps ?? NaN));
    const p99 = r.gateway.map((g, i) => g.p99 / (r.nginx[i]?.p99 ?? NaN));
    const rpsRatio = median(rps);
    const p99Ratio = median(p99);
    const okRps = rpsRatio >= 0.6;
    const okP99 = p99Ratio <= 2;
    met &&= okRps && okP99;
    console.log(`ratio gateway/nginx ${mode} rps: ${rpsRatio.toFixed(2)}`);
    console.log(
      `  (rounds ${Math.min(...rps).toFixed(2)}–${Math.max(...rps).toFixed(2)}; target ≥ 0.60: ${okRps ? 'met' : 'MISSED'})`,
    );
    console.log(`ratio gateway/nginx ${mode} p99: ${p99Ratio.toFixed(2)}`);
    console.log(
      `  (rounds ${Math.min(...p99).toFixed(2)}–${Math.max(...p99).toFixed(2)}; target ≤ 2.00: ${okP99 ? 'met' : 'MISSED'})`,
    );
    const cpu = r.gateway.map((g, i) => (g.cpuUs ?? NaN) / (r.nginx[i]?.cpuUs ?? NaN));
    console.log(`ratio gateway/nginx ${mode} cpu per request: ${median(cpu).toFixed(2)}`);
    console.log(
      '  (proxy CPU time per request; steadier than req/s on a shared machine; no target)',
    );
    if (r.floor.length > 0) reportFloor(mode, r);
    const errors = [...r.gateway, ...r.nginx, ...r.floor].reduce((a, x) => a + x.errors, 0);
    if (errors > 0) console.log(`  ${errors} errors or non-2xx responses in ${mode}`);
  }
  return met;
}

interface Setup {
  readonly dir: string;
  /** The throw-away CA's certificate (PEM), to verify the proxies' TLS. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly upstream: number;
}

async function setup(): Promise<Setup> {
  need('nginx', 'nginx-light');
  need('wrk', 'wrk', '--version');
  const dir = mkdtempSync(join(tmpdir(), 'barbican-bench-gw-'));
  const ca = createThrowawayCa('Barbican bench CA');
  const leaf = ca.issue({ names: [HOST] });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, leaf.cert + ca.cert);
  writeFileSync(key, leaf.key, { mode: 0o600 });
  const upstream = await freePort();
  await startNginx(dir, 'upstream', upstreamConfig(dir, upstream), upstream);
  return { dir, ca: ca.cert, cert, key, upstream };
}

/** The proxies under test for one worker count. */
interface Proxies {
  readonly targets: readonly Target[];
  readonly ports: Partial<Record<Target, Ports>>;
  readonly children: Partial<Record<Target, ChildProcess>>;
}

/** Starts nginx, the gateway and (unless left out) the floor with `workers` workers each. */
async function startProxies(s: Setup, workers: number, floor: boolean): Promise<Proxies> {
  const nginxPorts = { http: await freePort(), https: await freePort() };
  const gwPorts = { http: await freePort(), https: await freePort() };
  const nginx = await startNginx(
    s.dir,
    `proxy-${workers}`,
    nginxProxyConfig(s, workers, nginxPorts),
    nginxPorts.https,
  );
  const gw = await startGatewayProcess(s, workers, gwPorts);
  const proxies: Proxies = {
    targets: ['nginx', 'gateway'],
    ports: { nginx: nginxPorts, gateway: gwPorts },
    children: { nginx, gateway: gw.child },
  };
  if (!floor) return proxies;
  const floorPorts = { http: await freePort(), https: await freePort(), h2: await freePort() };
  const f = await startFloor(s, workers, floorPorts);
  return {
    targets: ['nginx', 'gateway', 'floor'],
    ports: { ...proxies.ports, floor: floorPorts },
    children: { ...proxies.children, floor: f.child },
  };
}

/** Headers that differ between the proxies by construction: nginx names itself, node:http adds a keep-alive hint. */
const TRANSPORT_HEADERS = new Set(['server', 'keep-alive']);

/** Names of the headers whose values differ between two normalized header maps. */
function headerDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => !TRANSPORT_HEADERS.has(n) && a.get(n) !== b.get(n)).sort();
}

/**
 * Checks that the floor answers with nginx's headers (plain HTTP and TLS),
 * so that both do the same work; prints where the gateway differs (its
 * per-request CSP nonce, for one), for the reader.
 */
async function checkHeaders(s: Setup, p: Proxies): Promise<void> {
  const gatewayDiffs = new Set<string>();
  for (const scheme of ['http', 'https'] as const) {
    const got = new Map<Target, Map<string, string>>();
    for (const t of p.targets) {
      const port = p.ports[t]?.[scheme] ?? 0;
      const r = await headersOf(`${scheme}://127.0.0.1:${port}/`, { host: HOST }, s.ca);
      if (r.status !== 200) throw new Error(`${t} answered ${r.status} over ${scheme}, not 200`);
      got.set(t, r.headers);
    }
    const none = new Map<string, string>();
    const nginx = got.get('nginx') ?? none;
    const floor = got.get('floor');
    if (floor !== undefined) {
      const diff = headerDifferences(floor, nginx);
      if (diff.length > 0)
        throw new Error(
          `the floor's headers differ from nginx's over ${scheme}: ${diff.join(', ')}`,
        );
    }
    for (const n of headerDifferences(got.get('gateway') ?? none, nginx)) gatewayDiffs.add(n);
  }
  console.log(
    `headers (http, https): ${p.targets.includes('floor') ? 'floor = nginx' : 'checked'}; ` +
      `gateway differs from nginx in: ${gatewayDiffs.size === 0 ? 'nothing' : [...gatewayDiffs].join(', ')}` +
      ` (${[...TRANSPORT_HEADERS].join(', ')} not compared)`,
  );
}

/** One round for one worker count: every mode, every proxy, in `order`. */
async function oneRound(
  results: Results,
  p: Proxies,
  order: readonly Target[],
  o: { label: string; seconds: number; connections: number; h2: boolean; dir: string },
): Promise<void> {
  const port = (t: Target): Ports => p.ports[t] as Ports;
  const m = async (t: Target, load: () => Promise<Run>): Promise<Run> => {
    assertAlive(t, p.children[t]);
    const run = await measured(p.children[t]?.pid ?? 0, o.seconds, load);
    assertAlive(t, p.children[t]);
    if (!(run.rps > 0)) throw new Error(`${t} answered no request in ${o.label}: it hangs`);
    return run;
  };
  for (const t of order)
    record(
      results,
      `http ${o.label}`,
      t,
      await m(t, () => wrk(`http://127.0.0.1:${port(t).http}/`, o.seconds, o.connections)),
    );
  for (const t of [...order].reverse())
    record(
      results,
      `tls ${o.label}`,
      t,
      await m(t, () => wrk(`https://127.0.0.1:${port(t).https}/`, o.seconds, o.connections)),
    );
  if (o.h2)
    for (const t of order)
      record(
        results,
        `h2 ${o.label}`,
        t,
        await m(t, () => h2load(port(t).h2 ?? port(t).https, o.seconds, o.connections, o.dir)),
      );
}

async function comparison(s: Setup, args: readonly string[]): Promise<number> {
  const seconds = numberFlag(args, 'seconds', 5, 60);
  const rounds = numberFlag(args, 'rounds', 3, 20);
  const connections = numberFlag(args, 'connections', 50, 1000);
  const floor = !args.includes('--no-floor');
  const cores = availableParallelism();
  const h2 = hasTool('h2load');
  if (!h2) console.log("h2load not found: HTTP/2 skipped (Debian's nghttp2-client)");
  const results: Results = new Map();
  for (const workers of [...new Set([1, cores])]) {
    const label = workers === 1 ? '1w' : `${workers}w`;
    const p = await startProxies(s, workers, floor);
    await checkHeaders(s, p);
    // Warm-up: JIT, keep-alive pools, TLS session state.
    for (const t of p.targets)
      await wrk(`https://127.0.0.1:${p.ports[t]?.https ?? 0}/`, 2, connections);
    for (let round = 0; round < rounds; round++) {
      // Each round starts with the next proxy (nginx, gateway, floor; gateway, floor, nginx; …).
      const k = round % p.targets.length;
      const order = [...p.targets.slice(k), ...p.targets.slice(0, k)];
      await oneRound(results, p, order, { label, seconds, connections, h2, dir: s.dir });
      console.log(`round ${round + 1}/${rounds} (${label}) done`);
    }
    const running = Object.values(p.children);
    for (const c of running) c.kill('SIGTERM');
    await waitFor(
      () => running.every((c) => c.exitCode !== null || c.signalCode !== null),
      'the proxies to stop',
    );
  }
  return report(results) ? 0 : 1;
}

/** Resident set size of a process and its children, bytes (Linux /proc). */
function rssTree(pid: number): number {
  const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  let total = 0;
  for (const p of [pid, ...kids]) {
    try {
      total +=
        Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) *
        1024;
    } catch {
      // exited between pgrep and the read
    }
  }
  return total;
}

async function soak(s: Setup, args: readonly string[]): Promise<number> {
  const total = numberFlag(args, 'soak-seconds', 300, 3600);
  const connections = numberFlag(args, 'connections', 50, 1000);
  const ports = { http: await freePort(), https: await freePort() };
  const gw = await startGatewayProcess(s, 0, ports);
  const pid = gw.child.pid ?? 0;
  const samples: number[] = [rssTree(pid)];
  const timer = setInterval(() => samples.push(rssTree(pid)), 10_000);
  console.log(
    `soak: ${total} s, ${connections} connections, TLS, ${availableParallelism()} workers`,
  );
  let run: Run;
  try {
    run = await wrk(`https://127.0.0.1:${ports.https}/`, total, connections);
  } finally {
    clearInterval(timer);
    samples.push(rssTree(pid));
    gw.child.kill('SIGTERM');
  }
  const mb = (b: number): string => (b / 1048576).toFixed(1);
  console.log(`RSS (all gateway processes, every 10 s, MB): ${samples.map(mb).join(' ')}`);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const early = Math.max(...samples.slice(1, 1 + third));
  const late = Math.max(...samples.slice(-third));
  const growth = (late - early) / early;
  console.log(
    `requests: ${Math.round(run.rps * total)} at ${Math.round(run.rps)} req/s, p99 ${run.p99.toFixed(2)} ms, errors ${run.errors}`,
  );
  console.log(
    `memory: first third peak ${mb(early)} MB, last third peak ${mb(late)} MB (${(growth * 100).toFixed(1)}%)`,
  );
  console.log(`ratio soak rss last/first: ${(late / early).toFixed(2)}`);
  const flat = growth < 0.1;
  console.log(
    `soak: ${run.errors === 0 && flat ? 'passed' : 'FAILED'} (zero errors: ${run.errors === 0 ? 'yes' : 'no'}; memory flat within 10%: ${flat ? 'yes' : 'no'})`,
  );
  return run.errors === 0 && flat ? 0 : 1;
}

export async function run(args: readonly string[]): Promise<number> {
  for (const a of args) {
    if (
      a.startsWith('--') &&
      !/^--(?:(?:seconds|rounds|connections|soak|soak-seconds|cpu-prof)(?:=|$)|(?:no-)?floor$)/.test(
        a,
      )
    ) {
      throw new UsageError(`unknown flag ${a}`);
    }
  }
  const prof = stringFlag(args, 'cpu-prof');
  if (prof !== undefined) {
    if (prof === '' || prof.startsWith('--')) throw new UsageError('--cpu-prof needs a directory');
    profileDir = resolve(prof);
  }
  const onSignal = (): void => {
    void killAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  let s: Setup | undefined;
  try {
    s = await setup();
    return args.includes('--soak') ? await soak(s, args) : await comparison(s, args);
  } finally {
    await killAll();
    process.removeListener('SIGINT', onSignal);
    if (s !== undefined) rmSync(s.dir, { recursive: true, force: true });
  }
}
