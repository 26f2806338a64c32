/**
 * CSP analysis: every check of Google's CSP Evaluator, correct for several
 * policies enforced together, plus the policy rewritten to fix what it finds.
 *
 * @see https://www.w3.org/TR/CSP3/
 * @see https://github.com/google/csp-evaluator
 * @module
 */
import { parseCsp, type ParsedCsp } from '@barbican/core/parsers';
import { parse as parseHtml } from 'parse5';
import { boundFindings } from '../bounds.ts';
import {
  headerValues,
  htmlBody,
  type CapturedResponse,
  type Finding,
  type Severity,
} from '../model.ts';
import {
  CSP3,
  commaTypos,
  effectiveChecks,
  missingBaseUri,
  missingChecks,
  rawChecks,
  reportingChecks,
  strictChecks,
  syntaxChecks,
  type Area,
  type RawFinding,
} from './checks.ts';
import { effectivePolicy, toPolicy, type Policy } from './policy.ts';
import { rewrite } from './rewrite.ts';

export { NONCE_PLACEHOLDER } from './rewrite.ts';

/** Options of {@link analyzeCsp}. */
export interface AnalyzeCspOptions {
  /** The policy came from Content-Security-Policy-Report-Only: findings are labelled so. */
  readonly reportOnly?: boolean;
}

/** The result of {@link analyzeCsp}. */
export interface CspAnalysis {
  readonly findings: Finding[];
  /** The policy rewritten to address the findings; parses under `parseCsp(…, { validate: true })`. */
  readonly fixed: string;
}

const RANK: Readonly<Record<Severity, number>> = { high: 0, medium: 1, low: 2, info: 3 };

/** One policy with the parse that produced it (meta policies carry their origin). */
interface Input {
  readonly policy: Policy;
  readonly parsed?: ParsedCsp;
}

function governs(p: Policy, area: Area): boolean {
  const d = p.directives;
  switch (area) {
    case 'script':
      return (
        d.has('script-src') ||
        d.has('script-src-elem') ||
        d.has('script-src-attr') ||
        d.has('default-src')
      );
    case 'object':
      return d.has('object-src') || d.has('default-src');
    case 'base':
      return d.has('base-uri');
    case 'all':
      return true;
  }
}

/**
 * Findings already reported, bucketed by value (or directive when there is
 * none), so the duplicate test compares a few findings, builds no key string.
 */
type Seen = Map<string, RawFinding[]>;

/** The same hygiene finding: code, directive and value (as `code|directive|value`). */
function sameHygiene(a: RawFinding, b: RawFinding): boolean {
  return (
    a.code === b.code &&
    (a.directive ?? '') === (b.directive ?? '') &&
    (a.value ?? '') === (b.value ?? '')
  );
}

/** The same weakness in the same directive: check, area, value and directive. */
function sameWeakness(a: RawFinding, b: RawFinding): boolean {
  return (
    a.check === b.check &&
    a.area === b.area &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.directive ?? '') === (b.directive ?? '')
  );
}

/** True when an equal finding was seen; otherwise records `fd`. */
function seenBefore(
  seen: Seen,
  fd: RawFinding,
  same: (a: RawFinding, b: RawFinding) => boolean,
): boolean {
  // Equal findings have equal values, or both no value and equal directives.
  const bucket = fd.value !== undefined && fd.value !== '' ? fd.value : (fd.directive ?? '');
  const list = seen.get(bucket);
  if (list === undefined) {
    seen.set(bucket, [fd]);
    return false;
  }
  for (const o of list) if (same(o, fd)) return true;
  list.push(fd);
  return false;
}

/**
 * Runs every check on each policy, then combines: a weakness (something
 * an attacker could use) is reported only when every policy that governs
 * that area has it, because a resource must pass all enforced policies
 * (CSP3 §8.1); hygiene findings are reported once per distinct finding.
 * Returns every instance to fix and the ones to report.
 */
