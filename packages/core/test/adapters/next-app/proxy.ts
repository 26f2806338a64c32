/**
 * The test app's Next 16 proxy (middleware): Barbican as the docs show it,
 * with the policy the test harness passes in BARBICAN_NEXT_POLICY (one
 * `next start` per policy), a route-level policy chosen by path, and
 * Barbican off on `/off`.
 *
 * @module
 */
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { barbicanMiddleware } from '@barbican/core/next';

interface Spec {
  policy: PolicyOptions;
  route: PolicyOptions;
}

const spec = JSON.parse(process.env['BARBICAN_NEXT_POLICY'] ?? '{"policy":{},"route":{}}') as Spec;
const policy = createPolicy(spec.policy);
// `next start -H 127.0.0.1`: only loopback clients can connect, so the peer
// is a loopback address, whatever the request's X-Forwarded-For says.
const peer = (): string => '127.0.0.1';
const site = barbicanMiddleware(policy, { peer });
const route = barbicanMiddleware(policy.extend(spec.route), { peer });

export function proxy(request: Request): Response | undefined {
  const path = new URL(request.url).pathname;
  if (path === '/off') return undefined;
  return path === '/route' || path === '/route-handler' ? route(request) : site(request);
}
