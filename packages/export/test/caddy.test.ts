/**
 * Caddy (Debian 12: 2.6): the export passes `caddy adapt` and
 * `caddy validate`, runs, and answers like the middleware for every preset.
 */
import { join } from 'node:path';
import { proveTarget, type Driver } from './harness/proof.ts';
import { runTool, startServer } from './harness/process.ts';

const CADDY = '/usr/bin/caddy';

/** Caddy keeps its data and config under `dir` (never the user's home). */
const env = (dir: string) => ({ HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir });
const config = (dir: string) => ['--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'];

/** `caddy validate`, then `caddy run` in the foreground. */
export const caddyDriver: Driver = {
  setsServer: true,
  target: 'caddy',
  validate(dir) {
    const r = runTool(CADDY, ['validate', ...config(dir)], env(dir));
    if (r.status !== 0) throw new Error(`caddy validate refused the export:\n${r.output}`);
  },
  start: (dir) => startServer(CADDY, ['run', ...config(dir)], env(dir)),
};

proveTarget(caddyDriver);
