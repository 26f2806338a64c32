/**
 * Import from Traefik's `headers` middleware (dynamic configuration, YAML
 * or JSON). Accepts a whole dynamic config (`http.middlewares.<name>.headers`),
 * one middleware (`{ headers: {…} }`) or the bare headers object.
 *
 * @see https://doc.traefik.io/traefik/middlewares/http/headers/
 * @module
 */
import { isPlainObject } from '@barbican/core/parsers';
import { ImportBuilder, SourceReader, type ImportOptions, type ImportResult } from './common.ts';
import { mapUnrolledOptions, type Spelling } from './unrolled-family.ts';
import { BarbicanError } from '../errors.ts';

/** Traefik's option names (camelCase) for the unrolled/secure options. */
export const TRAEFIK_SPELLING: Spelling = {
  allowedHosts: 'allowedHosts',
  hostsProxyHeaders: 'hostsProxyHeaders',
  sslRedirect: 'sslRedirect',
  sslTemporaryRedirect: 'sslTemporaryRedirect',
  sslHost: 'sslHost',
  sslForceHost: 'sslForceHost',
  sslProxyHeaders: 'sslProxyHeaders',
  stsSeconds: 'stsSeconds',
  stsIncludeSubdomains: 'stsIncludeSubdomains',
  stsPreload: 'stsPreload',
  forceSTSHeader: 'forceSTSHeader',
  frameDeny: 'frameDeny',
  customFrameOptionsValue: 'customFrameOptionsValue',
  contentTypeNosniff: 'contentTypeNosniff',
  browserXssFilter: 'browserXssFilter',
  customBrowserXssValue: 'customBrowserXSSValue',
  contentSecurityPolicy: 'contentSecurityPolicy',
  contentSecurityPolicyReportOnly: 'contentSecurityPolicyReportOnly',
  publicKey: 'publicKey',
  referrerPolicy: 'referrerPolicy',
  featurePolicy: 'featurePolicy',
  permissionsPolicy: 'permissionsPolicy',
  isDevelopment: 'isDevelopment',
};

/** CORS and request-header options: not response security, so not imported. */
const NOT_SECURITY = [
  'customRequestHeaders',
  'accessControlAllowCredentials',
  'accessControlAllowHeaders',
  'accessControlAllowMethods',
  'accessControlAllowOriginList',
  'accessControlAllowOriginListRegex',
  'accessControlExposeHeaders',
  'accessControlMaxAge',
  'addVaryHeader',
] as const;

function findHeaders(
  doc: Record<string, unknown>,
  wanted: string | undefined,
): { data: Record<string, unknown>; path: string } {
  const http = isPlainObject(doc.http) ? doc.http : undefined;
  const middlewares = isPlainObject(http?.middlewares) ? http.middlewares : undefined;
  if (middlewares !== undefined) {
    const names = Object.keys(middlewares).filter((n) => {
      const m = middlewares[n];
      return isPlainObject(m) && isPlainObject(m.headers);
    });
    const name = wanted ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined || !names.includes(name)) {
      throw new BarbicanError(
        'BARBICAN_E_IMPORT',
        names.length === 0 ? 'no headers middleware found' : 'choose a headers middleware',
        {
          path: 'http.middlewares',
          ...(wanted === undefined ? {} : { value: wanted }),
          ...(names.length === 0 ? {} : { allowed: names.join(', ') }),
          ...(names.length > 1 ? { hint: 'Pass --middleware NAME' } : {}),
        },
      );
    }
    const mw = middlewares[name] as Record<string, unknown>;
    return {
      data: mw.headers as Record<string, unknown>,
      path: `http.middlewares.${name}.headers`,
    };
  }
  if (isPlainObject(doc.headers) && Object.keys(doc).length === 1) {
    return { data: doc.headers, path: 'headers' };
  }
  return { data: doc, path: '' };
}

/** Converts a Traefik headers middleware into a Barbican config. */
export function importTraefik(
  doc: Record<string, unknown>,
  opts: ImportOptions = {},
): ImportResult {
  const { data, path } = findHeaders(doc, opts.middleware);
  const reader = new SourceReader(data, path);
  const builder = new ImportBuilder('barbican', opts);
  mapUnrolledOptions(reader, builder, TRAEFIK_SPELLING);
  if (reader.has('sslRedirect')) {
    builder.lossy(
      reader.at('sslRedirect'),
      'Traefik v3 no longer acts on sslRedirect (it points to the RedirectScheme middleware); Barbican will redirect',
    );
  }
  const custom = reader.stringMap('customResponseHeaders') ?? [];
  custom.forEach(([name, value]) => {
    const from = `${reader.at('customResponseHeaders')}.${name}`;
    if (name.toLowerCase() === 'server') {
      // Traefik: an empty value deletes the header.
      builder.header('server', value === '' ? true : value, from);
    } else if (value === '') {
      builder.remove(name);
    } else if (!builder.headerByName(name, value, from)) {
      builder.lossy(
        from,
        'Barbican sets security headers only; set this header in your application or keep it in Traefik',
      );
    }
  });
  for (const key of NOT_SECURITY) {
    if (reader.has(key)) {
      reader.raw(key);
      builder.lossy(
        reader.at(key),
        'CORS and request headers are not part of a Barbican policy; keep them in Traefik',
      );
    }
  }
  builder.unknownKeys(reader, [
    ...Object.values(TRAEFIK_SPELLING),
    'customResponseHeaders',
    ...NOT_SECURITY,
  ]);
  return builder.finish();
}
