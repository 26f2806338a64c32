/**
 * Import from KrakenD: the `security/http` namespace of `extra_config`, or
 * the older `github_com/devopsfaith/krakend-httpsecure` one (same options).
 * Accepts a whole `krakend.json`, its `extra_config`, or the namespace object.
 *
 * @see https://www.krakend.io/docs/service-settings/security/
 * @module
 */
import { isPlainObject } from '@barbican/core/parsers';
import { ImportBuilder, SourceReader, type ImportOptions, type ImportResult } from './common.ts';
import { certificatePair, importGoTls, readGoTls } from './tls.ts';
import { mapUnrolledOptions, type Spelling } from './unrolled-family.ts';
import { BarbicanError } from '../errors.ts';

/** The namespaces KrakenD has used for httpsecure, newest first. */
export const KRAKEND_NAMESPACES = [
  'security/http',
  'github_com/devopsfaith/krakend-httpsecure',
] as const;

/** KrakenD's option names (snake_case) for the unrolled/secure options. */
export const KRAKEND_SPELLING: Spelling = {
  allowedHosts: 'allowed_hosts',
  allowedHostsAreRegex: 'allowed_hosts_are_regex',
  hostsProxyHeaders: 'host_proxy_headers',
  sslRedirect: 'ssl_redirect',
  sslHost: 'ssl_host',
  sslPort: 'ssl_port',
  sslProxyHeaders: 'ssl_proxy_headers',
  stsSeconds: 'sts_seconds',
  stsIncludeSubdomains: 'sts_include_subdomains',
  forceSTSHeader: 'force_sts_header',
  frameDeny: 'frame_deny',
  customFrameOptionsValue: 'custom_frame_options_value',
  contentTypeNosniff: 'content_type_nosniff',
  browserXssFilter: 'browser_xss_filter',
  contentSecurityPolicy: 'content_security_policy',
  referrerPolicy: 'referrer_policy',
  isDevelopment: 'is_development',
};

/** Finds the httpsecure options in a KrakenD document; returns them with their path. */
function locate(doc: Record<string, unknown>): { data: Record<string, unknown>; path: string } {
  const extra = isPlainObject(doc.extra_config) ? doc.extra_config : undefined;
  const base = extra === undefined ? '' : 'extra_config';
  const holder = extra ?? doc;
  const found = KRAKEND_NAMESPACES.filter((ns) => Object.hasOwn(holder, ns));
  if (found.length > 1) {
    throw new BarbicanError('BARBICAN_E_IMPORT', 'both KrakenD security namespaces are present', {
      path: base || '(root)',
      value: found,
      hint: 'KrakenD reads only one; delete the other before importing',
    });
  }
  const ns = found[0];
  if (ns === undefined) {
    // A krakend.json with a TLS block and no security namespace: import the TLS alone.
    if (isPlainObject(doc.tls)) return { data: {}, path: base };
    if (extra !== undefined || 'endpoints' in doc || 'version' in doc) {
      throw new BarbicanError('BARBICAN_E_IMPORT', 'no KrakenD security namespace found', {
        path: base || '(root)',
        allowed: KRAKEND_NAMESPACES.map((n) => JSON.stringify(n)).join(', '),
      });
    }
    return { data: doc, path: '' };
  }
  const value = holder[ns];
  const path = base === '' ? JSON.stringify(ns) : `${base}[${JSON.stringify(ns)}]`;
  if (!isPlainObject(value)) {
    throw new BarbicanError('BARBICAN_E_IMPORT', 'expected an object of options', { path, value });
  }
  return { data: value, path };
}

/** Options KrakenD has that are not response security (or not Barbican's job). */
const NOT_IMPORTED: Record<string, string> = {
  hpkp_public_key:
    'KrakenD documents hpkp_public_key but ignores it (no Public-Key-Pins header is sent), and browsers dropped HPKP; not imported',
};

/** The service-level `tls` options that are not server TLS policy. */
const TLS_NOT_IMPORTED: Record<string, string> = {
  enable_mtls: 'client certificates (mTLS) are not part of a Barbican policy; keep them in KrakenD',
  ca_certs: 'client certificates (mTLS) are not part of a Barbican policy; keep them in KrakenD',
  disable_system_ca_pool:
    'client certificates (mTLS) are not part of a Barbican policy; keep them in KrakenD',
};

const TLS_KEYS = [
  'public_key',
  'private_key',
  'keys',
  'min_version',
  'max_version',
  'cipher_suites',
  'curve_preferences',
  'prefer_server_cipher_suites',
  'disabled',
  ...Object.keys(TLS_NOT_IMPORTED),
];

/**
 * KrakenD's service-level `tls` block (Go crypto/tls: TLS 1.3 only unless
 * `min_version` says otherwise) and httpsecure's `ssl_certificate` /
 * `ssl_private_key` → the policy's `tls` section.
 */
function importTls(doc: Record<string, unknown>, ns: SourceReader, builder: ImportBuilder): void {
  const certificates: { cert: string; key: string }[] = [];
  const fromNs = certificatePair(ns, 'ssl_certificate', 'ssl_private_key', builder);
  if (fromNs !== undefined) certificates.push(fromNs);
  if (!isPlainObject(doc.tls)) {
    if (certificates.length > 0)
      importGoTls({ path: ns.at('ssl_certificate'), certificates }, builder);
    return;
  }
  const r = new SourceReader(doc.tls, 'tls');
  if (r.bool('disabled') === true) {
    builder.lossy(r.at('disabled'), 'TLS is disabled in the source; its settings are not imported');
    return;
  }
  const legacy = certificatePair(r, 'public_key', 'private_key', builder);
  if (legacy !== undefined) certificates.push(legacy);
  for (const key of r.objectList('keys')) {
    const pair = certificatePair(key, 'public_key', 'private_key', builder);
    if (pair !== undefined) certificates.push(pair);
    builder.unknownKeys(key, ['public_key', 'private_key']);
  }
  importGoTls(
    {
      path: 'tls',
      defaultMin: 'TLSv1.3',
      certificates,
      ...readGoTls(r, {
        min: 'min_version',
        max: 'max_version',
        suites: 'cipher_suites',
        curves: 'curve_preferences',
        preferServerCiphers: 'prefer_server_cipher_suites',
      }),
    },
    builder,
  );
  for (const [key, why] of Object.entries(TLS_NOT_IMPORTED)) {
    if (r.has(key)) {
      r.raw(key);
      builder.lossy(r.at(key), why);
    }
  }
  builder.unknownKeys(r, TLS_KEYS);
}

/** Converts KrakenD httpsecure settings (and its service-level TLS) into a Barbican config. */
export function importKrakend(
  doc: Record<string, unknown>,
  opts: ImportOptions = {},
): ImportResult {
  const { data, path } = locate(doc);
  const reader = new SourceReader(data, path);
  const builder = new ImportBuilder('barbican', opts);
  mapUnrolledOptions(reader, builder, KRAKEND_SPELLING);
  importTls(doc, reader, builder);
  for (const [key, why] of Object.entries(NOT_IMPORTED)) {
    if (reader.has(key)) {
      reader.raw(key);
      builder.lossy(reader.at(key), why);
    }
  }
  builder.unknownKeys(reader, [
    ...Object.values(KRAKEND_SPELLING),
    'ssl_certificate',
    'ssl_private_key',
  ]);
  return builder.finish();
}
