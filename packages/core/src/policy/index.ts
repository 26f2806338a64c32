/**
 * Building a policy: validate once, precompute everything, hand adapters
 * plain lists of strings.
 *
 * @module
 */
import { BarbicanError, WARNING_CODES, type BarbicanWarning, type WarningCode } from '../errors.ts';
import {
  HEADER_KEYS,
  HEADER_MODULES,
  type CompileContext,
  type HeaderEmission,
  type HeaderKey,
  type HeaderModule,
  type HeadersOptions,
} from '../headers/index.ts';
import { removeList } from './remove-headers.ts';
import { undefinedReportingEndpoints } from '../headers/reporting.ts';
import { serverDisposition, type ServerDisposition } from '../headers/server/index.ts';
import type { ResponsePlan } from '../plan.ts';
import { PRESET_NAMES, PRESETS, type Preset, type PresetName } from '../presets/index.ts';
import {
  errorsOptionsSchema,
  resolveErrors,
  type ErrorsOptions,
  type ResolvedErrors,
} from '../errors-policy/index.ts';
import {
  foldReport,
  reportOptionsSchema,
  type ReportOptions,
  type ResolvedReport,
} from '../report/index.ts';
import { compileGuards, type RequestGuards } from '../request/guards.ts';
import { resolveTls, tlsOptionsSchema, type ResolvedTls, type TlsOptions } from '../tls/options.ts';
import { requestOptionsShape, type RequestOptions } from '../request/options.ts';
import {
  array,
  boolean,
  enumeration,
  headerName,
  isPlainObject,
  object,
  string,
  union,
  type Schema,
} from '../schema/index.ts';

/**
 * Everything a user can say in a policy, in code or in `barbican.config.json`.
 *
 * @example
 * ```ts
 * const policy = createPolicy({
 *   preset: 'barbican',
 *   headers: { hsts: { maxAge: 31536000 }, xFrameOptions: false },
 * });
 * ```
 */
export interface PolicyOptions extends RequestOptions {
  /** The starting point; default `barbican`. */
  preset?: PresetName;
  /** Per-header settings on top of the preset: `true` = default, `false` = off, string = raw value, object = configured. */
  headers?: HeadersOptions;
  /**
   * Response headers to strip because they reveal the software stack:
   * `true` = OWASP Secure Headers Project's remove list, a list = exactly
   * those, `false` = none, or `{ add, keep }` to adjust the preset's list.
   */
  removeHeaders?: boolean | string[] | { add?: string[]; keep?: string[] };
  /**
   * TLS for servers, exports and the gateway: a profile (`modern`,
   * `intermediate`, `openkat`; default from the preset) plus overrides. The
   * in-app middleware does not terminate TLS and ignores it.
   */
  tls?: TlsOptions;
  /** Error obscuring for servers and the gateway: intercepted statuses, the page, server tokens. */
  errors?: ErrorsOptions;
  /**
   * A collector for browser reports: a URL, or `{ endpoint, csp, coop, coep,
   * nel }`. Folded into CSP, COOP/COEP, Reporting-Endpoints, NEL and
   * Report-To when the policy is built; settings a header already has win.
   */
  report?: string | ReportOptions;
  /** Warning codes to silence. */
  ignoreWarnings?: WarningCode[];
  /** JSON Schema pointer for editors; ignored by Barbican. */
  $schema?: string;
}

function headerOptionSchema(module: HeaderModule<object>): Schema<unknown> {
  return union([boolean(), string(), module.schema], {
    description: `${module.description} true = default, false = off, a string = raw value (validated), an object = configured. ${module.spec}`,
  });
}

/** The schema of {@link PolicyOptions}: the single source for validation and the JSON Schema. */
export const policyOptionsSchema = object(
  {
    $schema: string({ description: 'JSON Schema for editor completion; ignored.' }),
    preset: enumeration(PRESET_NAMES, { description: 'The starting point. Default: barbican.' }),
    headers: object(
      Object.fromEntries(
        HEADER_KEYS.map((k) => [k, headerOptionSchema(HEADER_MODULES[k] as HeaderModule<object>)]),
      ),
      { description: 'Security headers, one entry per header.' },
    ),
    removeHeaders: union([
      boolean(),
      array(headerName),
      object({ add: array(headerName), keep: array(headerName) }),
    ]),
    ...requestOptionsShape,
    tls: tlsOptionsSchema,
    errors: errorsOptionsSchema,
    report: reportOptionsSchema,
    ignoreWarnings: array(
      enumeration(Object.keys(WARNING_CODES) as WarningCode[], {
        description: 'A warning code to silence.',
      }),
    ),
  },
  { description: 'A Barbican security policy.' },
);

