/**
 * A DNS lookup that answers from a fixed table, for scanning a hostname that
 * does not resolve publicly (the demo's `demo.barbican.test`, staging names)
 * without editing /etc/hosts. Names missing from the table go to the system
 * resolver, or fail with ENOTFOUND when `others: 'not-found'`.
 *
 * @module
 */
import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Builds a `lookup` for `node:net`/`node:tls`/`node:http` options that maps
 * the given host names (case-insensitive) to fixed addresses.
 *
 * @example
 * ```ts
 * const lookup = staticLookup({ 'demo.barbican.test': '127.0.0.1' });
 * await scan('https://demo.barbican.test/', { lookup, ca });
 * ```
 */
export function staticLookup(
  table: Readonly<Record<string, string>>,
  options: { readonly others?: 'system' | 'not-found' } = {},
): LookupFunction {
  const others = options.others ?? 'system';
  const entries = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
  return (hostname: string, options: unknown, callback: unknown) => {
    // Node calls lookup(host, options, cb); options.all is set when
    // autoSelectFamily (happy eyeballs) wants every address.
    const cb = (typeof options === 'function' ? options : callback) as (
      err: NodeJS.ErrnoException | null,
      address: string | { address: string; family: number }[],
      family?: number,
    ) => void;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as {
      all?: boolean;
    };
    const address = entries.get(hostname.toLowerCase());
    if (address === undefined && others === 'not-found') {
      // Keeps a demo or bench entirely on loopback: no DNS query leaves the
      // machine for names outside the table (the www check asks for one).
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      cb(error, opts.all === true ? [] : '');
      return;
    }
    if (address === undefined) {
      dnsLookup(hostname, { all: opts.all === true }, cb as never);
      return;
    }
    const family = isIP(address);
    if (opts.all === true) cb(null, [{ address, family }]);
    else cb(null, address, family);
  };
}
