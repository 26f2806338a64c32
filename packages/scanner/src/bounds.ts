/**
 * Bounds on what a report can say about one input, so its size grows at
 * most linearly with the input and never past a fixed cap: a scanned page
 * chooses its own headers and `<meta>` policies, and a CSP listing 1,000
 * hosts once produced 25 MB of JSON (a 125 KB one: `RangeError: Invalid
 * string length`).
 *
 * Three rules, applied by {@link boundFindings} to every list of findings a
 * reporter receives (the CSP analysis and each scan result):
 *
 * 1. **Aggregate per directive.** Findings with the same code about the same
 *    header and directive are one problem with many instances: past
 *    `perGroup - 1` of them, the rest become one finding that counts them
 *    (`instances`) and names the first few (`more`).
 * 2. **Clip long strings.** A value, message or fix longer than its cap is
 *    cut, saying how long it was.
 * 3. **Cap the total.** Past `total` findings, the rest (the least severe:
 *    lists arrive sorted worst first) become one `report.truncated` finding
 *    that counts them by severity.
 *
 * @module
 */
import type { Finding, Severity } from './model.ts';

/** The bounds {@link boundFindings} applies. */
export interface FindingLimits {
  /** Findings kept per (code, header, directive) before the rest are aggregated. */
  readonly perGroup: number;
  /** Values an aggregated finding names in `more`. */
  readonly sample: number;
  /** Findings per report (one of them the truncation note). */
  readonly total: number;
  /** Characters of a `value` or of an entry of `more`. */
  readonly valueChars: number;
  /** Characters of a `message` or a `fix`. */
  readonly textChars: number;
}

/** The bounds every Barbican report uses. */
export const FINDING_LIMITS: FindingLimits = {
  perGroup: 5,
  sample: 10,
  total: 200,
  valueChars: 256,
  textChars: 2048,
};

/** The code of the note that replaces findings past the total cap. */
export const TRUNCATED_CODE = 'report.truncated';

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters in all)`;
}

function clipped(f: Finding, limits: FindingLimits): Finding {
  const long =
    (f.value?.length ?? 0) > limits.valueChars ||
    f.message.length > limits.textChars ||
    f.fix.length > limits.textChars;
  if (!long) return f;
  return {
    ...f,
    ...(f.value === undefined ? {} : { value: clip(f.value, limits.valueChars) }),
    message: clip(f.message, limits.textChars),
    fix: clip(f.fix, limits.textChars),
  };
}

function groupKey(f: Finding): string {
  return `${f.code}\u0000${f.header}\u0000${f.directive ?? ''}`;
}

/** Rule 1: at most `perGroup` findings per group, the last standing for the rest. */
function aggregate(findings: readonly Finding[], limits: FindingLimits): Finding[] {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(groupKey(f), (counts.get(groupKey(f)) ?? 0) + 1);
  const out: Finding[] = [];
  const folded = new Map<string, { at: number; first: Finding; values: string[]; n: number }>();
  const seen = new Map<string, number>();
  for (const f of findings) {
    const key = groupKey(f);
    const index = (seen.get(key) ?? 0) + 1;
    seen.set(key, index);
    const total = counts.get(key) ?? 1;
    if (total <= limits.perGroup || index < limits.perGroup) {
      out.push(f);
      continue;
    }
    let group = folded.get(key);
    if (group === undefined) {
      group = { at: out.length, first: f, values: [], n: 0 };
      folded.set(key, group);
      out.push(f);
    } else if (f.value !== undefined && group.values.length < limits.sample) {
      group.values.push(clip(f.value, limits.valueChars));
    }
    group.n += f.instances ?? 1;
  }
  for (const { at, first, values, n } of folded.values()) {
    const where = first.directive === undefined ? first.header : first.directive;
    out[at] = {
      ...first,
      message: `${first.message} The same applies to ${n - 1} more value${n === 2 ? '' : 's'} in ${where}.`,
      instances: n,
      ...(values.length === 0 ? {} : { more: values }),
    };
  }
  return out;
}

const ORDER: readonly Severity[] = ['high', 'medium', 'low', 'info'];

/** Rule 3: past `total`, one note counting what was left out. */
function capTotal(findings: Finding[], limits: FindingLimits): Finding[] {
  if (findings.length <= limits.total) return findings;
  const kept = findings.slice(0, limits.total - 1);
  const dropped = findings.slice(limits.total - 1);
  const counts = ORDER.map((s) => [s, dropped.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  kept.push({
    code: TRUNCATED_CODE,
    severity: 'info',
    header: 'report',
    message: `${dropped.length} more findings were left out (${counts.join(', ')}): a report lists at most ${limits.total}.`,
    fix: 'Fix the findings above and scan again; the worst are listed first.',
    spec: 'https://github.com/barbican/barbican/blob/main/docs/scan.md#report-size',
  });
  return kept;
}

/**
 * Applies the three bounds to a list of findings (sorted worst first). A
 * list within the bounds is returned unchanged, so bounding is idempotent.
 *
 * @example
 * ```ts
 * const findings = boundFindings(mergeFindings(lists));
 * ```
 */
export function boundFindings(
  findings: readonly Finding[],
  limits: FindingLimits = FINDING_LIMITS,
): Finding[] {
  return capTotal(
    aggregate(findings, limits).map((f) => clipped(f, limits)),
    limits,
  );
}
