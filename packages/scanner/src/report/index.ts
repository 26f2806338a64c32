/**
 * Reporters: one file per format, each a pure function from results to text.
 *
 * @module
 */
export { textReport, countBySeverity } from './text.ts';
export { jsonReport } from './json.ts';
export { sarifReport, SARIF_LEVEL } from './sarif.ts';
export { markdownReport } from './markdown.ts';
export { NO_COLORS, type ReportColors, type Paint } from './colors.ts';
