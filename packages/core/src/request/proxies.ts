/**
 * Trusted proxies: forwarded headers (`X-Forwarded-*`, RFC 7239 `Forwarded`)
 * are believed only when the socket's peer address is a configured proxy.
 *
 * Why: any client can send `X-Forwarded-Proto: https` or
 * `X-Forwarded-For: 127.0.0.1`. unrolled/secure, KrakenD and Django trust the
 * header itself, so a direct client can skip the HTTPS redirect, get HSTS
 * over HTTP, or pose as localhost. Here a header alone never grants trust.
 *
 * In a chain, the right-most value is the one our own (trusted) peer wrote,
 * so scheme and host are read from the right; the client address is found by
 * walking the `for` chain right to left past trusted proxies (RFC 7239 §5.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7239
 * @module
 */
import type { RequestFacts } from '../plan.ts';
import { isTokenChar, readQuotedString, tokenEnd } from '../field.ts';
import { compileIpMatcher, formatIp, parseIp } from './ip.ts';

/** Compiled proxy settings (see `trustedProxies` and `proxyHeaders` options). */
export interface ProxyGuard {
  /** True when the peer address is a trusted proxy. */
  readonly isTrusted: (peer: string | undefined) => boolean;
  /** `[lower-case header name, lower-case value meaning HTTPS]` pairs. */
  readonly proto: readonly (readonly [string, string])[];
  /** Lower-case header carrying the original host, or undefined to use Host only. */
  readonly hostHeader: string | undefined;
  /** Lower-case header carrying the client chain, or undefined. */
  readonly forHeader: string | undefined;
  /** Read RFC 7239 `Forwarded` (proto=, for=, and host= when a host header is enabled). */
  readonly forwarded: boolean;
}

/** The user-facing `proxyHeaders` option. */
export interface ProxyHeadersOptions {
  /** Header → value that means "the client used HTTPS". Default `{ "X-Forwarded-Proto": "https" }` (KrakenD's `ssl_proxy_headers`). */
  proto?: Record<string, string>;
  /** Header carrying the original Host (e.g. `X-Forwarded-Host`), or `false` (default) to use Host only. */
  host?: string | false;
  /** Header carrying the client address chain; default `X-Forwarded-For`; `false` = none. */
  for?: string | false;
  /** Read RFC 7239 `Forwarded`; default true. */
  forwarded?: boolean;
}

/** Compiles `trustedProxies` and `proxyHeaders` once, at policy build. */
export function compileProxyGuard(
  trusted: readonly string[],
  headers: ProxyHeadersOptions | undefined,
  path: string,
): ProxyGuard {
  const proto = Object.entries(headers?.proto ?? { 'X-Forwarded-Proto': 'https' }).map(([n, v]) =>
    Object.freeze([n.toLowerCase(), v.toLowerCase()] as const),
  );
  const host = headers?.host;
  const forH = headers?.for;
  return Object.freeze({
    isTrusted: compileIpMatcher(trusted, path),
    proto: Object.freeze(proto),
    hostHeader: typeof host === 'string' ? host.toLowerCase() : undefined,
    forHeader: forH === false ? undefined : (forH ?? 'x-forwarded-for').toLowerCase(),
    forwarded: headers?.forwarded ?? true,
  });
}

/** Upper bound on forwarded header text we parse: longer chains are ignored, not parsed. */
const MAX_FORWARDED = 8192;

/**
 * An unquoted value: a token, plus `:` `[` `]`. RFC 7239 §6 wants an IPv6
 * node or one with a port quoted (`"[2001:db8::1]:80"`); some proxies leave
 * the quotes out, and the node is still validated as an address afterwards.
 */
function isNodeChar(code: number): boolean {
  return isTokenChar(code) || code === 0x3a || code === 0x5b || code === 0x5d;
}

/** One `Forwarded` element: lower-case parameter names to unquoted values. */
export type ForwardedElement = Readonly<Record<string, string>>;

/**
 * Parses RFC 7239 `Forwarded` field values into elements (left to right).
 * Returns `undefined` when malformed, so that a garbled header is ignored
 * rather than half-believed.
 */
