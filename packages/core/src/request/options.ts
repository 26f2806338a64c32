/**
 * The request-protection options of a policy, as one schema shape that
 * `policyOptionsSchema` spreads in (validation, types and JSON Schema from
 * one definition).
 *
 * @module
 */
import {
  array,
  boolean,
  headerName,
  integer,
  literal,
  object,
  record,
  string,
  union,
  type Schema,
} from '../schema/index.ts';
import type { CsrfOptions } from './csrf.ts';
import type { ProxyHeadersOptions } from './proxies.ts';
import type { SslRedirectOptions } from './redirect.ts';

/**
 * Request protections: which requests are served at all, and over which scheme.
 *
 * @example
 * ```ts
 * createPolicy({
 *   allowedHosts: ['app.example', '.example.com'],
 *   trustedProxies: ['loopback', '10.0.0.0/8'],
 *   sslRedirect: { status: 308 },
 *   csrf: { trustedOrigins: ['https://admin.example.com'] },
 * });
 * ```
 */
export interface RequestOptions {
  /** Hosts this app serves; anything else gets {@link RequestOptions.badHostStatus}. Omitted = no host check; `["*"]` = any well-formed host. */
  allowedHosts?: string[];
  /** Status for a bad host: 400 (default) or 421 Misdirected Request. */
  badHostStatus?: 400 | 421;
  /** Peers (IPs, CIDRs, or `loopback`, `private`, `linklocal`, `uniquelocal`, `cgnat`) whose forwarded headers are believed. */
  trustedProxies?: string[];
  /** Which forwarded headers a trusted proxy uses. */
  proxyHeaders?: ProxyHeadersOptions;
  /** Redirect plain-HTTP requests to HTTPS. */
  sslRedirect?: boolean | SslRedirectOptions;
  /** Send HSTS on every response, also when HTTPS is not detected and for localhost/IP hosts (TLS terminated where Barbican cannot see it). */
  forceStsHeader?: boolean;
  /** Development: no host check, no redirect, no HSTS. Never in production. */
  development?: boolean;
  /** Origin checks for unsafe methods; `true` = same-origin only. */
  csrf?: boolean | CsrfOptions;
}

const stringList = (description: string) =>
  array(string({ maxLength: 300, fieldSafe: false }), { description, maxItems: 1000 });

/** Schema entries for {@link RequestOptions}, spread into `policyOptionsSchema`. */
export const requestOptionsShape = {
  allowedHosts: stringList(
    'Hosts this app answers for: "example.com", ".example.com" or "*.example.com" (domain and subdomains), "[::1]", "10.0.0.1:8080", "/^anchored-regex$/", or "*" for any.',
  ),
  badHostStatus: union([literal(400), literal(421)], {
    description: 'Status for a request whose host is not allowed. Default 400.',
  }),
  trustedProxies: stringList(
    'Proxy peers whose forwarded headers are trusted: IPs, CIDRs, or loopback, private, linklocal, uniquelocal, cgnat.',
  ),
  proxyHeaders: object(
    {
      proto: record(headerName, string(), {
        description: 'Header → value meaning HTTPS. Default {"X-Forwarded-Proto": "https"}.',
      }),
      host: union([literal(false), headerName], {
        description: 'Header with the original host (e.g. X-Forwarded-Host); false = Host only.',
      }),
      for: union([literal(false), headerName], {
        description: 'Header with the client chain. Default X-Forwarded-For.',
      }),
      forwarded: boolean({ description: 'Read RFC 7239 Forwarded. Default true.' }),
    },
    { description: 'Which headers a trusted proxy uses.' },
  ),
  sslRedirect: union([
    boolean(),
    object(
      {
        status: union([literal(301), literal(302), literal(307), literal(308)]),
        host: string({ maxLength: 260, fieldSafe: false }),
        port: integer({ min: 1, max: 65535 }),
        exempt: array(string({ maxLength: 2000 }), { maxItems: 100 }),
      },
      { description: 'Redirect plain HTTP to HTTPS.' },
    ),
  ]),
  forceStsHeader: boolean({
    description: 'Send HSTS even when HTTPS is not detected, and for localhost.',
  }),
  development: boolean({
    description: 'Turn off host checks, HTTPS redirect and HSTS (local development only).',
  }),
  csrf: union([
    boolean(),
    object(
      { trustedOrigins: stringList('Origins allowed to send unsafe requests, with scheme.') },
      { description: 'Origin checks for unsafe methods.' },
    ),
  ]),
} satisfies Record<keyof RequestOptions, Schema<unknown>>;
