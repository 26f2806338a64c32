/**
 * Compiles the request-protection options into a frozen {@link RequestGuards}
 * once, when the policy is built, so that `evaluateRequest` never parses
 * configuration per request.
 *
 * @module
 */
import type { WarningCode } from '../errors.ts';
import type { ResponsePlan } from '../plan.ts';
import { compileCsrf, type CsrfGuard } from './csrf.ts';
import { compileHostMatcher, parseHost, type HostMatcher } from './hosts.ts';
import type { RequestOptions } from './options.ts';
import { compileProxyGuard, type ProxyGuard } from './proxies.ts';
import { compileRedirect, type RedirectGuard } from './redirect.ts';

/** Precompiled request protections of a policy. */
export interface RequestGuards {
  /** False when no per-request check beyond the scheme and the localhost HSTS guard runs: the fast path. */
  readonly active: boolean;
  /** Look at the host on HTTPS to withhold HSTS from localhost and IP literals. */
  readonly localHstsGuard: boolean;
  readonly development: boolean;
  readonly hosts: HostMatcher | undefined;
  readonly badHostStatus: 400 | 421;
  readonly proxy: ProxyGuard | undefined;
  readonly redirect: RedirectGuard | undefined;
  readonly csrf: CsrfGuard | undefined;
  /** Plan for effective HTTPS. */
  readonly https: ResponsePlan;
  /** Plan for effective HTTPS to localhost or an IP literal (and in development): no HSTS. */
  readonly httpsLocal: ResponsePlan;
  /** Plan for plain HTTP (with HSTS only when `forceStsHeader`). */
  readonly http: ResponsePlan;
}

const HSTS = 'strict-transport-security';

function withoutHsts(plan: ResponsePlan): ResponsePlan {
  return Object.freeze({
    ...plan,
    set: Object.freeze(plan.set.filter(([n]) => n.toLowerCase() !== HSTS)),
  });
}

function withHstsOf(plan: ResponsePlan, from: ResponsePlan): ResponsePlan {
  const hsts = from.set.filter(([n]) => n.toLowerCase() === HSTS);
  if (hsts.length === 0) return plan;
  return Object.freeze({ ...plan, set: Object.freeze([...withoutHsts(plan).set, ...hsts]) });
}

let warnedDevelopment = false;

/**
 * Options that contradict each other: an allowedHosts entry with a port
 * other than 80 (`host.known.com:443`, as KrakenD's docs show it) matches
 * only that port, so a plain-HTTP request for that host (port 80) is
 * refused as a bad host before the redirect to HTTPS can run. The compiled
 * matcher itself is asked, so another entry that does accept port 80 (the
 * same host without a port) silences the warning.
 */
function warnUnreachableRedirect(
  entries: readonly string[],
  hosts: HostMatcher,
  warn: (code: WarningCode, path: string, message: string) => void,
): void {
  entries.forEach((entry, i) => {
    if (entry.startsWith('/') || entry.startsWith('*') || entry.startsWith('.')) return;
    const parsed = parseHost(entry);
    if (parsed.kind === 'invalid' || parsed.port === undefined || parsed.port === 80) return;
    if (hosts({ ...parsed, port: undefined }, 80)) return;
    const name = parsed.name;
    warn(
      'BARBICAN_W_REDIRECT_UNREACHABLE',
      `allowedHosts[${i}]`,
      `"${entry}" accepts only port ${parsed.port}, so a plain-HTTP request for ${name} (port 80) is refused with the bad-host status before sslRedirect can send it to HTTPS. List "${name}" without a port (any port), or add "${name}:80"`,
    );
  });
}

/** Builds the guards for `options` over the policy's two base plans. */
export function compileGuards(
  options: RequestOptions,
  https: ResponsePlan,
  http: ResponsePlan,
  warn: (code: WarningCode, path: string, message: string) => void,
): RequestGuards {
  const development = options.development === true;
  const force = options.forceStsHeader === true && !development;
  const hosts =
    options.allowedHosts === undefined
      ? undefined
      : compileHostMatcher(options.allowedHosts, 'allowedHosts');
  const proxy =
    options.trustedProxies === undefined && options.proxyHeaders === undefined
      ? undefined
      : compileProxyGuard(options.trustedProxies ?? [], options.proxyHeaders, 'trustedProxies');
  const redirect =
    options.sslRedirect === undefined || options.sslRedirect === false
      ? undefined
      : compileRedirect(options.sslRedirect, hosts !== undefined, 'sslRedirect');
  const csrf =
    options.csrf === undefined || options.csrf === false
      ? undefined
      : compileCsrf(options.csrf, 'csrf');
  if (development) {
    const message =
      'development mode: host checks, the HTTPS redirect and HSTS are OFF. Never deploy this.';
    warn('BARBICAN_W_DEVELOPMENT', 'development', message);
    if (!warnedDevelopment) {
      warnedDevelopment = true;
      // Loud on purpose, once per process: a dev flag left on in production
      // silently removes three protections.
      console.warn(`barbican: ${message}`);
    }
  }
  if (options.allowedHosts === undefined && !development) {
    // Without allowedHosts no host check runs. Barbican cannot tell
    // production from a test, so every non-development policy says so;
    // `["*"]` is the explicit "any host".
    warn(
      'BARBICAN_W_NO_ALLOWED_HOSTS',
      'allowedHosts',
      'no allowedHosts: any Host header is served (host-header injection, cache poisoning). List your hosts, or ["*"] to accept any host explicitly',
    );
  }
  if (redirect !== undefined && hosts !== undefined && !development) {
    warnUnreachableRedirect(options.allowedHosts ?? [], hosts, warn);
  }
  const httpsLocal = withoutHsts(https);
  const hasHsts = httpsLocal.set.length !== https.set.length;
  return Object.freeze({
    active:
      (!development && (hosts !== undefined || redirect !== undefined)) ||
      proxy !== undefined ||
      csrf !== undefined,
    localHstsGuard: hasHsts && !force && !development,
    development,
    hosts: development ? undefined : hosts,
    badHostStatus: options.badHostStatus ?? 400,
    proxy,
    redirect: development ? undefined : redirect,
    csrf,
    https: development ? httpsLocal : https,
    httpsLocal,
    http: force ? withHstsOf(http, https) : http,
  });
}