export function parseForwarded(values: readonly string[]): ForwardedElement[] | undefined {
  const text = values.join(',');
  if (text.length > MAX_FORWARDED) return undefined;
  const out: ForwardedElement[] = [];
  let cur: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  for (let guard = 0; guard <= n + 1; guard++) {
    skipWs();
    if (i >= n) break;
    if (text[i] === ',') {
      out.push(cur);
      cur = {};
      i++;
      continue;
    }
    if (text[i] === ';') {
      i++;
      continue;
    }
    // forwarded-pair = token "=" value; a parameter name is short (≤ 63 bytes here).
    const keyEnd = tokenEnd(text, i);
    if (keyEnd === i || keyEnd - i > 63 || text[keyEnd] !== '=') return undefined;
    const key = text.slice(i, keyEnd).toLowerCase();
    i = keyEnd + 1;
    let value = '';
    if (text[i] === '"') {
      const q = readQuotedString(text, i);
      if (!q.closed) return undefined;
      value = q.text;
      i = q.end;
    } else {
      const start = i;
      while (i < n && isNodeChar(text.charCodeAt(i))) i++;
      value = text.slice(start, i);
    }
    if (Object.hasOwn(cur, key)) return undefined; // RFC 7239 §4: each parameter once
    cur[key] = value;
    skipWs();
    if (i < n && text[i] !== ';' && text[i] !== ',') return undefined;
  }
  out.push(cur);
  return out;
}

/** The right-most comma-separated item of a header's values, trimmed; undefined when absent. */
function rightMost(values: readonly string[]): string | undefined {
  const last = values[values.length - 1];
  if (last === undefined) return undefined;
  const comma = last.lastIndexOf(',');
  return (comma === -1 ? last : last.slice(comma + 1)).trim();
}

/** True when a trusted proxy says the client connection was HTTPS. Call only for trusted peers. */
export function forwardedHttps(facts: RequestFacts, g: ProxyGuard): boolean {
  for (const [name, https] of g.proto) {
    const v = rightMost(facts.headerValues(name));
    if (v !== undefined) return v.toLowerCase() === https;
  }
  if (g.forwarded) {
    const values = facts.headerValues('forwarded');
    if (values.length > 0) {
      const els = parseForwarded(values);
      const proto = els?.[els.length - 1]?.['proto'];
      if (proto !== undefined) return proto.toLowerCase() === 'https';
    }
  }
  return false;
}

/**
 * The original host a trusted proxy reports, or `undefined` when it reports
 * none (then Host is used). It is still validated against `allowedHosts`.
 */
export function forwardedHost(facts: RequestFacts, g: ProxyGuard): string | undefined {
  if (g.hostHeader === undefined) return undefined;
  const v = rightMost(facts.headerValues(g.hostHeader));
  if (v !== undefined && v !== '') return v;
  if (g.forwarded) {
    const values = facts.headerValues('forwarded');
    if (values.length > 0) {
      const els = parseForwarded(values);
      const host = els?.[els.length - 1]?.['host'];
      if (host !== undefined && host !== '') return host;
    }
  }
  return undefined;
}

/** Strips RFC 7239 node syntax (`"[2001:db8::1]:4711"`, `192.0.2.1:80`) down to an address. */
function nodeAddress(node: string): string | undefined {
  let t = node.trim();
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    t = close === -1 ? '' : t.slice(1, close);
  } else if (t.indexOf(':') !== -1 && t.indexOf(':') === t.lastIndexOf(':')) {
    t = t.slice(0, t.indexOf(':'));
  }
  const ip = parseIp(t);
  return ip === undefined ? undefined : formatIp(ip);
}

/**
 * The effective client address: the peer itself unless it is a trusted
 * proxy; then the right-most address in the `for` chain that is not a
 * trusted proxy. An unparseable hop stops the walk at the last known proxy.
 */
export function clientAddress(facts: RequestFacts, g: ProxyGuard | undefined): string | undefined {
  const peer = facts.peer;
  const peerIp = peer === undefined ? undefined : parseIp(peer);
  let current = peerIp === undefined ? peer : formatIp(peerIp);
  if (g === undefined || !g.isTrusted(peer)) return current;
  let chain: string[] = [];
  const fwd = g.forwarded ? facts.headerValues('forwarded') : [];
  if (fwd.length > 0) {
    chain = (parseForwarded(fwd) ?? []).map((e) => e['for'] ?? '');
  } else if (g.forHeader !== undefined) {
    chain = facts
      .headerValues(g.forHeader)
      .join(',')
      .slice(0, MAX_FORWARDED)
      .split(',')
      .map((s) => s.trim());
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const addr = nodeAddress(chain[i] ?? '');
    if (addr === undefined) return current;
    current = addr;
    if (!g.isTrusted(addr)) return addr;
  }
  return current;
}
