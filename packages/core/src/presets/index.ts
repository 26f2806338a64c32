/**
 * Presets: named starting points. A policy is a preset plus overrides.
 *
 * Every preset is data (objects, never raw strings) so that overrides merge
 * into it field by field, and its exact values are pinned by
 * `presets.test.ts` and documented in `docs/presets.md`.
 *
 * @module
 */
import type { HeadersOptions } from '../headers/index.ts';

/** What a preset sets: a value for some headers (absent = not sent) and the fingerprint-header removal. */
export interface Preset {
  readonly description: string;
  /** Where the values come from. */
  readonly source: string;
  readonly headers: HeadersOptions;
  /** `true` = OWASP's remove list; a list = exactly those; `false` = remove nothing. */
  readonly removeHeaders: boolean | readonly string[];
}

export const PRESET_NAMES = [
  'barbican',
  'secure-py',
  'openkat',
  'owasp',
  'helmet',
  'strict',
  'api',
] as const;

export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * `barbican`: our recommended default. Each value is justified in
 * docs/presets.md.
 */
const barbican: Preset = {
  description: 'Barbican’s recommended default for web applications.',
  source: 'docs/presets.md#barbican',
  headers: {
    hsts: { maxAge: 63_072_000, includeSubDomains: true },
    xFrameOptions: { action: 'DENY' },
  },
  removeHeaders: true,
};

export const PRESETS: Record<PresetName, Preset> = {
  barbican,
  'secure-py': { ...barbican, description: 'TODO', source: 'seed 002' },
  openkat: { ...barbican, description: 'TODO', source: 'seed 001' },
  owasp: { ...barbican, description: 'TODO', source: 'OWASP Secure Headers Project' },
  helmet: { ...barbican, description: 'TODO', source: 'helmet 8 defaults' },
  strict: { ...barbican, description: 'TODO', source: 'docs/presets.md#strict' },
  api: { ...barbican, description: 'TODO', source: 'docs/presets.md#api' },
};
