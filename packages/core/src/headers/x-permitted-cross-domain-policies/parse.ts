/**
 * The X-Permitted-Cross-Domain-Policies parser, shared by the builder's check
 * of raw values and by the scanner. Never throws: problems come back as data
 * with offsets.
 *
 * @module
 */
import { tokenParser } from '../single-token.ts';

/** The tokens browsers accept, canonical spelling. */
export const VALUES = [
  'none',
  'master-only',
  'by-content-type',
  'by-ftp-filename',
  'all',
  'none-this-response',
] as const;

/**
 * Parses X-Permitted-Cross-Domain-Policies (one of six tokens, any case).
 * Never throws.
 *
 * @example
 * ```ts
 * parseXPermittedCrossDomainPolicies('master-only').token // 'master-only'
 * ```
 */
export const parseXPermittedCrossDomainPolicies = tokenParser(
  VALUES,
  'x_permitted_cross_domain_policies',
  true,
);
