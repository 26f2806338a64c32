/**
 * HTTP Public Key Pinning: obsolete everywhere, and checked against the chain
 * the server actually serves (no live pin, no backup pin).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7469
 * @module
 */
import { parsePublicKeyPins } from '@barbican/core/parsers';
import { headerValues, type CapturedResponse, type Finding, type Severity } from '../model.ts';
import type { TlsReport } from '../tls/types.ts';
import { finding } from './finding.ts';

/** The reviewer's HPKP findings for one response, checked against the TLS chain. */
export function hpkpFindings(res: CapturedResponse, tls: TlsReport | undefined): Finding[] {
  const out: Finding[] = [];
  for (const [name, reportOnly] of [
    ['public-key-pins', false],
    ['public-key-pins-report-only', true],
  ] as const) {
    const value = headerValues(res, name)[0];
    if (value === undefined) continue;
    out.push(
      finding(
        'hpkp.obsolete',
        name,
        `${name} is obsolete: Chrome and Firefox removed HPKP in version 72, and a wrong pin once locked users out for months.`,
        `Remove ${name}; use Certificate Transparency monitoring and CAA records instead.`,
        { value },
      ),
    );
    const parsed = parsePublicKeyPins(value, { reportOnly });
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error !== undefined)
      out.push(
        finding(
          'hpkp.invalid',
          name,
          `${name} is invalid: ${error.message}.`,
          `Remove the header, or fix it: ${name}: pin-sha256="<live key>"; pin-sha256="<backup key>"; max-age=5184000`,
          { value },
        ),
      );
    if (tls === undefined || tls.chain.length === 0 || parsed.pins.length === 0) continue;
    const served = new Set(tls.chain.map((c) => c.spkiSha256));
    const live = parsed.pins.filter((p) => served.has(p));
    const backup = parsed.pins.filter((p) => !served.has(p));
    // Enforced pins that fail would lock users out of a browser still honouring them.
    const severity: Severity = reportOnly ? 'low' : 'medium';
    if (live.length === 0)
      out.push(
        finding(
          'hpkp.no_live_pin',
          name,
          `None of the ${parsed.pins.length} pin(s) matches a key in the served chain (${tls.chain.length} certificate(s); a pinned root that the server does not send cannot be checked here).`,
          'Pin the SPKI SHA-256 of the leaf or an intermediate you serve (openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64) — or remove the header.',
          { severity, value },
        ),
      );
    else if (backup.length === 0)
      out.push(
        finding(
          'hpkp.no_backup_pin',
          name,
          'Every pin matches a key in the served chain: without a backup pin for a key kept offline, losing or rotating the key bricks the site (RFC 7469 §4.3 makes browsers ignore such a set).',
          'Add a pin-sha256 for a spare key kept offline — or remove the header.',
          { severity, value },
        ),
      );
  }
  return out;
}
