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
import { certificatePair, importGoTls, readGoTls } from './tls.ts';
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

/**
 * `http.middlewares` of a dynamic configuration, or undefined when the
 * document is not one. A document that has `http` but no object of
 * middlewares under it is a dynamic configuration gone wrong, not a bare
 * headers object: reading it as headers would import nothing and warn about
 * the wrong keys.
 */
function middlewaresOf(doc: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!('http' in doc)) return undefined;
  const http = doc.http;
  if (!isPlainObject(http)) {
    throw new BarbicanError('BARBICAN_E_IMPORT', 'must be an object (a dynamic configuration)', {
      path: 'http',
      value: http,
    });
  }
  const middlewares = http.middlewares;
  if (!isPlainObject(middlewares)) {
    throw new BarbicanError(
      'BARBICAN_E_IMPORT',
      middlewares === undefined
        ? 'no middlewares in this dynamic configuration'
        : 'must be an object of named middlewares',
      {
        path: 'http.middlewares',
        ...(middlewares === undefined ? {} : { value: middlewares }),
        hint: 'Expected http: { middlewares: { NAME: { headers: { … } } } }',
      },
    );
  }
  return middlewares;
}

function findHeaders(
  doc: Record<string, unknown>,
  wanted: string | undefined,
): { data: Record<string, unknown>; path: string } {
  const middlewares = middlewaresOf(doc);
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

/** TLS options keys that are not server TLS policy, and why. */
const TLS_NOT_IMPORTED: Record<string, string> = {
  clientAuth: 'client certificates (mTLS) are not part of a Barbican policy; keep them in Traefik',
  sniStrict:
    'Barbican has no sniStrict: an unknown SNI name gets the first certificate; keep it in Traefik',
  alpnProtocols: 'ALPN is the server’s choice, not part of a policy; keep it in Traefik',
};

const TLS_OPTION_KEYS = [
  'minVersion',
  'maxVersion',
  'cipherSuites',
  'curvePreferences',
  'preferServerCipherSuites',
  'disableSessionTickets',
  ...Object.keys(TLS_NOT_IMPORTED),
];

/** Picks the TLS options to import: `--tls-options`, else `default`, else the only one. */
function pickOptions(options: SourceReader | undefined, wanted: string | undefined) {
  if (options === undefined) return undefined;
  const names = options.rest();
  const name =
    wanted ?? (names.includes('default') ? 'default' : names.length === 1 ? names[0] : undefined);
  if (name === undefined || !names.includes(name)) {
    throw new BarbicanError('BARBICAN_E_IMPORT', 'choose the TLS options to import', {
      path: options.path,
      ...(wanted === undefined ? {} : { value: wanted }),
      allowed: names.join(', '),
      hint: 'Pass --tls-options NAME',
    });
  }
  for (const other of names.filter((n) => n !== name)) options.raw(other);
  return options.object(name);
}

/**
 * Traefik's dynamic `tls` block (Go crypto/tls, TLS 1.2 minimum by
 * default): one `tls.options` entry, `tls.certificates` and the default
 * store's certificate → the policy's `tls` section.
 */
function importTls(
  tls: Record<string, unknown>,
  opts: ImportOptions,
  builder: ImportBuilder,
): void {
  const r = new SourceReader(tls, 'tls');
  const certificates: { cert: string; key: string }[] = [];
  for (const c of r.objectList('certificates')) {
    const pair = certificatePair(c, 'certFile', 'keyFile', builder);
    if (pair !== undefined) certificates.push(pair);
    c.raw('stores');
    builder.unknownKeys(c, ['certFile', 'keyFile', 'stores']);
  }
  const stores = r.object('stores');
  const store = stores?.object('default');
  const fallback = store?.object('defaultCertificate');
  if (fallback !== undefined) {
    const pair = certificatePair(fallback, 'certFile', 'keyFile', builder);
    if (pair !== undefined) certificates.push(pair);
  }
  if (store !== undefined) builder.unknownKeys(store, ['defaultCertificate']);
  if (stores !== undefined) builder.unknownKeys(stores, ['default']);
  const o = pickOptions(r.object('options'), opts.tlsOptions);
  if (o === undefined) {
    if (certificates.length > 0) importGoTls({ path: 'tls.certificates', certificates }, builder);
    builder.unknownKeys(r, ['certificates', 'stores', 'options']);
    return;
  }
  importGoTls(
    {
      path: o.path,
      defaultMin: 'TLSv1.2',
      certificates,
      ...readGoTls(o, {
        min: 'minVersion',
        max: 'maxVersion',
        suites: 'cipherSuites',
        curves: 'curvePreferences',
        preferServerCiphers: 'preferServerCipherSuites',
      }),
    },
    builder,
  );
  if (o.bool('disableSessionTickets') === false) {
    builder.lossy(
      o.at('disableSessionTickets'),
      'Barbican turns session tickets off by default; set tls.sessionTickets: true to keep them',
    );
  }
  for (const [key, why] of Object.entries(TLS_NOT_IMPORTED)) {
    if (o.has(key)) {
      o.raw(key);
      builder.lossy(o.at(key), why);
    }
  }
  builder.unknownKeys(o, TLS_OPTION_KEYS);
  builder.unknownKeys(r, ['certificates', 'stores', 'options']);
}

/** Converts a Traefik headers middleware (and its dynamic TLS settings) into a Barbican config. */
export function importTraefik(
  doc: Record<string, unknown>,
  opts: ImportOptions = {},
): ImportResult {
  const { tls, ...rest } = doc;
  const hasTls = isPlainObject(tls);
  const { data, path } =
    hasTls && Object.keys(rest).length === 0
      ? { data: {}, path: '' }
      : findHeaders(hasTls ? rest : doc, opts.middleware);
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
  if (hasTls) importTls(tls, opts, builder);
  return builder.finish();
}
