/**
 * Content-Security-Policy and Content-Security-Policy-Report-Only.
 *
 * Two header modules (`csp`, `cspReportOnly`) with one option shape; both may
 * be set at once and then share the request's nonce. Everything is validated
 * and serialised when the policy is built: per request the engine only joins
 * the precomputed parts with the nonce.
 *
 * @see https://www.w3.org/TR/CSP3/
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy
 * @example
 * ```ts
 * createPolicy({
 *   headers: {
 *     csp: {
 *       directives: { 'default-src': ["'self'"], 'script-src': ["'self'", "'strict-dynamic'"] },
 *       nonce: true,
 *     },
 *   },
 * });
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import {
  defineHeader,
  type CompileContext,
  type HeaderEmission,
  type HeaderModule,
} from '../types.ts';
import { CSP_DIRECTIVE_SPECS, SCRIPT_DIRECTIVES, sourceKind } from './directives.ts';
import {
  cspOptionsSchema,
  emptySourceList,
  normalizeDirectives,
  normalizeNonce,
  type CspDirectives,
  type CspOptions,
} from './options.ts';
import { parseCsp } from './parse.ts';

export { parseCsp } from './parse.ts';
export type {
  CspParseResult,
  CspProblem,
  ParsedCsp,
  ParsedCspDirective,
  ParseCspOptions,
} from './parse.ts';
export { cspHash, type CspHashAlgorithm } from './hash.ts';
export {
  CSP_DIRECTIVES,
  CSP_DIRECTIVE_SPECS,
  CSP_KEYWORDS,
  SCRIPT_DIRECTIVES,
  checkSource,
} from './directives.ts';
export type { DirectiveSpec, DirectiveKind } from './directives.ts';
export type { CspOptions, CspDirectives } from './options.ts';

const CSP = 'Content-Security-Policy';
const CSP_RO = 'Content-Security-Policy-Report-Only';
const UIR = 'upgrade-insecure-requests';

/** The directives `nonce: true` puts the nonce in. */
const NONCE_TRUE_TARGETS: readonly string[] = ['script-src', 'style-src'];

/**
 * The nonce an override inherits when it does not set `nonce` itself: the
 * base's, minus each target directive the override rewrites to `'none'`
 * (the user wants nothing there, and beside a nonce `'none'` no longer
 * means none: CSP3 matches it only alone) or to a list with `'unsafe-inline'` (beside a
 * nonce, CSP2+ browsers ignore `'unsafe-inline'`, which would block the
 * inline code the override allows). So `preset: 'barbican'` with
 * `'style-src': ["'self'", "'unsafe-inline'"]` keeps its script nonce and
 * its inline styles; an explicit `nonce` is taken as written.
 */
function inheritNonce(
  base: CspOptions['nonce'],
  override: CspDirectives,
  path: string,
): CspOptions['nonce'] {
  if (base === undefined || base === false) return base;
  // A list stays a list: normalizeNonce only canonicalises its names.
  const targets = base === true ? NONCE_TRUE_TARGETS : (normalizeNonce(base, path) as string[]);
  const kept = targets.filter((t) => {
    const v = override[t];
    if (!Array.isArray(v)) return true;
    const lower = v.map((x) => x.toLowerCase());
    return !lower.includes("'none'") && !lower.includes("'unsafe-inline'");
  });
  if (kept.length === targets.length) return base;
  return kept.length === 0 ? false : kept;
}

/** Marks where the per-request nonce goes while serialising. */
const NONCE = Symbol('nonce');
type Token = string | typeof NONCE;

/**
 * Adds the nonce marker to each target directive. A target the policy lacks
 * is created from default-src's sources, because that is what it inherited:
 * creating it with the nonce alone would silently block what default-src
 * allowed.
 */
function withNonce(
  directives: [string, Token[]][],
  targets: readonly string[],
  path: string,
): [string, Token[]][] {
  const out = directives.map(([n, v]): [string, Token[]] => [n, [...v]]);
  const fallback = out.find(([n]) => n === 'default-src')?.[1] ?? [];
  for (const target of targets) {
    let entry = out.find(([n]) => n === target);
    if (entry === undefined) {
      const inherited = fallback.filter((t) => t !== NONCE && t.toLowerCase() !== "'none'");
      entry = [target, inherited];
      out.push(entry);
    } else if (entry[1].some((t) => t !== NONCE && t.toLowerCase() === "'none'")) {
      throw new BarbicanError(
        'BARBICAN_E_CONFLICT',
        `${target} is 'none', so a nonce in it would allow nothing`,
        {
          path: `${path}.nonce`,
          hint: `Replace 'none' in ${target} with the sources you need, or leave ${target} out of nonce`,
        },
      );
    }
    const tokens = entry[1];
    // Before 'strict-dynamic' reads naturally ("'self' 'nonce-…' 'strict-dynamic'");
    // order has no meaning to browsers.
    const at = tokens.findIndex((t) => t !== NONCE && t.toLowerCase() === "'strict-dynamic'");
    tokens.splice(at === -1 ? tokens.length : at, 0, NONCE);
  }
  return out;
}

