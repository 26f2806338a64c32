/**
 * Host validation, Django-grade: the Host header (or a trusted proxy's
 * forwarded host) must be well formed and on the allow-list before the
 * application ever sees the request.
 *
 * Why: an application that trusts Host builds password-reset links, cache
 * keys and redirects from it. A poisoned Host (`evil.tld`,
 * `example.com@evil.tld`, `example.com:80/badpath`) turns those into links
 * to the attacker (host-header injection, web-cache poisoning).
 *
 * @see https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.2
 * @module
 */
import { BarbicanError } from '../errors.ts';
import { SCHEME_PREFIX } from '../field.ts';
import { formatIp, parseIPv4, parseIPv6 } from './ip.ts';

/** A syntactically valid host, canonicalised for comparison. */
export interface ParsedHost {
  /** `name` = DNS name (ASCII/punycode), or an IP literal. */
  readonly kind: 'name' | 'ipv4' | 'ipv6';
  /** Lower case, trailing dot removed; IPv6 in brackets, RFC 5952 form. */
  readonly name: string;
  /** The explicit port, if any. */
  readonly port: number | undefined;
}

/** A host refused by {@link parseHost}, with a short reason for the logs. */
export interface InvalidHost {
  readonly kind: 'invalid';
  /** E.g. `host contains userinfo (@)`; never sent to the client. */
  readonly reason: string;
}

/** Longest host text we look at: a DNS name is at most 253 bytes; brackets and a port add a few. */
export const MAX_HOST_LENGTH = 270;

/**
 * Parses a Host header value (or any `host[:port]` authority) strictly.
 * Returns the canonical host, or an {@link InvalidHost} whose reason is for
 * the logs.
 *
 * Refused: empty values, userinfo (`a@b`), paths/queries, whitespace and
 * control bytes (CRLF header splitting), non-ASCII (browsers send IDNs in
 * punycode; raw bytes here are an encoding trick), unbracketed IPv6,
 * non-canonical IPv4 (`127.1`, `0x7f.0.0.1`, octal `010.0.0.1`), empty
 * labels, bad ports.
 */
export function parseHost(value: string): ParsedHost | InvalidHost {
  // Nearly every request to a server carries the same Host, and parsing is
  // pure: remember the last answer. One entry, so hostile traffic that
  // varies the Host only falls back to parsing; it cannot grow anything.
  // (Parsing was the largest single cost of the guarded per-request path in
  // `npm run bench -- core`.)
  if (value === lastText) return lastResult;
  // Frozen: the cached object is shared by every request that hits it.
  lastResult = Object.freeze(parseHostUncached(value));
  lastText = value;
  return lastResult;
}

let lastText: string | undefined;
let lastResult: ParsedHost | InvalidHost = { kind: 'invalid', reason: 'empty host' };

function invalid(reason: string): InvalidHost {
  return { kind: 'invalid', reason };
}

