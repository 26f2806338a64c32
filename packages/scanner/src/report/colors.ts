/**
 * The colour functions a text reporter needs, injected so the scanner stays
 * free of terminal concerns (the CLI passes picocolors, or identity
 * functions for NO_COLOR, pipes and `--json`).
 *
 * @module
 */

/** One colour: wraps text in escape codes, or returns it unchanged. */
export type Paint = (text: string) => string;

/** The colours reporters use. picocolors' `createColors()` satisfies it. */
export interface ReportColors {
  readonly red: Paint;
  readonly yellow: Paint;
  readonly green: Paint;
  readonly cyan: Paint;
  readonly dim: Paint;
  readonly bold: Paint;
}

const identity: Paint = (t) => t;

/** No colour at all. */
export const NO_COLORS: ReportColors = {
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
  dim: identity,
  bold: identity,
};
