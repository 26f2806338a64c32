/**
 * The Public-Key-Pins and Public-Key-Pins-Report-Only (HPKP) parser, shared
 * by the builder's check of raw values and by the scanner. Never throws:
 * problems come back as data with offsets.
 *
 * @module
 */
import { parseDirectiveList } from '../../directive-list.ts';
import type { FieldProblem, ParsedDirective } from '../../field-types.ts';

/**
 * Base64 of exactly 32 bytes: 43 characters and one `=`. The 43rd character
 * carries only 4 bits of data, so its low 2 bits must be zero (one of
 * `AEIMQUYcgkosw048`); anything else decodes to a different 32-byte value.
 */
const PIN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** True when `pin` is canonical base64 of a 32-byte SHA-256 digest. */
export function isSha256Pin(pin: string): boolean {
  return typeof pin === 'string' && PIN.test(pin);
}

/** What {@link parsePublicKeyPins} found. */
export interface PublicKeyPinsParseResult {
  /** True when a browser that supported HPKP would note the policy. */
  readonly valid: boolean;
  /** Distinct pin-sha256 values, in order. */
  readonly pins: readonly string[];
  readonly maxAge: number | undefined;
  readonly includeSubDomains: boolean;
  readonly reportUri: string | undefined;
  readonly directives: readonly ParsedDirective[];
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses Public-Key-Pins (or, with `reportOnly`, Public-Key-Pins-Report-Only)
 * following RFC 7469 §2.1: `;`-separated directives; `pin-sha256` values are
 * quoted base64 of 32 bytes; `max-age` is required (optional for report-only,
 * §2.1.2); every directive other than pins appears at most once (§2.1.5);
 * fewer than two distinct pins cannot contain a backup pin (§4.3). Never throws.
 *
 * @example
 * ```ts
 * parsePublicKeyPins('pin-sha256="…"; pin-sha256="…"; max-age=5184000').valid
 * ```
 */
export function parsePublicKeyPins(
  value: string,
  opts: { reportOnly?: boolean } = {},
): PublicKeyPinsParseResult {
  const problems: FieldProblem[] = [];
  if (typeof value !== 'string') {
    problems.push({ code: 'hpkp.type', severity: 'error', message: 'not a string', offset: 0 });
    return {
      valid: false,
      pins: [],
      maxAge: undefined,
      includeSubDomains: false,
      reportUri: undefined,
      directives: [],
      problems,
    };
  }
  const list = parseDirectiveList(value, 'hpkp');
  problems.push(...list.problems);
  const pins: string[] = [];
  const seen = new Set<string>();
  let maxAge: number | undefined;
  let includeSubDomains = false;
  let reportUri: string | undefined;
  const error = (code: string, message: string, offset: number): void => {
    problems.push({ code: `hpkp.${code}`, severity: 'error', message, offset });
  };
  for (const d of list.directives) {
    const quoted = d.quoted;
    if (d.name.startsWith('pin-')) {
      if (d.name !== 'pin-sha256') {
        problems.push({
          code: 'hpkp.pin.algorithm',
          severity: 'warning',
          message: `${d.name} uses a hash algorithm browsers do not know; it is ignored`,
          offset: d.offset,
        });
        continue;
      }
      // §2.1.1: pin-directive = "pin-" token "=" quoted-string
      if (!quoted) error('pin.unquoted', 'a pin-sha256 value must be a quoted string', d.offset);
      else if (d.value === undefined || !isSha256Pin(d.value))
        error(
          'pin.invalid',
          'a pin-sha256 value must be base64 of 32 bytes (44 characters)',
          d.offset,
        );
      else if (pins.includes(d.value))
        problems.push({
          code: 'hpkp.pin.duplicate',
          severity: 'warning',
          message: 'the same pin appears twice; it counts once',
          offset: d.offset,
        });
      else pins.push(d.value);
      continue;
    }
    if (seen.has(d.name)) {
      error(
        'directive.repeated',
        `${d.name} appears more than once, so the header is invalid`,
        d.offset,
      );
      continue;
    }
    seen.add(d.name);
    switch (d.name) {
      case 'max-age':
        if (d.value === undefined || !/^\d+$/.test(d.value))
          error('max_age.invalid', 'max-age must be a whole number of seconds', d.offset);
        else maxAge = Math.min(Number(d.value), Number.MAX_SAFE_INTEGER);
        break;
      case 'includesubdomains':
        if (d.value !== undefined)
          error('include_sub_domains.value', 'includeSubDomains takes no value', d.offset);
        includeSubDomains = true;
        break;
      case 'report-uri':
        // §2.1.4: report-uri = "report-uri" OWS "=" OWS quoted-string
        if (!quoted || d.value === undefined || d.value === '')
          error('report_uri.invalid', 'report-uri must be a quoted URI', d.offset);
        else reportUri = d.value;
        break;
      default:
        problems.push({
          code: 'hpkp.directive.unknown',
          severity: 'warning',
          message: `unknown directive ${d.name} is ignored`,
          offset: d.offset,
        });
    }
  }
  if (maxAge === undefined && opts.reportOnly !== true && !seen.has('max-age'))
    error('max_age.missing', 'max-age is required', 0);
  if (pins.length < 2)
    error(
      'pins.backup_missing',
      'fewer than two distinct pins: RFC 7469 §4.3 requires a backup pin outside the current chain, so browsers ignore this policy',
      0,
    );
  return {
    valid: problems.every((p) => p.severity !== 'error'),
    pins,
    maxAge,
    includeSubDomains,
    reportUri,
    directives: list.directives,
    problems,
  };
}
