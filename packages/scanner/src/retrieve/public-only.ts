/**
 * `--no-private`: scan only public addresses. By default the scanner goes
 * wherever a URL leads, loopback, private ranges and cloud metadata
 * (169.254.169.254) included, because scanning staging and internal hosts
 * is what it is for. Scanning a URL list someone else controls (a CI job on
 * a pull request, a service scanning users' sites) must not let that list
 * reach them: every address is checked where the connection is made —
 * after DNS resolution, so a DNS answer or a cross-host redirect cannot
 * slip past a check of the URL text.
 *
 * @module
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { compileIpMatcher } from '@barbican/core/parsers';

/**
 * IANA's special-purpose registries (RFC 6890 and successors): addresses
 * that are not globally reachable, or reach the scanner's own network.
 */
export const NON_PUBLIC_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
  '::/96', // unspecified, loopback, IPv4-compatible
  '100::/64', // discard
  '2001:db8::/32',
  'fc00::/7', // unique local
  'fe80::/10',
  'ff00::/8',
];

const nonPublic = compileIpMatcher(NON_PUBLIC_RANGES, 'NON_PUBLIC_RANGES');

/** The IPv4 address embedded in NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const nat64 = /^64:ff9b::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  const m = nat64 ?? sixToFour;
  if (m === null) {
    const dotted = /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return dotted?.[1];
  }
  const hi = parseInt(m[1] ?? '0', 16);
  const lo = parseInt(m[2] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * True when `address` (an IP literal) is globally reachable: not private,
 * loopback, link-local, multicast, documentation or otherwise special,
 * including IPv4-mapped, NAT64 and 6to4 forms of such addresses.
 *
 * @example
 * ```ts
 * isPublicAddress('169.254.169.254'); // false
 * isPublicAddress('::ffff:10.0.0.1'); // false
 * isPublicAddress('93.184.215.14');   // true
 * ```
 */
export function isPublicAddress(address: string): boolean {
  if (isIP(address) === 0) return false;
  if (nonPublic(address)) return false;
  const inner = embeddedV4(address);
  return inner === undefined || !nonPublic(inner);
}

/** The error a refused address gives; `retrieve` maps its code to `BARBICAN_E_SCAN_PRIVATE`. */
export function privateAddressError(host: string, address: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    host === address
      ? `${address} is not a public address (--no-private)`
      : `${host} resolves to ${address}, not a public address (--no-private)`,
  );
  error.code = 'BARBICAN_E_SCAN_PRIVATE';
  return error;
}

type Callback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

type LookupAll = (
  host: string,
  options: { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * Wraps a DNS lookup (default: the system resolver) so that any answer
 * holding a non-public address fails. Every address is checked, not only
 * the one used: a rebinding answer may mix public and private ones.
 *
 * @example
 * ```ts
 * await retrieve(url, { lookup: publicOnlyLookup() });
 * ```
 */
export function publicOnlyLookup(inner?: LookupFunction): LookupFunction {
  const resolve = (inner ?? dnsLookup) as unknown as LookupAll;
  return (hostname: string, options: unknown, callback: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as Callback;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as {
      all?: boolean;
    };
    const empty = opts.all === true ? [] : '';
    // Ask for every address whatever the caller wanted, then answer in its form.
    resolve(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err !== null) {
        cb(err, empty);
        return;
      }
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      const first = addresses[0];
      if (refused !== undefined) cb(privateAddressError(hostname, refused.address), empty);
      else if (opts.all === true) cb(null, addresses);
      else if (first === undefined) cb(privateAddressError(hostname, '(no address)'), empty);
      else cb(null, first.address, first.family);
    });
  };
}
