/**
 * Fingerprinting headers: response headers that reveal the server, framework
 * or its version and help an attacker pick an exploit. Stripping them is
 * cheap defence in depth.
 *
 * The default list is the OWASP Secure Headers Project's `headers_remove.json`
 * (87 names, last_update 2026-07-19), as names only.
 *
 * @see https://owasp.org/www-project-secure-headers/#div-bestpractices
 * @module
 */

/** OWASP Secure Headers Project remove list (header names; lower-cased when used). */
export const OWASP_REMOVE_HEADERS: readonly string[] = Object.freeze([
  '$wsep',
  'Host-Header',
  'K-Proxy-Request',
  'Liferay-Portal',
  'OracleCommerceCloud-Version',
  'Pega-Host',
  'Powered-By',
  'Product',
  'Server',
  'SourceMap',
  'X-AspNet-Version',
  'X-AspNetMvc-Version',
  'X-Atmosphere-error',
  'X-Atmosphere-first-request',
  'X-Atmosphere-tracking-id',
  'X-B3-ParentSpanId',
  'X-B3-Sampled',
  'X-B3-SpanId',
  'X-B3-TraceId',
  'X-BEServer',
  'X-Backside-Transport',
  'X-CF-Powered-By',
  'X-CMS',
  'X-CalculatedBETarget',
  'X-Cocoon-Version',
  'X-Content-Encoded-By',
  'X-Datadog-Origin',
  'X-Datadog-Parent-Id',
  'X-Datadog-Sampling-Priority',
  'X-Datadog-Tags',
  'X-Datadog-Trace-Id',
  'X-DiagInfo',
  'X-Envoy-Attempt-Count',
  'X-Envoy-External-Address',
  'X-Envoy-Internal',
  'X-Envoy-Original-Dst-Host',
  'X-Envoy-Upstream-Service-Time',
  'X-FEServer',
  'X-Framework',
  'X-Generated-By',
  'X-Generator',
  'X-Gitlab-Meta',
  'X-Jitsi-Release',
  'X-Joomla-Version',
  'X-Kong-Admin-Latency',
  'X-Kong-Client-Latency',
  'X-Kong-Proxy-Latency',
  'X-Kong-Request-Id',
  'X-Kong-Response-Latency',
  'X-Kong-Third-Party-Latency',
  'X-Kong-Total-Latency',
  'X-Kong-Upstream-Latency',
  'X-Kong-Upstream-Status',
  'X-Kubernetes-PF-FlowSchema-UI',
  'X-Kubernetes-PF-PriorityLevel-UID',
  'X-LiteSpeed-Cache',
  'X-LiteSpeed-Purge',
  'X-LiteSpeed-Tag',
  'X-LiteSpeed-Vary',
  'X-Litespeed-Cache-Control',
  'X-Mod-Pagespeed',
  'X-Nextjs-Cache',
  'X-Nextjs-Matched-Path',
  'X-Nextjs-Page',
  'X-Nextjs-Redirect',
  'X-OWA-Version',
  'X-Old-Content-Length',
  'X-OneAgent-JS-Injection',
  'X-Page-Speed',
  'X-Php-Version',
  'X-Powered-By',
  'X-Powered-By-Plesk',
  'X-Powered-CMS',
  'X-Redirect-By',
  'X-Server-Powered-By',
  'X-SourceFiles',
  'X-SourceMap',
  'X-Turbo-Charged-By',
  'X-Tyk-Trace-Id',
  'X-Umbraco-Version',
  'X-Varnish-Backend',
  'X-Varnish-Server',
  'X-Woodpecker-Version',
  'X-dtAgentId',
  'X-dtHealthCheck',
  'X-dtInjectedServlet',
  'X-ruxit-JS-Agent',
]);

type RemoveOption =
  boolean | readonly string[] | { add?: readonly string[]; keep?: readonly string[] };

/**
 * The lower-cased names to strip, from the preset's setting and the user's.
 * `{ add, keep }` adjusts the preset's list; anything else replaces it.
 */
export function removeList(fromPreset: RemoveOption, fromUser: RemoveOption | undefined): string[] {
  const expand = (o: boolean | readonly string[]): string[] =>
    o === true ? [...OWASP_REMOVE_HEADERS] : o === false ? [] : [...o];
  let names: string[];
  if (fromUser === undefined) names = expand(fromPreset as boolean | readonly string[]);
  else if (typeof fromUser === 'boolean' || Array.isArray(fromUser))
    names = expand(fromUser as boolean | readonly string[]);
  else {
    const adjust = fromUser as { add?: readonly string[]; keep?: readonly string[] };
    const keep = new Set((adjust.keep ?? []).map((n) => n.toLowerCase()));
    names = [...expand(fromPreset as boolean | readonly string[]), ...(adjust.add ?? [])].filter(
      (n) => !keep.has(n.toLowerCase()),
    );
  }
  return [...new Set(names.map((n) => n.toLowerCase()))];
}
