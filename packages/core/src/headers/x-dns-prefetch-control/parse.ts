/**
 * The X-DNS-Prefetch-Control parser, shared by the builder's check of raw
 * values and by the scanner. Never throws: problems come back as data with
 * offsets.
 *
 * @module
 */
import { tokenParser } from '../single-token.ts';

/** The tokens browsers accept, canonical spelling. */
export const VALUES = ['off', 'on'] as const;

/**
 * Parses X-DNS-Prefetch-Control (`on` or `off`, any case). Never throws.
 *
 * @example
 * ```ts
 * parseXDnsPrefetchControl('off').token // 'off'
 * ```
 */
export const parseXDnsPrefetchControl = tokenParser(VALUES, 'x_dns_prefetch_control', true);
