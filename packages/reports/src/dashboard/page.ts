/**
 * The dashboard's pages as pure functions of data: no I/O, no state. Every
 * value from a report goes through `esc`; links are built from
 * percent-encoded query strings only.
 *
 * @module
 */
import type { IngestStats } from '../ingest.ts';
import type { LearnResult } from '../learn/index.ts';
import {
  GROUP_BY,
  REPORT_TYPES,
  type DropRow,
  type GroupBy,
  type GroupRow,
  type ReportRecord,
  type ReportType,
  type TimelinePoint,
} from '../model.ts';
import { renderChart } from './chart.ts';
import { esc, query, time } from './html.ts';

/** The time windows the dashboard offers. */
export const WINDOWS = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
} as const;

/** One window name. */
export type WindowName = keyof typeof WINDOWS;

/** The dashboard's filters, from its query string. */
export interface Filters {
  readonly site?: string | undefined;
  readonly type?: ReportType | undefined;
  readonly window: WindowName;
  readonly directive?: string | null | undefined;
  readonly blockedHost?: string | null | undefined;
  readonly sourceFile?: string | null | undefined;
}

/** Everything the main page shows. */
export interface DashboardModel {
  readonly filters: Filters;
  readonly sites: readonly string[];
  readonly from: number;
  readonly to: number;
  readonly timeline: readonly TimelinePoint[];
  readonly groups: Readonly<Record<GroupBy, readonly GroupRow[]>>;
  readonly records: readonly ReportRecord[];
  readonly drops: readonly DropRow[];
  readonly stats: IngestStats;
}

/** The value a link uses for "no value" (a report without a directive, host or file). */
export const NONE = '(none)';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:24px}
table{border-collapse:collapse;width:100%;margin:4px 0}
td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f4f4f4}.n{text-align:right;white-space:nowrap}
.groups{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
form.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:end}
pre{background:#f6f6f6;padding:8px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.muted{color:#666}.high{color:#a00;font-weight:bold}
`;

function layout(title: string, nonce: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style nonce="${esc(nonce)}">${STYLE}</style>
</head>
<body>
<header><h1><a href="/">Barbican reports</a></h1></header>
${body}
${script === '' ? '' : `<script nonce="${esc(nonce)}">${script}</script>`}
</body>
</html>
`;
}

function filterQuery(f: Filters, extra: Partial<Record<string, string | null>> = {}): string {
  const show = (v: string | null | undefined) => (v === null ? NONE : v);
  return query({
    site: f.site,
    type: f.type,
    since: f.window,
    directive: show(f.directive),
    blockedHost: show(f.blockedHost),
    sourceFile: show(f.sourceFile),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, show(v)])),
  });
}

function select(
  name: string,
  options: readonly string[],
  current: string | undefined,
  any: string,
): string {
  const opts = options
    .map((o) => `<option value="${esc(o)}"${o === current ? ' selected' : ''}>${esc(o)}</option>`)
    .join('');
  return `<label>${esc(name)} <select name="${esc(name)}">${any === '' ? '' : `<option value="">${esc(any)}</option>`}${opts}</select></label>`;
}

function filtersForm(m: DashboardModel): string {
  const f = m.filters;
  return `<form class="filters" method="get" action="/">
${select('site', m.sites, f.site, 'all sites')}
${select('type', REPORT_TYPES, f.type, 'all types')}
${select('since', Object.keys(WINDOWS), f.window, '')}
<button type="submit">Show</button>
</form>`;
}

const GROUP_TITLES: Readonly<Record<GroupBy, string>> = {
  site: 'By site',
  type: 'By type',
  directive: 'By directive',
  blockedHost: 'By blocked host',
  sourceFile: 'By source file',
};

function groupTable(m: DashboardModel, by: GroupBy): string {
  const rows = m.groups[by]
    .map(
      (g) =>
        `<tr><td><a href="${filterQuery(m.filters, { [by]: g.key })}">${esc(g.key ?? NONE)}</a></td><td class="n">${g.count}</td></tr>`,
    )
    .join('');
  return `<div class="group" id="by-${esc(by)}"><h3>${esc(GROUP_TITLES[by])}</h3><table><tbody>${rows || '<tr><td class="muted">no reports</td></tr>'}</tbody></table></div>`;
}

function reportRow(r: ReportRecord): string {
  const where =
    r.sourceFile === null
      ? '—'
      : `${esc(r.sourceFile)}${r.line === null ? '' : `:${r.line}`}${r.column === null ? '' : `:${r.column}`}`;
  return `<tr data-fingerprint="${esc(r.fingerprint)}">
<td>${esc(r.site)}</td><td>${esc(r.type)}</td><td class="directive">${esc(r.directive)}</td>
<td class="blocked">${esc(r.blockedUrl)}</td><td class="document">${esc(r.url)}</td><td>${where}</td>
<td>${esc(r.disposition)}</td><td class="n">${r.count}</td><td class="n">${esc(time(r.receivedAt))}</td>
<td><a href="/details${query({ fp: r.fingerprint, site: r.site })}">details</a></td></tr>`;
}

