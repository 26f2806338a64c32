/**
 * `@barbican/gateway`: a TLS-terminating reverse proxy that enforces a
 * Barbican policy in front of any application, with the same engine the
 * middleware uses (core's `createPolicy` and `evaluateRequest`).
 *
 * @example
 * ```ts
 * import { startGateway } from '@barbican/gateway';
 * const gw = await startGateway({
 *   policy: { preset: 'barbican', allowedHosts: ['app.example'] },
 *   gateway: { upstreams: ['http://127.0.0.1:3000'], listen: ':8443', httpListen: ':8080', workers: 1 },
 *   baseDir: process.cwd(),
 * });
 * ```
 * @module
 */
export { startGateway } from './primary.ts';
export type { StartOptions, RunningGateway, ReloadResult } from './primary.ts';
export { compileGateway, loadGateway, readGatewayFiles } from './config.ts';
export type { CompiledGateway, GatewayFiles, GatewayInput } from './config.ts';
export type { Addresses } from './server.ts';
export {
  gatewaySection,
  gatewayWarnings,
  gatewayOptionsSchema,
  resolveGatewayOptions,
  upstreamPoolOptions,
  parseListen,
  DEFAULT_LIMITS,
  DEFAULT_METHODS,
  DEFAULT_TIMEOUTS,
  DEFAULT_REDACT_QUERY,
} from './options.ts';
export type {
  GatewayOptions,
  GatewayWarning,
  ResolvedGatewayOptions,
  ListenAddress,
  UpstreamPoolOptions,
} from './options.ts';
export { ensureSelfSigned } from './self-signed.ts';
export type { SelfSigned } from './self-signed.ts';
export { certificateNames } from './tls.ts';
export { GATEWAY_ERROR_CODES, GATEWAY_WARNING_CODES } from './errors.ts';
export type { GatewayErrorCode, GatewayWarningCode } from './errors.ts';
export { ERROR_PAGE, FINGERPRINT_HEADERS } from './respond.ts';
export { eventLog } from './access-log.ts';
export type { EventLog, Level, Sink } from './access-log.ts';
