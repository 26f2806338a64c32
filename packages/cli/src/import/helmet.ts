/**
 * Import from helmet 8: its options object as JSON or YAML, or found in a
 * JavaScript module without running it (`helmet-module.ts`). Legacy aliases (`hsts`, `frameguard`, `noSniff`, …) are read
 * too; giving both names is an error, as in helmet.
 *
 * Helmet turns most headers on by default, so the result starts from the
 * `helmet` preset and records only what the options change.
 *
 * @see https://helmetjs.github.io/
 * @module
 */
import { PRESETS } from '@barbican/core';
import { isPlainObject } from '@barbican/core/parsers';
import {
  ImportBuilder,
  keyForHeader,
  SourceReader,
  type ImportOptions,
  type ImportResult,
} from './common.ts';
import { BarbicanError } from '../errors.ts';

/** helmet 8 option names and their legacy aliases. */
export const HELMET_OPTIONS: readonly (readonly [string, string?])[] = [
  ['contentSecurityPolicy'],
  ['crossOriginEmbedderPolicy'],
  ['crossOriginOpenerPolicy'],
  ['crossOriginResourcePolicy'],
  ['originAgentCluster'],
  ['referrerPolicy'],
  ['strictTransportSecurity', 'hsts'],
  ['xContentTypeOptions', 'noSniff'],
  ['xDnsPrefetchControl', 'dnsPrefetchControl'],
  ['xDownloadOptions', 'ieNoOpen'],
  ['xFrameOptions', 'frameguard'],
  ['xPermittedCrossDomainPolicies', 'permittedCrossDomainPolicies'],
  ['xPoweredBy', 'hidePoweredBy'],
  ['xXssProtection', 'xssFilter'],
];

/** helmet's camelCase directive name → the CSP name (`defaultSrc` → `default-src`). */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

type Value = { on: false } | { on: true; options: SourceReader | undefined; key: string };

/** Reads one helmet option under its name or alias: off, on (defaults) or an options object. */
function read(r: SourceReader, name: string, alias: string | undefined): Value | undefined {
  if (alias !== undefined && r.has(name) && r.has(alias)) {
    throw new BarbicanError('BARBICAN_E_IMPORT', `both ${name} and its alias ${alias} are given`, {
      path: r.at(alias),
      hint: `helmet refuses this too; keep only ${name}`,
    });
  }
  const key = alias !== undefined && r.has(alias) ? alias : name;
  if (!r.has(key)) {
    r.raw(key);
    return undefined;
  }
  const v = r.raw(key);
  if (v === false) return { on: false };
  if (v === true) return { on: true, options: undefined, key };
  if (isPlainObject(v)) return { on: true, options: new SourceReader(v, r.at(key)), key };
  throw new BarbicanError('BARBICAN_E_IMPORT', 'expected true, false or an options object', {
    path: r.at(key),
    value: v,
  });
}

