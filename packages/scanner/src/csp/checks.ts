/**
 * The CSP checks: every check of Google's CSP Evaluator (same triggers,
 * severities mapped to ours) plus a few it lacks. Each check looks at one
 * policy and returns data; `index.ts` combines policies and writes fixes.
 *
 * Severity mapping (CSP Evaluator → Barbican), see docs/csp-analysis.md:
 * HIGH → high; SYNTAX → medium; MEDIUM → medium; HIGH_MAYBE → medium;
 * STRICT_CSP → low; MEDIUM_MAYBE → low; INFO → info.
 *
 * @module
 */
import {
  CSP_DIRECTIVE_SPECS,
  CSP_KEYWORDS,
  SCHEME_ONLY,
  SCHEME_PREFIX,
  SCRIPT_DIRECTIVES,
  reportingUrlProblem,
  type ParsedCsp,
} from '@barbican/core/parsers';
import type { Severity } from '../model.ts';
import { flashBypass, hostParts, scriptBypass } from './bypass.ts';
import {
  STRICT_HASH,
  STRICT_NONCE,
  XSS_DIRECTIVES,
  effectiveDirective,
  effectiveDirectives,
  hasHash,
  hasNonce,
  valuesFor,
  type Policy,
} from './policy.ts';

/** Check identifiers; the CSP Evaluator check each mirrors is in docs/csp-analysis.md. */
export type CheckId =
  | 'unsafe-inline'
  | 'unsafe-hashes'
  | 'unsafe-eval'
  | 'plain-url-scheme'
  | 'wildcard'
  | 'missing-object-src'
  | 'missing-script-src'
  | 'missing-base-uri'
  | 'allowlist-bypass'
  | 'allowlist'
  | 'flash-bypass'
  | 'object-allowlist'
  | 'ip-source'
  | 'nonce-length'
  | 'nonce-charset'
  | 'http-source'
  | 'deprecated'
  | 'unknown-directive'
  | 'missing-semicolon'
  | 'invalid-keyword'
  | 'invalid-source'
  | 'duplicate-directive'
  | 'no-strict-dynamic'
  | 'strict-dynamic-not-standalone'
  | 'no-unsafe-inline-fallback'
  | 'no-allowlist-fallback'
  | 'require-trusted-types'
  | 'reporting-missing'
  | 'report-to-only'
  | 'meta-ignored-directive'
  | 'meta-outside-head'
  | 'meta-report-only'
  | 'comma-policies';

/**
 * What a weakness is about. Policies are enforced together, so a weakness
 * counts only when every policy that governs the area has it; `undefined`
 * marks hygiene findings reported for each policy.
 */
export type Area = 'script' | 'object' | 'base' | 'all';

/** A finding before the fix is known. */
export interface RawFinding {
  readonly check: CheckId;
  readonly code: string;
  readonly severity: Severity;
  readonly directive?: string;
  readonly value?: string;
  readonly message: string;
  readonly spec: string;
  /** Index of the policy it was found in. */
  readonly policy: number;
  readonly area?: Area;
}

const MDN =
  'https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy';
const STRICT = 'https://web.dev/articles/strict-csp';
const CSP3 = 'https://www.w3.org/TR/CSP3/';
/** Every known directive name (a Set: checked once per token). */
const DIRECTIVE_NAMES: ReadonlySet<string> = new Set(Object.keys(CSP_DIRECTIVE_SPECS));

function mdn(directive: string): string {
  return DIRECTIVE_NAMES.has(directive) ? `${MDN}/${directive}` : MDN;
}

function areaOf(directive: string): Area {
  if (directive === 'object-src') return 'object';
  if (directive === 'base-uri') return 'base';
  return 'script';
}

/**
 * The one builder of a {@link RawFinding} in policy `p`: the code defaults to
 * `csp.<directive>.<check>` and the spec link to the directive's MDN page.
 */