/** Serialises to the nonce-free value and, when a nonce is used, the parts around it. */
function serialise(directives: readonly [string, Token[]][]): { value: string; parts?: string[] } {
  const parts: string[] = [];
  let cur = '';
  let plain = '';
  directives.forEach(([name, tokens], i) => {
    const sep = i === 0 ? '' : '; ';
    cur += sep + name;
    plain += sep + name;
    for (const t of tokens) {
      if (t === NONCE) {
        cur += " 'nonce-";
        parts.push(cur);
        cur = "'";
      } else {
        cur += ` ${t}`;
        plain += ` ${t}`;
      }
    }
  });
  if (parts.length === 0) return { value: plain };
  parts.push(cur);
  return { value: plain, parts };
}

/** Warnings about sources that let injected scripts run, shared by object and raw forms. */
function warnUnsafe(
  directives: ReadonlyMap<string, readonly Token[]>,
  ctx: CompileContext,
  path: string,
  where: (name: string) => string,
): void {
  const contexts = SCRIPT_DIRECTIVES.filter((n) => directives.has(n));
  if (
    !directives.has('script-src') &&
    !directives.has('script-src-elem') &&
    directives.has('default-src')
  )
    contexts.push('default-src');
  for (const name of contexts) {
    const tokens = directives.get(name) ?? [];
    const kinds = tokens.map((t) => (t === NONCE ? 'nonce' : sourceKind(t)));
    const lower = tokens.map((t) => (t === NONCE ? '' : t.toLowerCase()));
    const nonceOrHash = kinds.includes('nonce') || kinds.includes('hash');
    const strictDynamic = lower.includes("'strict-dynamic'");
    const risky: string[] = [];
    // With a nonce or hash present, CSP2+ browsers ignore 'unsafe-inline'
    // (it is only a fallback for CSP1 browsers), so it is not a hole.
    if (lower.includes("'unsafe-inline'") && !nonceOrHash) risky.push("'unsafe-inline'");
    if (lower.includes("'unsafe-eval'")) risky.push("'unsafe-eval'");
    // 'strict-dynamic' makes browsers ignore host and scheme sources.
    if (!strictDynamic) {
      for (const broad of ['*', 'http:', 'https:', 'data:'])
        if (lower.includes(broad)) risky.push(broad);
    }
    if (risky.length > 0) {
      ctx.warn(
        'BARBICAN_W_CSP_UNSAFE',
        where(name),
        `${name} allows ${risky.join(', ')}, which lets injected scripts run; prefer nonces or hashes with 'strict-dynamic'`,
      );
    }
  }
  if (!directives.has('default-src')) {
    const open: string[] = [];
    if (!directives.has('script-src') && !directives.has('script-src-elem'))
      open.push('script-src');
    if (!directives.has('object-src')) open.push('object-src');
    if (open.length > 0) {
      ctx.warn(
        'BARBICAN_W_CSP_UNSAFE',
        path,
        `no default-src and no ${open.join(' or ')}: ${open.length > 1 ? 'scripts and plugins load' : open[0] === 'object-src' ? 'plugins load' : 'scripts load'} from anywhere; add default-src 'self' (or ${open.join(', ')})`,
      );
    }
  }
}

