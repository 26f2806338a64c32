/**
 * The servers `bench/reports.ts` loads, in a child process: the collector
 * on SQLite or PostgreSQL, and the do-nothing node:http endpoint that reads
 * the body and answers 204 (the HTTP limit of this machine).
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DURABILITIES, openStore, startCollector, type Durability } from '@barbican/reports';

/** The collector's limits stay in the path, set high enough never to trigger. */
const NO_LIMIT = { rate: 1e9, burst: 1e9 };

/** Starts variant `noop` or `collector` (with `db` and a durability); resolves the port. */
export async function listenReports(args: readonly string[]): Promise<number> {
  const [variant = '', db = '', durability = 'process'] = args;
  if (variant === 'noop') {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(204, { 'access-control-allow-origin': '*' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }
  if (variant !== 'collector') throw new Error(`unknown reports variant ${variant}`);
  if (!(DURABILITIES as readonly string[]).includes(durability))
    throw new Error(`unknown durability ${durability}`);
  const store = await openStore(db, { durability: durability as Durability });
  const collector = await startCollector({
    store,
    perClient: NO_LIMIT,
    perSite: NO_LIMIT,
    retentionDays: false,
  });
  return collector.port;
}
