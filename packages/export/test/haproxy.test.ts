/**
 * HAProxy (Debian 12: 2.6): the export passes `haproxy -c`, runs, and
 * answers like the middleware for every preset, its own redirects and
 * denials included (http-after-response).
 */
import { join } from 'node:path';
import { proveTarget, type Driver } from './harness/proof.ts';
import { runTool, startServer } from './harness/process.ts';

const HAPROXY = '/usr/sbin/haproxy';

/** HAProxy in the foreground (`-db`), logging to stderr. */
export const haproxyDriver: Driver = {
  setsServer: true,
  target: 'haproxy',
  validate(dir) {
    const r = runTool(HAPROXY, ['-c', '-f', join(dir, 'haproxy.cfg')]);
    if (r.status !== 0) throw new Error(`haproxy -c refused the export:\n${r.output}`);
  },
  start: (dir) => startServer(HAPROXY, ['-db', '-f', join(dir, 'haproxy.cfg')]),
  // HAProxy 2.6 reads the key from the certificate file (or <crt>.key).
  certificate: (pki) => ({ cert: pki.bundleFile, key: pki.bundleFile }),
};

proveTarget(haproxyDriver);
