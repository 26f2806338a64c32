/**
 * Building and checking `Public-Key-Pins` (RFC 7469 §2.1) values.
 *
 * The rules that lock users out when broken are enforced before anyone
 * deploys: at least one pin must be live and one a backup (§4.3: a UA notes
 * pins only when the set includes a key *not* in the validated chain), no
 * duplicates, and max-age at most 60 days (§4.1 suggests that cap).
 *
 * Browsers removed HPKP (Chrome 72, Firefox 72); this exists for legacy
 * deployments and non-browser clients that still honour pins.
 *
 * @module
 */
import { isSha256Pin, parsePublicKeyPins } from '@barbican/core/parsers';
import { BarbicanError } from '../errors.ts';

/** 60 days in seconds: RFC 7469 §4.1's suggested upper bound for max-age. */
export const MAX_AGE_CAP = 5_184_000;

/** Default max-age: one day, so a wrong pin set locks users out for hours, not months. */
export const DEFAULT_MAX_AGE = 86_400;

/** Why browsers no longer use HPKP, and what to do instead. Printed with every header. */
export const HPKP_OBSOLETE_NOTE =
  'Public-Key-Pins is obsolete: Chrome 72 and Firefox 72 removed HPKP, and Expect-CT is gone too. ' +
  'Browsers ignore this header; only custom clients honour it. To stop mis-issued certificates, ' +
  'publish CAA DNS records (RFC 8659) naming your CA and monitor Certificate Transparency logs ' +
  '(crt.sh, your CA or CDN alerts) for certificates you did not request.';

/** Options for {@link buildPkpHeader}. */
export interface BuildPkpOptions {
  /** base64 SHA-256 pins, at least two distinct. */
  readonly pins: readonly string[];
  /** Seconds; default {@link DEFAULT_MAX_AGE}. */
  readonly maxAge?: number;
  readonly includeSubDomains?: boolean;
  /** Absolute URI that receives violation reports (RFC 7469 §2.1.4). */
  readonly reportUri?: string;
  /** `Public-Key-Pins-Report-Only`: report, never block (§2.1.5). */
  readonly reportOnly?: boolean;
  /** Allow max-age above 60 days. */
  readonly force?: boolean;
  /** Where each pin came from, for duplicate messages (same index as `pins`). */
  readonly origins?: readonly string[];
}

/** A built header. */
export interface PkpHeader {
  readonly name: 'Public-Key-Pins' | 'Public-Key-Pins-Report-Only';
  readonly value: string;
}

/**
 * Accepts `pin-sha256="…"`, `pin-sha256=…` or a bare base64 pin; returns the
 * bare pin or undefined when the text is not a pin.
 */
