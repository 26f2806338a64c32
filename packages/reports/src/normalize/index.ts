/**
 * From a parsed JSON body to normalised reports: recognise the envelope
 * (legacy CSP, Reporting API batch, HPKP, Expect-CT), validate each report,
 * and read it with its type's reader. Malformed items in a batch are
 * counted and skipped; a body with nothing usable is refused.
 *
 * @module
 */
import type { DropReason, NormalizedReport, ReportType } from '../model.ts';
import { isPlainObject } from '@barbican/core/parsers';
import { cleanUrl, integer, MAX, text } from './fields.ts';
import { readExpectCt, readHpkp } from './certificates.ts';
import { readCspViolation, readLegacyCsp } from './csp.ts';
import {
  readCoep,
  readCoop,
  readDeprecationOrIntervention,
  readNetworkError,
  readPermissionsPolicy,
} from './reporting-api.ts';
import type { BodyReader, ReadOptions, ReportFields } from './types.ts';

export { boundedString, cleanUrl, cleanUrlWithHost, truncateIp, MAX } from './fields.ts';
export type { ReadOptions } from './types.ts';

/** Reporting API `type` → stored type and reader. */
const REPORTING_API: Readonly<Record<string, readonly [ReportType, BodyReader]>> = {
  'csp-violation': ['csp-violation', readCspViolation],
  'network-error': ['network-error', readNetworkError],
  coop: ['coop', readCoop],
  coep: ['coep', readCoep],
  'permissions-policy-violation': ['permissions-policy-violation', readPermissionsPolicy],
  deprecation: ['deprecation', readDeprecationOrIntervention],
  intervention: ['intervention', readDeprecationOrIntervention],
};

/** A report's age is at most a week: browsers drop older queued reports long before. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** What reading a body needs besides the JSON. */
export interface ParseContext extends ReadOptions {
  /** The request's User-Agent (bounded by the caller), used when the body names none. */
  readonly userAgent: string | null;
  /** The most reports a batch may hold. */
  readonly maxBatch: number;
}

/** The reports found in a body and the items skipped, by reason. */
export interface ParsedBody {
  readonly ok: true;
  readonly reports: NormalizedReport[];
  readonly drops: Partial<Record<DropReason, number>>;
}

/** A body refused as a whole. */
export interface BodyRejection {
  readonly ok: false;
  readonly code: 'BARBICAN_E_REPORT_SHAPE' | 'BARBICAN_E_REPORT_TOO_LARGE';
  readonly message: string;
}

function reject(
  message: string,
  code: BodyRejection['code'] = 'BARBICAN_E_REPORT_SHAPE',
): BodyRejection {
  return { ok: false, code, message };
}

/** The report: a reader's fields in the envelope (`url` when the reader found none in the body). */
function envelope(
  type: ReportType,
  f: ReportFields,
  url: string | null,
  userAgent: string | null,
  age: number | null,
): NormalizedReport {
  return {
    type,
    url,
    directive: f.directive,
    blockedUrl: f.blockedUrl,
    blockedHost: f.blockedHost,
    sourceFile: f.sourceFile,
    line: f.line,
    column: f.column,
    disposition: f.disposition,
    sample: f.sample,
    statusCode: f.statusCode,
    policy: f.policy,
    details: f.details,
    userAgent,
    age,
  };
}

/** Why a batch item was not read. */
interface Problem {
  readonly problem: string;
}

/** Reads one Reporting API item: a report, `unknown-type`, or why it is malformed. */
function readItem(item: unknown, ctx: ParseContext): NormalizedReport | Problem | 'unknown-type' {
  if (!isPlainObject(item)) return { problem: 'a batch item is not an object' };
  const kind = item['type'];
  if (typeof kind !== 'string') return { problem: 'a batch item has no string "type"' };
  const body = item['body'];
  if (!isPlainObject(body)) return { problem: 'a batch item has no object "body"' };
  const entry = Object.hasOwn(REPORTING_API, kind) ? REPORTING_API[kind] : undefined;
  if (entry === undefined) return 'unknown-type';
  const [type, read] = entry;
  const fields = read(body, ctx);
  if (typeof fields === 'string') return { problem: `${type}: ${fields}` };
  return envelope(
    type,
    fields,
    fields.url ?? cleanUrl(item['url'], ctx),
    text(item['user_agent'], MAX.userAgent) ?? ctx.userAgent,
    integer(item['age'], 0, MAX_AGE_MS),
  );
}

