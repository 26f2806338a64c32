/**
 * Noise that is counted but never stored: reports caused by browser
 * extensions and in-app browsers (the page's owner cannot act on them),
 * reports about documents that are not web pages, and reports about hosts
 * the site does not serve.
 *
 * @module
 */
import type { DropReason, NormalizedReport } from './model.ts';

/**
 * URL schemes that belong to browser extensions, in-app browsers and
 * browser internals. A report that names one as the blocked resource or the
 * source file was caused by software on the visitor's machine.
 */
const NOISE_SCHEMES = new Set([
  'chrome-extension',
  'moz-extension',
  'safari-extension',
  'safari-web-extension',
  'ms-browser-extension',
  'webkit-masked-url',
  'resource',
  'chrome',
  'chromenull',
  'chromeinvoke',
  'chromeinvokeimmediate',
  'mx',
  'mxjscall',
  'mxaddon-pkg',
  'res',
  'safari-resource',
  'webviewprogressproxy',
  'gsa',
  'jar',
  'opera',
  'ms-appx',
  'ms-appx-web',
  'wvjbscheme',
  'nativebaiduhd',
  'bdvideo',
  'none',
]);

/** Report types about a document, which must be a web page to be actionable. */
const DOCUMENT_TYPES = new Set<string>([
  'csp-violation',
  'coop',
  'coep',
  'permissions-policy-violation',
  'deprecation',
  'intervention',
]);

function schemeOf(url: string | null): string | null {
  if (url === null) return null;
  const colon = url.indexOf(':');
  return (colon === -1 ? url : url.slice(0, colon)).toLowerCase();
}

function hostnameOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Per-site filter settings. */
export interface FilterOptions {
  /**
   * Host names the site serves; reports about documents on other hosts are
   * dropped as `foreign-host` (someone copied the page or its policy).
   * A leading `*.` matches any subdomain. Empty or absent: any host.
   */
  readonly hosts?: readonly string[] | undefined;
}

function hostAllowed(host: string, hosts: readonly string[]): boolean {
  return hosts.some((h) =>
    h.startsWith('*.') ? host.endsWith(h.slice(1)) || host === h.slice(2) : host === h,
  );
}

/**
 * Why `report` should be dropped, or undefined to store it.
 *
 * @example
 * ```ts
 * noiseReason({ ...report, blockedUrl: 'chrome-extension://abc/x.js' }); // 'extension'
 * ```
 */
export function noiseReason(
  report: NormalizedReport,
  opts: FilterOptions = {},
): DropReason | undefined {
  for (const url of [report.blockedUrl, report.sourceFile]) {
    const scheme = schemeOf(url);
    if (scheme !== null && NOISE_SCHEMES.has(scheme)) return 'extension';
  }
  const docScheme = schemeOf(report.url);
  if (DOCUMENT_TYPES.has(report.type) && docScheme !== 'https' && docScheme !== 'http') {
    return 'unactionable';
  }
  const hosts = opts.hosts;
  if (hosts !== undefined && hosts.length > 0 && report.url !== null) {
    const host = hostnameOf(report.url);
    if (host === null || !hostAllowed(host, hosts)) return 'foreign-host';
  }
  return undefined;
}
