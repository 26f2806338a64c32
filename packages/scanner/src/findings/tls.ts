/**
 * TLS: old protocol versions, weak cipher suites, an unverifiable chain, an
 * expired or expiring certificate, weak keys and signatures.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9325
 * @module
 */
import type { Finding } from '../model.ts';
import type { TlsCertificate, TlsReport } from '../tls/types.ts';
import { finding, MAX_PER_CHECK } from './finding.ts';

/** What OpenSSL's verify error codes mean for a site owner. */
const VERIFY_REASONS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the server clock)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed root that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'the server does not send the intermediate certificate(s) needed to reach a trusted root',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'the issuer is unknown: a missing intermediate or a private CA (use --ca)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is not valid for this host name',
  HOSTNAME_MISMATCH: 'the certificate is not valid for this host name',
  CERT_REVOKED: 'the certificate has been revoked',
  ERROR_IN_CERT_NOT_AFTER_FIELD: "the certificate's notAfter date is malformed",
  ERROR_IN_CERT_NOT_BEFORE_FIELD: "the certificate's notBefore date is malformed",
};

/** Suites with no real security left, by OpenSSL/IANA name fragments. */
const BROKEN_CIPHER =
  /NULL|EXP|anon|ADH|AECDH|RC4|RC2|IDEA|(?:^|[-_])DES[-_]|3DES|DES-CBC3|SEED|MD5/i;

function cipherClass(name: string): 'broken' | 'no-fs' | 'cbc' | undefined {
  if (BROKEN_CIPHER.test(name)) return 'broken';
  // TLS 1.3 suites (TLS_AES_*, TLS_CHACHA20_*) always use ephemeral keys.
  const tls13 = /^TLS_(?:AES|CHACHA20)_/i.test(name);
  if (!tls13 && !/ECDHE|DHE|EDH/i.test(name)) return 'no-fs';
  if (/CBC|AES(?:128|256)?-SHA|CAMELLIA/i.test(name) && !/GCM|CCM|POLY1305/i.test(name))
    return 'cbc';
  return undefined;
}

/** The reviewer's TLS findings for one probed host. */
export function tlsFindings(tls: TlsReport, insecure: boolean): Finding[] {
  const where = `${tls.host}:${tls.port}`;
  return [
    ...protocolFindings(tls, where),
    ...cipherFindings(tls, where),
    ...verifyFindings(tls, where, insecure),
    ...expiryFindings(tls, where),
    ...certificateFindings(tls),
  ];
}

/** TLS 1.0 and 1.1 accepted, TLS 1.3 not offered. */
function protocolFindings(tls: TlsReport, where: string): Finding[] {
  const out: Finding[] = [];
  if (tls.protocols.TLSv1)
    out.push(
      finding(
        'tls.protocol.tls1',
        'tls',
        `${where} accepts TLS 1.0 (BEAST, no AEAD ciphers, SHA-1 handshake MACs).`,
        'Offer only TLS 1.2 and 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; Node: minVersion: "TLSv1.2").',
      ),
    );
  if (tls.protocols['TLSv1.1'])
    out.push(
      finding(
        'tls.protocol.tls1_1',
        'tls',
        `${where} accepts TLS 1.1, deprecated since 2021.`,
        'Offer only TLS 1.2 and 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; Node: minVersion: "TLSv1.2").',
      ),
    );
  if (!tls.protocols['TLSv1.3'] && (tls.protocols['TLSv1.2'] || tls.negotiated.protocol !== ''))
    out.push(
      finding(
        'tls.protocol.no-tls1_3',
        'tls',
        `${where} does not offer TLS 1.3 (faster handshakes, only forward-secret AEAD suites).`,
        'Enable TLS 1.3 (OpenSSL 1.1.1+; nginx: ssl_protocols TLSv1.2 TLSv1.3).',
      ),
    );
  return out;
}

/** Broken, non-forward-secret and CBC suites among those accepted or negotiated. */
function cipherFindings(tls: TlsReport, where: string): Finding[] {
  const out: Finding[] = [];
  const ciphers = [...tls.weakCiphersAccepted];
  if (tls.negotiated.protocol !== 'TLSv1.3' && tls.negotiated.cipher !== '')
    ciphers.push(tls.negotiated.cipher);
  const seen = new Set<string>();
  for (const c of ciphers.slice(0, MAX_PER_CHECK)) {
    if (seen.has(c)) continue;
    seen.add(c);
    const cls = cipherClass(c);
    const fix =
      'Allow only ECDHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2 (e.g. Mozilla\'s "intermediate" configuration) plus TLS 1.3.';
    if (cls === 'broken')
      out.push(
        finding('tls.cipher.broken', 'tls', `${where} accepts ${c}, a broken cipher suite.`, fix, {
          value: c,
        }),
      );
    else if (cls === 'no-fs')
      out.push(
        finding(
          'tls.cipher.no-forward-secrecy',
          'tls',
          `${where} accepts ${c}: with static RSA key exchange, whoever later gets the private key decrypts recorded traffic.`,
          fix,
          { value: c },
        ),
      );
    else if (cls === 'cbc')
      out.push(
        finding(
          'tls.cipher.cbc',
          'tls',
          `${where} accepts ${c}, a CBC-mode suite (Lucky13 and padding-oracle history).`,
          fix,
          { value: c },
        ),
      );
  }
  return out;
}

