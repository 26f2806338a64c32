/**
 * A throw-away nginx for tests: its own prefix in a temp dir, loopback
 * ports, foreground (no daemon, no master process), stopped by its pid.
 * A missing binary is a failure naming the Debian package, never a skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

const NGINX = '/usr/sbin/nginx';

/** Free loopback ports, picked by the kernel and released for nginx to take. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** A running nginx. */
export interface Nginx {
  readonly dir: string;
  stop(): Promise<void>;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * The `http {}` block's body wrapped into a complete nginx.conf for a
 * prefix in `dir` (pid, logs and temp paths inside it).
 */
export function nginxConf(dir: string, http: string): string {
  const tmp = join(dir, 'tmp');
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
${http}
}
`;
}

/**
 * Validates `conf` with `nginx -t`, starts it, and waits until every port
 * in `ports` accepts connections (15 s at most).
 */
export async function startNginx(
  dir: string,
  conf: string,
  ports: readonly number[],
): Promise<Nginx> {
  if (!existsSync(NGINX))
    throw new Error(
      `${NGINX} is missing: install Debian's nginx-light (apt-get install -y nginx-light)`,
    );
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const args = ['-p', dir, '-c', file, '-e', join(dir, 'error.log')];
  const test = spawnSync(NGINX, ['-t', ...args], { encoding: 'utf8', timeout: 30_000 });
  if (test.status !== 0) throw new Error(`nginx -t failed:\n${test.stderr}\n${conf}`);
  const child: ChildProcess = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (const port of ports) {
    while (!(await accepts(port))) {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
      if (Date.now() > deadline) throw new Error(`nginx never opened ${port}: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    dir,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
