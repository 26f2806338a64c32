/**
 * The per-request step, shared by every adapter. Adapters turn their
 * framework's request into {@link RequestFacts}, call {@link evaluateRequest},
 * and translate the {@link Verdict} back: they hold no security logic.
 *
 * Order of checks (each prevents a named attack):
 * 1. the request-target must be origin-form (`/…`), absolute-form or `*`
 *    (a target like `evil.tld` would otherwise extend a redirect's host);
 * 2. peer trust: forwarded headers count only from a trusted proxy peer;
 * 3. effective scheme: TLS socket, or a trusted proxy saying HTTPS;
 * 4. host: one Host header, equal to an absolute-form target's authority,
 *    well formed and on `allowedHosts` (host-header injection, cache poisoning);
 * 5. HTTPS redirect, to a validated host only (SSL stripping, open redirect);
 * 6. CSRF origin check for unsafe methods;
 * 7. the response plan: HSTS only on effective HTTPS and not for localhost or
 *    IP literals (pinning `localhost` breaks every other local app).
 *
 * @module
 */
import type { RequestFacts, ResponsePlan, Verdict } from './plan.ts';
import type { Policy } from './policy/index.ts';
import { URI_SCHEME } from './field.ts';
import { csrfReason, type RequestOrigin } from './request/csrf.ts';
import type { RequestGuards } from './request/guards.ts';
import { isLocalOrIpHost, parseHost, type InvalidHost, type ParsedHost } from './request/hosts.ts';
import {
  clientAddress,
  forwardedHost,
  forwardedHttps,
  type ProxyGuard,
} from './request/proxies.ts';
import { isExempt, redirectLocation } from './request/redirect.ts';

/** A `pass` verdict whose client address is resolved only if someone asks. */
class Pass {
  readonly kind = 'pass' as const;
  readonly https: boolean;
  readonly plan: ResponsePlan;
  readonly host: string | undefined;
  readonly #facts: RequestFacts;
  readonly #proxy: ProxyGuard | undefined;
  #ip: string | undefined | null = null;
  constructor(
    https: boolean,
    plan: ResponsePlan,
    facts: RequestFacts,
    proxy: ProxyGuard | undefined,
    host: string | undefined,
  ) {
    this.https = https;
    this.plan = plan;
    this.#facts = facts;
    this.#proxy = proxy;
    this.host = host;
  }
  get clientIp(): string | undefined {
    if (this.#ip === null) this.#ip = clientAddress(this.#facts, this.#proxy);
    return this.#ip;
  }
}

const TEXT_HEADERS = [
  ['content-type', 'text/plain; charset=utf-8'],
  ['x-content-type-options', 'nosniff'],
  // A rejection depends on headers a cache may not key on: never store it.
  ['cache-control', 'no-store'],
] as const;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  421: 'Misdirected Request',
};

/** A generic refusal: the body says nothing an attacker can use; `reason` is for logs. */
function refuse(status: number, reason: string): Verdict {
  return {
    kind: 'respond',
    status,
    headers: TEXT_HEADERS,
    body: `${STATUS_TEXT[status] ?? 'Error'}\n`,
    reason,
  };
}

/**
 * Decides how a request is served under `policy`.
 *
 * @example
 * ```ts
 * const verdict = evaluateRequest(policy, facts);
 * if (verdict.kind === 'respond') send(verdict.status, verdict.headers, verdict.body);
 * ```
 */
export function evaluateRequest(policy: Policy, facts: RequestFacts): Verdict {
  const g = policy.guards;
  if (!g.active) {
    // Fast path: no host list, redirect, proxies or CSRF configured.
    if (!facts.tls) return new Pass(false, g.http, facts, undefined, undefined);
    if (g.localHstsGuard && isLocalRequest(facts))
      return new Pass(true, g.httpsLocal, facts, undefined, undefined);
    return new Pass(true, g.https, facts, undefined, undefined);
  }
  return evaluateGuarded(g, facts);
}

/** Reads the host cheaply for the localhost HSTS guard (no allow-list configured). */
function isLocalRequest(facts: RequestFacts): boolean {
  const values = facts.headerValues('host');
  const text = values.length === 1 ? values[0] : authorityOf(facts.target);
  if (text === undefined) return false;
  const h = parseHost(text);
  return h.kind !== 'invalid' && isLocalOrIpHost(h);
}

/** `scheme://authority`: the start of an absolute-form request-target (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = new RegExp(`^${URI_SCHEME}://([^/?#]*)`, 'i');

/** The authority of an absolute-form target, or undefined for origin-form. */
function authorityOf(target: string): string | undefined {
  const m = ABSOLUTE_FORM.exec(target);
  return m === null ? undefined : (m[1] ?? '');
}

/**
 * Why the request's host cannot be used: `smuggling` (refused even without an
 * allow-list), `missing`, or `invalid` (a malformed host, from `parseHost`).
 * `reason` goes to the logs.
 */
type HostProblem =
  InvalidHost | { readonly kind: 'smuggling' | 'missing'; readonly reason: string };

