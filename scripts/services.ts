/**
 * PostgreSQL and Redis for the tests, from Debian's packages, on loopback, in
 * a temporary directory — never a system service, never a fixed port.
 *
 * `.ci/run` starts both once for the whole run and exports their URLs:
 *
 * ```sh
 * eval "$(node scripts/services.ts start)"   # sets BARBICAN_TEST_PG_URL, BARBICAN_TEST_REDIS_URL, BARBICAN_TEST_SERVICES_DIR
 * node scripts/services.ts stop "$BARBICAN_TEST_SERVICES_DIR"
 * ```
 *
 * A test calls {@link postgresUrl} or {@link redisUrl}: the exported URL when
 * there is one, otherwise a server started for that test process and stopped
 * when it exits (so `npm test` works on a developer's machine too). When the
 * Debian package is missing, the call throws with the package to install:
 * such a test fails, it never skips.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment variables `.ci/run` exports. */
export const ENV = {
  pg: 'BARBICAN_TEST_PG_URL',
  redis: 'BARBICAN_TEST_REDIS_URL',
  dir: 'BARBICAN_TEST_SERVICES_DIR',
} as const;

/** A free loopback TCP port (the kernel's choice; closed before returning). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function postgresBin(tool: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  for (const v of versions) {
    const path = join(root, v, 'bin', tool);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `PostgreSQL's ${tool} was not found under ${root}: install Debian's postgresql package (apt-get install -y --no-install-recommends postgresql)`,
  );
}

/** PostgreSQL refuses to run as root; as root, run its tools as the package's `postgres` user. */
function asPostgres(file: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', file, ...args]]
    : [file, [...args]];
}

function run(file: string, args: readonly string[]): void {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`,
    );
  }
}

/** Starts a throw-away PostgreSQL cluster in `dir`; returns its URL. */
export async function startPostgres(dir: string): Promise<string> {
  const data = join(dir, 'pg');
  const port = await freePort();
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o777);
  }
  run(
    ...asPostgres(postgresBin('initdb'), [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'barbican',
      '--no-sync',
      '-E',
      'UTF8',
    ]),
  );
  run(
    ...asPostgres(postgresBin('pg_ctl'), [
      '-D',
      data,
      '-l',
      join(data, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${data} -c fsync=off -c max_connections=200`,
      'start',
    ]),
  );
  return `postgres://barbican@127.0.0.1:${port}/postgres`;
}

/** Starts a throw-away Redis in `dir` (no persistence); returns its URL. */
export async function startRedis(dir: string): Promise<string> {
  const port = await freePort();
  const bin = 'redis-server';
  if (spawnSync(bin, ['--version']).status !== 0) {
    throw new Error(
      "redis-server was not found: install Debian's redis-server package (apt-get install -y --no-install-recommends redis-server)",
    );
  }
  run(bin, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--pidfile',
    join(dir, 'redis.pid'),
    '--logfile',
    join(dir, 'redis.log'),
  ]);
  await waitForPort(port);
  return `redis://127.0.0.1:${port}`;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port` (10 s at most). */
export async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops what {@link startPostgres} and {@link startRedis} started in `dir`, then removes it. */
export function stopServices(dir: string): void {
  const data = join(dir, 'pg');
  if (existsSync(join(data, 'postmaster.pid'))) {
    try {
      run(...asPostgres(postgresBin('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']));
    } catch {
      // Already gone: nothing to stop.
    }
  }
  const pidFile = join(dir, 'redis.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGTERM');
      waitForExit(pid, 5000);
    } catch {
      // Already gone.
    }
  }
  // Redis may still be writing its last files as it exits: retry the removal.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/** Blocks until `pid` has exited, or `ms` have passed (no event loop needed: runs on exit too). */
function waitForExit(pid: number, ms: number): void {
  const deadline = Date.now() + ms;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    Atomics.wait(tick, 0, 0, 20);
  }
}

let ownDir: string | undefined;
const started = new Map<string, Promise<string>>();

function processDir(): string {
  if (ownDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'barbican-services-'));
    ownDir = dir;
    process.once('exit', () => stopServices(dir));
  }
  return ownDir;
}

function once(kind: 'pg' | 'redis', start: (dir: string) => Promise<string>): Promise<string> {
  const fromEnv = process.env[ENV[kind]];
  if (fromEnv !== undefined && fromEnv !== '') return Promise.resolve(fromEnv);
  let p = started.get(kind);
  if (p === undefined) {
    p = start(processDir());
    started.set(kind, p);
  }
  return p;
}

/** The test PostgreSQL's URL: `.ci/run`'s, or one started for this process. */
export function postgresUrl(): Promise<string> {
  return once('pg', startPostgres);
}

/** The test Redis's URL: `.ci/run`'s, or one started for this process. */
export function redisUrl(): Promise<string> {
  return once('redis', startRedis);
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, dirArg] = argv;
  if (command === 'start') {
    const dir = mkdtempSync(join(tmpdir(), 'barbican-services-'));
    const pg = await startPostgres(dir);
    const redis = await startRedis(dir);
    process.stdout.write(
      `export ${ENV.dir}='${dir}'\nexport ${ENV.pg}='${pg}'\nexport ${ENV.redis}='${redis}'\n`,
    );
    return 0;
  }
  if (command === 'stop' && dirArg !== undefined) {
    stopServices(dirArg);
    return 0;
  }
  process.stderr.write('usage: node scripts/services.ts start | stop DIR\n');
  return 2;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