function combine(inputs: readonly Input[]): {
  report: RawFinding[];
  instances: RawFinding[];
  /** For each reported finding, its index in `instances` (where its fix is). */
  reportAt: number[];
} {
  const perPolicy: RawFinding[][] = inputs.map(({ policy, parsed }) => {
    const out: RawFinding[] = [];
    effectiveChecks(effectivePolicy(policy), out);
    missingChecks(policy, out);
    rawChecks(policy, out);
    syntaxChecks(policy, parsed, out);
    strictChecks(policy, out);
    reportingChecks(policy, out);
    return out;
  });
  // With one policy a weakness is trivially everywhere; with several, each
  // policy's weaknesses are indexed once (check|area|value) for the lookup.
  const weaknesses: (Set<string> | undefined)[] =
    inputs.length > 1
      ? perPolicy.map((list) => {
          const keys = new Set<string>();
          for (const o of list) {
            if (o.area !== undefined) keys.add(`${o.check}|${o.area}|${o.value ?? ''}`);
          }
          return keys;
        })
      : [];
  const report: RawFinding[] = [];
  const instances: RawFinding[] = [];
  const reportAt: number[] = [];
  const seenHygiene: Seen = new Map();
  const seenWeakness: Seen = new Map();
  for (const list of perPolicy) {
    for (const fd of list) {
      if (fd.area === undefined) {
        instances.push(fd);
        if (!seenBefore(seenHygiene, fd, sameHygiene)) {
          report.push(fd);
          reportAt.push(instances.length - 1);
        }
        continue;
      }
      // Across policies the directive may differ (script-src here,
      // default-src there) while the weakness is the same.
      if (seenBefore(seenWeakness, fd, sameWeakness)) continue;
      const area = fd.area;
      let everywhere = true;
      if (inputs.length > 1) {
        const key = `${fd.check}|${fd.area}|${fd.value ?? ''}`;
        for (const { policy } of inputs) {
          if (governs(policy, area) && weaknesses[policy.index]?.has(key) !== true) {
            everywhere = false;
            break;
          }
        }
      }
      if (everywhere) {
        report.push(fd);
        reportAt.push(instances.length);
        instances.push(fd);
      }
    }
  }
  const base = missingBaseUri(inputs.map((i) => i.policy));
  if (base !== undefined) {
    report.push(base);
    reportAt.push(instances.length);
    instances.push(base);
  }
  return { report, instances, reportAt };
}

/** A finding as output: optional keys only when set, in the documented order. */
function toFinding(fd: RawFinding, header: string, prefix: string, fix: string): Finding {
  const out: {
    code: string;
    severity: Severity;
    header: string;
    directive?: string;
    value?: string;
    message?: string;
    fix?: string;
    spec?: string;
  } = { code: fd.code, severity: fd.severity, header };
  if (fd.directive !== undefined) out.directive = fd.directive;
  if (fd.value !== undefined) out.value = fd.value;
  out.message = `${prefix}${fd.message}`;
  out.fix = fix;
  out.spec = fd.spec;
  return out as Finding;
}

function analyze(inputs: Input[], header: string, extra: RawFinding[] = []): CspAnalysis {
  const all = inputs.length === 0 ? [{ policy: toPolicy(0, new Map()) }] : inputs;
  const { report, instances, reportAt } = combine(all);
  const withExtra = extra.length === 0 ? instances : [...extra, ...instances];
  const { fixed, fixes } = rewrite(
    all.map((i) => i.policy),
    withExtra,
  );
  const reportOnly = header.endsWith('report-only') ? '(report-only, not enforced) ' : '';
  const many = all.length > 1;
  // Stable sort by severity: bucket in order (extra first, then the report).
  const buckets: { fd: RawFinding; fix: string }[][] = [[], [], [], []];
  extra.forEach((fd, i) => buckets[RANK[fd.severity]]?.push({ fd, fix: fixes[i] ?? '' }));
  report.forEach((fd, i) =>
    buckets[RANK[fd.severity]]?.push({
      fd,
      fix: fixes[extra.length + (reportAt[i] ?? 0)] ?? '',
    }),
  );
  const findings: Finding[] = [];
  for (const bucket of buckets) {
    for (const { fd, fix } of bucket) {
      const where =
        all[fd.policy]?.policy.meta === true
          ? '<meta> policy: '
          : many
            ? `policy ${fd.policy + 1}: `
            : '';
      findings.push(toFinding(fd, header, reportOnly + where, fix));
    }
  }
  return { findings: boundFindings(findings), fixed };
}

function inputsOf(parsed: readonly ParsedCsp[], start = 0, meta = false): Input[] {
  return parsed.map((p, i) => ({ policy: toPolicy(start + i, p.directives, meta), parsed: p }));
}

/**
 * Analyses a Content-Security-Policy value (or several header values, each
 * possibly holding comma-separated policies, all enforced together) and
 * rewrites it to fix the findings. Never throws.
 *
 * @param policy One header value, or every value of the header in order.
 * @see https://www.w3.org/TR/CSP3/#parse-response-csp
 * @example
 * ```ts
 * const { findings, fixed } = analyzeCsp("script-src 'unsafe-inline' https:");
 * findings[0].code; // 'csp.script-src.unsafe-inline'
 * fixed;            // "script-src 'nonce-…' 'strict-dynamic' https: 'unsafe-inline'; base-uri 'none'; object-src 'none'"
 * ```
 */
export function analyzeCsp(
  policy: string | readonly string[],
  opts: AnalyzeCspOptions = {},
): CspAnalysis {
  const reportOnly = opts.reportOnly === true;
  const { policies } = parseCsp(policy, { validate: true, reportOnly });
  return analyze(
    inputsOf(policies),
    reportOnly ? 'content-security-policy-report-only' : 'content-security-policy',
    commaTypos(policies, 0),
  );
}