function parseHostUncached(value: string): ParsedHost | InvalidHost {
  const n = value.length;
  if (n === 0) return invalid('empty host');
  if (n > MAX_HOST_LENGTH) return invalid('host too long');
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return invalid('host contains whitespace or control characters');
    if (c > 0x7e) return invalid('host contains non-ASCII characters');
    if (c === 0x40) return invalid('host contains userinfo (@)');
    if (c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23)
      return invalid('host contains a path');
  }
  let hostPart: string;
  let portPart: string | undefined;
  if (value.charCodeAt(0) === 0x5b /* [ */) {
    const close = value.indexOf(']');
    if (close === -1) return invalid('malformed IPv6 literal');
    hostPart = value.slice(0, close + 1);
    const rest = value.slice(close + 1);
    if (rest !== '') {
      if (rest.charCodeAt(0) !== 0x3a) return invalid('malformed host');
      portPart = rest.slice(1);
    }
  } else {
    const colon = value.indexOf(':');
    if (colon !== -1) {
      if (value.indexOf(':', colon + 1) !== -1)
        return invalid('malformed host (unbracketed IPv6?)');
      hostPart = value.slice(0, colon);
      portPart = value.slice(colon + 1);
    } else hostPart = value;
  }
  let port: number | undefined;
  if (portPart !== undefined) {
    if (!/^\d{1,5}$/.test(portPart)) return invalid('malformed port');
    port = Number(portPart);
    if (port > 65535) return invalid('malformed port');
  }
  if (hostPart.charCodeAt(0) === 0x5b) {
    const ip = parseIPv6(hostPart.slice(1, -1));
    if (ip === undefined) return invalid('malformed IPv6 literal');
    return { kind: 'ipv6', name: `[${formatIp(ip)}]`, port };
  }
  let name = hostPart.toLowerCase();
  // A fully qualified name may end in a dot (`example.com.`); it is the same host.
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || name.length > 253) return invalid('malformed host');
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '' || label.length > 63) return invalid('malformed host (empty or long label)');
    if (!/^[a-z0-9_-]+$/.test(label)) return invalid('malformed host');
  }
  // WHATWG URL treats a name whose last label is numeric (or hex) as IPv4 and
  // rewrites it (`2130706433` → 127.0.0.1). Accept only canonical dotted
  // quads so that one address cannot be spelled in many ways.
  const last = labels[labels.length - 1] ?? '';
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(last)) {
    const ip = parseIPv4(name);
    if (ip === undefined) return invalid('malformed IPv4 address');
    return { kind: 'ipv4', name, port };
  }
  return { kind: 'name', name, port };
}

/** True for `localhost`, `*.localhost` and IP literals, where HSTS would pin the wrong thing. */
export function isLocalOrIpHost(host: ParsedHost): boolean {
  return host.kind !== 'name' || host.name === 'localhost' || host.name.endsWith('.localhost');
}

/** Converts a configured name to ASCII (punycode) with the WHATWG URL parser, available in every runtime. */
export function toAsciiHost(name: string, path: string): string {
  if (/^[\x21-\x7e]*$/.test(name)) return name.toLowerCase();
  // The URL parser silently drops tabs and newlines; refuse them first.
  if (/[\x00-\x20\x7f]/.test(name)) {
    throw new BarbicanError(
      'BARBICAN_E_HOST_PATTERN',
      'a host cannot contain whitespace or control characters',
      { path, value: name },
    );
  }
  try {
    // Only the hostname is read back; port and path never reach here.
    const ascii = new URL(`http://${name}/`).hostname;
    if (ascii !== '') return ascii;
  } catch {
    // fall through to the error
  }
  throw new BarbicanError('BARBICAN_E_HOST_PATTERN', 'not a valid internationalised host name', {
    path,
    value: name,
  });
}

/** Decides whether a parsed host is allowed. `defaultPort` is 443 or 80 by effective scheme. */
export type HostMatcher = (host: ParsedHost, defaultPort: number) => boolean;

/**
 * One `allowedHosts` entry, validated and canonicalised: what the matcher
 * compiles, and what exporters turn into `server_name`, `ServerAlias`, ACLs
 * or site addresses.
 * - `any`: `"*"`;
 * - `exact`: one host (ASCII/punycode, lower case; IPv6 in brackets);
 * - `domain`: the name and every subdomain, at any depth (`.example.com`);
 * - `regex`: an anchored, ReDoS-checked pattern over the name, `source`
 *   without the `^…$` anchors.
 */
export type AllowedHostRule =
  | { readonly kind: 'any'; readonly entry: string }
  | {
      readonly kind: 'exact' | 'domain';
      readonly entry: string;
      readonly name: string;
      readonly port: number | undefined;
    }
  | { readonly kind: 'regex'; readonly entry: string; readonly source: string };

interface Rule {
  readonly test: (host: ParsedHost) => boolean;
  readonly port: number | undefined;
}

