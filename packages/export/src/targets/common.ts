/**
 * Small pieces of logic several server renderers need (not escaping: each
 * format escapes for itself).
 *
 * @module
 */
import { DEFAULT_ERROR_PAGE } from '@barbican/core';
import type { ExportModel, ModelHeader } from '../model.ts';
import type { Deployment, ExportFile } from '../target.ts';

/** True for the HSTS header. */
export function isHsts(h: ModelHeader): boolean {
  return h.name.toLowerCase() === 'strict-transport-security';
}

/** True for a Server header the policy sets. */
export function isServer(h: ModelHeader): boolean {
  return h.name.toLowerCase() === 'server';
}

/** The host part of a listen address, IPv6 in brackets; '' for all addresses. */
export function listenHost(deploy: Deployment): string {
  const a = deploy.listen.address;
  if (a === undefined) return '';
  return a.includes(':') ? `[${a}]` : a;
}

/** The upstream's URL parts. */
export function upstreamOf(deploy: Deployment): { readonly host: string; readonly port: number } {
  const u = new URL(deploy.upstream);
  return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
}

/** The certificate and key files: the policy's first, else the deployment's placeholder. */
export function certificateOf(
  model: ExportModel,
  deploy: Deployment,
): { cert: string; key: string } {
  return model.tls.certificates[0] ?? deploy.certificate;
}

/** True when the host allow-list refuses something (a list without `"*"`). */
export function checksHosts(model: ExportModel): boolean {
  return model.hosts !== undefined && !model.hosts.any;
}

/** `:port` after a host in a URL, or '' for the scheme's default port. */
export function portSuffix(port: number | undefined, dflt: number): string {
  return port === undefined || port === dflt ? '' : `:${port}`;
}

/** Where the error page is served from: its directory and file name. */
export interface ErrorPage {
  readonly dir: string;
  readonly name: string;
  /** `/name`: the internal path servers map to the file. */
  readonly uri: string;
}

/**
 * The page that replaces intercepted upstream error bodies: the policy's
 * file, or Barbican's built-in page written beside the other files.
 * Undefined when nothing is intercepted.
 */
export function errorPageOf(model: ExportModel, deploy: Deployment): ErrorPage | undefined {
  if (model.errors.intercept.length === 0) return undefined;
  const page = model.errors.page;
  if (page === undefined) return { dir: deploy.dir, name: BUILT_IN_PAGE, uri: `/${BUILT_IN_PAGE}` };
  const slash = page.lastIndexOf('/');
  const name = page.slice(slash + 1);
  return { dir: slash <= 0 ? '/' : page.slice(0, slash), name, uri: `/${name}` };
}

/** The built-in page's file name in the `--out` set. */
export const BUILT_IN_PAGE = 'barbican-error.html';

/** The built-in page as an `--out` file, when the policy intercepts errors without a page of its own. */
export function errorPageFiles(model: ExportModel): ExportFile[] {
  if (model.errors.intercept.length === 0 || model.errors.page !== undefined) return [];
  return [
    {
      path: BUILT_IN_PAGE,
      purpose: 'The generic page that replaces intercepted upstream error bodies.',
      content: DEFAULT_ERROR_PAGE,
    },
  ];
}
