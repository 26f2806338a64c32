/**
 * Builds {@link Retrieval}s from compact site descriptions kept as JSON data
 * (`cases.json`, `corpus.json`), so fixtures stay data and the tests read
 * like the rules they check.
 */
import type { CapturedResponse, Retrieval } from '../../src/model.ts';

/** A header list as data: `[name, value]` pairs, names in any case. */
export type HeaderList = [string, string][];

/** One hop of a chain as data. */
export interface HopSpec {
  url: string;
  status: number;
  headers?: HeaderList;
  verified?: boolean;
  body?: string;
}

/** A site configuration as data. Defaults make the common case short. */
export interface SiteSpec {
  name: string;
  /** Host asked for; default `example.com`. */
  host?: string;
  /** Headers of the final response (HTTPS, and the end of the HTTP chain). */
  headers?: HeaderList;
  /** Leave out the default `Content-Type: text/html; charset=utf-8`. */
  noContentType?: boolean;
  body?: string;
  status?: number;
  /** Certificate verification of every HTTPS response; default true. */
  verified?: boolean;
  /** `false`: no HTTP answer. A list: the whole HTTP chain (the last hop gets `headers`/`body` unless it has its own). */
  http?: false | HopSpec[];
  /** `false`: no HTTPS answer. A list: the whole HTTPS chain. */
  https?: false | HopSpec[];
  /** Headers of the CORS probe response; absent = no CORS response. */
  cors?: HeaderList;
  /** Hosts on the (injected) HSTS preload list. */
  preloaded?: string[];
  /** Expected result code per Observatory test name. */
  expect?: Record<string, string>;
  /** Expected results of the spec-faithful variant. */
  expectSpec?: Record<string, string>;
  /** Expected grade and score. */
  grade?: string;
  score?: number;
}

function finalHeaders(s: SiteSpec): [string, string][] {
  const h = s.headers ?? [];
  const hasType = h.some(([n]) => n.toLowerCase() === 'content-type');
  return s.noContentType === true || hasType
    ? h.map(([n, v]) => [n.toLowerCase(), v])
    : [
        ['content-type', 'text/html; charset=utf-8'],
        ...h.map(([n, v]): [string, string] => [n.toLowerCase(), v]),
      ];
}

function hop(s: SiteSpec, h: HopSpec, last: boolean): CapturedResponse {
  const https = h.url.startsWith('https:');
  const headers =
    h.headers !== undefined
      ? h.headers.map(([n, v]): [string, string] => [n.toLowerCase(), v])
      : last
        ? finalHeaders(s)
        : [];
  const body = h.body ?? (last ? s.body : undefined);
  const verified = h.verified ?? s.verified ?? true;
  return {
    url: h.url,
    status: h.status,
    headers,
    ...(https ? { verified } : {}),
    ...(body !== undefined ? { body } : {}),
  };
}

/** The retrieval a site spec describes. */
export function retrievalOf(s: SiteSpec): Retrieval {
  const host = s.host ?? 'example.com';
  const status = s.status ?? 200;
  const httpHops: HopSpec[] =
    s.http === false
      ? []
      : (s.http ?? [
          { url: `http://${host}/`, status: 301, headers: [['location', `https://${host}/`]] },
          { url: `https://${host}/`, status },
        ]);
  const httpsHops: HopSpec[] =
    s.https === false ? [] : (s.https ?? [{ url: `https://${host}/`, status }]);
  const chain = (hops: HopSpec[]) => ({
    responses: hops.map((h, i) => hop(s, h, i === hops.length - 1)),
  });
  const corsUrl =
    httpsHops[httpsHops.length - 1]?.url ??
    httpHops[httpHops.length - 1]?.url ??
    `https://${host}/`;
  return {
    url: `https://${host}/`,
    http: chain(httpHops),
    https: chain(httpsHops),
    ...(s.cors !== undefined
      ? {
          cors: {
            url: corsUrl,
            status: 200,
            headers: s.cors.map(([n, v]): [string, string] => [n.toLowerCase(), v]),
          },
        }
      : {}),
  };
}

/** An HSTS preload lookup over a fixed host list. */
export function preloadLookup(s: SiteSpec): (host: string) => boolean {
  const hosts = new Set(s.preloaded ?? []);
  return (host) => hosts.has(host);
}
