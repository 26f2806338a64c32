/**
 * Reports over time as a plain SVG bar chart, rendered on the server: no
 * script, no library, no CDN. Bars use presentation attributes (`fill`),
 * which a `style-src` with a nonce does not govern.
 *
 * @module
 */
import type { TimelinePoint } from '../model.ts';
import { esc, time } from './html.ts';

const W = 720;
const H = 160;
const PAD = { left: 44, right: 8, top: 8, bottom: 22 };
/** At most this many bars; longer windows merge hours into wider bars. */
const MAX_BARS = 120;
const HOUR_MS = 3_600_000;

/**
 * An inline SVG of report counts between `from` and `to` (ms), one bar per
 * hour or per several hours.
 *
 * @example
 * ```ts
 * renderChart(await store.timeline({ since }), since, Date.now());
 * ```
 */
export function renderChart(points: readonly TimelinePoint[], from: number, to: number): string {
  const start = Math.floor(from / HOUR_MS) * HOUR_MS;
  const hours = Math.max(1, Math.ceil((to - start) / HOUR_MS));
  const per = Math.ceil(hours / MAX_BARS);
  const bars = Math.ceil(hours / per);
  const counts = new Array<number>(bars).fill(0);
  for (const p of points) {
    const i = Math.floor((p.bucket - start) / HOUR_MS / per);
    if (i >= 0 && i < bars) counts[i] = (counts[i] ?? 0) + p.count;
  }
  const max = Math.max(1, ...counts);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / bars;
  const rects = counts
    .map((n, i) => {
      if (n === 0) return '';
      const h = Math.max(1, (n / max) * plotH);
      const x = PAD.left + i * bw;
      const at = start + i * per * HOUR_MS;
      return `<rect x="${x.toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#b0413e"><title>${esc(time(at))}: ${n}</title></rect>`;
    })
    .join('');
  const total = counts.reduce((a, b) => a + b, 0);
  return `<svg class="chart" role="img" viewBox="0 0 ${W} ${H}" width="100%" aria-label="${esc(`${total} reports between ${time(start)} and ${time(to)}`)}">
<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${W - PAD.right}" y2="${PAD.top + plotH}" stroke="#888"/>
<text x="${PAD.left - 4}" y="${PAD.top + 10}" text-anchor="end" font-size="11" fill="#444">${max}</text>
<text x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end" font-size="11" fill="#444">0</text>
<text x="${PAD.left}" y="${H - 6}" font-size="11" fill="#444">${esc(time(start))}</text>
<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end" font-size="11" fill="#444">${esc(time(to))}</text>
${rects}
</svg>`;
}
