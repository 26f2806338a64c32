/**
 * The Clear-Site-Data parser, shared by the builder's check of raw values and
 * by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import { didYouMean } from '../../errors.ts';
import type { FieldProblem } from '../../field-types.ts';

/** The data types Clear-Site-Data knows, including the `*` wildcard. */
export const CLEAR_SITE_DATA_TYPES = [
  'cache',
  'cookies',
  'storage',
  'executionContexts',
  'clientHints',
  'prefetchCache',
  'prerenderCache',
  '*',
] as const;

/** One Clear-Site-Data type. */
export type ClearSiteDataType = (typeof CLEAR_SITE_DATA_TYPES)[number];

/** What {@link parseClearSiteData} found. */
export interface ClearSiteDataParseResult {
  /** Recognised types, in order, without duplicates. */
  readonly types: readonly ClearSiteDataType[];
  /** True when every entry is a quoted, known type. */
  readonly valid: boolean;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses Clear-Site-Data (spec §3.1): a comma-separated list of quoted
 * strings; unquoted or unknown entries are ignored by browsers and reported
 * here. Never throws.
 *
 * @example
 * ```ts
 * parseClearSiteData('"cache", "cookies"').types // ['cache', 'cookies']
 * ```
 */
export function parseClearSiteData(value: string): ClearSiteDataParseResult {
  if (typeof value !== 'string') {
    return {
      types: [],
      valid: false,
      problems: [
        { code: 'clear_site_data.type', severity: 'error', message: 'not a string', offset: 0 },
      ],
    };
  }
  const types: ClearSiteDataType[] = [];
  const problems: FieldProblem[] = [];
  let offset = 0;
  for (const part of value.split(',')) {
    const entry = part.trim();
    const at = offset + (part.length - part.trimStart().length);
    offset += part.length + 1;
    if (entry === '') continue;
    const quoted = entry.length >= 2 && entry.startsWith('"') && entry.endsWith('"');
    const inner = quoted ? entry.slice(1, -1) : entry;
    const known = (CLEAR_SITE_DATA_TYPES as readonly string[]).includes(inner);
    if (!quoted) {
      problems.push({
        code: 'clear_site_data.unquoted',
        severity: 'error',
        message: `${entry} must be a quoted string ("${inner}"); browsers ignore it unquoted`,
        offset: at,
      });
      continue;
    }
    if (!known) {
      const suggestion = didYouMean(inner, CLEAR_SITE_DATA_TYPES);
      problems.push({
        code: 'clear_site_data.unknown',
        severity: 'error',
        message: `${entry} is not a Clear-Site-Data type${
          suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`
        }`,
        offset: at,
      });
      continue;
    }
    const t = inner as ClearSiteDataType;
    if (types.includes(t)) {
      problems.push({
        code: 'clear_site_data.duplicate',
        severity: 'warning',
        message: `${entry} appears more than once`,
        offset: at,
      });
      continue;
    }
    types.push(t);
  }
  if (types.length === 0 && problems.length === 0) {
    problems.push({
      code: 'clear_site_data.empty',
      severity: 'error',
      message: 'no type given, so nothing is cleared',
      offset: 0,
    });
  }
  return { types, valid: problems.every((p) => p.severity !== 'error'), problems };
}
