/**
 * Certificate reports from the legacy pinning and CT mechanisms: HPKP
 * (RFC 7469 §3, a bare JSON object) and Expect-CT (RFC 9163 §3.1, wrapped in
 * `{"expect-ct-report": {…}}`). Browsers removed both, but old clients and
 * other user agents still send them, and guides such as SME Server's
 * HSTS/HPKP how-to still point HPKP at a report service.
 *
 * The chains are not stored (they are large and the same for every
 * report); the served chain's SPKI pins are, because "which key did the
 * client see" is the question a pin failure raises.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7469#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9163#section-3.1
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { DetailValue } from '../model.ts';
import { flag, integer, MAX, text } from './fields.ts';
import { reportFields, type BodyReader, type ReportFields } from './types.ts';

/** At most this many certificates of a chain are read, each at most this long. */
const MAX_CHAIN = 8;
const MAX_PEM = 16 * 1024;
const HOSTNAME = /^[a-z0-9.-]{1,253}$/i;

/** The SPKI SHA-256 pins of a chain, comma-separated (unreadable certificates are skipped). */
function chainPins(chain: unknown): string | null {
  if (!Array.isArray(chain)) return null;
  const pins: string[] = [];
  for (const pem of chain.slice(0, MAX_CHAIN)) {
    if (typeof pem !== 'string' || pem.length > MAX_PEM) continue;
    try {
      const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
      pins.push(createHash('sha256').update(spki).digest('base64'));
    } catch {
      // Not a certificate: the report is still about the host, so keep it.
    }
  }
  return pins.length === 0 ? null : pins.join(',');
}

function joinStrings(list: unknown, max: number): string | null {
  if (!Array.isArray(list)) return null;
  const items = list.slice(0, MAX_CHAIN * 2).map((x) => text(x, MAX.short));
  return text(items.filter((x) => x !== null).join(','), max);
}

/** The fields both certificate reports share: the host, its port, and the chains' pins. */
function hostReport(
  body: Record<string, unknown>,
  extra: Record<string, DetailValue>,
): ReportFields | string {
  const hostname = text(body['hostname'], 253);
  if (hostname === null || !HOSTNAME.test(hostname))
    return '"hostname" is missing or not a host name';
  const host = hostname.toLowerCase();
  const port = integer(body['port'], 1, 65535);
  const authority = port === null || port === 443 ? host : `${host}:${port}`;
  const details: Record<string, DetailValue> = {
    servedPins: chainPins(body['served-certificate-chain']),
    validatedPins: chainPins(body['validated-certificate-chain']),
    effectiveExpirationDate: text(body['effective-expiration-date'], MAX.short),
    ...extra,
  };
  return reportFields({
    url: `https://${authority}/`,
    blockedHost: authority,
    details: Object.fromEntries(Object.entries(details).filter(([, v]) => v !== null)),
  });
}

/** Reads an RFC 7469 pin validation failure report. */
export const readHpkp: BodyReader = (body) =>
  hostReport(body, {
    notedHostname: text(body['noted-hostname'], 253),
    includeSubdomains: flag(body['include-subdomains']),
    knownPins: joinStrings(body['known-pins'], MAX.text),
  });

const SCT_STATUSES = ['unknown', 'valid', 'invalid'] as const;

/** Counts SCTs by status: `valid:2,invalid:1`. */
function sctSummary(scts: unknown): string | null {
  if (!Array.isArray(scts)) return null;
  const counts = new Map<string, number>();
  for (const sct of scts.slice(0, 64)) {
    const status: unknown =
      typeof sct === 'object' && sct !== null ? Reflect.get(sct, 'status') : undefined;
    const key = SCT_STATUSES.find((s) => s === status) ?? 'other';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}:${n}`).join(',') || null;
}

/** Reads the inside of an RFC 9163 `{"expect-ct-report": {…}}` body. */
export const readExpectCt: BodyReader = (body) =>
  hostReport(body, {
    scheduledExpiry: text(body['scheduled-expiry'], MAX.short),
    scts: sctSummary(body['scts']),
  });