/** Directives a `<meta>` policy cannot carry (CSP3 §6.1.1 / HTML's http-equiv pragma). */
const META_IGNORED = ['frame-ancestors', 'report-uri', 'sandbox'];
/** Bound the HTML we parse: meta CSP must come early in <head> anyway. */
const MAX_BODY = 1 << 20;
const MAX_NODES = 100_000;

interface HtmlNode {
  readonly nodeName: string;
  readonly attrs?: readonly { readonly name: string; readonly value: string }[];
  readonly childNodes?: readonly HtmlNode[];
  readonly content?: HtmlNode;
}

interface MetaCsp {
  readonly content: string;
  readonly inHead: boolean;
  readonly reportOnly: boolean;
}

/** `<meta http-equiv="content-security-policy[-report-only]">` elements, in document order. */
function metaPolicies(body: string): MetaCsp[] {
  const out: MetaCsp[] = [];
  let doc: HtmlNode;
  try {
    doc = parseHtml(body.slice(0, MAX_BODY));
  } catch {
    return out;
  }
  const stack: { node: HtmlNode; parent: string }[] = [{ node: doc, parent: '' }];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES) {
    const item = stack.pop();
    if (item === undefined) break;
    visited++;
    const { node, parent } = item;
    if (node.nodeName === 'meta') {
      const attr = (n: string): string | undefined => node.attrs?.find((a) => a.name === n)?.value;
      const equiv = attr('http-equiv')?.trim().toLowerCase();
      const content = attr('content');
      if (
        (equiv === 'content-security-policy' || equiv === 'content-security-policy-report-only') &&
        content !== undefined
      ) {
        out.push({ content, inHead: parent === 'head', reportOnly: equiv.endsWith('report-only') });
      }
    }
    const children = node.childNodes ?? [];
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child !== undefined) stack.push({ node: child, parent: node.nodeName });
    }
  }
  return out;
}

function metaFinding(
  index: number,
  check: 'meta-ignored-directive' | 'meta-outside-head' | 'meta-report-only',
  severity: Severity,
  message: string,
  directive?: string,
): RawFinding {
  return {
    check,
    code: `csp.meta.${check.slice(5)}`,
    severity,
    ...(directive === undefined ? {} : { directive }),
    message,
    spec: `${CSP3}#meta-element`,
    policy: index,
  };
}

/**
 * CSP findings for one response: the enforced policies (every
 * Content-Security-Policy header line plus `<meta http-equiv>` policies in
 * `<head>`, enforced together), then Content-Security-Policy-Report-Only
 * evaluated on its own and labelled. A meta policy loses frame-ancestors,
 * report-uri and sandbox, and counts only inside `<head>`.
 *
 * @example
 * ```ts
 * cspFindings({ url: 'https://example.com/', status: 200, headers: [['content-security-policy', "default-src 'self'"]] });
 * ```
 */
export function cspFindings(response: CapturedResponse): Finding[] {
  const enforced = parseCsp(headerValues(response, 'content-security-policy'), { validate: true });
  const inputs = inputsOf(enforced.policies);
  const extra: RawFinding[] = commaTypos(enforced.policies, 0);
  // <meta> policies exist only in HTML documents, whatever the case of the
  // media type; a JSON body that mentions http-equiv has none.
  const html = htmlBody(response);
  if (html !== undefined && /http-equiv/i.test(html)) {
    for (const meta of metaPolicies(html)) {
      const index = inputs.length;
      if (meta.reportOnly) {
        extra.push(
          metaFinding(
            index,
            'meta-report-only',
            'low',
            'A report-only policy in <meta> is ignored by browsers.',
          ),
        );
        continue;
      }
      if (!meta.inHead) {
        extra.push(
          metaFinding(
            index,
            'meta-outside-head',
            'medium',
            'A CSP <meta> outside <head> is ignored by browsers, so this policy protects nothing.',
          ),
        );
        continue;
      }
      const parsed = parseCsp(meta.content, { validate: true });
      extra.push(...commaTypos(parsed.policies, inputs.length));
      for (const p of parsed.policies) {
        const i = inputs.length;
        for (const name of META_IGNORED) {
          if (p.directives.has(name)) {
            p.directives.delete(name);
            extra.push(
              metaFinding(
                i,
                'meta-ignored-directive',
                'low',
                `${name} is ignored in a <meta> policy; only the header can set it.`,
                name,
              ),
            );
          }
        }
        if (p.directives.size > 0)
          inputs.push({ policy: toPolicy(i, p.directives, true), parsed: p });
      }
    }
  }
  const findings = analyze(inputs, 'content-security-policy', extra).findings;
  const ro = headerValues(response, 'content-security-policy-report-only');
  if (ro.length > 0) findings.push(...analyzeCsp(ro, { reportOnly: true }).findings);
  return findings;
}
