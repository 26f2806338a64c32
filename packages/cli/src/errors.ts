/**
 * The CLI's error and warning codes, defined in one place, and
 * `BarbicanError` narrowed to the codes the CLI may throw: its own, the
 * scanner's and core's.
 *
 * `docs/errors.md` documents each code; `test/errors.test.ts` fails when the
 * two drift apart.
 *
 * @module
 */
import {
  BarbicanError as AnyBarbicanError,
  defineCodes,
  type BarbicanErrorConstructor,
  type ErrorCode,
} from '@barbican/core';
import type { ReportsErrorCode } from '@barbican/reports';
import type { ScannerErrorCode } from '@barbican/scanner';

/** Errors of the `barbican` command: config files, imports, pins and their TLS fetch. */
export const CLI_ERROR_CODES = defineCodes('BARBICAN_E_', {
  BARBICAN_E_CONFIG_FILE: 'A configuration file cannot be read or parsed.',
  BARBICAN_E_IMPORT:
    'A foreign configuration (KrakenD, Traefik, helmet, unrolled/secure) cannot be imported.',
  BARBICAN_E_PIN_INPUT:
    'A file given to barbican pin cannot be read, is empty or corrupt (truncated PEM or DER), or is not a key, certificate or CSR.',
  BARBICAN_E_PIN_PASSPHRASE:
    'An encrypted private key needs a passphrase (--passphrase-file), or the passphrase given is wrong.',
  BARBICAN_E_PIN_ALGORITHM:
    'A key uses an algorithm TLS pins cannot use (only RSA, EC P-256/P-384/P-521, Ed25519 and Ed448 are accepted).',
  BARBICAN_E_TLS_CONNECT:
    'A host did not answer TLS: the connection was refused, timed out, closed, or the peer does not speak TLS.',
  BARBICAN_E_CA_FILE:
    'A --ca file cannot be read, is not PEM, holds no certificate, or holds a corrupt one.',
  BARBICAN_E_INTERNAL:
    'barbican hit a bug: an unexpected exception. The one-line message names it; BARBICAN_DEBUG=1 prints the stack trace.',
  BARBICAN_E_TLS_VERIFY:
    'The certificate chain a host served does not verify against the trusted roots (or the --ca file).',
});

/** Warnings of the `barbican` command (not policy warnings: `ignoreWarnings` does not list them). */
export const CLI_WARNING_CODES = defineCodes('BARBICAN_W_', {
  BARBICAN_W_IMPORT_LOSSY: 'An imported option does not carry over exactly.',
});

/** A code from the CLI's error table. */
export type CliErrorCode = keyof typeof CLI_ERROR_CODES;
/** A code from the CLI's warning table. */
export type CliWarningCode = keyof typeof CLI_WARNING_CODES;

/** `BarbicanError` as the CLI throws it: a CLI, scanner, reports or core code. */
export const BarbicanError: BarbicanErrorConstructor<
  CliErrorCode | ScannerErrorCode | ReportsErrorCode | ErrorCode
> = AnyBarbicanError;
export type BarbicanError = AnyBarbicanError;