/**
 * Validates `allowedHosts` entries and describes each one. Entries:
 * - `"*"`: any well-formed host (explicitly);
 * - `"example.com"`, `"example.com:8443"`, `"12.34.56.78"`, `"[::1]"`: exact, optional port;
 * - `".example.com"` or `"*.example.com"`: the domain and all its subdomains (Django semantics);
 * - `"/^app-[0-9]{1,4}\\.example\\.com$/"`: an anchored regular expression over the host name
 *   without the port, checked for ReDoS-prone constructs (see {@link unsafeRegexReason}).
 *
 * Non-ASCII names are stored in punycode, so `bücher.example` matches the
 * `xn--bcher-kva.example` a browser sends, and a homograph such as `аpple.com`
 * (Cyrillic а) never matches `apple.com`.
 *
 * Throws `BARBICAN_E_HOST_PATTERN` with the option path for a malformed entry.
 *
 * @example
 * ```ts
 * describeAllowedHosts(['App.example', '.example.com:8443'], 'allowedHosts')
 * // [{ kind: 'exact', name: 'app.example', port: undefined, … }, { kind: 'domain', name: 'example.com', port: 8443, … }]
 * ```
 */
export function describeAllowedHosts(entries: readonly string[], path: string): AllowedHostRule[] {
  return entries.map((entry, i) => describeEntry(entry, `${path}[${i}]`));
}

function describeEntry(entry: string, at: string): AllowedHostRule {
  if (entry === '*') return { kind: 'any', entry };
  if (entry.startsWith('/')) return { kind: 'regex', entry, source: checkHostRegex(entry, at) };
  if (SCHEME_PREFIX.test(entry)) {
    // unrolled/secure#66: `https://example.com` silently never matched a Host.
    const rest = entry.replace(SCHEME_PREFIX, '');
    const bare = rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : rest;
    throw new BarbicanError('BARBICAN_E_HOST_PATTERN', 'a host, not a URL, is expected', {
      path: at,
      value: entry,
      hint: `Did you mean "${bare}"?`,
    });
  }
  let domain = false;
  let text = entry;
  if (text.startsWith('*.')) {
    domain = true;
    text = text.slice(2);
  } else if (text.startsWith('.')) {
    domain = true;
    text = text.slice(1);
  }
  const colon = text.startsWith('[') ? text.indexOf(':', text.indexOf(']')) : text.indexOf(':');
  const namePart = colon === -1 ? text : text.slice(0, colon);
  const portPart = colon === -1 ? '' : text.slice(colon);
  const parsed = parseHost(toAsciiHost(namePart, at) + portPart);
  if (parsed.kind === 'invalid' || (domain && parsed.kind !== 'name')) {
    throw new BarbicanError('BARBICAN_E_HOST_PATTERN', 'not a valid allowed-host entry', {
      path: at,
      value: entry,
      allowed:
        '"*", a host name, ".example.com" or "*.example.com", an IPv4 address, a bracketed IPv6 address, each with an optional :port, or "/^anchored regex$/"',
      ...(parsed.kind === 'invalid' ? { hint: `The host is invalid: ${parsed.reason}` } : {}),
    });
  }
  return { kind: domain ? 'domain' : 'exact', entry, name: parsed.name, port: parsed.port };
}

/**
 * Compiles `allowedHosts` once (entries as in {@link describeAllowedHosts}).
 * Entries without a port match every port; with a port, a request without
 * one is taken to use the scheme's default.
 */
export function compileHostMatcher(entries: readonly string[], path: string): HostMatcher {
  const exactAnyPort = new Set<string>();
  const rules: Rule[] = [];
  let any = false;
  for (const rule of describeAllowedHosts(entries, path)) {
    if (rule.kind === 'any') any = true;
    else if (rule.kind === 'regex') {
      // Host names are lower-cased and at most 253 characters before they reach
      // the regex: together with the shape check this bounds matching time.
      const re = new RegExp(`^(?:${rule.source})$`);
      rules.push({ test: (h) => re.test(h.name), port: undefined });
    } else if (rule.kind === 'exact' && rule.port === undefined) exactAnyPort.add(rule.name);
    else {
      const { name } = rule;
      const suffix = `.${name}`;
      rules.push({
        test:
          rule.kind === 'domain'
            ? (h) => h.name === name || h.name.endsWith(suffix)
            : (h) => h.name === name,
        port: rule.port,
      });
    }
  }
  return (host, defaultPort) => {
    if (any || exactAnyPort.has(host.name)) return true;
    const port = host.port ?? defaultPort;
    for (const r of rules) {
      if ((r.port === undefined || r.port === port) && r.test(host)) return true;
    }
    return false;
  };
}

