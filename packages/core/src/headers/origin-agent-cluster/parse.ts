/**
 * The Origin-Agent-Cluster parser, shared by the builder's check of raw
 * values and by the scanner. Never throws: problems come back as data with
 * offsets.
 *
 * @module
 */
import { tokenParser } from '../single-token.ts';

/** The tokens browsers accept, canonical spelling. */
export const VALUES = ['?1', '?0'] as const;

/**
 * Parses Origin-Agent-Cluster: exactly `?1` or `?0` (a structured-field
 * boolean; `?true` or `1` are not booleans). Never throws.
 *
 * @example
 * ```ts
 * parseOriginAgentCluster('?1').token // '?1'
 * ```
 */
export const parseOriginAgentCluster = tokenParser(VALUES, 'origin_agent_cluster', false);
