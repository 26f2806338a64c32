/**
 * Header drift for one response the policy would have served: each header
 * of the engine's plan missing, different in meaning or sent twice; a
 * security header the policy leaves off but the site sends; a fingerprinting
 * header the policy strips; HSTS over plain HTTP.
 *
 * @module
 */
import { HEADER_MODULES, type ResponsePlan } from '@barbican/core';
import { headerValues, type CapturedResponse, type Finding } from '../model.ts';
import { finding, MAX_PER_CHECK } from '../findings/finding.ts';
import { meaningOf } from './meaning.ts';
import { printable, shown } from './show.ts';

/** Joined with a plan's nonce parts to stand for "some nonce" (meaning ignores its value). */
const SAMPLE_NONCE = 'YmFyYmljYW4tZHJpZnQ=';

const HSTS = 'strict-transport-security';

/** Every header a policy can set, by lower-case name: its canonical spelling and policy key. */
const MANAGED: ReadonlyMap<string, { readonly name: string; readonly key: string }> = new Map(
  Object.values(HEADER_MODULES).flatMap((m) =>
    m.headerNames.map((name) => [name.toLowerCase(), { name, key: m.key }] as const),
  ),
);

/**
 * Headers a policy may set that applications also set for their own
 * reasons (caching, logout, the server's name): when the policy leaves them
 * off, the middleware passes the application's value through, so their
 * presence is not drift.
 */
const NOT_EXTRA: ReadonlySet<string> = new Set([
  'server',
  'cache-control',
  'pragma',
  'expires',
  'clear-site-data',
]);

/** What the plan sends under one name: the value, or for a nonced CSP both forms. */
interface Expected {
  readonly name: string;
  readonly values: readonly string[];
}

function expectedHeaders(plan: ResponsePlan): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const [name, value] of plan.set) out.set(name.toLowerCase(), { name, values: [value] });
  // The middleware sends the nonce-less value when the app never asked for a nonce.
  for (const h of plan.nonced)
    out.set(h.name.toLowerCase(), { name: h.name, values: [h.value, h.parts.join(SAMPLE_NONCE)] });
  return out;
}

/** How the response is compared: where it came from, and the HSTS exceptions. */
export interface HeaderContext {
  /** `https://…` or `http://…`, for messages. */
  readonly url: string;
  readonly https: boolean;
  /** HSTS neither required nor forbidden (an IP literal or localhost over HTTPS). */
  readonly hstsIrrelevant: boolean;
}

/**
 * The header drift of `res` against the plan the engine chose for the same
 * request. Pure; at most {@link MAX_PER_CHECK} findings per kind.
 *
 * @example
 * ```ts
 * headerFindings(res, verdict.plan, { url: res.url, https: true, hstsIrrelevant: false });
 * ```
 */
export function headerFindings(
  res: CapturedResponse,
  plan: ResponsePlan,
  ctx: HeaderContext,
): Finding[] {
  const expected = expectedHeaders(plan);
  return [
    ...planned(res, expected, ctx),
    ...extras(res, expected, plan, ctx),
    ...fingerprints(res, plan, ctx),
  ].slice(0, 3 * MAX_PER_CHECK);
}

/** Drift findings about one request carry its scheme, so HTTPS and HTTP differences stay apart. */
const scheme = (ctx: HeaderContext): 'https' | 'http' => (ctx.https ? 'https' : 'http');

function sameAsAny(name: string, actual: readonly string[], values: readonly string[]): boolean {
  const m = meaningOf(name, actual);
  return values.some((v) => meaningOf(name, [v]) === m);
}

