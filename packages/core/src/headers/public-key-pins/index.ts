/**
 * Public-Key-Pins and Public-Key-Pins-Report-Only (HPKP): pinned the public
 * keys a host's certificate chain must contain. Deprecated: a wrong pin
 * locked users out for months ("HPKP suicide") and an attacker who took over
 * a site could pin their own keys (ransom pinning), so Chrome removed it in
 * version 72 and Firefox in 72. It is accepted for completeness, always warns
 * `BARBICAN_W_DEPRECATED_HEADER`, and is sent only over HTTPS (RFC 7469 §2.2.2:
 * browsers ignore it on insecure responses).
 *
 * At least two distinct pins are required (`BARBICAN_E_HPKP_PINS`): RFC 7469
 * §4.3 makes a browser ignore a pin set that does not include a backup pin,
 * a key that is *not* in the current chain, so that losing the live key does
 * not brick the site.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7469
 * @example
 * ```ts
 * createPolicy({ headers: { publicKeyPinsReportOnly: {
 *   pins: [livePinBase64, backupPinBase64], maxAge: 86400, reportUri: 'https://r.example/hpkp',
 * } } })
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import { parseDirectiveList } from '../../directive-list.ts';
import type { FieldProblem, ParsedDirective } from '../../field-types.ts';
import {
  array,
  boolean,
  integer,
  object,
  refine,
  string,
  type InferShape,
} from '../../schema/index.ts';
import { defineHeader, type CompileContext, type HeaderEmission } from '../types.ts';

/** 60 days: RFC 7469 §4.1 suggests no longer, so a mistake expires in reasonable time. */
export const HPKP_MAX_SUGGESTED_AGE = 5_184_000;

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

const pinSchema = refine(string({ maxLength: 200 }), (pin, path) => {
  if (isSha256Pin(pin)) return pin;
  let hint =
    'A pin is the base64 SHA-256 of the SubjectPublicKeyInfo: 44 characters ending in "=", e.g. from `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`';
  if (/^pin-sha256=/i.test(pin))
    hint = 'Give only the base64 value, without pin-sha256= and quotes';
  else if (/^[\w-]{43}=?$/.test(pin))
    hint = 'This looks like base64url; HPKP uses standard base64 (+ and /)';
  throw new BarbicanError('BARBICAN_E_TYPE', 'not a base64 SHA-256 pin (32 bytes)', {
    path,
    value: pin,
    allowed: '44 base64 characters ending in "="',
    hint,
  });
});

/** An absolute http(s) URL that can sit inside a quoted-string. */
const REPORT_URI = /^https?:\/\/[!#$%&'()*+,\-./\w:;=?@[\]~]+$/;

const shape = {
  pins: array(pinSchema, {
    unique: true,
    maxItems: 32,
    description: 'Base64 SHA-256 SPKI hashes: the live key and at least one backup key.',
  }),
  maxAge: integer({
    min: 0,
    max: 1_000_000_000,
    unit: 'seconds',
    description: 'How long browsers remember the pins (RFC 7469 suggests at most 60 days).',
  }),
  includeSubDomains: boolean({ description: 'Pin every subdomain too.' }),
  reportUri: string({
    pattern: REPORT_URI,
    patternDescription: 'an absolute http(s) URL without spaces, quotes or backslashes',
    maxLength: 2048,
    description: 'Where pin validation failures are reported.',
  }),
};

/** The object form shared by Public-Key-Pins and Public-Key-Pins-Report-Only. */
export type PublicKeyPinsOptions = InferShape<typeof shape>;

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

function compile(
  headerName: string,
  options: PublicKeyPinsOptions,
  ctx: CompileContext,
  path: string,
): HeaderEmission[] {
  const pins = options.pins ?? [];
  if (new Set(pins).size < 2) {
    throw new BarbicanError(
      'BARBICAN_E_HPKP_PINS',
      `${headerName} needs at least two distinct pins`,
      {
        path: `${path}.pins`,
        value: pins,
        hint: 'RFC 7469 §4.3: browsers ignore a pin set without a backup pin, the hash of a key that is not in your current certificate chain (kept offline), so that losing or rotating the live key does not lock every visitor out',
      },
    );
  }
  const maxAge = options.maxAge ?? 2_592_000;
  ctx.warn(
    'BARBICAN_W_DEPRECATED_HEADER',
    path,
    `${headerName} is obsolete: browsers removed HPKP (Chrome 72, Firefox 72) and a wrong pin could lock users out; use Certificate Transparency monitoring instead`,
  );
  if (maxAge > HPKP_MAX_SUGGESTED_AGE) {
    ctx.warn(
      'BARBICAN_W_HPKP_LONG',
      `${path}.maxAge`,
      `max-age=${maxAge} is over 60 days (RFC 7469 §4.1); a wrong pin would lock users out that long`,
    );
  }
  let value = pins.map((p) => `pin-sha256="${p}"`).join('; ');
  value += `; max-age=${maxAge}`;
  if (options.includeSubDomains === true) value += '; includeSubDomains';
  if (options.reportUri !== undefined) value += `; report-uri="${options.reportUri}"`;
  return [{ name: headerName, value, when: 'https' }];
}

function defineHpkp(key: string, headerName: string, reportOnly: boolean) {
  return defineHeader<PublicKeyPinsOptions>({
    key,
    headerNames: [headerName],
    description: `${headerName} (deprecated): pin the certificate chain's public keys. HTTPS only.`,
    spec: 'https://www.rfc-editor.org/rfc/rfc7469',
    schema: object(shape),
    // No pins by default: `true` alone fails with the backup-pin explanation.
    defaults: { pins: [], maxAge: 2_592_000, includeSubDomains: false },
    compile: (options, ctx, path) => compile(headerName, options, ctx, path),
    compileRaw(value, ctx, path) {
      assertFieldSafe(value, path);
      const parsed = parsePublicKeyPins(value, { reportOnly });
      const p = parsed.problems.find((x) => x.severity === 'error');
      if (p?.code === 'hpkp.pins.backup_missing') {
        throw new BarbicanError('BARBICAN_E_HPKP_PINS', p.message, { path, value });
      }
      if (p !== undefined) {
        throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', p.message, {
          path,
          value,
          offset: p.offset,
          allowed:
            'pin-sha256="<base64>"; pin-sha256="<base64>"; max-age=<seconds>[; includeSubDomains][; report-uri="<url>"]',
        });
      }
      // Run the object form's checks (warnings) on what was parsed; send the raw text.
      const options: PublicKeyPinsOptions = {
        pins: [...parsed.pins],
        maxAge: parsed.maxAge ?? 0,
        includeSubDomains: parsed.includeSubDomains,
      };
      return compile(headerName, options, ctx, path).map((e) => ({ ...e, value }));
    },
  });
}

export const publicKeyPins = defineHpkp('publicKeyPins', 'Public-Key-Pins', false);
export const publicKeyPinsReportOnly = defineHpkp(
  'publicKeyPinsReportOnly',
  'Public-Key-Pins-Report-Only',
  true,
);
