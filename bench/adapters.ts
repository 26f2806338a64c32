/**
 * `npm run bench -- adapters [--only <framework>] [--scenario default|guards]`:
 * every Barbican adapter beside its bare framework, the framework's own
 * security plugin and a hand-written limit in that framework.
 *
 * Socket frameworks (node:http, Express 4 and 5, Fastify 5, Koa 3, Hono on
 * `@hono/node-server`) run one child process per variant under autocannon,
 * in interleaved rounds, and compare req/s and requests per second of server
 * CPU. In-process frameworks (Hono's `app.fetch`, a plain Fetch handler,
 * Next.js middleware) run interleaved batches timed by the wall clock and by
 * process CPU. Before measuring, every variant's headers are compared with
 * Barbican's, and in the guards scenario every non-bare variant must refuse a
 * bad Host: a mismatch fails the run.
 *
 * @module
 */
import { headersOf, start, stop, withChildren, type Running } from './lib/children.ts';
import { SOCKET_FRAMEWORKS, type SocketFramework } from './lib/frameworks.ts';
import { VARIANTS, type Variant } from './lib/hono-apps.ts';
import {
  IN_PROCESS_FRAMEWORKS,
  inProcessCall,
  type Call,
  type InProcessFramework,
} from './lib/in-process.ts';
import { describeLoad, interleave, loadFlags, printRates, type LoadSamples } from './lib/load.ts';
import {
  median,
  numberFlag,
  printRatio,
  rate,
  stringFlag,
  UsageError,
  type Samples,
} from './lib/measure.ts';
import { normalizeHeaders } from './lib/children.ts';
import { FETCH_HOST, scenarioPolicy, SCENARIOS, type Scenario } from './lib/scenarios.ts';

export const description =
  'every adapter vs its bare framework, its security plugin and a hand-written limit';

type Framework = SocketFramework | InProcessFramework;
const FRAMEWORKS: readonly Framework[] = [...SOCKET_FRAMEWORKS, ...IN_PROCESS_FRAMEWORKS];

/** Each framework's own security plugin, as named in the ratio lines (none for plain Fetch and Next). */
const PLUGIN: Readonly<Record<Framework, string | undefined>> = {
  node: 'helmet',
  express4: 'helmet',
  express5: 'helmet',
  fastify: 'fastify-helmet',
  koa: 'koa-helmet',
  'hono-node': 'secureHeaders',
  'hono-fetch': 'secureHeaders',
  fetch: undefined,
  next: undefined,
};

const TARGETS = { bare: 0.9, handWritten: 0.95, plugin: 1.3 };

/** What a variant is called in the output and the ratio lines. */
const labelOf = (fw: Framework, v: Variant): string => (v === 'plugin' ? (PLUGIN[fw] ?? v) : v);

function choose<T extends string>(
  args: readonly string[],
  flag: string,
  all: readonly T[],
): readonly T[] {
  const raw = stringFlag(args, flag);
  if (raw === undefined) return all;
  const picked = raw.split(',').map((s) => s.trim());
  for (const p of picked) {
    if (!(all as readonly string[]).includes(p))
      throw new UsageError(`--${flag}: unknown "${p}"; one of ${all.join(', ')}`);
  }
  return picked as T[];
}

/** Fails unless `got` equals `want` (both normalized). */
function assertSame(what: string, want: Map<string, string>, got: Map<string, string>): void {
  const diff = [...new Set([...want.keys(), ...got.keys()])]
    .filter((n) => want.get(n) !== got.get(n))
    .map((n) => `  ${n}: ${got.get(n) ?? '(absent)'}  ≠  ${want.get(n) ?? '(absent)'}`);
  if (diff.length > 0) throw new Error(`${what} (got ≠ barbican):\n${diff.join('\n')}`);
}

/**
 * Checks the variants before any measuring: the same headers as Barbican;
 * bare = Barbican's minus the policy's (and minus what the policy strips);
 * in the guards scenario a bad Host is refused by all but bare.
 */
async function verify(
  fw: Framework,
  scenario: Scenario,
  answer: (
    variant: Variant,
    host?: string,
  ) => Promise<{ status: number; headers: Map<string, string> }>,
  variants: readonly Variant[],
): Promise<void> {
  const https = !(SOCKET_FRAMEWORKS as readonly string[]).includes(fw);
  const policy = scenarioPolicy(scenario);
  const plan = https ? policy.https : policy.http;
  const ref = await answer('barbican');
  if (ref.status !== 200) throw new Error(`${fw} barbican: status ${ref.status}`);
  for (const v of variants) {
    if (v === 'barbican') continue;
    const got = await answer(v);
    if (got.status !== 200) throw new Error(`${fw} ${labelOf(fw, v)}: status ${got.status}`);
    if (v !== 'bare') {
      assertSame(`${fw} ${labelOf(fw, v)} sends other headers`, ref.headers, got.headers);
      continue;
    }
    const policyNames = new Set(
      [...plan.set.map(([n]) => n), ...plan.nonced.map((h) => h.name)].map((n) => n.toLowerCase()),
    );
    // Next's request overrides (x-middleware-request-*) carry the nonce to the app.
    const want = new Map(
      [...ref.headers].filter(
        ([n]) =>
          !policyNames.has(n) && (n === 'x-middleware-next' || !n.startsWith('x-middleware-')),
      ),
    );
    const bare = new Map([...got.headers].filter(([n]) => !plan.remove.has(n)));
    assertSame(`${fw} bare differs beyond the policy's headers`, want, bare);
  }
  if (scenario !== 'guards') return;
  for (const v of variants) {
    if (v === 'bare') continue;
    const got = await answer(v, 'evil.example');
    if (got.status !== 400)
      throw new Error(`${fw} ${labelOf(fw, v)}: a bad Host got ${got.status}, not 400`);
  }
}