/** Each planned header: missing, duplicated or different in meaning. */
function planned(
  res: CapturedResponse,
  expected: ReadonlyMap<string, Expected>,
  ctx: HeaderContext,
): Finding[] {
  const out: Finding[] = [];
  for (const [lower, want] of expected) {
    if (lower === HSTS && ctx.hstsIrrelevant) continue;
    const actual = headerValues(res, lower);
    const policyValue = want.values[0] ?? '';
    if (actual.length === 0) {
      out.push(
        finding(
          'drift.header.missing',
          lower,
          `${ctx.url} does not send ${want.name}; the policy sends ${shown(policyValue)}.`,
          `Send ${want.name}: ${policyValue} on every response (nginx: add_header … always; Apache: Header always set), for example from barbican export.`,
          { directive: scheme(ctx) },
        ),
      );
    } else if (actual.length > 1 && actual.every((v) => sameAsAny(lower, [v], want.values))) {
      // Even where browsers would read the lines as one value, two layers
      // setting the same header is the drift that export tables warn about.
      out.push(
        finding(
          'drift.header.duplicate',
          lower,
          `${ctx.url} sends ${want.name} ${actual.length} times; the policy sends it once.`,
          `Set ${want.name} in one layer only (the app or the proxy; nginx: proxy_hide_header ${want.name} before add_header).`,
          { value: printable(actual.join(' | ')), directive: scheme(ctx) },
        ),
      );
    } else if (sameAsAny(lower, actual, want.values)) {
      continue;
    } else {
      out.push(
        finding(
          'drift.header.different',
          lower,
          `${ctx.url} sends ${want.name}: ${shown(actual.join(', '))}, which does not mean what the policy's ${shown(policyValue)} means.`,
          `Send the policy's value, ${want.name}: ${policyValue}, and remove any other layer that sets it.`,
          { value: printable(actual.join(', ')), directive: scheme(ctx) },
        ),
      );
    }
    if (out.length >= MAX_PER_CHECK) break;
  }
  return out;
}

/** Security headers the policy leaves off but the site sends; HSTS over HTTP has its own code. */
function extras(
  res: CapturedResponse,
  expected: ReadonlyMap<string, Expected>,
  plan: ResponsePlan,
  ctx: HeaderContext,
): Finding[] {
  const out: Finding[] = [];
  for (const [lower, { name, key }] of MANAGED) {
    if (expected.has(lower) || NOT_EXTRA.has(lower) || plan.remove.has(lower)) continue;
    const value = headerValues(res, lower)[0];
    if (value === undefined || (lower === HSTS && ctx.hstsIrrelevant)) continue;
    out.push(
      lower === HSTS && !ctx.https
        ? hstsOverHttp(ctx.url, value)
        : finding(
            'drift.header.extra',
            lower,
            `${ctx.url} sends ${name}: ${shown(value)}; the policy does not send it.`,
            `Stop sending ${name}, or add it to the policy (headers.${key}).`,
            { value: printable(value), directive: scheme(ctx) },
          ),
    );
    if (out.length >= MAX_PER_CHECK) break;
  }
  return out;
}

/**
 * HSTS on a plain-HTTP response where the policy sends none: browsers
 * ignore it there (RFC 6797 §8.1), so it is a sign of a layer configured
 * for both schemes.
 */
export function hstsOverHttp(url: string, value: string): Finding {
  return finding(
    'drift.hsts.over-http',
    HSTS,
    `${url} sends Strict-Transport-Security over plain HTTP; the policy sends it only over HTTPS.`,
    'Send it only on HTTPS responses (nginx: only in the TLS server block; Apache: Header always set … env=HTTPS).',
    { value: printable(value), directive: 'http' },
  );
}

/** Headers on the policy's remove list that the site still sends. */
function fingerprints(res: CapturedResponse, plan: ResponsePlan, ctx: HeaderContext): Finding[] {
  const out: Finding[] = [];
  for (const lower of plan.removeList) {
    const value = headerValues(res, lower)[0];
    if (value === undefined) continue;
    out.push(
      finding(
        'drift.fingerprint.present',
        lower,
        `${ctx.url} sends ${lower}: ${shown(value)}; the policy removes it.`,
        `Strip it at the edge (nginx: proxy_hide_header; Apache: Header unset; HAProxy: http-after-response del-header), as the middleware does.`,
        { value: printable(value), directive: scheme(ctx) },
      ),
    );
    if (out.length >= MAX_PER_CHECK) break;
  }
  return out;
}
