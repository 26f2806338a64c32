/**
 * Import from unrolled/secure: its `secure.Options` as JSON, with the Go
 * field names (`STSSeconds`, `FrameDeny`, …). Function-valued fields
 * (`BadHostHandler`, `SSLHostFunc`, `AllowRequestFunc`) cannot appear in a
 * file and are not read.
 *
 * @see https://github.com/unrolled/secure
 * @module
 */
import { ImportBuilder, SourceReader, type ImportOptions, type ImportResult } from './common.ts';
import { mapUnrolledOptions, type Spelling } from './unrolled-family.ts';

/** unrolled/secure's Go field names. */
export const UNROLLED_SPELLING: Spelling = {
  allowedHosts: 'AllowedHosts',
  allowedHostsAreRegex: 'AllowedHostsAreRegex',
  hostsProxyHeaders: 'HostsProxyHeaders',
  sslRedirect: 'SSLRedirect',
  sslTemporaryRedirect: 'SSLTemporaryRedirect',
  sslHost: 'SSLHost',
  sslForceHost: 'SSLForceHost',
  sslProxyHeaders: 'SSLProxyHeaders',
  stsSeconds: 'STSSeconds',
  stsIncludeSubdomains: 'STSIncludeSubdomains',
  stsPreload: 'STSPreload',
  forceSTSHeader: 'ForceSTSHeader',
  frameDeny: 'FrameDeny',
  customFrameOptionsValue: 'CustomFrameOptionsValue',
  contentTypeNosniff: 'ContentTypeNosniff',
  browserXssFilter: 'BrowserXssFilter',
  customBrowserXssValue: 'CustomBrowserXssValue',
  contentSecurityPolicy: 'ContentSecurityPolicy',
  contentSecurityPolicyReportOnly: 'ContentSecurityPolicyReportOnly',
  publicKey: 'PublicKey',
  referrerPolicy: 'ReferrerPolicy',
  featurePolicy: 'FeaturePolicy',
  permissionsPolicy: 'PermissionsPolicy',
  crossOriginOpenerPolicy: 'CrossOriginOpenerPolicy',
  crossOriginEmbedderPolicy: 'CrossOriginEmbedderPolicy',
  crossOriginResourcePolicy: 'CrossOriginResourcePolicy',
  xDnsPrefetchControl: 'XDNSPrefetchControl',
  xPermittedCrossDomainPolicies: 'XPermittedCrossDomainPolicies',
  expectCTHeader: 'ExpectCTHeader',
  isDevelopment: 'IsDevelopment',
};

/** Converts unrolled/secure Options (JSON, Go field names) into a Barbican config. */
export function importUnrolled(
  doc: Record<string, unknown>,
  opts: ImportOptions = {},
): ImportResult {
  const reader = new SourceReader(doc, '');
  const builder = new ImportBuilder('barbican', opts);
  mapUnrolledOptions(reader, builder, UNROLLED_SPELLING);
  builder.unknownKeys(reader, Object.values(UNROLLED_SPELLING));
  return builder.finish();
}
