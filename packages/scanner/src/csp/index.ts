/**
 * CSP analysis: every check of Google's CSP Evaluator, correct for several
 * policies enforced together, plus the policy rewritten to fix what it finds.
 *
 * @see https://www.w3.org/TR/CSP3/
 * @see https://github.com/google/csp-evaluator
 * @module
 */
import { parseCsp, type ParsedCsp } from '@barbican/core';
import { parse as parseHtml } from 'parse5';
import { headerValues, type CapturedResponse, type Finding, type Severity } from '../model.ts';
import {
  CSP3,
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
 * Runs every check on each policy, then combines: a weakness (something
 * an attacker could use) is reported only when every policy that governs
 * that area has it, because a resource must pass all enforced policies
 * (CSP3 §8.1); hygiene findings are reported once per distinct finding.
 * Returns every instance to fix and the ones to report.
 */
function combine(inputs: readonly Input[]): { report: RawFinding[]; instances: RawFinding[] } {
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
  const report: RawFinding[] = [];
  const instances: RawFinding[] = [];
  const seen = new Set<string>();
  perPolicy.forEach((list) => {
    for (const fd of list) {
      if (fd.area === undefined) {
        instances.push(fd);
        const key = `${fd.code}|${fd.directive ?? ''}|${fd.value ?? ''}`;
        if (!seen.has(key)) {
          seen.add(key);
          report.push(fd);
        }
        continue;
      }
      // Across policies the directive may differ (script-src here,
      // default-src there) while the weakness is the same.
      const key = `${fd.check}|${fd.area}|${fd.value ?? ''}`;
      const full = `${key}|${fd.directive ?? ''}`;
      if (seen.has(full)) continue;
      seen.add(full);
      const area = fd.area;
      const governing = inputs.filter(({ policy }) => governs(policy, area));
      const everywhere = governing.every(({ policy }) =>
        (perPolicy[policy.index] ?? []).some(
          (o) => o.area === area && `${o.check}|${o.area}|${o.value ?? ''}` === key,
        ),
      );
      if (everywhere) {
        report.push(fd);
        instances.push(fd);
      }
    }
  });
  const base = missingBaseUri(inputs.map((i) => i.policy));
  if (base !== undefined) {
    report.push(base);
    instances.push(base);
  }
  return { report, instances };
}

function analyze(inputs: Input[], header: string, extra: RawFinding[] = []): CspAnalysis {
  const all = inputs.length === 0 ? [{ policy: toPolicy(0, new Map()) }] : inputs;
  const { report, instances } = combine(all);
  const withExtra = [...extra, ...instances];
  const { fixed, fixes } = rewrite(
    all.map((i) => i.policy),
    withExtra,
  );
  const fixOf = new Map<RawFinding, string>();
  withExtra.forEach((fd, i) => fixOf.set(fd, fixes[i] ?? ''));
  const reportOnly = header.endsWith('report-only');
  const many = all.length > 1;
  const findings = [...extra, ...report]
    .map((fd, order) => ({ fd, order }))
    .sort((a, b) => RANK[a.fd.severity] - RANK[b.fd.severity] || a.order - b.order)
    .map(({ fd }): Finding => {
      const where =
        all[fd.policy]?.policy.meta === true
          ? '<meta> policy: '
          : many
            ? `policy ${fd.policy + 1}: `
            : '';
      return {
        code: fd.code,
        severity: fd.severity,
        header,
        ...(fd.directive === undefined ? {} : { directive: fd.directive }),
        ...(fd.value === undefined ? {} : { value: fd.value }),
        message: `${reportOnly ? '(report-only, not enforced) ' : ''}${where}${fd.message}`,
        fix: fixOf.get(fd) ?? '',
        spec: fd.spec,
      };
    });
  return { findings, fixed };
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
  const extra: RawFinding[] = [];
  if (response.body !== undefined && /http-equiv/i.test(response.body)) {
    for (const meta of metaPolicies(response.body)) {
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
