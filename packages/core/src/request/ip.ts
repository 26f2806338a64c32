/**
 * IP addresses and CIDR ranges, parsed strictly and matched without
 * allocation per request. Used to decide whether the socket's peer is a
 * trusted proxy: only then may `X-Forwarded-*` or `Forwarded` headers change
 * the scheme, host or client address.
 *
 * Every address is held as eight 16-bit groups (IPv4 as `::ffff:a.b.c.d`), so
 * `127.0.0.1`, `::ffff:127.0.0.1` (what Node reports on a dual-stack socket)
 * and a `127.0.0.0/8` range all compare correctly.
 *
 * @module
 */
import { BarbicanError } from '../errors.ts';

/** An address as eight 16-bit groups; IPv4 is stored IPv4-mapped. */
export type IpGroups = readonly number[];

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0xffff] as const;

/**
 * Parses dotted-decimal IPv4 strictly: four decimal octets, no leading zeros.
 * Leading zeros are refused because some parsers read them as octal
 * (`010.0.0.1` = `8.0.0.1`), which lets an attacker name one address two ways.
 */
export function parseIPv4(text: string): IpGroups | undefined {
  if (text.length < 7 || text.length > 15) return undefined;
  const bytes: number[] = [];
  let cur = -1;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // virtual trailing '.'
    if (c === 46) {
      if (digits === 0) return undefined;
      bytes.push(cur);
      cur = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && cur === 0) return undefined; // leading zero
      cur = (cur < 0 ? 0 : cur * 10) + (c - 48);
      digits++;
      if (cur > 255) return undefined;
    } else return undefined;
  }
  if (bytes.length !== 4) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = bytes;
  return [...MAPPED_PREFIX, (a << 8) | b, (c << 8) | d];
}

/**
 * Parses an IPv6 address (RFC 4291 §2.2 text forms, including `::` and an
 * embedded dotted IPv4 tail). Zone identifiers (`%eth0`) are refused: they
 * have no meaning off the local link and are a classic parser-confusion trick.
 */
export function parseIPv6(text: string): IpGroups | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const lower = text.toLowerCase();
  const dbl = lower.indexOf('::');
  if (dbl !== -1 && lower.indexOf('::', dbl + 1) !== -1) return undefined;
  const parseSide = (side: string, allowV4Tail: boolean): number[] | undefined => {
    if (side === '') return [];
    const parts = side.split(':');
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (allowV4Tail && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(v4[6] ?? 0, v4[7] ?? 0);
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl === -1) {
    const all = parseSide(lower, true);
    if (all?.length !== 8) return undefined;
    groups = all;
  } else {
    const head = parseSide(lower.slice(0, dbl), false);
    const tail = parseSide(lower.slice(dbl + 2), true);
    if (head === undefined || tail === undefined) return undefined;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  }
  return groups;
}

/** Parses an IPv4 or IPv6 address (no brackets, no port); `undefined` when it is neither. */
export function parseIp(text: string): IpGroups | undefined {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

/** True when the address is IPv4 (stored IPv4-mapped). */
export function isV4(ip: IpGroups): boolean {
  for (let i = 0; i < 6; i++) if (ip[i] !== MAPPED_PREFIX[i]) return false;
  return true;
}

/** Formats an address canonically: dotted IPv4, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export function formatIp(ip: IpGroups): string {
  if (isV4(ip)) {
    const hi = ip[6] ?? 0;
    const lo = ip[7] ?? 0;
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  let bestStart = -1;
  let bestLen = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
  for (let i = 0; i < 8;) {
    if (ip[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && ip[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    ip
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** One CIDR range, as groups plus a prefix length over 128 bits. */
export interface Cidr {
  readonly base: IpGroups;
  readonly bits: number;
}

/**
 * Named address sets, so a config can say `loopback` or `private` instead of
 * spelling out ranges (and getting one wrong).
 */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['fc00::/7'],
  cgnat: ['100.64.0.0/10'],
});

