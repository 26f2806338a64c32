/**
 * What a per-type reader returns, and the options every reader gets.
 *
 * @module
 */
import type { NormalizedReport } from '../model.ts';
import type { UrlOptions } from './fields.ts';

/** A report's fields before the envelope (type, user agent, age) is added. */
export type ReportFields = Omit<NormalizedReport, 'type' | 'userAgent' | 'age'>;

/** Options of the readers: URL cleaning, and whether referrers are kept. */
export interface ReadOptions extends UrlOptions {
  /** Keep referrers (default false: they are other sites' URLs, often with tokens). */
  readonly keepReferrer?: boolean;
}

/** A reader: the fields of one report body, or a one-line reason it is not one. */
export type BodyReader = (
  body: Record<string, unknown>,
  opts: ReadOptions,
) => ReportFields | string;

const NO_DETAILS: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Fills the fields a reader did not set with null. One object literal with
 * every field in one order: every report then has the same hidden class,
 * which the spreads this replaced did not give (measured: a tenth of the
 * per-report time).
 */
export function reportFields(p: Partial<ReportFields>): ReportFields {
  return {
    url: p.url ?? null,
    directive: p.directive ?? null,
    blockedUrl: p.blockedUrl ?? null,
    blockedHost: p.blockedHost ?? null,
    sourceFile: p.sourceFile ?? null,
    line: p.line ?? null,
    column: p.column ?? null,
    disposition: p.disposition ?? null,
    sample: p.sample ?? null,
    statusCode: p.statusCode ?? null,
    policy: p.policy ?? null,
    details: p.details ?? NO_DETAILS,
  };
}