export function parsePinArgument(text: string): string | undefined {
  const match = /^pin-sha256=("?)([A-Z0-9+/=]{1,64})\1;?$/i.exec(text.trim());
  const pin = match === null ? text.trim() : (match[2] ?? '');
  return isSha256Pin(pin) ? pin : undefined;
}

/**
 * Builds a Public-Key-Pins header value after checking the pin set.
 *
 * @example
 * ```ts
 * buildPkpHeader({ pins: [livePin, backupPin], maxAge: 86400 }).value
 * // 'pin-sha256="…"; pin-sha256="…"; max-age=86400'
 * ```
 * @throws {BarbicanError} `BARBICAN_E_HPKP_PINS` for fewer than two distinct
 *   pins or a duplicate, `BARBICAN_E_RANGE` for max-age over 60 days without
 *   `force`, `BARBICAN_E_UNSAFE_VALUE`/`BARBICAN_E_TYPE` for a bad report-uri.
 */
export function buildPkpHeader(options: BuildPkpOptions): PkpHeader {
  const { pins } = options;
  const seen = new Map<string, number>();
  pins.forEach((pin, i) => {
    if (!isSha256Pin(pin)) {
      throw new BarbicanError('BARBICAN_E_HPKP_PINS', 'not a pin-sha256 value', {
        path: 'pin',
        value: pin,
        allowed: 'base64 of a 32-byte SHA-256 digest (44 characters ending in "=")',
      });
    }
    const first = seen.get(pin);
    if (first !== undefined) {
      const a = options.origins?.[first] ?? `pin ${first + 1}`;
      const b = options.origins?.[i] ?? `pin ${i + 1}`;
      throw new BarbicanError('BARBICAN_E_HPKP_PINS', 'duplicate pin', {
        path: 'pin',
        value: pin,
        hint: `${a} and ${b} are the same key; a duplicate is not a backup`,
      });
    }
    seen.set(pin, i);
  });
  if (seen.size < 2) {
    throw new BarbicanError('BARBICAN_E_HPKP_PINS', 'a pin set needs a backup pin', {
      path: 'pin',
      value: pins.length,
      allowed:
        'at least two distinct pins: one for the key in use, one for a spare key kept offline',
      hint: 'RFC 7469 §4.3: browsers ignore a pin set without a backup. Generate a spare key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256) and pin it too',
    });
  }
  const maxAge = options.maxAge ?? DEFAULT_MAX_AGE;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new BarbicanError('BARBICAN_E_RANGE', 'max-age must be a whole number of seconds', {
      path: '--max-age',
      value: maxAge,
      allowed: `0 to ${MAX_AGE_CAP}`,
    });
  }
  if (maxAge > MAX_AGE_CAP && options.force !== true) {
    throw new BarbicanError('BARBICAN_E_RANGE', 'max-age is over 60 days', {
      path: '--max-age',
      value: maxAge,
      allowed: `0 to ${MAX_AGE_CAP} (60 days, RFC 7469 §4.1)`,
      hint: 'A wrong pin locks visitors out for the whole max-age; pass --force if you mean it',
    });
  }
  const parts = [...seen.keys()].map((p) => `pin-sha256="${p}"`);
  parts.push(`max-age=${maxAge}`);
  if (options.includeSubDomains === true) parts.push('includeSubDomains');
  if (options.reportUri !== undefined)
    parts.push(`report-uri="${checkReportUri(options.reportUri)}"`);
  return {
    name: options.reportOnly === true ? 'Public-Key-Pins-Report-Only' : 'Public-Key-Pins',
    value: parts.join('; '),
  };
}