function mapCsp(o: SourceReader, b: ImportBuilder, from: string): void {
  const useDefaults = o.bool('useDefaults') ?? true;
  const reportOnly = o.bool('reportOnly') ?? false;
  const dirs = o.object('directives');
  const directives: Record<string, string[] | boolean> = {};
  const put = (name: string, value: string[] | boolean) =>
    Object.defineProperty(directives, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  for (const key of dirs?.rest() ?? []) {
    const name = kebab(key);
    const raw = dirs?.raw(key);
    if (raw === null) {
      put(name, false);
      continue;
    }
    const list = dirs?.stringList(key) ?? [];
    put(name, list.length === 0 ? true : list);
  }
  if (!useDefaults) {
    // helmet without defaults sends only the given directives: tombstone the preset's others.
    const preset = PRESETS.helmet.headers as Record<string, unknown>;
    const base = preset.csp as { directives?: Record<string, unknown> } | undefined;
    for (const name of Object.keys(base?.directives ?? {})) {
      if (!Object.hasOwn(directives, name) && !Object.hasOwn(directives, kebab(name)))
        put(kebab(name), false);
    }
  }
  b.header(reportOnly ? 'cspReportOnly' : 'csp', { directives }, from);
  if (reportOnly) b.header('csp', false, from);
  for (const k of o.rest()) b.lossy(o.at(k), 'not a helmet contentSecurityPolicy option; ignored');
}

/** Converts helmet 8 options into a Barbican config. */
export function importHelmet(doc: Record<string, unknown>, opts: ImportOptions = {}): ImportResult {
  const r = new SourceReader(doc, '');
  // "Exact" means what helmet sends, which is the helmet preset itself.
  const b = new ImportBuilder('helmet', { ...opts, exact: false });
  const simple = (
    name: string,
    alias: string | undefined,
    header: string,
    valueOf: (o: SourceReader | undefined) => unknown,
  ) => {
    const v = read(r, name, alias);
    if (v === undefined) return;
    const key = keyForHeader(header);
    const from = r.at(v.on ? v.key : name);
    if (key === undefined) {
      // Off in helmet and absent from Barbican: the same outcome, nothing to say.
      if (v.on) b.lossy(from, `Barbican has no ${header} option yet; not imported`);
      return;
    }
    b.header(key, v.on ? valueOf(v.options) : false, from);
  };

  const csp = read(r, 'contentSecurityPolicy', undefined);
  if (csp?.on === false) b.header('csp', false, r.at('contentSecurityPolicy'));
  else if (csp?.options !== undefined) mapCsp(csp.options, b, r.at('contentSecurityPolicy'));

  const hsts = read(r, 'strictTransportSecurity', 'hsts');
  if (hsts?.on === false) b.header('hsts', false, r.at('strictTransportSecurity'));
  else if (hsts !== undefined) {
    const o = hsts.options;
    const maxAge = o?.number('maxAge') ?? 31_536_000;
    b.header(
      'hsts',
      {
        maxAge: Math.floor(maxAge),
        includeSubDomains: o?.bool('includeSubDomains') ?? true,
        preload: o?.bool('preload') ?? false,
      },
      r.at(hsts.key),
    );
    for (const k of o?.rest() ?? []) b.lossy(o?.at(k) ?? k, 'not a helmet HSTS option; ignored');
  }
  if (hsts?.on !== false) {
    b.lossy(
      r.at(hsts?.key ?? 'strictTransportSecurity'),
      'helmet sends HSTS over plain HTTP too; Barbican sends it only on HTTPS responses (RFC 6797 §7.2). Set forceStsHeader: true to keep sending it everywhere',
    );
  }

  const policyOf = (fallback: string) => (o: SourceReader | undefined) =>
    o?.string('policy') ?? fallback;
  simple(
    'crossOriginEmbedderPolicy',
    undefined,
    'Cross-Origin-Embedder-Policy',
    policyOf('require-corp'),
  );
  simple(
    'crossOriginOpenerPolicy',
    undefined,
    'Cross-Origin-Opener-Policy',
    policyOf('same-origin'),
  );
  simple(
    'crossOriginResourcePolicy',
    undefined,
    'Cross-Origin-Resource-Policy',
    policyOf('same-origin'),
  );
  simple('originAgentCluster', undefined, 'Origin-Agent-Cluster', () => true);
  simple('referrerPolicy', undefined, 'Referrer-Policy', (o) =>
    o?.has('policy') === true ? (o.stringList('policy') ?? []).join(', ') : true,
  );
  simple('xContentTypeOptions', 'noSniff', 'X-Content-Type-Options', () => true);
  simple('xDnsPrefetchControl', 'dnsPrefetchControl', 'X-DNS-Prefetch-Control', (o) =>
    o?.has('allow') === true ? (o.bool('allow') === true ? 'on' : 'off') : true,
  );
  simple('xDownloadOptions', 'ieNoOpen', 'X-Download-Options', () => true);
  simple('xFrameOptions', 'frameguard', 'X-Frame-Options', (o) => {
    const action = o?.string('action');
    return action === undefined ? true : { action };
  });
  simple(
    'xPermittedCrossDomainPolicies',
    'permittedCrossDomainPolicies',
    'X-Permitted-Cross-Domain-Policies',
    (o) => o?.string('permittedPolicies') ?? true,
  );
  simple('xXssProtection', 'xssFilter', 'X-XSS-Protection', () => true);

  const poweredBy = read(r, 'xPoweredBy', 'hidePoweredBy');
  // helmet's xPoweredBy: false means "leave X-Powered-By alone".
  if (poweredBy?.on === false) b.keep('X-Powered-By');

  b.unknownKeys(
    r,
    HELMET_OPTIONS.flatMap(([n, a]) => (a === undefined ? [n] : [n, a])),
  );
  return b.finish();
}
