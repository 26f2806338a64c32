/**
 * The registry of header modules. Adding a header = adding a folder beside
 * this file and one line here; the policy schema, JSON Schema, docs and CLI
 * pick it up from this map.
 *
 * @module
 */
import { csp, cspReportOnly } from './csp/index.ts';
import { hsts } from './hsts/index.ts';
import { permissionsPolicy } from './permissions-policy/index.ts';
import { featurePolicy } from './feature-policy/index.ts';
import {
  crossOriginOpenerPolicy,
  crossOriginOpenerPolicyReportOnly,
} from './cross-origin-opener-policy/index.ts';
import {
  crossOriginEmbedderPolicy,
  crossOriginEmbedderPolicyReportOnly,
} from './cross-origin-embedder-policy/index.ts';
import { crossOriginResourcePolicy } from './cross-origin-resource-policy/index.ts';
import { reportingEndpoints } from './reporting-endpoints/index.ts';
import { reportTo } from './report-to/index.ts';
import { nel } from './nel/index.ts';
import type { HeaderModule, HeaderOption } from './types.ts';
import { xFrameOptions } from './x-frame-options/index.ts';
import { cacheControl } from './cache-control/index.ts';
import { clearSiteData } from './clear-site-data/index.ts';
import { expectCt } from './expect-ct/index.ts';
import { originAgentCluster } from './origin-agent-cluster/index.ts';
import { publicKeyPins, publicKeyPinsReportOnly } from './public-key-pins/index.ts';
import { referrerPolicy } from './referrer-policy/index.ts';
import { server } from './server/index.ts';
import { xContentTypeOptions } from './x-content-type-options/index.ts';
import { xDnsPrefetchControl } from './x-dns-prefetch-control/index.ts';
import { xDownloadOptions } from './x-download-options/index.ts';
import { xPermittedCrossDomainPolicies } from './x-permitted-cross-domain-policies/index.ts';
import { xXssProtection } from './x-xss-protection/index.ts';

export const HEADER_MODULES = {
  hsts,
  csp,
  cspReportOnly,
  xFrameOptions,
  permissionsPolicy,
  xContentTypeOptions,
  xXssProtection,
  referrerPolicy,
  xPermittedCrossDomainPolicies,
  originAgentCluster,
  xDnsPrefetchControl,
  xDownloadOptions,
  cacheControl,
  clearSiteData,
  expectCt,
  publicKeyPins,
  publicKeyPinsReportOnly,
  server,
  featurePolicy,
  crossOriginOpenerPolicy,
  crossOriginOpenerPolicyReportOnly,
  crossOriginEmbedderPolicy,
  crossOriginEmbedderPolicyReportOnly,
  crossOriginResourcePolicy,
  reportingEndpoints,
  reportTo,
  nel,
} as const;

export type HeaderKey = keyof typeof HEADER_MODULES;

type OptionsOf<M> = M extends HeaderModule<infer O> ? O : never;

/** The `headers` section of a policy: one entry per header module. */
export type HeadersOptions = {
  [K in HeaderKey]?: HeaderOption<OptionsOf<(typeof HEADER_MODULES)[K]>>;
};

export const HEADER_KEYS = Object.keys(HEADER_MODULES) as HeaderKey[];

export type { HeaderModule, HeaderEmission, HeaderOption, CompileContext } from './types.ts';
