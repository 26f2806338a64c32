/**
 * `@barbican/export`: one Barbican policy as nginx, Apache, Caddy, HAProxy,
 * Traefik, KrakenD, Netlify/Cloudflare Pages `_headers`, `vercel.json` and
 * Next.js `headers()` configuration. One normalised model of the policy,
 * then one small pure renderer per target, gated by the target's version.
 *
 * @example
 * ```ts
 * import { createPolicy } from '@barbican/core';
 * import { exportPolicy } from '@barbican/export';
 * const { snippet, warnings } = exportPolicy(createPolicy({ preset: 'barbican' }), 'caddy');
 * ```
 * @module
 */
export { exportPolicy, declaredLosses, targetSpec, DEFAULT_OPENSSL } from './export.ts';
export type { ExportOptions, ExportResult } from './export.ts';
export { buildExportModel } from './model.ts';
export type {
  ExportModel,
  ModelHeader,
  ModelHosts,
  ModelRedirect,
  ModelProxies,
  ModelRefusal,
  Scheme,
} from './model.ts';
export { TARGET_NAMES } from './target.ts';
export type {
  TargetName,
  TargetSpec,
  Deployment,
  RenderContext,
  Rendered,
  Loss,
  LossSign,
  ExportFile,
} from './target.ts';
export { TARGETS } from './targets/index.ts';
export { nextHeaders } from './targets/nextjs.ts';
export type { NextHeaderRule } from './targets/nextjs.ts';
export { VERCEL_LIMITS } from './targets/vercel.ts';
export { parseVersion, atLeast } from './version.ts';
export { EXPORT_ERROR_CODES, EXPORT_WARNING_CODES } from './errors.ts';
export type { ExportErrorCode, ExportWarningCode, ExportWarning } from './errors.ts';
export type { Version } from './version.ts';
export type { ResolvedTlsSection, ResolvedErrorsSection } from './sections.ts';
