/**
 * `barbican reports learn`: a Content-Security-Policy that allows what
 * browsers legitimately reported, and a list of what it refused and why.
 *
 * The proposal starts from the `barbican` preset's CSP (so it is never
 * weaker than the default), prefers `'self'`, groups three or more hosts
 * under one parent domain into a wildcard (never at a public suffix),
 * serves inline scripts and styles with a per-response nonce (plus
 * `'strict-dynamic'` for scripts) instead of `'unsafe-inline'`, and never
 * proposes `*`, `'unsafe-eval'`, or `data:`/`blob:` where code runs. The
 * result is a config fragment, validated by `createPolicy` and analysed by
 * the scanner's CSP analysis (`barbican csp`).
 *
 * @module
 */
import { createPolicy, PRESETS, type CspDirectives } from '@barbican/core';
import { checkSource } from '@barbican/core/parsers';
import { analyzeCsp, type Finding } from '@barbican/scanner';
import { getDomain, getPublicSuffix } from 'tldts';
import type { ReportRecord } from '../model.ts';
import { classify, type Lesson } from './classify.ts';

/** Options of {@link learnPolicy}. */
export interface LearnOptions {
  /** A source seen in fewer reports than this is refused as a one-off (default 2). */
  readonly minCount?: number;
  /** Emit `cspReportOnly` (try it first) instead of `csp`. */
  readonly reportOnly?: boolean;
  /** Hosts under one parent domain before they are grouped into `*.parent` (default 3). */
  readonly groupAt?: number;
  /** A collector URL to keep reporting to: added to the fragment as the policy's `report` option. */
  readonly report?: string;
}

/** A source the proposal allows, with the number of reports behind it. */
export interface Allowed {
  readonly directive: string;
  readonly source: string;
  readonly count: number;
  readonly note?: string;
}

/** A source the proposal refused to allow, and why. */
export interface Refused {
  readonly directive: string;
  readonly source: string;
  readonly count: number;
  readonly reason: string;
}

/** The proposal: the config fragment, the header it yields, and the reasoning. */
export interface LearnResult {
  /** CSP violation reports considered (sum of counts). */
  readonly reports: number;
  /** Ready to merge into `barbican.config.json` (or `.yaml`). */
  readonly config: {
    readonly headers: Readonly<Record<'csp' | 'cspReportOnly', unknown>>;
    readonly report?: string;
  };
  /** The header value the fragment produces, with a sample nonce. */
  readonly header: string;
  readonly allowed: readonly Allowed[];
  readonly refused: readonly Refused[];
  /** Directives that carry the per-response nonce. */
  readonly nonce: readonly string[];
  readonly notes: readonly string[];
  /** `barbican csp` on the header: no finding should be high. */
  readonly findings: readonly Finding[];
}

/** What the analysis sees in place of the per-response nonce. */
const SAMPLE_NONCE = 'REPLACE_WITH_FRESH_NONCE';

interface Tally {
  allowed: Map<string, { directive: string; source: string; count: number; note?: string }>;
  refused: Map<string, Refused>;
  nonce: Set<'script-src' | 'style-src'>;
  reports: number;
}

function tally(records: readonly ReportRecord[]): Tally {
  const t: Tally = { allowed: new Map(), refused: new Map(), nonce: new Set(), reports: 0 };
  for (const record of records) {
    if (record.type !== 'csp-violation') continue;
    t.reports += record.count;
    const lesson: Lesson | undefined = classify(record);
    if (lesson === undefined) continue;
    if (lesson.kind === 'nonce') {
      t.nonce.add(lesson.directive);
      const key = `${lesson.directive} 'unsafe-inline'`;
      t.refused.set(key, {
        directive: lesson.directive,
        source: "'unsafe-inline'",
        count: (t.refused.get(key)?.count ?? 0) + record.count,
        reason: `inline ${lesson.directive === 'script-src' ? '<script>' : '<style>'} is allowed by the per-response nonce instead, so injected markup stays blocked`,
      });
    } else {
      const map = lesson.kind === 'allow' ? t.allowed : t.refused;
      const key = `${lesson.directive} ${lesson.source}`;
      const prev = map.get(key);
      map.set(key, { ...lesson, count: (prev?.count ?? 0) + record.count } as Refused & Allowed);
    }
  }
  return t;
}

/** Moves allowed sources seen too rarely to the refused list. */
function dropOneOffs(t: Tally, minCount: number): void {
  for (const [key, a] of t.allowed) {
    if (a.source === "'self'" || a.count >= minCount) continue;
    t.allowed.delete(key);
    t.refused.set(key, {
      directive: a.directive,
      source: a.source,
      count: a.count,
      reason: `seen in ${a.count} report${a.count === 1 ? '' : 's'} (fewer than ${minCount}): a one-off or injected content; re-run with more traffic, or add it by hand`,
    });
  }
}

