/**
 * Readers for the Reporting API's other report bodies: Network Error
 * Logging, COOP, COEP, Permissions-Policy, deprecation and intervention.
 * Each maps its body onto the shared fields; what does not fit goes into
 * `details` as bounded scalars.
 *
 * @see https://w3c.github.io/reporting/
 * @module
 */
import type { DetailValue } from '../model.ts';
import {
  cleanUrl,
  cleanUrlWithHost,
  decimal,
  integer,
  MAX,
  position,
  statusCode,
  text,
} from './fields.ts';
import { reportFields, type BodyReader } from './types.ts';

/** COOP and COEP say `reporting` where CSP says `report`. */
function disposition(value: unknown): 'enforce' | 'report' | null {
  if (value === 'enforce') return 'enforce';
  return value === 'reporting' || value === 'report' ? 'report' : null;
}

/** Drops null members so stored details stay small. */
function compact(details: Record<string, DetailValue>): Record<string, DetailValue> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== null));
}

const PHASES = new Set(['dns', 'connection', 'application']);

/**
 * NEL `network-error`: the request URL is the report's `url` (added by the
 * caller); the error type (`tcp.reset`, `dns.name_not_resolved`, `ok`) is
 * the directive. The server IP is the site's own (not the visitor's), kept.
 *
 * @see https://w3c.github.io/network-error-logging/#generate-a-network-error-report
 */
export const readNetworkError: BodyReader = (body) => {
  const type = text(body['type'], MAX.short);
  if (type === null) return '"body.type" (the network error type) is missing';
  const phase = text(body['phase'], MAX.short);
  return reportFields({
    directive: type,
    statusCode: statusCode(body['status_code']),
    details: compact({
      phase: phase !== null && PHASES.has(phase) ? phase : null,
      elapsedTime: integer(body['elapsed_time'], 0, 2 ** 31 - 1),
      samplingFraction: decimal(body['sampling_fraction'], 0, 1),
      serverIp: text(body['server_ip'], MAX.short),
      protocol: text(body['protocol'], MAX.short),
      method: text(body['method'], MAX.short),
    }),
  });
};

/**
 * COOP: the violation kind (`navigation-to-response`, `access-from-coop-page-to-opener`, …)
 * is the directive, the effective policy is the policy, and the other
 * document's URL is the blocked URL.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#coop-violation-report
 */
export const readCoop: BodyReader = (body, opts) => {
  const kind = text(body['type'], MAX.directive);
  if (kind === null) return '"body.type" (the COOP violation kind) is missing';
  const other = [
    'nextResponseURL',
    'previousResponseURL',
    'otherDocumentURL',
    'openeeURL',
    'openerURL',
    'initialPopupURL',
  ]
    .map((k) => cleanUrlWithHost(body[k], opts))
    .find((u) => u.url !== null);
  return reportFields({
    directive: kind,
    blockedUrl: other?.url ?? null,
    blockedHost: other?.host ?? null,
    sourceFile: cleanUrl(body['sourceFile'], opts),
    line: position(body['lineNumber']),
    column: position(body['columnNumber']),
    disposition: disposition(body['disposition']),
    policy: text(body['effectivePolicy'], MAX.short),
    details: compact({ property: text(body['property'], MAX.short) }),
  });
};

/**
 * COEP: the kind (`corp`, `navigation`, `worker initialization`) is the
 * directive; the resource that lacked CORP or CORS is the blocked URL.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#coep-report-type
 */
export const readCoep: BodyReader = (body, opts) => {
  const kind = text(body['type'], MAX.directive);
  if (kind === null) return '"body.type" (the COEP violation kind) is missing';
  const blocked = cleanUrlWithHost(body['blockedURL'], opts);
  return reportFields({
    directive: kind,
    blockedUrl: blocked.url,
    blockedHost: blocked.host,
    disposition: disposition(body['disposition']),
    details: compact({ destination: text(body['destination'], MAX.short) }),
  });
};

/**
 * Permissions-Policy: the feature is the directive.
 *
 * @see https://w3c.github.io/webappsec-permissions-policy/#reporting
 */
export const readPermissionsPolicy: BodyReader = (body, opts) => {
  const feature = text(body['featureId'], MAX.directive);
  if (feature === null) return '"body.featureId" is missing';
  return reportFields({
    directive: feature,
    sourceFile: cleanUrl(body['sourceFile'], opts),
    line: position(body['lineNumber']),
    column: position(body['columnNumber']),
    disposition: disposition(body['disposition']),
    details: compact({ message: text(body['message']) }),
  });
};

/**
 * Deprecation and intervention reports: the feature id is the directive.
 *
 * @see https://wicg.github.io/deprecation-reporting/
 * @see https://wicg.github.io/intervention-reporting/
 */
export const readDeprecationOrIntervention: BodyReader = (body, opts) => {
  const id = text(body['id'], MAX.short);
  if (id === null) return '"body.id" is missing';
  return reportFields({
    directive: id,
    sourceFile: cleanUrl(body['sourceFile'], opts),
    line: position(body['lineNumber']),
    column: position(body['columnNumber']),
    details: compact({
      message: text(body['message']),
      anticipatedRemoval: text(body['anticipatedRemoval'], MAX.short),
    }),
  });
};
