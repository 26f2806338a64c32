/**
 * Apache httpd (Debian 12: 2.4): the export passes `apache2 -t` and then
 * really starts (`-t` misses errors OpenSSL raises at start-up, such as an
 * unknown curve), and answers like the middleware for every preset.
 */
import { join } from 'node:path';
import { proveTarget, type Driver } from './harness/proof.ts';
import { runTool, startServer } from './harness/process.ts';

const APACHE = '/usr/sbin/apache2';

/** httpd with its own ServerRoot, PidFile and ErrorLog under `dir`, in the foreground (`-X`). */
export const apacheDriver: Driver = {
  setsServer: true,
  target: 'apache',
  validate(dir) {
    const r = runTool(APACHE, ['-t', '-f', join(dir, 'apache2.conf')]);
    if (r.status !== 0) throw new Error(`apache2 -t refused the export:\n${r.output}`);
  },
  start: (dir) => startServer(APACHE, ['-X', '-f', join(dir, 'apache2.conf')]),
};

proveTarget(apacheDriver);