/** Refuses sources the CSP grammar would reject (a hostile report cannot smuggle one in). */
function dropMalformed(t: Tally): void {
  for (const [key, a] of t.allowed) {
    if (checkSource(a.source) === undefined) continue;
    t.allowed.delete(key);
    t.refused.set(key, {
      directive: a.directive,
      source: a.source,
      count: a.count,
      reason: 'not a valid CSP source expression',
    });
  }
}

/** `https://a.cdn.example` ×3 → `https://*.cdn.example`, never at a public suffix. */
function groupHosts(allowed: readonly Allowed[], groupAt: number, notes: string[]): Allowed[] {
  const byParent = new Map<string, Allowed[]>();
  const out: Allowed[] = [];
  for (const a of allowed) {
    const m = /^(https?|wss?):\/\/([^.:/]+)\.([^:/]+)$/.exec(a.source);
    const parent = m === null ? undefined : `${a.directive} ${m[1]}://${m[3]}`;
    if (parent === undefined) out.push(a);
    else byParent.set(parent, [...(byParent.get(parent) ?? []), a]);
  }
  for (const [key, group] of byParent) {
    const [directive = '', origin = ''] = key.split(' ');
    const host = origin.replace(/^[a-z]+:\/\//, '');
    // Private suffixes count (github.io, s3.amazonaws.com): anyone can host
    // under those, so *.github.io would allow the whole world.
    const psl = { allowPrivateDomains: true };
    const registrable = getDomain(host, psl) !== null && getPublicSuffix(host, psl) !== host;
    if (group.length >= groupAt && registrable) {
      const source = origin.replace('://', '://*.');
      out.push({ directive, source, count: group.reduce((n, a) => n + a.count, 0) });
      notes.push(`${directive}: ${group.length} hosts under ${host} grouped as ${source}`);
    } else out.push(...group);
  }
  return out;
}

/** The preset's directives with the learned sources added (a new directive starts from default-src). */
function buildDirectives(allowed: readonly Allowed[], nonce: ReadonlySet<string>): CspDirectives {
  const base = PRESETS.barbican.headers.csp;
  const directives: CspDirectives = {
    ...(typeof base === 'object' ? (base.directives ?? {}) : {}),
  };
  const inherited = (directives['default-src'] as string[] | undefined) ?? ["'self'"];
  const sorted = [...allowed].sort((a, b) => a.source.localeCompare(b.source));
  for (const a of sorted) {
    const current = directives[a.directive];
    const list = Array.isArray(current) ? [...current] : inherited.filter((s) => s !== "'none'");
    if (!list.includes(a.source)) list.push(a.source);
    directives[a.directive] = list;
  }
  if (nonce.has('script-src')) {
    const scripts = directives['script-src'];
    directives['script-src'] = [
      ...(Array.isArray(scripts) ? scripts : inherited),
      "'strict-dynamic'",
    ];
  }
  return directives;
}

/**
 * Proposes a CSP from stored reports (any mix of types: only CSP violations
 * are read).
 *
 * @example
 * ```ts
 * const records = await store.list({ site: 'shop', type: 'csp-violation', since, limit: 10000 });
 * const { config, refused, findings } = learnPolicy(records);
 * ```
 */
export function learnPolicy(
  records: readonly ReportRecord[],
  opts: LearnOptions = {},
): LearnResult {
  const t = tally(records);
  dropMalformed(t);
  dropOneOffs(t, opts.minCount ?? 2);
  const notes: string[] = [];
  const allowed = groupHosts([...t.allowed.values()], opts.groupAt ?? 3, notes);
  const nonce = [...t.nonce].sort();
  if (t.nonce.has('script-src')) {
    notes.push(
      "script-src: inline scripts were reported, so scripts get a per-response nonce with 'strict-dynamic': put the nonce (nonceOf(res) / res.locals.cspNonce) on every <script>; the host sources stay as a fallback for browsers without 'strict-dynamic'",
    );
  }
  if (t.nonce.has('style-src'))
    notes.push('style-src: inline <style> was reported: give it the nonce');
  const key = opts.reportOnly === true ? 'cspReportOnly' : 'csp';
  const directives = buildDirectives(allowed, t.nonce);
  const option = { directives, ...(nonce.length > 0 ? { nonce } : {}) };
  const report = opts.report === undefined ? {} : { report: opts.report };
  const policy = createPolicy({ headers: { [key]: option }, ...report });
  const name = key === 'csp' ? 'content-security-policy' : 'content-security-policy-report-only';
  const header =
    policy
      .headersFor({ https: true, nonce: SAMPLE_NONCE })
      .find(([n]) => n.toLowerCase() === name)?.[1] ?? '';
  return {
    reports: t.reports,
    config: { headers: { [key]: option } as Record<'csp' | 'cspReportOnly', unknown>, ...report },
    header,
    allowed: allowed.sort(
      (a, b) => a.directive.localeCompare(b.directive) || a.source.localeCompare(b.source),
    ),
    refused: [...t.refused.values()].sort((a, b) => b.count - a.count),
    nonce,
    notes,
    findings: analyzeCsp(header, { reportOnly: key === 'cspReportOnly' }).findings,
  };
}