function readBatch(items: readonly unknown[], ctx: ParseContext): ParsedBody | BodyRejection {
  if (items.length === 0) return reject('the batch is empty');
  if (items.length > ctx.maxBatch) {
    return reject(
      `the batch holds ${items.length} reports; at most ${ctx.maxBatch} are accepted`,
      'BARBICAN_E_REPORT_TOO_LARGE',
    );
  }
  const reports: NormalizedReport[] = [];
  const drops: Partial<Record<DropReason, number>> = {};
  let firstProblem: string | undefined;
  for (const item of items) {
    const r = readItem(item, ctx);
    if (r === 'unknown-type') drops['unknown-type'] = (drops['unknown-type'] ?? 0) + 1;
    else if ('problem' in r) {
      firstProblem ??= r.problem;
      drops.invalid = (drops.invalid ?? 0) + 1;
    } else reports.push(r);
  }
  if (reports.length === 0 && firstProblem !== undefined) return reject(firstProblem);
  return { ok: true, reports, drops };
}

/** A body holding one report, wrapped (`csp-report`, `expect-ct-report`) or bare (HPKP). */
function readSingle(json: Record<string, unknown>, ctx: ParseContext): ParsedBody | BodyRejection {
  let type: ReportType;
  let fields: ReportFields | string;
  if ('csp-report' in json) {
    const inner = json['csp-report'];
    if (!isPlainObject(inner)) return reject('"csp-report" is not an object');
    type = 'csp-violation';
    fields = readLegacyCsp(inner, ctx);
  } else if ('expect-ct-report' in json) {
    const inner = json['expect-ct-report'];
    if (!isPlainObject(inner)) return reject('"expect-ct-report" is not an object');
    type = 'expect-ct';
    fields = readExpectCt(inner, ctx);
  } else if ('known-pins' in json || 'served-certificate-chain' in json) {
    type = 'hpkp';
    fields = readHpkp(json, ctx);
  } else {
    return reject(
      'not a report: expected {"csp-report": …}, {"expect-ct-report": …}, an HPKP report or a Reporting API array',
    );
  }
  if (typeof fields === 'string') return reject(`${type}: ${fields}`);
  return {
    ok: true,
    reports: [envelope(type, fields, fields.url, ctx.userAgent, null)],
    drops: {},
  };
}

/** Reports nest five levels at most (Chromium's own limit for report bodies); 16 leaves room. */
export const MAX_DEPTH = 16;

/**
 * True when the JSON text nests arrays or objects deeper than `max`. One
 * pass over the bytes, strings (most of a report) skipped by an inner loop
 * that honours backslash escapes. V8 parses a megabyte of `[[[[…` in about
 * 150 ms, 16 times a flat body's cost, so deep nesting is refused before
 * `JSON.parse`. (A native search for each closing quote was slower: a
 * report's strings are short, and a call per string cost more than the
 * bytes; measured 9.5 µs against 6–8 for a batch of ten.)
 */
export function nestsDeeperThan(bytes: Uint8Array, max: number = MAX_DEPTH): boolean {
  const n = bytes.length;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0x22) {
      for (i++; i < n; i++) {
        const c = bytes[i];
        if (c === 0x22) break;
        if (c === 0x5c) i++; // the escaped byte cannot close the string
      }
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) return true;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return false;
}

/**
 * Reads every report in a parsed JSON body. Never throws; never walks
 * nested values it does not need, so deep nesting costs nothing beyond
 * `JSON.parse`.
 *
 * @example
 * ```ts
 * const r = parseReports(JSON.parse(body), { userAgent: null, maxBatch: 100 });
 * if (r.ok) r.reports[0].directive; // 'script-src-elem'
 * ```
 */
export function parseReports(json: unknown, ctx: ParseContext): ParsedBody | BodyRejection {
  if (Array.isArray(json)) return readBatch(json, ctx);
  if (isPlainObject(json)) return readSingle(json, ctx);
  return reject('the body is neither a report object nor a Reporting API array');
}