/** Warnings that depend on the directive set and the header, shared by object and raw forms. */
function warnDirectives(
  directives: ReadonlyMap<string, readonly Token[]>,
  header: string,
  ctx: CompileContext,
  where: (name: string) => string,
): void {
  for (const [name, tokens] of directives) {
    const deprecated = CSP_DIRECTIVE_SPECS[name]?.deprecated;
    if (deprecated !== undefined)
      ctx.warn(
        'BARBICAN_W_CSP_DEPRECATED_DIRECTIVE',
        where(name),
        `${name} is deprecated: ${deprecated}`,
      );
    for (const t of tokens) {
      if (t !== NONCE && sourceKind(t) === 'nonce') {
        ctx.warn(
          'BARBICAN_W_CSP_UNSAFE',
          where(name),
          `${name} has a fixed nonce; a nonce must be new on every response or an attacker can reuse it. Use nonce: true`,
        );
        break;
      }
    }
  }
  if (header === CSP_RO) {
    // CSP3 §6.3.2.2 and §6.3.1.1: these directives are not supported in a
    // report-only policy; browsers ignore them with a console message.
    for (const name of ['sandbox', UIR]) {
      if (directives.has(name)) {
        ctx.warn(
          'BARBICAN_W_CSP_IGNORED',
          where(name),
          `${name} has no effect in Content-Security-Policy-Report-Only`,
        );
      }
    }
  }
  const sandbox = (directives.get('sandbox') ?? []).map((t) =>
    t === NONCE ? '' : t.toLowerCase(),
  );
  if (sandbox.includes('allow-scripts') && sandbox.includes('allow-same-origin')) {
    ctx.warn(
      'BARBICAN_W_CSP_UNSAFE',
      where('sandbox'),
      'sandbox with allow-scripts and allow-same-origin lets the page script its way out of the sandbox',
    );
  }
}

function compileObject(
  header: string,
  options: CspOptions,
  ctx: CompileContext,
  path: string,
): HeaderEmission[] {
  // The preset's object reaches here without passing the policy schema:
  // validate again (cheap, once per build).
  const directives = normalizeDirectives(options.directives ?? {}, `${path}.directives`);
  const nonce = normalizeNonce(options.nonce ?? false, `${path}.nonce`);
  const targets = nonce === true ? NONCE_TRUE_TARGETS : nonce === false ? [] : nonce;
  let list: [string, Token[]][] = [];
  for (const [name, v] of Object.entries(directives)) {
    if (v === false) continue;
    const kind = CSP_DIRECTIVE_SPECS[name]?.kind;
    const sourceList = kind === 'source-list' || kind === 'ancestor-source-list';
    if (sourceList && Array.isArray(v) && v.length === 0 && !targets.includes(name)) {
      throw emptySourceList(name, `${path}.directives.${name}`);
    }
    list.push([name, v === true ? [] : v]);
  }
  if (list.length === 0) {
    throw new BarbicanError('BARBICAN_E_CSP_DIRECTIVE', 'the policy has no directives', {
      path: `${path}.directives`,
      hint: `Start from { 'default-src': ["'self'"] }, or turn the header off with false`,
    });
  }
  list = withNonce(list, targets, path);
  const where = (name: string): string => `${path}.directives.${name}`;
  const asMap = new Map(list);
  warnDirectives(asMap, header, ctx, where);
  warnUnsafe(asMap, ctx, path, where);
  return emit(header, list);
}

/** One emission, or an https/http pair when upgrade-insecure-requests is present. */
function emit(header: string, list: readonly [string, Token[]][]): HeaderEmission[] {
  const one = (l: readonly [string, Token[]][], when?: 'https' | 'http'): HeaderEmission => {
    const s = serialise(l);
    return {
      name: header,
      value: s.value,
      ...(s.parts === undefined ? {} : { nonceParts: s.parts }),
      ...(when === undefined ? {} : { when }),
    };
  };
  if (!list.some(([n]) => n === UIR)) return [one(list)];
  // upgrade-insecure-requests over plain HTTP rewrites every subresource to
  // https:// — on localhost or a LAN box without TLS the page then loads
  // nothing (helmet #480). Send it only where it can work.
  const without = list.filter(([n]) => n !== UIR);
  return without.length === 0 ? [one(list, 'https')] : [one(list, 'https'), one(without, 'http')];
}

function compileRaw(
  header: string,
  value: string,
  ctx: CompileContext,
  path: string,
): HeaderEmission[] {
  assertFieldSafe(value, path);
  const parsed = parseCsp(value, { validate: true, reportOnly: header === CSP_RO });
  const all = [...parsed.problems, ...parsed.policies.flatMap((p) => p.problems)];
  const error = all.find((p) => p.severity === 'error');
  if (error !== undefined) {
    throw new BarbicanError(error.errorCode ?? 'BARBICAN_E_HEADER_SYNTAX', error.message, {
      path,
      value,
      offset: error.offset,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    });
  }
  if (parsed.policies.length === 0) {
    throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'the policy has no directives', {
      path,
      value,
      allowed: "directives separated by ';', e.g. default-src 'self'; object-src 'none'",
    });
  }
  for (const p of all) {
    if (p.code === 'csp.directive.duplicate') {
      ctx.warn('BARBICAN_W_CSP_DUPLICATE_DIRECTIVE', path, `${p.message} (byte ${p.offset})`);
    }
  }
  const uir: { offset: number; end: number }[] = [];
  for (const policy of parsed.policies) {
    warnDirectives(policy.directives, header, ctx, () => path);
    warnUnsafe(policy.directives, ctx, path, () => path);
    const u = policy.list.find((d) => d.name === UIR);
    if (u !== undefined) uir.push(u);
  }
  if (uir.length === 0) return [{ name: header, value }];
  // Sent as given over HTTPS; over HTTP the same text with
  // upgrade-insecure-requests cut out (see emit()).
  const http = cutDirectives(value, uir);
  return http === ''
    ? [{ name: header, value, when: 'https' }]
    : [
        { name: header, value, when: 'https' },
        { name: header, value: http, when: 'http' },
      ];
}

