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
import { isSha256Pin, parsePublicKeyPins } from './parse.ts';

export { isSha256Pin, parsePublicKeyPins } from './parse.ts';
export type { PublicKeyPinsParseResult } from './parse.ts';

/** 60 days: RFC 7469 §4.1 suggests no longer, so a mistake expires in reasonable time. */
export const HPKP_MAX_SUGGESTED_AGE = 5_184_000;

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
