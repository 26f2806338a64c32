/**
 * What the policy says a request should get: core's own engine decides,
 * from the same facts the middleware would see for the request the scanner
 * sent (method GET, the target, the Host header, the scheme, an untrusted
 * peer). So the middleware is the reference by construction: a site served
 * by `withBarbican(policy)` has no drift, and nothing here re-implements a
 * host, redirect or HSTS rule.
 *
 * @module
 */
import { evaluateRequest, type Policy, type RequestFacts, type Verdict } from '@barbican/core';

/** The request the scanner sent, as the engine needs it. */
export interface SentRequest {
  readonly url: string;
  /** The Host header sent. */
  readonly host: string;
}

/**
 * The engine's verdict for `req` under `policy`.
 *
 * @example
 * ```ts
 * const v = expectedVerdict(policy, { url: 'http://app.example/', host: 'app.example' });
 * v.kind === 'respond' && v.status; // 301 when the policy redirects
 * ```
 */
export function expectedVerdict(policy: Policy, req: SentRequest): Verdict {
  const url = new URL(req.url);
  const facts: RequestFacts = {
    method: 'GET',
    target: `${url.pathname}${url.search}`,
    headerValues: (name) => (name === 'host' ? [req.host] : []),
    // The scanner is a direct client: never a trusted proxy, so no
    // forwarded header (it sends none) could change the verdict.
    peer: undefined,
    tls: url.protocol === 'https:',
  };
  return evaluateRequest(policy, facts);
}

const HSTS = 'strict-transport-security';

/**
 * True when the engine withheld HSTS from an HTTPS response only because the
 * host is `localhost` or an IP literal. Browsers ignore HSTS from IP
 * literals (RFC 6797 §8.1.1), so there whether HSTS is sent means nothing:
 * the drift check neither requires nor forbids it.
 */
export function hstsIrrelevant(policy: Policy, verdict: Verdict): boolean {
  if (verdict.kind !== 'pass' || !verdict.https || policy.guards.development) return false;
  const has = (set: readonly (readonly [string, string])[]): boolean =>
    set.some(([n]) => n.toLowerCase() === HSTS);
  return has(policy.https.set) && !has(verdict.plan.set);
}

/** True when the policy sends HSTS over plain HTTP too (`forceStsHeader`). */
export function hstsOverHttpAllowed(policy: Policy): boolean {
  return policy.guards.http.set.some(([n]) => n.toLowerCase() === HSTS);
}