/** Removes directives (by their offsets) and one adjoining ';' each from a raw value. */
function cutDirectives(value: string, spans: readonly { offset: number; end: number }[]): string {
  let out = value;
  for (const { offset, end } of [...spans].sort((a, b) => b.offset - a.offset)) {
    let a = offset;
    let b = end;
    while (b < out.length && (out[b] === ' ' || out[b] === '\t')) b++;
    if (out[b] === ';') {
      b++;
      while (b < out.length && (out[b] === ' ' || out[b] === '\t')) b++;
    } else {
      // Last directive of its policy: eat the ';' before it instead.
      let k = a;
      while (k > 0 && (out[k - 1] === ' ' || out[k - 1] === '\t')) k--;
      if (out[k - 1] === ';') a = k - 1;
    }
    out = out.slice(0, a) + out.slice(b);
  }
  return out.trim();
}

function cspModule(
  key: string,
  header: string,
  description: string,
  defaults: CspOptions,
): HeaderModule<CspOptions> {
  return defineHeader<CspOptions>({
    key,
    headerNames: [header],
    description,
    spec: 'https://www.w3.org/TR/CSP3/',
    schema: cspOptionsSchema,
    defaults,
    compile: (options, ctx, path) => compileObject(header, options, ctx, path),
    compileRaw: (value, ctx, path) => compileRaw(header, value, ctx, path),
    merge(base, override) {
      // Per directive: the override's list replaces the base's; `false` is
      // kept as a tombstone so it still removes the preset's directive when
      // this result is merged over the preset later (route overrides).
      const over = normalizeDirectives(override.directives ?? {}, `headers.${key}.directives`);
      const directives: CspDirectives = {
        ...normalizeDirectives(base.directives ?? {}, `headers.${key}.directives`),
        ...over,
      };
      const nonce = override.nonce ?? inheritNonce(base.nonce, over, `headers.${key}.nonce`);
      return nonce === undefined ? { directives } : { directives, nonce };
    },
  });
}

/**
 * `headers.csp`: Content-Security-Policy, the enforced policy.
 *
 * Default (`true` when the preset sends none): a policy that confines
 * everything to the site's own origin, forbids plugins, framing, `<base>`
 * hijacking and off-site form posts, and upgrades insecure requests on HTTPS.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy
 * @example
 * ```ts
 * createPolicy({ headers: { csp: { directives: { imgSrc: ["'self'", 'https://cdn.example.com'] } } } });
 * ```
 */
export const csp = cspModule(
  'csp',
  CSP,
  'Content-Security-Policy: which scripts, styles, frames and connections a page may use.',
  {
    directives: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      'object-src': ["'none'"],
      [UIR]: true,
    },
  },
);

/**
 * `headers.cspReportOnly`: Content-Security-Policy-Report-Only, a policy
 * browsers only report on. Useful to trial a stricter policy beside the
 * enforced one.
 *
 * Default (`true` when the preset sends none): a nonce-based strict CSP
 * (script-src 'nonce-…' 'strict-dynamic'; object-src 'none'; base-uri
 * 'none'), the policy you would move to next.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy-Report-Only
 * @example
 * ```ts
 * createPolicy({ headers: { cspReportOnly: { directives: { scriptSrc: ["'strict-dynamic'"], reportTo: ['csp'] }, nonce: ['script-src'] } } });
 * ```
 */
export const cspReportOnly = cspModule(
  'cspReportOnly',
  CSP_RO,
  'Content-Security-Policy-Report-Only: a CSP that browsers report on without enforcing it.',
  {
    directives: {
      'script-src': ["'strict-dynamic'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
    },
    nonce: ['script-src'],
  },
);
