/**
 * HTML escaping for the dashboard. Every value from a report is
 * attacker-controlled: it reaches the page only through {@link esc}, inside
 * an element or a double-quoted attribute, never in a URL, a script, a
 * style or an event handler.
 *
 * @module
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for an HTML element's content or a quoted attribute value.
 * `null` and `undefined` become an em dash.
 *
 * @example
 * ```ts
 * esc('<script>alert(1)</script>'); // '&lt;script&gt;alert(1)&lt;/script&gt;'
 * ```
 */
export function esc(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * A query string for a dashboard link: each value percent-encoded, the
 * whole escaped for an attribute. Empty values are left out.
 */
export function query(params: Readonly<Record<string, string | null | undefined>>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return esc(parts.length === 0 ? '?' : `?${parts.join('&')}`);
}

/** A UTC time as `2025-01-31 14:05:09Z`, or an em dash. */
export function time(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}
