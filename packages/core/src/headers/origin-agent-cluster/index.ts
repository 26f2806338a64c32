/**
 * Origin-Agent-Cluster: `?1` asks the browser to give this origin its own
 * agent cluster (often its own process), instead of sharing one with every
 * same-site page. It also makes `document.domain` setting a no-op, which
 * closes a same-site escalation path.
 *
 * The value is a Structured Field boolean (RFC 8941 §3.3.6): `?1` or `?0`,
 * case-sensitive.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#origin-agent-cluster
 * @example
 * ```ts
 * createPolicy({ headers: { originAgentCluster: true } }) // Origin-Agent-Cluster: ?1
 * ```
 * @module
 */
import { defineTokenHeader, type TokenOptions } from '../single-token.ts';
import { VALUES, parseOriginAgentCluster } from './parse.ts';

export { parseOriginAgentCluster } from './parse.ts';

/** The object form: `{ value?: '?1' | '?0' }`. */
export type OriginAgentClusterOptions = TokenOptions<(typeof VALUES)[number]>;

export const originAgentCluster = defineTokenHeader({
  key: 'originAgentCluster',
  headerName: 'Origin-Agent-Cluster',
  description: 'Origin-Agent-Cluster: ?1 isolates this origin in its own agent cluster.',
  spec: 'https://html.spec.whatwg.org/multipage/browsers.html#origin-agent-cluster',
  values: VALUES,
  defaultValue: '?1',
  optionDescription:
    '?1: origin-keyed agent cluster (recommended). ?0: site-keyed (the old default).',
  caseInsensitive: false,
  parse: parseOriginAgentCluster,
});
