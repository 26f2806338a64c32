/**
 * Child process: serves one benchmark variant on 127.0.0.1 and reports its
 * port over IPC. Forked by `core.ts` and `adapters.ts` (through
 * `children.ts`) so the server never shares an event loop (or a core, when
 * there are two) with the load generator.
 *
 * Arguments: `core <variant>` (a node:http listener from `variants.ts`),
 * `adapters <framework> <variant> <scenario>` (an app from `frameworks.ts`)
 * or `reports noop|collector [db] [durability]` (from `reports-apps.ts`).
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// The parent going away (even by crashing) must not leave servers behind.
process.on('disconnect', () => process.exit(0));
// CPU time this process spent, so the parent can compute CPU per request:
// on a shared machine that is steadier than req/s, which also depends on how
// much CPU the load generator and the neighbours got.
// `main` is the main thread's share (the rest is worker threads').
process.on('message', (m) => {
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    const main = process.threadCpuUsage();
    process.send?.({ cpu: user + system, main: main.user + main.system });
  }
});

async function listenCore(variant: string): Promise<number> {
  const { buildListener, NODE_VARIANTS } = await import('./variants.ts');
  if (!(NODE_VARIANTS as readonly string[]).includes(variant))
    throw new Error(`unknown variant ${variant}`);
  const server = createServer(buildListener(variant as (typeof NODE_VARIANTS)[number]));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function listenAdapter(args: readonly string[]): Promise<number> {
  const { listenApp, SOCKET_FRAMEWORKS } = await import('./frameworks.ts');
  const { VARIANTS } = await import('./hono-apps.ts');
  const { SCENARIOS } = await import('./scenarios.ts');
  const [fw = '', variant = '', scenario = ''] = args;
  const known = (list: readonly string[], v: string, what: string): void => {
    if (!list.includes(v)) throw new Error(`unknown ${what} ${v}`);
  };
  known(SOCKET_FRAMEWORKS, fw, 'framework');
  known(VARIANTS, variant, 'variant');
  known(SCENARIOS, scenario, 'scenario');
  return listenApp(
    fw as (typeof SOCKET_FRAMEWORKS)[number],
    variant as (typeof VARIANTS)[number],
    scenario as (typeof SCENARIOS)[number],
  );
}

const [kind, ...rest] = process.argv.slice(2);
try {
  const port =
    kind === 'core'
      ? await listenCore(rest[0] ?? '')
      : kind === 'reports'
        ? await (await import('./reports-apps.ts')).listenReports(rest)
        : await listenAdapter(rest);
  process.send?.({ port });
} catch (error) {
  process.send?.({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
