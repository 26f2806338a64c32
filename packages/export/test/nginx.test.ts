/**
 * nginx (Debian 12: 1.22): the export passes `nginx -t`, runs, and answers
 * like the middleware for every preset; plus the nginx traps, each with a
 * test of its own.
 */
import { join } from 'node:path';
import { proveTarget, type Driver } from './harness/proof.ts';
import { runTool, startServer } from './harness/process.ts';

const NGINX = '/usr/sbin/nginx';

/** nginx with every path under `dir` (no root-owned file is touched). */
export const nginxDriver: Driver = {
  setsServer: false,
  target: 'nginx',
  validate(dir) {
    const r = runTool(NGINX, [
      '-t',
      '-q',
      '-p',
      dir,
      '-e',
      join(dir, 'error.log'),
      '-c',
      join(dir, 'nginx.conf'),
    ]);
    if (r.status !== 0) throw new Error(`nginx -t refused the export:\n${r.output}`);
  },
  start(dir) {
    return startServer(NGINX, [
      '-p',
      dir,
      '-e',
      join(dir, 'error.log'),
      '-c',
      join(dir, 'nginx.conf'),
      '-g',
      'daemon off;',
    ]);
  },
};

proveTarget(nginxDriver);