/** A built, validated policy. Immutable; build it once at start-up. */
export interface Policy {
  readonly preset: PresetName;
  /** Warnings found while building, minus the silenced ones. */
  readonly warnings: readonly BarbicanWarning[];
  /** The validated options this policy was built from (before preset merging). */
  readonly options: Readonly<PolicyOptions>;
  /** The effective per-header settings after merging the preset: what `export` writes. */
  readonly resolved: Readonly<Record<string, unknown>>;
  /** The plan for effective-HTTPS responses. */
  readonly https: ResponsePlan;
  /** The plan for plain-HTTP responses. */
  readonly http: ResponsePlan;
  /** True when some header carries a per-request nonce. */
  readonly usesNonce: boolean;
  /** Request protections (hosts, proxies, redirect, CSRF), compiled once; read by `evaluateRequest`. */
  readonly guards: RequestGuards;
  /** The effective TLS settings (profile + overrides), for servers, exports and the gateway. */
  readonly tls: ResolvedTls;
  /** The effective error-obscuring settings, for servers, exports and the gateway. */
  readonly errors: ResolvedErrors;
  /** Where each kind of browser report goes, when `report` is set (already folded into the headers). */
  readonly report: ResolvedReport | undefined;
  /** A new policy with `overrides` merged over this one's options (per-route policies). */
  extend(overrides: PolicyOptions): Policy;
  /** The headers a response gets, as `[name, value]` pairs (for the CLI, tests and exporters). */
  headersFor(opts: { https: boolean; nonce?: string }): [string, string][];
}

const kPolicy = Symbol.for('barbican.policy');

/** True when `value` is a {@link Policy} built by {@link createPolicy}. */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && kPolicy in value;
}

/**
 * Validates `options` and builds a policy. Throws {@link BarbicanError} with
 * a stable code and the option path on the first problem.
 *
 * @example
 * ```ts
 * import { createPolicy } from '@barbican/core';
 * const policy = createPolicy({ preset: 'strict' });
 * policy.warnings; // [] — or data you can print or silence
 * ```
 */
export function createPolicy(options: PolicyOptions = {}): Policy {
  const validated = policyOptionsSchema.parse(options, '') as PolicyOptions;
  return build(validated);
}

/** Collects warnings while building, minus the ignored codes and the silenced `code|path` pairs. */
function warningCollector(ignoreWarnings: readonly WarningCode[] | undefined) {
  const warnings: BarbicanWarning[] = [];
  const ignored = new Set<string>(ignoreWarnings ?? []);
  const silence = new Set<string>();
  const warn = (code: WarningCode, path: string, message: string): void => {
    if (!ignored.has(code) && !silence.has(`${code}|${path}`))
      warnings.push({ code, path, message });
  };
  return { warnings, silence, ctx: { warn } };
}

/** The effective setting of every header that is on, preset merged with the user's options. */
function resolveHeaders(preset: Preset, options: PolicyOptions): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const key of HEADER_KEYS) {
    const module = HEADER_MODULES[key] as HeaderModule<object>;
    const fromPreset = (preset.headers as Record<string, unknown>)[key];
    const fromUser = (options.headers as Record<string, unknown> | undefined)?.[key];
    const effective = resolveHeader(module, fromPreset, fromUser);
    if (effective !== false) resolved[key] = effective;
  }
  return resolved;
}

