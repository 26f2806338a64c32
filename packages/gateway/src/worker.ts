/**
 * The entry point of a cluster worker. It reads no file and parses no
 * argument: the primary sends the validated configuration and the file
 * contents, so every worker serves exactly what the primary checked.
 *
 * @module
 */
import { LineWriter, eventLog, pipeSafeSink } from './access-log.ts';
import { compileGateway } from './config.ts';
import { isOurs, serializeError, type ToPrimary, type ToWorker } from './ipc.ts';
import { GatewayMetrics } from './metrics.ts';
import { GatewayServer } from './server.ts';
import type { Staple } from './stapling.ts';

const events = eventLog();
const metrics = new GatewayMetrics();
const writer = new LineWriter(
  pipeSafeSink(process.stdout, (code) =>
    events('warn', 'stdout is closed: access log lines are dropped from now on', { code }),
  ),
);
process.stdout.on('drain', () => writer.drained());
let server: GatewayServer | undefined;
/** Staples that arrive while the server is still starting, applied once it is up. */
const early = new Map<string, Staple | undefined>();

function send(m: ToPrimary): void {
  process.send?.(m);
}

async function onMessage(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'barbican:start': {
      try {
        server = await GatewayServer.start(compileGateway(m.input, m.files), {
          metrics,
          events,
          writer,
          admin: false,
          ...(m.staples === undefined ? {} : { staples: m.staples }),
        });
        if (m.ticketKeys !== undefined) server.setTicketKeys(Buffer.from(m.ticketKeys, 'base64'));
        for (const [key, s] of early) server.setStaple(key, s);
        early.clear();
        send({ type: 'barbican:ready', addresses: server.addresses });
      } catch (error) {
        send({ type: 'barbican:failed', error: serializeError(error) });
        process.exitCode = 2;
        process.disconnect();
      }
      return;
    }
    case 'barbican:reload': {
      try {
        await server?.reload(compileGateway(m.input, m.files));
        send({ type: 'barbican:reloaded', id: m.id });
      } catch (error) {
        send({ type: 'barbican:reloaded', id: m.id, error: serializeError(error) });
      }
      return;
    }
    case 'barbican:ticket-keys':
      server?.setTicketKeys(Buffer.from(m.keys, 'base64'));
      return;
    case 'barbican:ocsp':
      if (server === undefined) early.set(m.key, m.staple);
      else server.setStaple(m.key, m.staple);
      return;
    case 'barbican:health': {
      const h = server?.healthyUpstreams() ?? { healthy: 0, total: 0 };
      send({ type: 'barbican:health', id: m.id, ...h });
      return;
    }
    case 'barbican:stop': {
      const grace = server?.compiled.gateway.timeouts.shutdown ?? 0;
      await server?.close(grace);
      writer.flush();
      process.disconnect();
      return;
    }
  }
}

process.on('message', (m: unknown) => {
  if (isOurs(m))
    onMessage(m as ToWorker).catch((error: unknown) => {
      events(
        'error',
        'worker message failed',
        serializeError(error) as unknown as Record<string, unknown>,
      );
    });
});
// The primary decides when to stop; a terminal's Ctrl-C reaches it too.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('SIGHUP', () => undefined);
// Without a primary (it was killed), stop at once rather than serve unsupervised.
process.on('disconnect', () => {
  void (server?.close(0) ?? Promise.resolve()).finally(() => {
    writer.flush();
    process.exit(0);
  });
});