/** Ratio lines for one framework and scenario; returns whether every target was met. */
function ratios(fw: Framework, scenario: Scenario, table: Samples, kind: string): boolean {
  const suffix = ` ${fw}${scenario === 'guards' ? ' hosts+nonce' : ''}${kind}`;
  const plugin = PLUGIN[fw];
  let ok = true;
  if (plugin !== undefined)
    ok = printRatio(table, 'barbican', plugin, { min: TARGETS.plugin }, suffix) && ok;
  ok = printRatio(table, 'barbican', 'bare', { min: TARGETS.bare }, suffix) && ok;
  ok = printRatio(table, 'barbican', 'hand-written', { min: TARGETS.handWritten }, suffix) && ok;
  // The ceiling of barbican/bare: what sending the same headers costs at best.
  printRatio(table, 'hand-written', 'bare', undefined, suffix);
  return ok;
}

interface Outcome {
  readonly fw: Framework;
  readonly scenario: Scenario;
  readonly wall: Samples;
  readonly cpu: Samples;
  readonly cpuKind: string;
}

async function socketGroup(
  fw: SocketFramework,
  scenario: Scenario,
  load: ReturnType<typeof loadFlags>,
): Promise<Outcome> {
  const running: Running[] = [];
  try {
    for (const v of VARIANTS)
      running.push(await start(labelOf(fw, v), ['adapters', fw, v, scenario]));
    const byVariant = new Map(VARIANTS.map((v, i) => [v, running[i]!]));
    await verify(
      fw,
      scenario,
      (v, host) => headersOf(byVariant.get(v)!.url, host === undefined ? {} : { host }),
      VARIANTS,
    );
    const s: LoadSamples = await interleave(running, load);
    printRates(
      running.map((r) => r.label),
      s,
      16,
    );
    return { fw, scenario, wall: s.samples, cpu: s.perCpu, cpuKind: ' (server cpu)' };
  } finally {
    stop(running);
  }
}

async function inProcessGroup(
  fw: InProcessFramework,
  scenario: Scenario,
  o: { batch: number; seconds: number; rounds: number },
): Promise<Outcome> {
  const calls = new Map<Variant, Call>();
  for (const v of VARIANTS) {
    const c = inProcessCall(fw, v, scenario);
    if (c !== undefined) calls.set(v, c);
  }
  const variants = [...calls.keys()];
  await verify(
    fw,
    scenario,
    async (v, host) => {
      const res = await calls.get(v)!(host ?? FETCH_HOST);
      return { status: res.status, headers: normalizeHeaders(res.headers) };
    },
    variants,
  );
  const wall: Samples = {};
  const cpu: Samples = {};
  const batch = async (v: Variant, record: boolean): Promise<void> => {
    const call = calls.get(v)!;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < o.batch; i++) await call(FETCH_HOST);
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    if (!record) return;
    const label = labelOf(fw, v);
    (wall[label] ??= []).push((o.batch * 1e9) / ns);
    (cpu[label] ??= []).push((o.batch * 1e6) / Math.max(1, c.user + c.system));
  };
  for (const v of variants) await batch(v, false); // warm-up
  const deadline = Date.now() + o.seconds * 1000;
  for (let round = 0; round < o.rounds && Date.now() < deadline; round++) {
    for (const v of variants) await batch(v, true);
  }
  for (const v of variants) {
    const label = labelOf(fw, v);
    console.log(
      `${label.padEnd(16)} ${rate(median(wall[label]!)).padStart(9)} ops/s  ${rate(median(cpu[label]!)).padStart(9)} ops/cpu-s  (${wall[label]!.length} rounds × ${o.batch})`,
    );
  }
  return { fw, scenario, wall, cpu, cpuKind: ' (cpu time)' };
}

export async function run(args: readonly string[]): Promise<number> {
  const frameworks = choose(args, 'only', FRAMEWORKS);
  const scenarios = choose(args, 'scenario', SCENARIOS);
  const load = loadFlags(args, { rounds: 3, duration: 0.8, warmup: 0.3 });
  const inProcess = {
    batch: numberFlag(args, 'batch', 2_000, 100_000),
    seconds: numberFlag(args, 'seconds', 3, 60),
    rounds: numberFlag(args, 'in-process-rounds', 15, 100),
  };
  console.log(describeLoad(load));
  console.log(
    `in-process: batches of ${inProcess.batch}, at most ${inProcess.rounds} rounds or ${inProcess.seconds} s per framework and scenario`,
  );
  const outcomes: Outcome[] = [];
  await withChildren(async () => {
    for (const fw of frameworks) {
      for (const scenario of scenarios) {
        console.log(
          `\n== ${fw}, ${scenario === 'guards' ? 'hosts + nonce CSP' : 'default preset'}`,
        );
        outcomes.push(
          (SOCKET_FRAMEWORKS as readonly string[]).includes(fw)
            ? await socketGroup(fw as SocketFramework, scenario, load)
            : await inProcessGroup(fw as InProcessFramework, scenario, inProcess),
        );
      }
    }
  });

  console.log(
    '\nratios (medians of per-round ratios; targets: ≥ 1.3× plugin, ≥ 0.9× bare, ≥ 0.95× hand-written)',
  );
  const missed: string[] = [];
  for (const o of outcomes) {
    const a = ratios(o.fw, o.scenario, o.wall, '');
    const b = ratios(o.fw, o.scenario, o.cpu, o.cpuKind);
    if (!a || !b) missed.push(`${o.fw} ${o.scenario}`);
  }
  // A benchmark on a shared machine is evidence, not a gate: report, exit 0.
  console.log(missed.length === 0 ? 'targets: all met' : `targets: MISSED in ${missed.join(', ')}`);
  return 0;
}
