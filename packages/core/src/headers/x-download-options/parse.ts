/**
 * The X-Download-Options parser, shared by the builder's check of raw values
 * and by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import { tokenParser } from '../single-token.ts';

/** The tokens browsers accept, canonical spelling. */
export const VALUES = ['noopen'] as const;

/**
 * Parses X-Download-Options (`noopen`, any case). Never throws.
 *
 * @example
 * ```ts
 * parseXDownloadOptions('noopen').valid // true
 * ```
 */
export const parseXDownloadOptions = tokenParser(VALUES, 'x_download_options', true);
