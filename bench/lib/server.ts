/**
 * Child process: serves one variant on 127.0.0.1 and reports its port over
 * IPC. Run by `core.ts` with `fork` so the server never shares an event loop
 * (or a core, when there are two) with the load generator.
 *
 * @module
 */
import { createServer } from 'node:http';
import { buildListener, NODE_VARIANTS, type NodeVariant } from './variants.ts';

const variant = process.argv[2] as NodeVariant;
if (!NODE_VARIANTS.includes(variant)) {
  process.send?.({ error: `unknown variant ${variant}` });
  process.exit(2);
}

// The parent going away (even by crashing) must not leave servers behind.
process.on('disconnect', () => process.exit(0));
// CPU time this process spent, so the parent can compute CPU per request:
// on a shared machine that is steadier than req/s, which also depends on how
// much CPU the load generator and the neighbours got.
process.on('message', (m) => {
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  }
});

try {
  const server = createServer(buildListener(variant));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
} catch (error) {
  process.send?.({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