const SEVERAL_HOSTS: HostProblem = { kind: 'smuggling', reason: 'several Host headers' };
const AUTHORITY_MISMATCH: HostProblem = {
  kind: 'smuggling',
  reason: 'absolute-form target authority differs from Host',
};
const MISSING_HOST: HostProblem = { kind: 'missing', reason: 'missing Host' };

function evaluateGuarded(g: RequestGuards, facts: RequestFacts): Verdict {
  // 1. Request-target form (RFC 9112 §3.2).
  const target = facts.target;
  let pathAndQuery: string;
  let targetAuthority: string | undefined;
  if (target.charCodeAt(0) === 0x2f /* / */) pathAndQuery = target;
  else if (target === '*') pathAndQuery = '/';
  else {
    const m = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(target);
    if (m === null) return refuse(400, 'malformed request target');
    targetAuthority = m[1] ?? '';
    const rest = m[2] ?? '';
    pathAndQuery = rest === '' ? '/' : rest.charCodeAt(0) === 0x3f /* ? */ ? `/${rest}` : rest;
  }
  // Control bytes, spaces or non-ASCII in the target would land in Location.
  if (!/^[\x21-\x7e]*$/.test(pathAndQuery)) return refuse(400, 'malformed request target');

  // 2–3. Peer trust and effective scheme.
  const proxy = g.proxy;
  const trusted = proxy !== undefined && proxy.isTrusted(facts.peer);
  const https = facts.tls || (trusted && forwardedHttps(facts, proxy));

  // 4. Host.
  let hostText: string | undefined;
  let problem: HostProblem | undefined;
  const hostValues = facts.headerValues('host');
  // Fetch runtimes join repeated headers with ', ': a comma means several Host headers.
  if (hostValues.length > 1 || (hostValues[0]?.includes(',') ?? false)) problem = SEVERAL_HOSTS;
  else {
    hostText = hostValues[0];
    if (targetAuthority !== undefined) {
      if (hostText === undefined) hostText = targetAuthority;
      else if (!sameAuthority(hostText, targetAuthority, https)) problem = AUTHORITY_MISMATCH;
    }
    if (trusted) {
      const fwd = forwardedHost(facts, proxy);
      if (fwd !== undefined) hostText = fwd;
    }
  }
  let host: ParsedHost | undefined;
  if (problem === undefined) {
    if (hostText === undefined) problem = MISSING_HOST;
    else {
      const parsed = parseHost(hostText);
      if (parsed.kind === 'invalid') problem = parsed;
      else host = parsed;
    }
  }
  if (g.hosts !== undefined) {
    if (problem !== undefined) return refuse(g.badHostStatus, `bad host: ${problem.reason}`);
    if (host === undefined || !g.hosts(host, https ? 443 : 80))
      return refuse(g.badHostStatus, 'bad host: not in allowedHosts');
  } else if (problem?.kind === 'smuggling' && !g.development) {
    // Without an allow-list the host is not checked, but two Host headers or a
    // target/Host mismatch is request smuggling, never a legitimate request.
    return refuse(400, `bad host: ${problem.reason}`);
  }

  // 5. HTTPS redirect, only to a validated host (compileRedirect guarantees
  // either a fixed host or an allow-list).
  const redirect = g.redirect;
  if (!https && redirect !== undefined && !isExempt(redirect, pathAndQuery)) {
    const validated = g.hosts !== undefined ? host : undefined;
    if (redirect.host !== undefined || validated !== undefined) {
      const method = facts.method;
      const status =
        method === 'GET' || method === 'HEAD' ? redirect.safeStatus : redirect.unsafeStatus;
      return {
        kind: 'respond',
        status,
        headers: [['location', redirectLocation(redirect, validated?.name ?? '', pathAndQuery)]],
        body: '',
        reason: 'https redirect',
      };
    }
  }

  // 6. CSRF.
  if (g.csrf !== undefined) {
    const self: RequestOrigin | undefined =
      host === undefined
        ? undefined
        : { https, host: host.name, port: host.port ?? (https ? 443 : 80) };
    const reason = csrfReason(g.csrf, facts.method, (n) => facts.headerValues(n), self);
    if (reason !== undefined) return refuse(403, reason);
  }

  // 7. Plan.
  const validatedName = g.hosts !== undefined ? host?.name : undefined;
  if (!https) return new Pass(false, g.http, facts, proxy, validatedName);
  const local = g.localHstsGuard && host !== undefined && isLocalOrIpHost(host);
  return new Pass(true, local ? g.httpsLocal : g.https, facts, proxy, validatedName);
}

/** Compares two authorities as hosts: same canonical name and same effective port. */
function sameAuthority(a: string, b: string, https: boolean): boolean {
  const x = parseHost(a);
  const y = parseHost(b);
  if (x.kind === 'invalid' || y.kind === 'invalid') return false;
  const dflt = https ? 443 : 80;
  return x.name === y.name && (x.port ?? dflt) === (y.port ?? dflt);
}
