/**
 * Small pieces of logic several server renderers need (not escaping: each
 * format escapes for itself).
 *
 * @module
 */
import type { ExportModel, ModelHeader } from '../model.ts';
import type { Deployment } from '../target.ts';

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
  return model.tls?.certificates[0] ?? deploy.certificate;
}

/** True when the host allow-list refuses something (a list without `"*"`). */
export function checksHosts(model: ExportModel): boolean {
  return model.hosts !== undefined && !model.hosts.any;
}

/** `:port` after a host in a URL, or '' for the scheme's default port. */
export function portSuffix(port: number | undefined, dflt: number): string {
  return port === undefined || port === dflt ? '' : `:${port}`;
}
