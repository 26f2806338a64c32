/**
 * Request-protection drift: where the engine answers a request itself — the
 * HTTPS redirect, the refusal of a Host not on `allowedHosts` — what did the
 * site do instead?
 *
 * @module
 */
import { headerValues, type Finding } from '../model.ts';
import { finding } from '../findings/finding.ts';
import { printable, shown } from './show.ts';
import type { DriftExchange } from './types.ts';

/** The engine's own answer: status and headers. */
export interface Answer {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
}

const isRedirect = (status: number): boolean => status >= 300 && status <= 399;

const schemeOf = (x: DriftExchange): 'https' | 'http' =>
  x.url.startsWith('https:') ? 'https' : 'http';

function resolved(location: string, base: string): string | undefined {
  try {
    return new URL(location, base).href;
  } catch {
    return undefined;
  }
}

/**
 * The HTTPS redirect the policy sends for this plain-HTTP request: missing,
 * with another status, or to another place (compared as URLs, so a default
 * port or host case is not a difference).
 *
 * @example
 * ```ts
 * redirectFindings(exchange, { status: 301, headers: [['location', 'https://app.example/']] });
 * ```
 */
export function redirectFindings(x: DriftExchange, want: Answer): Finding[] {
  const wantLocation = want.headers.find(([n]) => n.toLowerCase() === 'location')?.[1] ?? '';
  const fix = `Answer plain HTTP with ${want.status} Location: ${wantLocation} (nginx: return ${want.status} https://$host$request_uri; in a port-80 server), except /.well-known/acme-challenge/.`;
  const res = x.response;
  if (res === undefined || !isRedirect(res.status)) {
    const got =
      res === undefined
        ? `nothing answered (${x.error ?? 'no response'}; --http-port if HTTP is not on 80)`
        : `it answered ${res.status}`;
    return [
      finding(
        'drift.redirect.missing',
        'redirects',
        `${x.url} is not redirected to HTTPS: ${got}; the policy redirects with ${want.status}.`,
        fix,
        { ...(res === undefined ? {} : { value: String(res.status) }) },
      ),
    ];
  }
  const out: Finding[] = [];
  if (res.status !== want.status) {
    out.push(
      finding(
        'drift.redirect.status',
        'redirects',
        `${x.url} redirects with ${res.status}; the policy uses ${want.status}${want.status === 308 || want.status === 307 ? ' (the method and body are kept)' : ''}.`,
        fix,
        { value: String(res.status) },
      ),
    );
  }
  const location = headerValues(res, 'location')[0] ?? '';
  if (resolved(location, x.url) !== resolved(wantLocation, x.url)) {
    out.push(
      finding(
        'drift.redirect.location',
        'redirects',
        `${x.url} redirects to ${shown(location)}; the policy redirects to ${wantLocation}.`,
        fix,
        { value: printable(location) },
      ),
    );
  }
  return out;
}

/**
 * A Host the policy refuses: the site must not serve it (2xx) nor redirect
 * to it (host-header injection, cache poisoning, password-reset poisoning).
 * Any other answer — a 4xx, a redirect to a listed host, a closed
 * connection (nginx `return 444`) — refuses it as well as the policy does.
 */
export function unlistedHostFindings(x: DriftExchange, want: Answer): Finding[] {
  const res = x.response;
  if (res === undefined) return [];
  const fix = `Refuse unlisted hosts as the policy does (${want.status}): nginx: a default_server that returns 444 or 400; Apache: a default <VirtualHost> with Require all denied; HAProxy: http-request deny unless host_ok.`;
  if (res.status >= 200 && res.status <= 299) {
    return [
      finding(
        'drift.host.accepted',
        'host',
        `${x.url} with Host: ${x.host} is served (${res.status}); the policy answers ${want.status} for a host not on allowedHosts.`,
        fix,
        { value: x.host, directive: schemeOf(x) },
      ),
    ];
  }
  const location = headerValues(res, 'location')[0];
  if (!isRedirect(res.status) || location === undefined) return [];
  let target: string;
  try {
    target = new URL(location, `${new URL(x.url).protocol}//${x.host}/`).hostname;
  } catch {
    return [];
  }
  if (target.toLowerCase() !== x.host.toLowerCase()) return [];
  return [
    finding(
      'drift.host.accepted',
      'host',
      `${x.url} with Host: ${x.host} is redirected to ${shown(location)}, a URL built from the unlisted host; the policy answers ${want.status}.`,
      fix,
      { value: printable(location), directive: schemeOf(x) },
    ),
  ];
}