/**
 * Parses `ip`, `ip/len` or a named set (see {@link NAMED_RANGES}). Throws
 * `BARBICAN_E_CIDR` with the option path on anything else, and when host
 * bits are set below the prefix (`10.0.0.1/8` is almost always a typo for
 * `10.0.0.0/8` or `10.0.0.1/32`).
 */
export function parseCidr(text: string, path: string): Cidr[] {
  const named = NAMED_RANGES[text.toLowerCase()];
  if (named !== undefined && Object.hasOwn(NAMED_RANGES, text.toLowerCase()))
    return named.flatMap((r) => parseCidr(r, path));
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const base = parseIp(addrText);
  if (base === undefined) {
    throw new BarbicanError('BARBICAN_E_CIDR', 'not an IP address, CIDR range or named set', {
      path,
      value: text,
      allowed: `an IPv4 or IPv6 address, with an optional /prefix, or one of ${Object.keys(NAMED_RANGES).join(', ')}`,
    });
  }
  const v4 = isV4(base);
  const max = v4 ? 32 : 128;
  let len = max;
  if (slash !== -1) {
    const lenText = text.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(lenText) || Number(lenText) > max) {
      throw new BarbicanError('BARBICAN_E_CIDR', 'bad prefix length', {
        path,
        value: text,
        allowed: `/0 to /${max}`,
      });
    }
    len = Number(lenText);
  }
  const bits = v4 ? 96 + len : len;
  if (!sameGroups(base, mask(base, bits))) {
    throw new BarbicanError('BARBICAN_E_CIDR', 'address has bits set below the prefix', {
      path,
      value: text,
      hint: `Did you mean "${formatIp(mask(base, bits))}/${len}"?`,
    });
  }
  return [{ base, bits }];
}

function mask(ip: IpGroups, bits: number): IpGroups {
  return ip.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
}

function sameGroups(a: IpGroups, b: IpGroups): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Formats a range as `address/prefix`, IPv4 ranges in IPv4 prefix lengths.
 *
 * @example
 * ```ts
 * parseCidr('private', 'p').map(formatCidr) // ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']
 * ```
 */
export function formatCidr(range: Cidr): string {
  return `${formatIp(range.base)}/${isV4(range.base) ? range.bits - 96 : range.bits}`;
}

/**
 * The `trustedProxies` entries as canonical `address/prefix` texts, named
 * sets expanded: what a server configuration (nginx `set_real_ip_from`,
 * Apache `RemoteIPTrustedProxy`) needs. Throws `BARBICAN_E_CIDR` like the
 * policy build does.
 *
 * @example
 * ```ts
 * trustedProxyRanges(['loopback', '10.1.2.3']) // ['127.0.0.0/8', '::1/128', '10.1.2.3/32']
 * ```
 */
export function trustedProxyRanges(entries: readonly string[], path = 'trustedProxies'): string[] {
  return entries.flatMap((e, i) => parseCidr(e, `${path}[${i}]`).map(formatCidr));
}

/** True when `ip` lies inside `range`. */
export function matchesCidr(ip: IpGroups, range: Cidr): boolean {
  let bits = range.bits;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const g = ip[i] ?? 0;
    const b = range.base[i] ?? 0;
    if (bits >= 16) {
      if (g !== b) return false;
    } else {
      const m = (0xffff << (16 - bits)) & 0xffff;
      if ((g & m) !== (b & m)) return false;
    }
  }
  return true;
}

/**
 * Builds a matcher over a list of addresses, ranges and named sets. The
 * returned function parses the peer address (as the runtime reports it, maybe
 * IPv4-mapped) and answers whether it is inside any range.
 */
export function compileIpMatcher(
  entries: readonly string[],
  path: string,
): (address: string | undefined) => boolean {
  const ranges = entries.flatMap((e, i) => parseCidr(e, `${path}[${i}]`));
  if (ranges.length === 0) return () => false;
  return (address) => {
    if (address === undefined) return false;
    const ip = parseIp(address);
    if (ip === undefined) return false;
    for (const r of ranges) if (matchesCidr(ip, r)) return true;
    return false;
  };
}
