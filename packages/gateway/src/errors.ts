/**
 * The gateway's error codes, defined in one place, and `BarbicanError`
 * narrowed to the codes the gateway may throw: its own and core's.
 *
 * `docs/errors.md` documents each code; `packages/cli/test/errors.test.ts`
 * fails when the two drift apart.
 *
 * @module
 */
import {
  BarbicanError as AnyBarbicanError,
  defineCodes,
  type BarbicanErrorConstructor,
  type ErrorCode,
} from '@barbican/core';

/** Errors of `barbican gateway` and `startGateway()`. */
export const GATEWAY_ERROR_CODES = defineCodes('BARBICAN_E_', {
  BARBICAN_E_GATEWAY_LISTEN:
    'A gateway listener address is malformed, or the gateway cannot listen there (port in use, or below 1024 without the right).',
  BARBICAN_E_GATEWAY_UPSTREAM:
    'A gateway upstream is missing or is not an http(s) origin without a path or credentials.',
  BARBICAN_E_GATEWAY_CERT:
    'A TLS certificate or key for the gateway cannot be read, is not PEM, or the key does not match the certificate.',
  BARBICAN_E_GATEWAY_TLS:
    'OpenSSL refused the TLS settings when the gateway built its contexts (a certificate type no configured suite can use).',
  BARBICAN_E_GATEWAY_ADMIN:
    'The admin listener is not on loopback but no admin token file is set, or the token file is unreadable or too short.',
  BARBICAN_E_GATEWAY_ERROR_PAGE: 'The errors.page file cannot be read or is too large.',
  BARBICAN_E_GATEWAY_RELOAD:
    'A configuration or certificate reload was refused; the gateway keeps serving with the previous one.',
  BARBICAN_E_GATEWAY_RATE_LIMIT_STORE:
    'The shared rate-limit store (Redis) cannot be reached; requests are served (onStoreError: open) or refused with 503 (closed).',
});

/** Warnings about a gateway configuration (`barbican check`, and logged at start). */
export const GATEWAY_WARNING_CODES = defineCodes('BARBICAN_W_', {
  BARBICAN_W_GATEWAY_SELF_SIGNED:
    'The policy lists no TLS certificate, so the gateway serves a self-signed first-run certificate that browsers warn about.',
  BARBICAN_W_GATEWAY_RATE_LIMIT_PER_PROCESS:
    'The rate limit counts in each worker’s memory, so a client may get the limit once per worker; a redis:// store shares the count.',
  BARBICAN_W_GATEWAY_OCSP_SKIPPED:
    'tls.ocspStapling is on, but a certificate names no OCSP responder or its issuer is not in the certificate file: it is served without a staple (logged once).',
  BARBICAN_W_GATEWAY_OCSP_FETCH:
    'The OCSP responder could not be reached, timed out, answered an HTTP error or too many bytes; handshakes go on without a new staple, and the fetch is retried.',
  BARBICAN_W_GATEWAY_OCSP_INVALID:
    'The OCSP responder answered something that must not be stapled (not an OCSP response, not successful, wrongly signed, for another certificate, status unknown or expired); retried.',
  BARBICAN_W_GATEWAY_OCSP_REVOKED:
    'The OCSP responder says the certificate is revoked; the revoked status is stapled, so clients refuse it. Replace the certificate.',
});

/** A code from the gateway's warning table. */
export type GatewayWarningCode = keyof typeof GATEWAY_WARNING_CODES;

/** A code from the gateway's error table. */
export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

/** `BarbicanError` as the gateway throws it: a gateway or core code. */
export const BarbicanError: BarbicanErrorConstructor<GatewayErrorCode | ErrorCode> =
  AnyBarbicanError;
export type BarbicanError = AnyBarbicanError;