function rawFinding(
  p: Policy,
  check: CheckId,
  severity: Severity,
  directive: string,
  message: string,
  extra?: { value?: string; code?: string; spec?: string; area?: Area },
): RawFinding {
  // Built without spreads: one object shape, no intermediate objects.
  const out: {
    check: CheckId;
    code: string;
    severity: Severity;
    directive: string;
    value?: string;
    message: string;
    spec: string;
    policy: number;
    area?: Area;
  } = {
    check,
    code: extra?.code ?? `csp.${directive}.${check}`,
    severity,
    directive,
    message,
    spec: extra?.spec ?? mdn(directive),
    policy: p.index,
  };
  if (extra?.value !== undefined) out.value = extra.value;
  if (extra?.area !== undefined) out.area = extra.area;
  return out;
}

/** Regexes used per token, compiled once (a literal in a function is a new object per call). */
const SLASHES_PREFIX = /^\/\//;
const NONCE_VALUE = /^'nonce-(.+)'$/;
const DIGIT_OR_BRACKET = /[0-9[]/;
const BARE_HASH_PREFIX = /^sha(?:256|384|512)-/;

const PLAIN_SCHEMES = ['data:', 'http:', 'https:'];

/** The source with any `scheme://` or `//` prefix removed. */
function schemeFree(v: string): string {
  return v.replace(SCHEME_PREFIX, '').replace(SLASHES_PREFIX, '');
}

/** `schemeFree(v) === '*'`, rejecting at once what does not end in `*`. */
function isWildcard(v: string): boolean {
  return v.endsWith('*') && schemeFree(v) === '*';
}

/**
 * Checks that run on the effective (CSP3) policy: what a current browser
 * actually allows.
 */
export function effectiveChecks(e: Policy, out: RawFinding[]): void {
  const d = e.directives;
  for (const dir of effectiveDirectives(d, SCRIPT_DIRECTIVES)) {
    const values = d.get(dir);
    if (values === undefined) continue;
    // Inline script is what an injected <script> or onerror= is: the core XSS.
    if (values.includes("'unsafe-inline'")) {
      out.push(
        rawFinding(
          e,
          'unsafe-inline',
          'high',
          dir,
          `${dir} allows 'unsafe-inline': any injected inline script or event handler runs.`,
          {
            value: "'unsafe-inline'",
            area: 'script',
          },
        ),
      );
    }
    if (values.includes("'unsafe-hashes'")) {
      out.push(
        rawFinding(
          e,
          'unsafe-hashes',
          'low',
          dir,
          `${dir} allows 'unsafe-hashes': inline event handlers whose hash is listed run, and they are easy to reuse.`,
          {
            value: "'unsafe-hashes'",
            area: 'script',
          },
        ),
      );
    }
    if (values.includes("'unsafe-eval'")) {
      out.push(
        rawFinding(
          e,
          'unsafe-eval',
          'low',
          dir,
          `${dir} allows 'unsafe-eval': strings injected into eval(), new Function() or setTimeout() run as code.`,
          {
            value: "'unsafe-eval'",
            area: 'script',
          },
        ),
      );
    }
  }
  for (const dir of effectiveDirectives(d, XSS_DIRECTIVES)) {
    const values = d.get(dir);
    if (values === undefined) continue;
    const area = areaOf(dir);
    for (const v of values) {
      if (PLAIN_SCHEMES.includes(v)) {
        out.push(
          rawFinding(
            e,
            'plain-url-scheme',
            'high',
            dir,
            `${v} in ${dir} allows loading from any host over ${v.slice(0, -1)}, so an attacker can serve the script.`,
            {
              value: v,
              area,
            },
          ),
        );
      } else if (isWildcard(v)) {
        out.push(
          rawFinding(
            e,
            'wildcard',
            'high',
            dir,
            `${dir} allows any host (${v}), so an attacker can serve the script.`,
            {
              value: v,
              area,
            },
          ),
        );
      }
    }
  }
  allowlistChecks(e, out);
  flashChecks(e, out);
}

function allowlistChecks(e: Policy, out: RawFinding[]): void {
  const d = e.directives;
  for (const dir of effectiveDirectives(d, ['script-src', 'script-src-elem'])) {
    const values = d.get(dir) ?? [];
    if (values.includes("'none'")) continue;
    // Once per directive, not per value: a policy may list thousands of hosts.
    const unsafeEval = values.includes("'unsafe-eval'");
    for (const v of values) {
      if (v === "'self'") {
        out.push(
          rawFinding(
            e,
            'allowlist',
            'low',
            dir,
            `'self' in ${dir} is bypassable if this origin serves JSONP, AngularJS or user uploads.`,
            {
              value: v,
              area: 'script',
            },
          ),
        );
        continue;
      }
      if (v.startsWith("'") || SCHEME_ONLY.test(v) || !v.includes('.')) continue;
      const bypass = scriptBypass(v, unsafeEval);
      if (bypass !== undefined) {
        const what = [bypass.jsonp ? 'JSONP endpoints' : '', bypass.angular ? 'AngularJS' : '']
          .filter((s) => s !== '')
          .join(' and ');
        out.push(
          rawFinding(
            e,
            'allowlist-bypass',
            'high',
            dir,
            `${v} in ${dir}: ${bypass.host} is known to host ${what} that let an attacker run script despite this policy.`,
            {
              value: v,
              area: 'script',
              spec: STRICT,
            },
          ),
        );
      } else {
        out.push(
          rawFinding(
            e,
            'allowlist',
            'low',
            dir,
            `${v} in ${dir}: no known bypass, but host allowlists are bypassed whenever the host serves JSONP or AngularJS.`,
            {
              value: v,
              area: 'script',
              spec: STRICT,
            },
          ),
        );
      }
    }
  }
}

function flashChecks(e: Policy, out: RawFinding[]): void {
  const d = e.directives;
  const dir = effectiveDirective(d, 'object-src');
  const values = d.get(dir) ?? [];
  const pluginTypes = d.get('plugin-types');
  if (pluginTypes !== undefined && !pluginTypes.includes('application/x-shockwave-flash')) return;
  if (values.includes("'none'")) return;
  for (const v of values) {
    const host = flashBypass(v);
    if (host !== undefined) {
      out.push(
        rawFinding(
          e,
          'flash-bypass',
          'high',
          dir,
          `${v} in ${dir}: ${host} hosts Flash files that let an attacker bypass this policy.`,
          {
            value: v,
            area: 'object',
          },
        ),
      );
    } else if (dir === 'object-src') {
      out.push(
        rawFinding(
          e,
          'object-allowlist',
          'low',
          dir,
          `object-src allows ${v}; plugins are obsolete, so nothing needs more than 'none'.`,
          {
            value: v,
            area: 'object',
          },
        ),
      );
    }
  }
}

/**
 * A comma inside one header line starts a second policy (CSP3 §2.2.1
 * "parse a serialized CSP list"), enforced on its own. When the policy
 * after the comma shares no directive with the one before, it was not meant
 * to restrict the same things twice: the comma is almost always a typo for
 * ";" (`script-src 'self', object-src 'none'`). One finding per such comma,
 * on the policy it starts.
 */
export function commaTypos(parsed: readonly ParsedCsp[], firstIndex: number): RawFinding[] {
  const out: RawFinding[] = [];
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1];
    const cur = parsed[i];
    if (prev === undefined || cur === undefined || prev.field !== cur.field) continue;
    if ([...cur.directives.keys()].some((name) => prev.directives.has(name))) continue;
    const first = cur.list[0]?.name ?? '';
    out.push({
      check: 'comma-policies',
      code: 'csp.syntax.comma',
      severity: 'medium',
      directive: first,
      message: `A comma ends the policy before ${first}, so "${first} …" is a second policy enforced on its own, not part of the first: a ";" was almost certainly meant.`,
      spec: `${CSP3}#parse-serialized-policy-list`,
      policy: firstIndex + i,
    });
  }
  return out;
}

