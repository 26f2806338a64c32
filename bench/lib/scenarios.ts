/**
 * The two policies the adapter benchmark runs, and what the non-Barbican
 * variants must do to send the same headers and do the same work.
 *
 * - `default`: `createPolicy()` (the barbican preset): static headers, the
 *   fingerprint remove list, and a CSP nonce the handler never reads (so
 *   none is minted, except by Next's middleware).
 * - `guards`: the preset plus `allowedHosts` and a nonce CSP. The handler
 *   reads the nonce (a page that uses one does), so one is minted per request.
 *   The other variants check the Host by hand and mint a nonce their own way.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createPolicy, type Policy } from '@barbican/core';

export const SCENARIOS = ['default', 'guards'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The host the socket benchmarks send (autocannon: `127.0.0.1:<port>`). */
export const BENCH_HOST = '127.0.0.1';

/**
 * The in-process benchmarks' URL and Host: a name, not localhost or an IP,
 * so the HTTPS plan applies in full (Barbican withholds HSTS from local hosts).
 */
export const FETCH_URL = 'https://app.example/';
export const FETCH_HOST = 'app.example';

/** Options of the guards scenario (on top of the preset). */
export function scenarioPolicy(scenario: Scenario): Policy {
  if (scenario === 'default') return createPolicy();
  return createPolicy({
    allowedHosts: [BENCH_HOST, FETCH_HOST],
    headers: { csp: { directives: { 'script-src': ["'self'"] }, nonce: true } },
  });
}

/** Stands in for the nonce while competitors' options are derived from the policy. */
export const NONCE_MARK = 'BENCHNONCEMARK';

/**
 * What a hand-written server sends for one scheme: the fixed headers and,
 * when a nonce is minted, the one nonce-bearing header as the parts to join.
 */
export interface HandWritten {
  readonly fixed: readonly (readonly [string, string])[];
  readonly nonced: { readonly name: string; readonly parts: readonly string[] } | undefined;
  /** True when the Host must be checked by hand. */
  readonly checkHost: boolean;
  /** Header values with the nonce as {@link NONCE_MARK}, to configure competitors. */
  readonly marked: readonly [string, string][];
}

/**
 * The hand-written equivalent of Barbican in a scenario. The barbican
 * preset's CSP has a nonce, but only the guards scenario's handler reads
 * it: in the default scenario Barbican sends the nonce-free CSP and mints
 * nothing, so the hand-written server sends that fixed value. `eagerNonce`:
 * a framework whose Barbican adapter mints a nonce for every request
 * whatever the app reads (Next: the page renders after the middleware).
 */
export function handWritten(
  scenario: Scenario,
  https: boolean,
  { eagerNonce = false }: { eagerNonce?: boolean } = {},
): HandWritten {
  const policy = scenarioPolicy(scenario);
  const plan = https ? policy.https : policy.http;
  if (plan.nonced.length > 1) throw new Error('bench: expected at most one nonce header');
  const mints = scenario === 'guards' || eagerNonce;
  const n = mints ? plan.nonced[0] : undefined;
  return {
    fixed: mints
      ? plan.set
      : [...plan.set, ...plan.nonced.map((h): readonly [string, string] => [h.name, h.value])],
    nonced: n === undefined ? undefined : { name: n.name, parts: n.parts },
    checkHost: scenario === 'guards',
    marked: mints ? policy.headersFor({ https, nonce: NONCE_MARK }) : policy.headersFor({ https }),
  };
}

/**
 * The host check a careful developer writes: the Host header must be one of
 * the benchmark's hosts, with or without a port.
 */
export function hostAllowed(host: string | null | undefined): boolean {
  if (host === undefined || host === null) return false;
  const colon = host.lastIndexOf(':');
  const name = colon === -1 ? host : host.slice(0, colon);
  return name === BENCH_HOST || name === FETCH_HOST;
}

/** A nonce as a hand-written server mints one: 128 random bits, base64. */
export const newNonce = (): string => randomBytes(16).toString('base64');

/** The nonce-bearing header's value for `nonce`. */
export const splice = (h: NonNullable<HandWritten['nonced']>, nonce: string): string =>
  h.parts.join(nonce);