/** Compiles each resolved header, in registry order, into the strings to send. */
function compileHeaders(resolved: Record<string, unknown>, ctx: CompileContext): HeaderEmission[] {
  const emissions: HeaderEmission[] = [];
  for (const key of HEADER_KEYS) {
    const effective = resolved[key];
    if (effective === undefined) continue;
    const module = HEADER_MODULES[key] as HeaderModule<object>;
    const path = `headers.${key}`;
    const out =
      typeof effective === 'string'
        ? module.compileRaw(effective, ctx, path)
        : module.compile(effective as object, ctx, path);
    emissions.push(...out);
  }
  for (const { path, name } of undefinedReportingEndpoints(resolved)) {
    ctx.warn(
      'BARBICAN_W_UNDEFINED_REPORT_ENDPOINT',
      path,
      `report-to "${name}" is not defined by headers.reportingEndpoints (or a headers.reportTo group), so its reports are dropped; add endpoints: { "${name}": "https://…" }`,
    );
  }
  return emissions;
}

function makePlan(
  emissions: readonly HeaderEmission[],
  remove: readonly string[],
  scheme: 'http' | 'https',
): ResponsePlan {
  const mine = emissions.filter((e) => e.when === undefined || e.when === scheme);
  return Object.freeze({
    set: Object.freeze(
      mine
        .filter((e) => e.nonceParts === undefined)
        .map((e) => Object.freeze([e.name, e.value] as const)),
    ),
    nonced: Object.freeze(
      mine
        .filter((e) => e.nonceParts !== undefined)
        .map((e) => Object.freeze({ name: e.name, value: e.value, parts: e.nonceParts ?? [] })),
    ),
    remove: new Set(remove),
    removeList: Object.freeze([...remove]),
  });
}

function build(options: PolicyOptions): Policy {
  const presetName = options.preset ?? 'barbican';
  const preset = PRESETS[presetName];
  const { warnings, silence, ctx } = warningCollector(options.ignoreWarnings);

  const resolved = resolveHeaders(preset, options);
  const report =
    options.report === undefined
      ? undefined
      : foldReport(options.report, {
          resolved,
          explicitlyOff: (key) =>
            (options.headers as Record<string, unknown> | undefined)?.[key] === false,
          warn: ctx.warn,
          silence,
        });
  const emissions = compileHeaders(resolved, ctx);

  const setNames = new Set(emissions.map((e) => e.name.toLowerCase()));
  // Server is decided by `headers.server` alone (see headers/server): removed,
  // set, or left as the app sends it, whatever removeHeaders' list contains.
  const server = serverDisposition(
    (resolved as Record<string, false | string | object | undefined>)['server'] ?? false,
  );
  checkServerConflict(server, options.removeHeaders);
  const remove = removeList(preset.removeHeaders, options.removeHeaders).filter(
    // A header the policy sets is never also stripped (e.g. `server: 'edge'`).
    (n) => !setNames.has(n) && n !== 'server',
  );
  if (server === 'remove') remove.push('server');
  checkDuplicates(emissions);

  // Sections for servers and the gateway: resolved here so that every
  // consumer reads the same checked values (middleware users ignore them).
  const tls = resolveTls(options.tls, preset.tls, ctx.warn);
  const errors = resolveErrors(options.errors, server);

  const https = makePlan(emissions, remove, 'https');
  const http = makePlan(emissions, remove, 'http');

  // The preset's request protections, under the user's (key by key: `csrf:
  // false` turns the strict preset's check off).
  const requestOptions: RequestOptions = { ...preset.request, ...options };
  const guards = compileGuards(requestOptions, https, http, (c, p, m) => {
    ctx.warn(c, p, m);
  });

  const policy: Policy & { [kPolicy]: true } = {
    [kPolicy]: true,
    guards,
    preset: presetName,
    warnings: Object.freeze(warnings),
    options: Object.freeze(options),
    resolved: Object.freeze(resolved),
    https,
    http,
    tls,
    errors,
    report,
    usesNonce: https.nonced.length > 0 || http.nonced.length > 0,
    extend(overrides) {
      const o = policyOptionsSchema.parse(overrides, '') as PolicyOptions;
      return build(mergeOptions(options, o));
    },
    headersFor({ https: secure, nonce }) {
      const p = secure ? https : http;
      const out: [string, string][] = p.set.map(([n, v]) => [n, v]);
      for (const h of p.nonced)
        out.push([h.name, nonce === undefined ? h.value : h.parts.join(nonce)]);
      return out;
    },
  };
  return Object.freeze(policy);
}