/** Missing object-src and script-src: nothing restricts plugins or scripts. */
export function missingChecks(p: Policy, out: RawFinding[]): void {
  const d = p.directives;
  // An empty source list matches nothing (CSP3 §6.7.2.5), so `object-src;`
  // is as strict as 'none'; only a directive that is absent leaves a hole.
  if (!d.has('object-src') && !d.has('default-src')) {
    out.push(
      rawFinding(
        p,
        'missing-object-src',
        'high',
        'object-src',
        'object-src is missing (and no default-src): <object> and <embed> can load plugins that run script.',
        {
          code: 'csp.object-src.missing',
          area: 'all',
        },
      ),
    );
  }
  if (!d.has('script-src') && !d.has('default-src')) {
    out.push(
      rawFinding(
        p,
        'missing-script-src',
        'high',
        'script-src',
        'script-src is missing (and no default-src): the policy does not restrict scripts at all.',
        {
          code: 'csp.script-src.missing',
          area: 'all',
        },
      ),
    );
  }
}

/** True when a policy relies on nonces (or hashes with 'strict-dynamic'), which <base> can subvert. */
export function needsBaseUri(p: Policy): boolean {
  const values = valuesFor(p.directives, 'script-src');
  return hasNonce(values) || (hasHash(values) && (values?.includes("'strict-dynamic'") ?? false));
}