function dropsLine(m: DashboardModel): string {
  const total = new Map<string, number>();
  for (const d of m.drops) total.set(d.reason, (total.get(d.reason) ?? 0) + d.count);
  const parts = [...total].map(([reason, n]) => `${esc(reason)}: ${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/**
 * The main page: filters, chart, groupings, the reports, and the learn button.
 *
 * @example
 * ```ts
 * res.end(renderDashboard(model, nonceOf(res)));
 * ```
 */
export function renderDashboard(m: DashboardModel, nonce: string): string {
  const total = m.timeline.reduce((n, p) => n + p.count, 0);
  const s = m.stats;
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  const learn =
    m.filters.site === undefined
      ? '<p class="muted">Choose a site to propose a policy from its reports.</p>'
      : `<form method="get" action="/learn"><input type="hidden" name="site" value="${esc(m.filters.site)}"><input type="hidden" name="since" value="${esc(m.filters.window)}"><button type="submit" id="learn-button">Propose a CSP for ${esc(m.filters.site)}</button></form>`;
  const body = `${filtersForm(m)}
<section id="summary"><p><strong id="total">${total}</strong> reports stored in the last ${esc(m.filters.window)}. Dropped (counted, not stored): ${dropsLine(m)}.
<span class="muted">Since start: ${s.requests} requests, ${s.accepted} accepted, ${rejected} rejected, ${s.overLimit} over a limit, ${s.busy} not written.</span></p></section>
<section id="chart"><h2>Reports over time</h2>${renderChart(m.timeline, m.from, m.to)}</section>
<section id="groups" class="groups">${GROUP_BY.map((by) => groupTable(m, by)).join('\n')}</section>
<section id="learn"><h2>Policy</h2>${learn}</section>
<section id="reports"><h2>Reports (${m.records.length} shown, de-duplicated)</h2>
<table><thead><tr><th>site</th><th>type</th><th>directive</th><th>blocked</th><th>document</th><th>source</th><th>disposition</th><th class="n">count</th><th class="n">last seen</th><th></th></tr></thead>
<tbody>${m.records.map(reportRow).join('\n')}</tbody></table></section>`;
  return layout('Barbican reports', nonce, body);
}

/** One de-duplicated report with every field. */
export function renderDetails(r: ReportRecord | undefined, nonce: string): string {
  if (r === undefined) return layout('Report not found', nonce, '<p>No such report.</p>');
  const fields: [string, string | number | boolean | null][] = [
    ['site', r.site],
    ['type', r.type],
    ['document', r.url],
    ['directive', r.directive],
    ['blocked', r.blockedUrl],
    ['blocked host', r.blockedHost],
    ['source file', r.sourceFile],
    ['line', r.line],
    ['column', r.column],
    ['disposition', r.disposition],
    ['sample', r.sample],
    ['status code', r.statusCode],
    ['policy', r.policy],
    ['user agent (latest)', r.userAgent],
    ['client (truncated)', r.client],
    ['count', r.count],
    ['first received', time(r.firstReceivedAt)],
    ['last received', time(r.receivedAt)],
    ['first generated (received − age)', time(r.firstGeneratedAt)],
    ['last generated', time(r.generatedAt)],
    ...Object.entries(r.details),
  ];
  const rows = fields.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n');
  return layout(
    'Report',
    nonce,
    `<table id="details" data-fingerprint="${esc(r.fingerprint)}">${rows}</table>`,
  );
}

const COPY_SCRIPT = `document.getElementById('copy')?.addEventListener('click',()=>{navigator.clipboard.writeText(document.getElementById('config').textContent)})`;

function list<T>(items: readonly T[], row: (t: T) => string, empty: string): string {
  return items.length === 0
    ? `<p class="muted">${esc(empty)}</p>`
    : `<table><tbody>${items.map(row).join('')}</tbody></table>`;
}

/** The proposed policy, what it allows and refuses, and its analysis. */
export function renderLearn(site: string, result: LearnResult, nonce: string): string {
  const body = `<h2>Proposed Content-Security-Policy for ${esc(site)}</h2>
<p>From ${result.reports} CSP violation reports. Merge this into barbican.config.json (or .yaml):</p>
<pre id="config">${esc(JSON.stringify(result.config, null, 2))}</pre><button type="button" id="copy">Copy</button>
<h3>Header it produces</h3><pre id="header">${esc(result.header)}</pre>
<h3>Allowed</h3>${list(result.allowed, (a) => `<tr><td>${esc(a.directive)}</td><td>${esc(a.source)}</td><td class="n">${a.count}</td><td>${esc(a.note)}</td></tr>`, 'nothing beyond the preset')}
<h3>Refused</h3><div id="refused">${list(result.refused, (r) => `<tr><td>${esc(r.directive)}</td><td>${esc(r.source)}</td><td class="n">${r.count}</td><td>${esc(r.reason)}</td></tr>`, 'nothing refused')}</div>
<h3>Notes</h3>${list(result.notes, (n) => `<tr><td>${esc(n)}</td></tr>`, 'none')}
<h3>Analysis (barbican csp)</h3>${list(result.findings, (f) => `<tr><td class="${f.severity === 'high' ? 'high' : ''}">${esc(f.severity)}</td><td>${esc(f.code)}</td><td>${esc(f.message)}</td></tr>`, 'no findings')}`;
  return layout(`Proposed CSP for ${site}`, nonce, body, COPY_SCRIPT);
}

/** The login form (only when the dashboard needs a token). */
export function renderLogin(nonce: string, failed: boolean): string {
  return layout(
    'Barbican reports: sign in',
    nonce,
    `<form method="post" action="/login">${failed ? '<p class="high">Wrong token.</p>' : ''}
<label>Token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`,
  );
}
