/**
 * Benchmark servers in child processes: fork, wait for the port, read the
 * child's CPU time, read the headers one response carries, and kill every
 * child however the run ends.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));

/** A running child server. */
export interface Running {
  readonly label: string;
  readonly child: ChildProcess;
  readonly url: string;
}

/** Every child ever forked, so that even one that never reported a port is killed. */
const children: ChildProcess[] = [];

/** Forks `server.ts` with `args` and waits for its port (bounded: 20 s). */
export function start(label: string, args: readonly string[]): Promise<Running> {
  // BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there on exit.
  const profDir = process.env.BENCH_CPU_PROF;
  const child = fork(SERVER, [...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [
      ...process.execArgv,
      ...(profDir === undefined || profDir === ''
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${profDir}`]),
    ],
  });
  children.push(child);
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${label}: server did not start within 20 s`));
    }, 20_000);
    child.once('message', (m: { port?: number; error?: string }) => {
      clearTimeout(timer);
      if (m.port === undefined) reject(new Error(`${label}: ${m.error ?? 'no port'}`));
      else resolve({ label, child, url: `http://127.0.0.1:${m.port}/` });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label}: server exited with ${code}`));
    });
  }).finally(() => child.removeAllListeners('exit'));
}

/** Kills `running`, or every child forked so far when none is given. */
export function stop(running?: readonly Running[]): void {
  const list = running === undefined ? children : running.map((r) => r.child);
  for (const child of list) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    // Closing the IPC channel makes the child exit by itself (and flush a
    // CPU profile); the signal is the fallback.
    if (child.connected) child.disconnect();
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    }, 2_000).unref();
  }
}

/**
 * Runs `body`, killing every child on the way out, and on Ctrl-C (a SIGINT
 * listener would otherwise keep the load running).
 */
export async function withChildren<T>(body: () => Promise<T>): Promise<T> {
  const onSigint = (): void => {
    stop();
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    return await body();
  } finally {
    stop();
    process.removeListener('SIGINT', onSigint);
  }
}

/** A server's CPU time so far, in microseconds: the whole process, and its main thread alone. */
export interface CpuTimes {
  readonly total: number;
  readonly main: number;
}

/** The server's CPU times so far (bounded wait: 5 s). */
export function cpuTimesOf(r: Running): Promise<CpuTimes> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      r.child.off('message', onMessage);
      reject(new Error(`${r.label}: no CPU report within 5 s`));
    }, 5_000);
    function onMessage(m: { cpu?: number; main?: number }): void {
      if (m.cpu === undefined) return;
      clearTimeout(timer);
      r.child.off('message', onMessage);
      resolve({ total: m.cpu, main: m.main ?? m.cpu });
    }
    r.child.on('message', onMessage);
    r.child.send('cpu');
  });
}

/** The server's CPU time so far (every thread), in microseconds. */
export async function cpuOf(r: Running): Promise<number> {
  return (await cpuTimesOf(r)).total;
}

/** Values that differ per response by design: nonces. */
const NONCE_VALUE = /'nonce-[\w+/=-]+'/g;

/**
 * The headers of one response, lower-cased, without `date` (differs per
 * response), with nonces replaced by `'nonce-…'` and CSP directives
 * joined one way.
 */
export function normalizeHeaders(headers: Iterable<[string, string]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [n, v] of headers) {
    if (n === 'date') continue;
    let value = n.endsWith('x-nonce') ? '…' : v.replace(NONCE_VALUE, "'nonce-…'");
    // helmet joins CSP directives with ";", Barbican with "; ": same policy.
    if (n.startsWith('content-security-policy') || n.includes('request-content-security-policy'))
      value = value
        .split(';')
        .map((d) => d.trim())
        .filter((d) => d !== '')
        .join('; ');
    // Fetch's default `text/plain;charset=UTF-8` and a framework's
    // `text/plain; charset=UTF-8` are the same media type.
    if (n === 'content-type') value = value.replace(/;\s*/g, '; ');
    out.set(n, value);
  }
  return out;
}

/**
 * The normalized headers and status a server answers `url` with. node:http,
 * not `fetch`, so that a test can send any Host header (bounded: 5 s). An
 * `https:` URL is verified against `ca`, for the name in the Host header
 * (Node's agent takes SNI and the name to check from it).
 */
export function headersOf(
  url: string,
  headers: Record<string, string> = {},
  ca?: string,
): Promise<{ status: number; headers: Map<string, string> }> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(
      url,
      { headers, timeout: 5_000, ...(ca === undefined ? {} : { ca }) },
      (res) => {
        res.resume();
        res.on('end', () => {
          const pairs: [string, string][] = [];
          const raw = res.rawHeaders;
          for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
          resolve({ status: res.statusCode ?? 0, headers: normalizeHeaders(pairs) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 5 s`)));
    req.on('error', reject);
  });
}
