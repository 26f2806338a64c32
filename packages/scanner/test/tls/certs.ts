/**
 * Test certificates: the malformed one fuzzing first found (a notAfter
 * whose month is 99), made from a throw-away CA's leaf. Shared by the
 * scanner's tests and the CLI's (pin fuzzing, robustness, scan and pin
 * against a TLS server serving it).
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { createThrowawayCa } from '../../src/tls/ca.ts';

/** A copy of DER `certificate` with the month of its second UTCTime (notAfter) set to 99. */
export function withMonth99(certificate: Buffer): Buffer {
  const out = Buffer.from(certificate);
  const first = out.indexOf(Buffer.from([0x17, 0x0d]));
  const second = out.indexOf(Buffer.from([0x17, 0x0d]), first + 2);
  if (second < 0) throw new Error('no UTCTime notAfter');
  out.write('99', second + 4, 'latin1');
  return out;
}

/** PEM armour for a DER certificate. */
export function certificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** A leaf for 127.0.0.1 with a month-99 notAfter, and its key: a TLS server can serve it. */
export function month99Leaf(): { cert: string; key: string; der: Buffer; goodDer: Buffer } {
  const leaf = createThrowawayCa('Month 99 Root').issue({ names: ['127.0.0.1'] });
  const goodDer = Buffer.from(new X509Certificate(leaf.cert).raw);
  const der = withMonth99(goodDer);
  return { cert: certificatePem(der), key: leaf.key, der, goodDer };
}