/** The base-uri finding for policies enforced together (CSP Evaluator's multi-policy rule). */
export function missingBaseUri(policies: readonly Policy[]): RawFinding | undefined {
  const needing = policies.find(needsBaseUri);
  if (needing === undefined || policies.some((p) => p.directives.has('base-uri'))) return undefined;
  return rawFinding(
    needing,
    'missing-base-uri',
    'high',
    'base-uri',
    'base-uri is missing: an injected <base href> re-points every relative script URL to the attacker, and nonced scripts load from there.',
    { code: 'csp.base-uri.missing' },
  );
}

const HTTP_MESSAGE =
  'allows resources over plain http://, which anyone on the network can replace.';

/** Checks over every directive of the policy as written. */
export function rawChecks(p: Policy, out: RawFinding[]): void {
  for (const [dir, values] of p.directives) {
    for (const v of values) {
      const host = ipHost(v);
      if (host !== undefined) {
        out.push(
          rawFinding(
            p,
            'ip-source',
            'info',
            dir,
            host === '127.0.0.1'
              ? `${dir} allows localhost (${v}); remove it before production.`
              : `${dir} has an IP address as source (${v}); browsers match it only for that literal address and it usually means a test setting leaked.`,
            {
              value: v,
              code: 'csp.source.ip',
            },
          ),
        );
      }
      const nonce = v.startsWith("'nonce-") ? NONCE_VALUE.exec(v) : null;
      if (nonce !== null) {
        if ((nonce[1] ?? '').length < 8) {
          out.push(
            rawFinding(
              p,
              'nonce-length',
              'medium',
              dir,
              `${v} in ${dir} is shorter than 8 characters; a nonce must be unguessable (128 random bits).`,
              {
                value: v,
                code: 'csp.source.nonce-length',
              },
            ),
          );
        }
        if (!STRICT_NONCE.test(v)) {
          out.push(
            rawFinding(
              p,
              'nonce-charset',
              'info',
              dir,
              `${v} in ${dir} uses characters outside base64; browsers ignore it.`,
              {
                value: v,
                code: 'csp.source.nonce-charset',
              },
            ),
          );
        }
      }
      // A loopback collector (http://127.0.0.1, http://localhost) is
      // potentially trustworthy (Secure Contexts §3.1): its reports never
      // leave the machine, so only other http:// report targets are flagged.
      const trustworthyReportTarget = dir === 'report-uri' && reportingUrlProblem(v) === undefined;
      if (v.startsWith('http://') && !trustworthyReportTarget) {
        out.push(
          rawFinding(
            p,
            'http-source',
            'medium',
            dir,
            dir === 'report-uri'
              ? `${v}: violation reports travel in clear text.`
              : `${v} in ${dir} ${HTTP_MESSAGE}`,
            {
              value: v,
              code: 'csp.source.http',
            },
          ),
        );
      }
    }
  }
  const deprecated = CSP_DEPRECATED;
  for (const dir of p.directives.keys()) {
    const why = deprecated[dir];
    if (why !== undefined) {
      out.push(
        rawFinding(p, 'deprecated', 'info', dir, `${dir} is deprecated: ${why}.`, {
          code: `csp.${dir}.deprecated`,
        }),
      );
    }
  }
}