/**
 * Combines the preset's value and the user's value for one header:
 * omitted → preset; `false` → off; `true` → the preset's value, or the
 * module's secure default when the preset leaves the header off; a string →
 * that raw value; an object → merged over the preset's object (or the default).
 */
function resolveHeader(
  module: HeaderModule<object>,
  fromPreset: unknown,
  fromUser: unknown,
): false | string | object {
  const presetValue = fromPreset === undefined ? false : (fromPreset as false | string | object);
  if (fromUser === undefined) return presetValue;
  if (fromUser === false) return false;
  if (fromUser === true) return presetValue === false ? module.defaults : presetValue;
  if (typeof fromUser === 'string') return fromUser;
  const base = isPlainObject(presetValue) ? presetValue : module.defaults;
  return module.merge
    ? module.merge(base, fromUser as object)
    : { ...base, ...(fromUser as object) };
}

/** Merges route overrides over a policy's options (global < route). */
export function mergeOptions(base: PolicyOptions, over: PolicyOptions): PolicyOptions {
  const headers: Record<string, unknown> = { ...base.headers };
  for (const [key, value] of Object.entries(over.headers ?? {})) {
    const prev = headers[key];
    const module = HEADER_MODULES[key as HeaderKey] as HeaderModule<object> | undefined;
    headers[key] =
      isPlainObject(prev) && isPlainObject(value)
        ? module?.merge
          ? module.merge(prev, value)
          : { ...prev, ...value }
        : value;
  }
  const merged: PolicyOptions = { ...base, ...over, headers: headers };
  // Object sections merge key by key, like headers; a string `report` replaces.
  if (base.tls !== undefined || over.tls !== undefined) merged.tls = { ...base.tls, ...over.tls };
  if (base.errors !== undefined || over.errors !== undefined)
    merged.errors = { ...base.errors, ...over.errors };
  if (isPlainObject(base.report) && isPlainObject(over.report))
    merged.report = { ...base.report, ...over.report };
  if (base.ignoreWarnings !== undefined || over.ignoreWarnings !== undefined) {
    merged.ignoreWarnings = [...(base.ignoreWarnings ?? []), ...(over.ignoreWarnings ?? [])];
  }
  return merged;
}

/**
 * Naming Server in `removeHeaders` to contradict `headers.server` is an error,
 * not a silent winner: the user must see which switch decides.
 */
function checkServerConflict(
  server: ServerDisposition,
  fromUser: PolicyOptions['removeHeaders'],
): void {
  if (fromUser === undefined || typeof fromUser === 'boolean') return;
  const has = (list: readonly string[] | undefined): boolean =>
    (list ?? []).some((n) => n.toLowerCase() === 'server');
  const asksRemove = Array.isArray(fromUser) ? has(fromUser) : has(fromUser.add);
  const asksKeep = !Array.isArray(fromUser) && has(fromUser.keep);
  if (asksRemove && server === 'keep') {
    throw new BarbicanError(
      'BARBICAN_E_CONFLICT',
      'removeHeaders names Server, but headers.server is off',
      {
        path: 'removeHeaders',
        hint: 'headers.server alone decides Server: set headers.server: true to remove it',
      },
    );
  }
  if (asksKeep && server === 'remove') {
    throw new BarbicanError(
      'BARBICAN_E_CONFLICT',
      'removeHeaders keeps Server, but headers.server removes it',
      {
        path: 'removeHeaders.keep',
        hint: 'headers.server alone decides Server: set headers.server: false to leave it as the app sends it',
      },
    );
  }
}

function checkDuplicates(emissions: readonly HeaderEmission[]): void {
  const seen = new Map<string, string | undefined>();
  for (const e of emissions) {
    const key = `${e.name.toLowerCase()}|${e.when ?? ''}`;
    if (seen.has(key)) {
      throw new BarbicanError('BARBICAN_E_CONFLICT', `two settings both write ${e.name}`, {
        path: 'headers',
        hint: 'Turn one of them off',
      });
    }
    seen.set(key, e.when);
  }
}