/** report-uri is a quoted-string holding an absolute URI (RFC 7469 §2.1.4). */
function checkReportUri(uri: string): string {
  // Visible ASCII only, and no quote or backslash: they would end or escape the quoted-string.
  const bad = /[^\x21-\x7e]|["\\]/.exec(uri);
  if (bad !== null) {
    throw new BarbicanError(
      'BARBICAN_E_UNSAFE_VALUE',
      'report-uri contains a character that cannot be sent',
      {
        path: '--report-uri',
        value: uri,
        offset: bad.index,
        allowed: 'an absolute URI of visible ASCII, without quotes or backslashes',
      },
    );
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new BarbicanError('BARBICAN_E_TYPE', 'report-uri must be an absolute URI', {
      path: '--report-uri',
      value: uri,
      allowed: 'https://reports.example/hpkp',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BarbicanError('BARBICAN_E_TYPE', 'report-uri must be an http(s) URI', {
      path: '--report-uri',
      value: uri,
    });
  }
  return uri;
}

/** A header value taken apart (RFC 7469 §2.1 grammar, HSTS-style directives). */
export interface ParsedPkp {
  /** `pin-sha256` values in order, as written (may be malformed). */
  readonly pins: readonly { readonly value: string; readonly valid: boolean }[];
  readonly maxAge: number | undefined;
  readonly includeSubDomains: boolean;
  readonly reportUri: string | undefined;
  /** Problems that make a UA ignore the header (§2.1: the whole field is invalid). */
  readonly errors: readonly string[];
}

/**
 * Core problems `barbican pin` leaves to its own checks: a malformed pin
 * becomes a `malformed` verdict, a missing backup is judged against the
 * served chain by {@link checkPins}, and the rest are warnings (a UA still
 * notes the header).
 */
const LEFT_TO_CHECK_PINS = new Set([
  'hpkp.pin.invalid',
  'hpkp.pins.backup_missing',
  'hpkp.pin.algorithm',
  'hpkp.pin.duplicate',
  'hpkp.directive.unknown',
]);

/**
 * Parses a `Public-Key-Pins` value with core's RFC 7469 parser
 * ({@link parsePublicKeyPins}); a leading `Public-Key-Pins:` name is
 * tolerated so a pasted header line works. Unlike core, every `pin-sha256`
 * is kept as written (malformed and repeated ones too), because `--check`
 * reports each pin. Never throws.
 */
export function parsePkpValue(input: string): ParsedPkp {
  const value = input.replace(/^\s*public-key-pins(?:-report-only)?\s*:/i, '');
  const parsed = parsePublicKeyPins(value);
  const at = new Map(parsed.directives.map((d) => [d.offset, d]));
  const badPins = new Set<number>();
  const errors: string[] = [];
  for (const p of parsed.problems) {
    if (p.code === 'hpkp.pin.unquoted' || p.code === 'hpkp.pin.invalid') badPins.add(p.offset);
    if (LEFT_TO_CHECK_PINS.has(p.code)) continue;
    errors.push(
      p.code === 'hpkp.pin.unquoted'
        ? `pin-sha256 at byte ${p.offset} is not quoted`
        : p.code === 'hpkp.directive.repeated'
          ? `directive ${at.get(p.offset)?.name ?? ''} appears more than once (at byte ${p.offset})`
          : p.code === 'hpkp.max_age.missing'
            ? 'max-age is missing (RFC 7469 §2.1.2 requires it)'
            : `${p.message} (at byte ${p.offset})`,
    );
  }
  const pins = parsed.directives
    .filter((d) => d.name === 'pin-sha256')
    .map((d) => ({ value: d.value ?? '', valid: !badPins.has(d.offset) }));
  return {
    pins,
    maxAge: parsed.maxAge,
    includeSubDomains: parsed.includeSubDomains,
    reportUri: parsed.reportUri,
    errors,
  };
}

/** How one pin of a header relates to the served chain. */
export interface PinVerdict {
  readonly pin: string;
  readonly status: 'live' | 'backup' | 'malformed' | 'duplicate';
  /** For live pins: which certificate of the chain it matches (`leaf CN=…`). */
  readonly matches?: string;
}

/** The outcome of checking a header against a chain. */
export interface PinCheck {
  readonly verdicts: readonly PinVerdict[];
  /** Problems a UA would reject the header for, or that lock users out. */
  readonly problems: readonly string[];
  /** True when at least one pin is live, one is a backup, and the header parses. */
  readonly ok: boolean;
}

/**
 * Labels each pin of a header live (in the served chain), backup (not in it)
 * or malformed, and lists what would make a browser ignore the header or lock
 * users out.
 */
export function checkPins(
  header: ParsedPkp,
  chain: readonly { readonly pin: string; readonly label: string }[],
): PinCheck {
  const verdicts: PinVerdict[] = [];
  const problems = [...header.errors];
  const seen = new Set<string>();
  for (const { value, valid } of header.pins) {
    if (!valid) {
      verdicts.push({ pin: value, status: 'malformed' });
      continue;
    }
    if (seen.has(value)) {
      verdicts.push({ pin: value, status: 'duplicate' });
      continue;
    }
    seen.add(value);
    const match = chain.find((c) => c.pin === value);
    verdicts.push(
      match === undefined
        ? { pin: value, status: 'backup' }
        : { pin: value, status: 'live', matches: match.label },
    );
  }
  const live = verdicts.filter((v) => v.status === 'live').length;
  const backup = verdicts.filter((v) => v.status === 'backup').length;
  if (live === 0)
    problems.push(
      'no pin matches the served chain: clients that honour this header would refuse to connect',
    );
  if (backup === 0)
    problems.push('no backup pin: RFC 7469 §4.3 makes clients ignore a pin set without one');
  if (verdicts.some((v) => v.status === 'duplicate')) problems.push('duplicate pins');
  if (verdicts.some((v) => v.status === 'malformed'))
    problems.push('malformed pins (a pin is the quoted base64 of 32 bytes)');
  if (header.maxAge === 0) problems.push('max-age=0 removes the pins instead of setting them');
  if (header.maxAge !== undefined && header.maxAge > MAX_AGE_CAP)
    problems.push(`max-age ${header.maxAge} is over 60 days (RFC 7469 §4.1)`);
  return { verdicts, problems, ok: problems.length === 0 };
}