/** Deprecated directives and what replaces them. CSP Evaluator knows the first four. */
const CSP_DEPRECATED: Readonly<Record<string, string>> = {
  'reflected-xss': 'browsers removed the XSS auditor; send X-XSS-Protection: 0',
  referrer: 'use the Referrer-Policy header',
  'disown-opener': 'use Cross-Origin-Opener-Policy',
  'prefetch-src': 'removed from CSP3; it may stop working at any time',
  'block-all-mixed-content':
    'browsers block or upgrade mixed content already; use upgrade-insecure-requests',
  'plugin-types': "plugins are gone; use object-src 'none'",
  'navigate-to': 'removed from CSP3 and never shipped',
  'require-sri-for': 'never shipped in any browser',
};

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function ipHost(v: string): string | undefined {
  // An IP host has a digit (IPv4) or a bracket (IPv6 literal).
  if (v.startsWith("'") || !DIGIT_OR_BRACKET.test(v)) return undefined;
  const parts = hostParts(v);
  if (parts === undefined) return undefined;
  const h = parts.host;
  return (h.startsWith('[') && h.endsWith(']')) || IPV4.test(h) ? h : undefined;
}

const KNOWN_KEYWORDS = new Set(CSP_KEYWORDS);
const BARE_KEYWORDS = new Set(
  [...CSP_KEYWORDS, "'unsafe-hashed-attributes'", "'wasm-eval'"].map((k) => k.slice(1, -1)),
);

/**
 * Syntax checks: unknown directives, forgotten semicolons, unquoted or
 * unknown keywords, and (beyond CSP Evaluator) any source our CSP3 grammar
 * rejects and directives that repeat.
 */
export function syntaxChecks(p: Policy, parsed: ParsedCsp | undefined, out: RawFinding[]): void {
  for (const [dir, values] of p.directives) {
    const known = DIRECTIVE_NAMES.has(dir);
    if (!known) {
      out.push(
        rawFinding(
          p,
          'unknown-directive',
          'medium',
          dir,
          dir.endsWith(':')
            ? `"${dir}" is not a directive: directive names do not end with a colon.`
            : `"${dir}" is not a known CSP directive; browsers ignore it.`,
          {
            code: 'csp.syntax.unknown-directive',
            spec: CSP3,
          },
        ),
      );
    }
    for (const v of values) {
      if (DIRECTIVE_NAMES.has(v)) {
        out.push(
          rawFinding(
            p,
            'missing-semicolon',
            'medium',
            dir,
            `"${v}" in ${dir} is a directive name: a semicolon is probably missing before it.`,
            {
              value: v,
              code: 'csp.syntax.missing-semicolon',
              spec: CSP3,
            },
          ),
        );
        continue;
      }
      const kw = keywordProblem(dir, v);
      if (kw !== undefined) {
        out.push(
          rawFinding(p, 'invalid-keyword', 'medium', dir, kw, {
            value: v,
            code: 'csp.syntax.invalid-keyword',
            spec: CSP3,
          }),
        );
        continue;
      }
    }
  }
  for (const problem of parsed?.problems ?? []) {
    if (problem.code === 'csp.directive.duplicate' && problem.directive !== undefined) {
      out.push(
        rawFinding(
          p,
          'duplicate-directive',
          'low',
          problem.directive,
          `${problem.directive} appears twice; browsers apply the first and ignore the rest.`,
          {
            code: 'csp.syntax.duplicate-directive',
            spec: CSP3,
          },
        ),
      );
    } else if (
      problem.severity === 'error' &&
      problem.directive !== undefined &&
      DIRECTIVE_NAMES.has(problem.directive) &&
      !out.some(
        (o) =>
          o.policy === p.index &&
          o.directive === problem.directive &&
          o.value === problem.value &&
          (o.check === 'invalid-keyword' || o.check === 'missing-semicolon'),
      )
    ) {
      // The core's CSP3 grammar check (parseCsp with validate) already ran
      // once; reuse its verdicts instead of re-checking every token.
      out.push(
        rawFinding(
          p,
          'invalid-source',
          'medium',
          problem.directive,
          `${problem.message}; browsers ignore it.`,
          {
            ...(problem.value === undefined ? {} : { value: problem.value }),
            code: 'csp.syntax.invalid-source',
            spec: CSP3,
          },
        ),
      );
    }
  }
}

