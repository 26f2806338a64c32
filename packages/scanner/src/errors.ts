/**
 * The scanner's error codes, defined in one place, and `BarbicanError`
 * narrowed to the codes the scanner may throw: its own and core's.
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

/** Errors of `scan()` and `retrieve()`: a URL could not be fetched or graded. */
export const SCANNER_ERROR_CODES = defineCodes('BARBICAN_E_', {
  BARBICAN_E_SCAN_REDIRECTS:
    'barbican scan stopped following redirects: more hops than the limit (10), or a Location that is not an http(s) URL.',
  BARBICAN_E_SCAN_TIMEOUT:
    'barbican scan got no response, or no complete HTML body, within the per-request timeout (--timeout).',
  BARBICAN_E_SCAN_RESPONSE:
    'barbican scan received a response it would not read: a response head over the size limit, malformed HTTP, or a connection reset.',
  BARBICAN_E_SCAN_CONNECT:
    'barbican scan could not connect: the host does not resolve, the port refuses connections, or the TLS handshake failed.',
  BARBICAN_E_SCAN_PRIVATE:
    'barbican scan --no-private refused an address that is not public: private, loopback, link-local (cloud metadata), multicast or reserved, after DNS resolution or in a redirect.',
  BARBICAN_E_SCAN_FAILED:
    'barbican scan could not grade a URL: neither the HTTPS nor the HTTP request produced a response.',
});

/** A code from the scanner's table. */
export type ScannerErrorCode = keyof typeof SCANNER_ERROR_CODES;

/** `BarbicanError` as the scanner throws it: a scanner or core code. */
export const BarbicanError: BarbicanErrorConstructor<ScannerErrorCode | ErrorCode> =
  AnyBarbicanError;
export type BarbicanError = AnyBarbicanError;
