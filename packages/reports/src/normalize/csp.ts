/**
 * CSP violation reports: the legacy `report-uri` body (`{"csp-report":
 * {…}}`, kebab-case, numbers sometimes as strings) and the Reporting API's
 * `csp-violation` body (camelCase). Both become one shape.
 *
 * @see https://www.w3.org/TR/CSP3/#deprecated-serialize-violation
 * @see https://www.w3.org/TR/CSP3/#reporting
 * @module
 */
import { cleanUrl, cleanUrlWithHost, MAX, position, statusCode, text } from './fields.ts';
import { reportFields, type BodyReader, type ReadOptions, type ReportFields } from './types.ts';

/** The body's member names: legacy (kebab-case) and Reporting API (camelCase). */
const NAMES = {
  legacy: {
    document: 'document-uri',
    effective: 'effective-directive',
    violated: 'violated-directive',
    policy: 'original-policy',
    blocked: 'blocked-uri',
    source: 'source-file',
    line: 'line-number',
    column: 'column-number',
    status: 'status-code',
    sample: 'script-sample',
  },
  v1: {
    document: 'documentURL',
    effective: 'effectiveDirective',
    violated: 'effectiveDirective',
    policy: 'originalPolicy',
    blocked: 'blockedURL',
    source: 'sourceFile',
    line: 'lineNumber',
    column: 'columnNumber',
    status: 'statusCode',
    sample: 'sample',
  },
} as const;

const DIRECTIVE = /^[a-z][a-z0-9-]{0,63}$/;
const SPACE = /\s/;

/**
 * The effective directive: `effective-directive` when given, else the name
 * at the start of `violated-directive` (older Firefox sent only that, with
 * the directive's whole value after the name).
 */
function directiveOf(effective: unknown, violated: unknown): string | null {
  // What browsers send: a bare lower-case name, stored as it is.
  if (typeof effective === 'string' && DIRECTIVE.test(effective)) return effective;
  for (const candidate of [effective, violated]) {
    const name = text(candidate, MAX.policy)?.trim().split(SPACE, 1)[0]?.toLowerCase();
    if (name !== undefined && DIRECTIVE.test(name)) return name;
  }
  return null;
}

/**
 * The policy as reported, with every per-response nonce replaced by
 * `'nonce-…'`: otherwise each page view would carry a different policy and
 * the same violation could never be de-duplicated (and nonces do not
 * belong in a database).
 */
const NONCE = /'nonce-[^'\s;]*'/gi;

function policyOf(value: unknown): string | null {
  return text(value, MAX.policy)?.replace(NONCE, "'nonce-…'") ?? null;
}

function disposition(value: unknown): 'enforce' | 'report' | null {
  return value === 'enforce' || value === 'report' ? value : null;
}

function read(
  body: Record<string, unknown>,
  names: (typeof NAMES)[keyof typeof NAMES],
  opts: ReadOptions,
): ReportFields | string {
  const url = cleanUrl(body[names.document], opts);
  if (url === null) return `"${names.document}" is missing or not a string`;
  const blocked = cleanUrlWithHost(body[names.blocked], opts);
  const referrer = opts.keepReferrer === true ? cleanUrl(body['referrer'], opts) : null;
  return reportFields({
    url,
    directive: directiveOf(body[names.effective], body[names.violated]),
    blockedUrl: blocked.url,
    blockedHost: blocked.host,
    sourceFile: cleanUrl(body[names.source], opts),
    line: position(body[names.line]),
    column: position(body[names.column]),
    disposition: disposition(body['disposition']),
    sample: text(body[names.sample], MAX.sample),
    statusCode: statusCode(body[names.status]),
    policy: policyOf(body[names.policy]),
    details: referrer === null ? {} : { referrer },
  });
}

/** Reads the inside of a legacy `{"csp-report": {…}}` body. */
export const readLegacyCsp: BodyReader = (body, opts) => read(body, NAMES.legacy, opts);

/** Reads a Reporting API `csp-violation` body. */
export const readCspViolation: BodyReader = (body, opts) => read(body, NAMES.v1, opts);
