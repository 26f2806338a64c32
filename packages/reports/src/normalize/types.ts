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

const EMPTY: ReportFields = Object.freeze({
  url: null,
  directive: null,
  blockedUrl: null,
  blockedHost: null,
  sourceFile: null,
  line: null,
  column: null,
  disposition: null,
  sample: null,
  statusCode: null,
  policy: null,
  details: Object.freeze({}),
});

/** Fills the fields a reader did not set with null. */
export function reportFields(partial: Partial<ReportFields>): ReportFields {
  return { ...EMPTY, ...partial };
}
