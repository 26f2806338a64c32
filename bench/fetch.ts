/**
 * `npm run bench -- fetch`: the Fetch wrapper in-process, no network.
 *
 * All variants serve the same Hono app so routing costs the same
 * everywhere; only the security layer differs:
 * - "hono-bare": the app alone (the limit);
 * - "barbican-fetch": `secureFetch(app.fetch, policy)`;
 * - "hono-secure-headers": the app with `secureHeaders()` configured to send
 *   the policy's headers.
 * Requests use an https URL so the HTTPS plan (with HSTS) applies.
 *
 * @module
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { createPolicy } from '@barbican/core';
import { secureFetch } from '@barbican/core/fetch';
import { honoEquivalent } from './lib/equivalents.ts';
import { median, numberFlag, printRatio, rate, type Samples } from './lib/measure.ts';

export const description =
  'Fetch API in-process: secureFetch vs Hono secureHeaders() on the same Hono app';

type Handler = (request: Request) => Promise<Response> | Response;

// Not localhost or an IP: Barbican leaves HSTS off for those (it would pin
// the wrong thing), and the comparison needs the same headers on both sides.
const URL_ = 'https://app.example/';

function variants(): { handlers: Record<string, Handler>; notes: readonly string[] } {
  const policy = createPolicy();
  const route = (a: Hono): void => {
    a.get('/', (c) => c.text('hello world'));
  };

  const bare = new Hono();
  route(bare);
  const { options, leftovers, notes } = honoEquivalent(policy.headersFor({ https: true }));
  const secured = new Hono();
  secured.use(secureHeaders(options));
  if (leftovers.length > 0) {
    secured.use(async (c, next) => {
      await next();
      for (const [n, v] of leftovers) c.header(n, v);
    });
  }
  route(secured);

  return {
    handlers: {
      'hono-bare': (r) => bare.fetch(r),
      'barbican-fetch': secureFetch((r) => bare.fetch(r), policy),
      'hono-secure-headers': (r) => secured.fetch(r),
    },
    notes,
  };
}

/** Headers of a response without the ones every variant shares. */
async function headerList(h: Handler): Promise<string> {
  const res = await h(new Request(URL_));
  await res.text();
  return [...res.headers].map(([n, v]) => `${n}: ${v}`).join(' | ');
}

export async function run(args: readonly string[]): Promise<number> {
  const rounds = numberFlag(args, 'rounds', 30, 100);
  const batch = numberFlag(args, 'batch', 2_000, 200_000);
  const budgetMs = numberFlag(args, 'seconds', 15, 120) * 1000;

  const { handlers, notes } = variants();
  for (const note of notes) console.log(`hono note: ${note}`);
  const names = Object.keys(handlers);
  for (const name of names) console.log(`${name}: ${await headerList(handlers[name]!)}`);

  // Each batch is timed by the wall clock and by process CPU: CPU time does
  // not grow when neighbours take the CPU away mid-batch.
  const samples: Samples = {};
  const cpuSamples: Samples = {};
  const runBatch = async (name: string, record: boolean): Promise<void> => {
    const h = handlers[name]!;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await h(new Request(URL_));
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    if (!record) return;
    (samples[name] ??= []).push((batch * 1e9) / ns);
    (cpuSamples[name] ??= []).push((batch * 1e6) / Math.max(1, c.user + c.system));
  };
  for (const name of names) await runBatch(name, false); // warm-up

  const deadline = Date.now() + budgetMs;
  for (let round = 0; round < rounds && Date.now() < deadline; round++) {
    for (const name of names) await runBatch(name, true);
  }

  console.log(`\nin-process fetch, ${samples[names[0]!]!.length} rounds × ${batch} requests:`);
  for (const name of names) {
    console.log(`${name.padEnd(20)} ${rate(median(samples[name]!)).padStart(9)} ops/s`);
  }
  printRatio(samples, 'barbican-fetch', 'hono-secure-headers');
  printRatio(samples, 'barbican-fetch', 'hono-bare');
  printRatio(samples, 'hono-secure-headers', 'hono-bare');
  printRatio(cpuSamples, 'barbican-fetch', 'hono-secure-headers', undefined, ' (cpu time)');
  return 0;
}
