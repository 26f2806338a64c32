/**
 * Writing a plan's headers onto a Node response, as cheaply as correctness
 * allows.
 *
 * `res.setHeader()` re-validates every name and value with regular
 * expressions on every call. Barbican validated the same strings once, when
 * the policy was built, with a stricter gate (visible ASCII, space and tab
 * only; see `field.ts`), so repeating that work per response buys nothing.
 * When this Node stores outgoing headers the way we expect — checked by a
 * self-test at load time that must produce byte-identical output to
 * `setHeader` — the precomputed entries are written straight into the
 * response's header map. Otherwise, or on any surprise, it falls back to
 * `setHeader`. Either way the result on the wire is the same.
 *
 * @module
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { ResponsePlan } from '../plan.ts';

type Store = Record<string, [string, string]>;

/** The symbol under which this Node keeps a response's outgoing headers, if it passed the self-test. */
const kOutHeaders: symbol | undefined = detectStore();

/** True when the direct path is in use (exported for tests and the benchmark). */
export const directHeaderStore = kOutHeaders !== undefined;

function detectStore(): symbol | undefined {
  try {
    const viaApi = new ServerResponse(new IncomingMessage(new Socket()));
    viaApi.setHeader('X-Probe-One', 'a b');
    viaApi.setHeader('x-probe-two', "'self'");
    const symbol = Object.getOwnPropertySymbols(viaApi).find(
      (s) => s.description === 'kOutHeaders',
    );
    if (symbol === undefined) return undefined;
    const direct = new ServerResponse(new IncomingMessage(new Socket()));
    const store = Object.create(null) as Store;
    store['x-probe-one'] = ['X-Probe-One', 'a b'];
    store['x-probe-two'] = ['x-probe-two', "'self'"];
    (direct as unknown as Record<symbol, unknown>)[symbol] = store;
    // Same view through the public API, and the same bytes on the wire.
    const same =
      JSON.stringify(direct.getHeaders()) === JSON.stringify(viaApi.getHeaders()) &&
      JSON.stringify(direct.getHeaderNames()) === JSON.stringify(viaApi.getHeaderNames()) &&
      direct.getHeader('X-PROBE-ONE') === 'a b';
    if (!same) return undefined;
    viaApi.writeHead(200);
    direct.writeHead(200);
    const head = (r: ServerResponse): unknown => (r as unknown as { _header: unknown })._header;
    return typeof head(direct) === 'string' && head(direct) === head(viaApi) ? symbol : undefined;
  } catch {
    return undefined;
  }
}

/** Lower-cased keys for each plan, computed once per plan (plans are built once). */
const keyed = new WeakMap<ResponsePlan, readonly (readonly [string, string, string])[]>();

function keysOf(plan: ResponsePlan): readonly (readonly [string, string, string])[] {
  let k = keyed.get(plan);
  if (k === undefined) {
    k = plan.set.map(([name, value]) => [name.toLowerCase(), name, value] as const);
    keyed.set(plan, k);
  }
  return k;
}

/**
 * Sets every static header of `plan` on `res`, as `setHeader` would
 * (replacing any earlier value of the same name).
 */
export function writePlanHeaders(plan: ResponsePlan, res: ServerResponse): void {
  if (kOutHeaders === undefined || res.headersSent) {
    // `setHeader` also raises the right error if the head is already out.
    for (const [name, value] of plan.set) res.setHeader(name, value);
    return;
  }
  const holder = res as unknown as Record<symbol, Store | null | undefined>;
  let store = holder[kOutHeaders];
  if (store == null) {
    store = Object.create(null) as Store;
    holder[kOutHeaders] = store;
  }
  const entries = keysOf(plan);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as readonly [string, string, string];
    // A fresh pair per response: Node may replace or extend entries later.
    store[e[0]] = [e[1], e[2]];
  }
}

/**
 * Removes from `res` every header named in `remove` (lower-case names), as
 * a `getHeaderNames()` / `removeHeader()` loop would, but without building
 * the name list when the direct store is in use: its keys are the
 * lower-case names already.
 */
export function stripHeaders(res: ServerResponse, remove: ReadonlySet<string>): void {
  const store =
    kOutHeaders === undefined
      ? undefined
      : (res as unknown as Record<symbol, Store | null | undefined>)[kOutHeaders];
  if (store == null) {
    for (const name of res.getHeaderNames()) if (remove.has(name)) res.removeHeader(name);
    return;
  }
  // Deleting the key being visited is safe in a for…in walk.
  for (const name in store) if (remove.has(name)) res.removeHeader(name);
}
