/**
 * The per-request step, shared by every adapter. Adapters turn their
 * framework's request into {@link RequestFacts}, call {@link evaluateRequest},
 * and translate the {@link Verdict} back: they hold no security logic.
 *
 * @module
 */
import type { Policy, ResponsePlan } from './policy/index.ts';

/** What the engine needs to know about a request, read lazily by adapters. */
export interface RequestFacts {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** The request-target as received: `/path?q` or, for absolute-form, `http://host/path`. */
  readonly target: string;
  /** All values of a request header (lower-case name), in order; empty when absent. */
  headerValues(name: string): readonly string[];
  /** The socket's peer address (never a header); undefined when the runtime does not expose it. */
  readonly peer: string | undefined;
  /** True when the connection itself is TLS. */
  readonly tls: boolean;
}

/** What to do with a request. */
export type Verdict =
  | {
      readonly kind: 'pass';
      /** Effective scheme: decides which {@link ResponsePlan} applies. */
      readonly https: boolean;
      readonly plan: ResponsePlan;
    }
  | {
      /** Answer the request without calling the application. */
      readonly kind: 'respond';
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
      readonly body: string;
      /** Why, for the application's logs (never sent to the client). */
      readonly reason: string;
    };

/**
 * Decides how a request is served under `policy`. Today: the effective scheme
 * is the socket's. Host checks, redirects and proxy trust plug in here.
 */
export function evaluateRequest(policy: Policy, facts: RequestFacts): Verdict {
  return facts.tls
    ? { kind: 'pass', https: true, plan: policy.https }
    : { kind: 'pass', https: false, plan: policy.http };
}