/**
 * Checks a `/^…$/` entry and returns its source without the anchors. The
 * pattern must be anchored at both ends (an unanchored `example\\.com` would
 * match `example.com.evil.tld`, as Traefik's unanchored origin regexes do);
 * matchers wrap it as `^(?:…)$` so a top-level `|` cannot escape the anchors.
 */
function checkHostRegex(entry: string, path: string): string {
  const m = /^\/(.*)\/(i?)$/s.exec(entry);
  const source = m?.[1] ?? '';
  if (m === null || !source.startsWith('^') || !source.endsWith('$') || source.endsWith('\\$')) {
    throw new BarbicanError('BARBICAN_E_HOST_PATTERN', 'a host regex must be anchored: /^…$/', {
      path,
      value: entry,
      hint: 'Start the pattern with ^ and end it with $ so it matches the whole host',
    });
  }
  const inner = source.slice(1, -1);
  // Compile first: a syntax error ("[" never closed) must be reported as
  // such, not as the ReDoS shape check's "unbalanced parentheses".
  // Compiling is safe; only matching a ReDoS-prone regex is costly.
  try {
    new RegExp(`^(?:${inner})$`);
  } catch (error) {
    throw new BarbicanError('BARBICAN_E_HOST_PATTERN', 'the host regex does not compile', {
      path,
      value: entry,
      hint: (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, ''),
      cause: error,
    });
  }
  const unsafe = unsafeRegexReason(inner);
  if (unsafe !== undefined) {
    throw new BarbicanError('BARBICAN_E_UNSAFE_REGEX', `the host regex is ReDoS-prone: ${unsafe}`, {
      path,
      value: entry,
      hint: 'Use bounded repetition such as [a-z0-9-]{1,63} and no quantifier on a group that itself repeats or alternates',
    });
  }
  return inner;
}

/**
 * Returns why a regex source is ReDoS-prone, or `undefined` when it passes a
 * conservative check: no backreferences or lookarounds, and no repeating
 * quantifier (`*`, `+`, `{n,}`, `{n,m}` with m > 1) applied to a group that
 * contains another quantifier or an alternation. That rules out the
 * exponential shapes `(a+)+`, `(a|a)*` and `(a*)*`; polynomial cost is bounded
 * by the 253-character host limit.
 */
export function unsafeRegexReason(source: string): string | undefined {
  interface Group {
    quantified: boolean;
    alternates: boolean;
  }
  const stack: Group[] = [{ quantified: false, alternates: false }];
  const top = (): Group => stack[stack.length - 1] ?? { quantified: false, alternates: false };
  const repeats = (i: number): number => {
    // Length of a repeating quantifier at i (0 when none or only `?`).
    const c = source[i];
    if (c === '*' || c === '+') return 1;
    if (c === '{') {
      const q = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (q === null) return 0;
      const max = q[2] === undefined ? Number(q[1]) : q[3] === '' ? Infinity : Number(q[3]);
      return max > 1 ? q[0].length : 0;
    }
    return 0;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      i++;
      continue;
    }
    if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (c === '(') {
      if (/^\(\?<?[=!]/.test(source.slice(i))) return 'lookarounds are not allowed';
      stack.push({ quantified: false, alternates: false });
      continue;
    }
    if (c === '|') {
      top().alternates = true;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      if (g === undefined || stack.length === 0) return 'unbalanced parentheses';
      if (repeats(i + 1) > 0 && (g.quantified || g.alternates)) {
        return g.quantified
          ? 'a repeated group contains a quantifier (nested quantifiers)'
          : 'a repeated group contains an alternation';
      }
      if (g.quantified || repeats(i + 1) > 0) top().quantified = true;
      continue;
    }
    if (repeats(i) > 0) top().quantified = true;
  }
  return stack.length === 1 ? undefined : 'unbalanced parentheses';
}