function keywordProblem(dir: string, v: string): string | undefined {
  if (BARE_KEYWORDS.has(v) || v.startsWith('nonce-') || BARE_HASH_PREFIX.test(v)) {
    return `"${v}" in ${dir} lacks single quotes, so it is read as a host name.`;
  }
  if (!v.startsWith("'")) return undefined;
  if (dir === 'require-trusted-types-for')
    return v === "'script'" ? undefined : `${v} is not a Trusted Types sink group.`;
  if (dir === 'trusted-types') {
    return v === "'allow-duplicates'" || v === "'none'"
      ? undefined
      : `${v} is not a trusted-types keyword.`;
  }
  if (KNOWN_KEYWORDS.has(v) || STRICT_HASH.test(v) || STRICT_NONCE.test(v)) return undefined;
  if (v === "'unsafe-hashed-attributes'" || v === "'wasm-eval'") return undefined;
  return `${v} in ${dir} is not a valid CSP keyword; browsers ignore it.`;
}

/** Strict-CSP hygiene (web.dev/strict-csp), on the policy as written. */
export function strictChecks(p: Policy, out: RawFinding[]): void {
  const d = p.directives;
  const dir = effectiveDirective(d, 'script-src');
  const values = d.get(dir) ?? [];
  const nonceOrHash = hasNonce(values) || hasHash(values);
  const sd = values.includes("'strict-dynamic'");
  if (values.some((v) => !v.startsWith("'")) && !sd) {
    out.push(
      rawFinding(
        p,
        'no-strict-dynamic',
        'low',
        dir,
        `${dir} relies on a host allowlist, which is routinely bypassed; nonces or hashes with 'strict-dynamic' are robust.`,
        {
          code: `csp.${dir}.no-strict-dynamic`,
          spec: STRICT,
          area: 'script',
        },
      ),
    );
  }
  if (sd && !nonceOrHash) {
    out.push(
      rawFinding(
        p,
        'strict-dynamic-not-standalone',
        'info',
        dir,
        `'strict-dynamic' without a nonce or hash in ${dir} blocks every script.`,
        {
          code: `csp.${dir}.strict-dynamic-not-standalone`,
          spec: STRICT,
        },
      ),
    );
  }
  if (nonceOrHash && !values.includes("'unsafe-inline'")) {
    out.push(
      rawFinding(
        p,
        'no-unsafe-inline-fallback',
        'low',
        dir,
        `${dir} has nonces or hashes but no 'unsafe-inline' fallback: browsers too old for nonces would block inline scripts (new ones ignore 'unsafe-inline').`,
        {
          code: `csp.${dir}.no-unsafe-inline-fallback`,
          spec: STRICT,
        },
      ),
    );
  }
  if (sd && !values.some((v) => v === 'http:' || v === 'https:' || v === '*' || v.includes('.'))) {
    out.push(
      rawFinding(
        p,
        'no-allowlist-fallback',
        'low',
        dir,
        `${dir} uses 'strict-dynamic' with no https: fallback: browsers without 'strict-dynamic' would block external scripts.`,
        {
          code: `csp.${dir}.no-allowlist-fallback`,
          spec: STRICT,
        },
      ),
    );
  }
  if (!(d.get('require-trusted-types-for') ?? []).includes("'script'")) {
    out.push(
      rawFinding(
        p,
        'require-trusted-types',
        'info',
        'require-trusted-types-for',
        "require-trusted-types-for 'script' is not set: DOM XSS sinks (innerHTML, eval…) accept plain strings.",
        {
          code: 'csp.require-trusted-types-for.missing',
          area: 'all',
        },
      ),
    );
  }
}

/** Whether violations are reported anywhere (report-uri, or report-to only). */
export function reportingChecks(p: Policy, out: RawFinding[]): void {
  const d = p.directives;
  if ((d.get('report-uri') ?? []).length > 0) return;
  if ((d.get('report-to') ?? []).length > 0) {
    out.push(
      rawFinding(
        p,
        'report-to-only',
        'info',
        'report-to',
        'Only report-to is set; Firefox and Safari deliver reports to report-uri only, so add it too.',
        {
          code: 'csp.report-to.only',
        },
      ),
    );
    return;
  }
  out.push(
    rawFinding(
      p,
      'reporting-missing',
      'info',
      'report-uri',
      'No reporting destination: violations (attacks, or breakage after a change) go unnoticed.',
      {
        code: 'csp.report-uri.missing',
      },
    ),
  );
}

export { STRICT, MDN, CSP3 };
