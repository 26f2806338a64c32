/**
 * The collector's error codes, defined in one place, and `BarbicanError`
 * narrowed to the codes this package may throw: its own and core's.
 *
 * The `BARBICAN_E_REPORT_*` codes are not thrown: they name why the ingest
 * endpoint refused a report, in the one-line body of the 4xx answer
 * (`BARBICAN_E_REPORT_TOO_LARGE: the body is over 65536 bytes`) and in the
 * dashboard's counters. `docs/errors.md` documents each one;
 * `packages/cli/test/errors.test.ts` fails when the two drift apart.
 *
 * @module
 */
import {
  BarbicanError as AnyBarbicanError,
  defineCodes,
  type BarbicanErrorConstructor,
  type ErrorCode,
} from '@barbican/core';

/** Errors of the collector: refused reports (answered 4xx/503), the database, the dashboard token. */
export const REPORTS_ERROR_CODES = defineCodes('BARBICAN_E_', {
  BARBICAN_E_REPORT_METHOD:
    'The report collector accepts only POST (and the CORS preflight OPTIONS) on /report/<site>; answered 405.',
  BARBICAN_E_REPORT_SITE:
    "A report was posted for a site name that is malformed or not on the collector's site allow-list; answered 404.",
  BARBICAN_E_REPORT_MEDIA_TYPE:
    "A report's Content-Type is not one browsers send (application/csp-report, application/reports+json, application/expect-ct-report+json, application/json), or the body is compressed; answered 415.",
  BARBICAN_E_REPORT_TOO_LARGE:
    'A report body is over the byte cap (64 KiB for a single report, 1 MiB for a batch) or a batch holds more reports than the cap (100); answered 413.',
  BARBICAN_E_REPORT_ENCODING: 'A report body is not valid UTF-8; answered 400.',
  BARBICAN_E_REPORT_JSON: 'A report body is not JSON; answered 400.',
  BARBICAN_E_REPORT_SHAPE:
    "A report body is JSON but not a report: the wrapper object, the batch array, or a report's type, url or body is missing or has the wrong type, or it nests deeper than 16 levels; answered 400.",
  BARBICAN_E_REPORTS_BUSY:
    'The report collector could not make a report durable (the write queue is full or the database failed), so it did not acknowledge it; answered 503 with Retry-After.',
  BARBICAN_E_REPORTS_DB:
    'The reports database cannot be used: the --db value is not sqlite:FILE or a postgres:// URL, the SQLite file is not a regular file (a device, FIFO or directory is refused before SQLite opens it), the database cannot be opened, or its schema is newer than this Barbican.',
  BARBICAN_E_REPORTS_TOKEN:
    'The reports dashboard would be reachable from other machines without a token (or the token is shorter than 16 characters); set --token or BARBICAN_REPORTS_TOKEN, or bind to loopback.',
});

/** A code from the collector's table. */
export type ReportsErrorCode = keyof typeof REPORTS_ERROR_CODES;

/** `BarbicanError` as the collector throws it: a collector or core code. */
export const BarbicanError: BarbicanErrorConstructor<ReportsErrorCode | ErrorCode> =
  AnyBarbicanError;
export type BarbicanError = AnyBarbicanError;
