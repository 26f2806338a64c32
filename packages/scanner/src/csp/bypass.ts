/**
 * Known allowlist bypasses: hosts that serve JSONP endpoints, AngularJS or
 * Flash files. Allowlisting one lets an attacker who can inject markup load
 * a script from it that does their bidding, so the allowlist protects
 * nothing. The lists are data (`data/allowlist-bypasses.json`, derived from
 * Google's CSP Evaluator, Apache-2.0).
 *
 * @module
 */
import { SCHEME_PREFIX } from '@barbican/core/parsers';
import data from './data/allowlist-bypasses.json' with { type: 'json' };

/** One known-bad URL, pre-split so matching never builds a URL object. */
interface KnownUrl {
  readonly host: string;
  readonly path: string;
}

/** Known-bad URLs grouped by host, built once at load. */
type Index = ReadonlyMap<string, readonly KnownUrl[]>;

/** One list, indexed for exact hosts and for `*.suffix` wildcards. */
interface Lookup {
  readonly byHost: Index;
  /**
   * Every `.suffix` a known host ends with (one per dot in it) → those
   * hosts, in list order: `*.example.com` looks up `.example.com` instead of
   * scanning every host.
   */
  readonly bySuffix: ReadonlyMap<string, readonly string[]>;
}

function index(urls: readonly string[]): Lookup {
  const byHost = new Map<string, KnownUrl[]>();
  for (const u of urls) {
    const rest = u.replace(/^\/\//, '');
    const slash = rest.indexOf('/');
    const host = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
    const path = slash === -1 ? '/' : rest.slice(slash);
    const list = byHost.get(host) ?? [];
    list.push({ host, path });
    byHost.set(host, list);
  }
  const bySuffix = new Map<string, string[]>();
  for (const host of byHost.keys()) {
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const suffix = host.slice(dot);
      const hosts = bySuffix.get(suffix) ?? [];
      hosts.push(host);
      bySuffix.set(suffix, hosts);
    }
  }
  return { byHost, bySuffix };
}

const JSONP = index(data.jsonp);
const ANGULAR = index(data.angular);
const FLASH = index(data.flash);
const NEEDS_EVAL = new Set(data.jsonpNeedsEval);

/** A host-source split into the parts allowlist matching needs. */
export interface HostParts {
  /** Lower-case host, possibly starting with `*.`. */
  readonly host: string;
  /** The path part, `/` when there is none. */
  readonly path: string;
}

/**
 * Splits a host-source (`https://*.example.com:443/js/`) into host and
 * path, dropping scheme and port. Returns undefined for anything else.
 */
export function hostParts(source: string): HostParts | undefined {
  let rest = source;
  const scheme = SCHEME_PREFIX.exec(rest);
  if (scheme !== null) rest = rest.slice(scheme[0].length);
  else if (rest.startsWith('//')) rest = rest.slice(2);
  const slash = rest.indexOf('/');
  let host = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '/' : rest.slice(slash) || '/';
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    host = close === -1 ? host : host.slice(0, close + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon !== -1) host = host.slice(0, colon);
  }
  if (host === '') return undefined;
  return { host: host.toLowerCase(), path };
}

/**
 * CSP3 §6.7.2.12 path matching, simplified to what the lists need: a path
 * ending in `/` matches everything under it, any other path matches exactly.
 */
function pathMatches(sourcePath: string, known: string): boolean {
  if (sourcePath === '/') return true;
  return sourcePath.endsWith('/') ? known.startsWith(sourcePath) : known === sourcePath;
}

function match(parts: HostParts, idx: Lookup): string | undefined {
  if (parts.host.startsWith('*.')) {
    // `*.example.com` matches any subdomain (not example.com itself).
    for (const h of idx.bySuffix.get(parts.host.slice(1)) ?? []) {
      for (const k of idx.byHost.get(h) ?? []) if (pathMatches(parts.path, k.path)) return h;
    }
    return undefined;
  }
  for (const k of idx.byHost.get(parts.host) ?? [])
    if (pathMatches(parts.path, k.path)) return k.host;
  return undefined;
}

/** Which kind of script gadget a host is known to serve. */
export interface ScriptBypass {
  /** The known host that matched. */
  readonly host: string;
  readonly jsonp: boolean;
  readonly angular: boolean;
}

/**
 * Whether a script-src host-source allows a known JSONP endpoint or AngularJS
 * copy. Some JSONP-like endpoints only help an attacker when `eval` is
 * allowed too, hence `evalAllowed`.
 */
export function scriptBypass(source: string, evalAllowed: boolean): ScriptBypass | undefined {
  const parts = hostParts(source);
  if (parts === undefined) return undefined;
  let jsonp = match(parts, JSONP);
  if (jsonp !== undefined && NEEDS_EVAL.has(jsonp) && !evalAllowed) jsonp = undefined;
  const angular = match(parts, ANGULAR);
  if (jsonp === undefined && angular === undefined) return undefined;
  return {
    host: angular ?? jsonp ?? '',
    jsonp: jsonp !== undefined,
    angular: angular !== undefined,
  };
}

/** The known host serving a Flash file that an object-src source allows, if any. */
export function flashBypass(source: string): string | undefined {
  const parts = hostParts(source);
  return parts === undefined ? undefined : match(parts, FLASH);
}