/** A chain that does not verify, with OpenSSL's reason in plain words. */
function verifyFindings(tls: TlsReport, where: string, insecure: boolean): Finding[] {
  const out: Finding[] = [];
  if (!tls.verified) {
    const code = tls.verifyError ?? '';
    const reason = VERIFY_REASONS[code] ?? (code === '' ? 'verification failed' : code);
    out.push(
      finding(
        'tls.chain.unverified',
        'tls',
        `The certificate chain of ${where} does not verify: ${reason}${code !== '' && reason !== code ? ` (${code})` : ''}.${insecure ? ' The scan ran with --insecure.' : ''} Browsers show a full-page error.`,
        'Serve the leaf and all intermediates, from a publicly trusted CA, valid for this host name and in date (a private CA: pass it with --ca).',
        { ...(code === '' ? {} : { value: code }) },
      ),
    );
  }
  return out;
}

/** The leaf certificate expired, expiring within 30 days, or with a malformed date. */
function expiryFindings(tls: TlsReport, where: string): Finding[] {
  const out: Finding[] = [];
  const leaf = tls.chain[0];
  const malformed = tls.chain.find((c) => c.notAfter === null || c.notBefore === null);
  if (malformed !== undefined) {
    const field = malformed.notAfter === null ? 'notAfter' : 'notBefore';
    out.push(
      finding(
        'tls.cert.invalid-date',
        'tls',
        `${malformed.subject} (served by ${where}) has a ${field} that is not a valid date, so the certificate is malformed and every browser rejects it.`,
        'Reissue the certificate; the CA or tool that produced it wrote an invalid validity date.',
        { value: field },
      ),
    );
  }
  const notAfter = leaf?.notAfter ?? null;
  if (notAfter !== null && tls.daysToExpiry !== null) {
    if (tls.daysToExpiry < 0)
      out.push(
        finding(
          'tls.cert.expired',
          'tls',
          `The certificate for ${where} expired on ${notAfter}.`,
          'Renew the certificate now, and automate renewal (ACME) with monitoring.',
          { value: notAfter },
        ),
      );
    else if (tls.daysToExpiry <= 30)
      out.push(
        finding(
          'tls.cert.expiring',
          'tls',
          `The certificate for ${where} expires in ${tls.daysToExpiry} day(s) (${notAfter}).`,
          'Renew now, and automate renewal (ACME renews 30 days ahead).',
          { value: notAfter },
        ),
      );
  }
  return out;
}

/** Weak keys and weak signatures anywhere in the served chain. */
function certificateFindings(tls: TlsReport): Finding[] {
  const out: Finding[] = [];
  for (const cert of tls.chain.slice(0, 10)) {
    const weak = weakKey(cert);
    if (weak !== undefined)
      out.push(
        finding(
          'tls.key.weak',
          'tls',
          `${cert.subject} has a ${weak} key, within reach of well-funded attackers.`,
          'Reissue with an RSA 2048-bit (or larger) key or an EC P-256 key.',
          { value: weak },
        ),
      );
    // A root's self-signature is never checked by clients; skip it.
    if (!cert.selfSigned && /sha-?1|md5/i.test(cert.signatureAlgorithm))
      out.push(
        finding(
          'tls.signature.weak',
          'tls',
          `${cert.subject} is signed with ${cert.signatureAlgorithm}; collisions make such signatures forgeable.`,
          'Reissue the certificate with a SHA-256 (or stronger) signature.',
          { value: cert.signatureAlgorithm },
        ),
      );
  }
  return out;
}

function weakKey(cert: TlsCertificate): string | undefined {
  const type = cert.keyType.toLowerCase();
  if ((type === 'rsa' || type === 'rsa-pss' || type === 'dsa') && cert.keyBits < 2048)
    return `${cert.keyBits}-bit ${type.toUpperCase()}`;
  if (type === 'ec' && cert.keyBits < 256) return `${cert.keyBits}-bit EC`;
  return undefined;
}
