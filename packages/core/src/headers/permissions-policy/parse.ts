/**
 * Permissions-Policy parser (W3C Permissions Policy §"Parse a policy" over an
 * RFC 9651 Dictionary). Shared by raw-string validation and the scanner.
 * Never throws.
 *
 * @module
 */
import type { FieldProblem } from '../../field-types.ts';
import { isToken, parseDictionary, type SfItem } from '../../structured-fields/index.ts';
import type { Allowlist, Features } from './allowlist.ts';
import { originProblem } from './allowlist.ts';
import { isKnownFeature } from './features.ts';

/** One `feature=allowlist` member. */
export interface PermissionsPolicyDirective {
  readonly feature: string;
  /** What browsers honour; entries they would ignore are left out (and reported). */
  readonly allowlist: Allowlist;
  /** The `report-to` parameter (Chromium's violation reporting), when present. */
  readonly reportTo?: string;
  /** Byte offset of the feature name. */
  readonly offset: number;
}

/** The result of {@link parsePermissionsPolicy}. */
export interface PermissionsPolicyParseResult {
  /** False when the field is not a valid structured-field Dictionary: browsers then ignore it entirely. */
  readonly valid: boolean;
  /** Feature → allowlist, in the option shape Barbican takes (a null-prototype object). */
  readonly features: Features;
  readonly directives: readonly PermissionsPolicyDirective[];
  /** Errors (`sf.*`: the whole header is ignored) and warnings (`permissions_policy.*`: one entry is ignored). */
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a Permissions-Policy field value. Never throws; browsers ignore the
 * whole header on a syntax error, and single entries they cannot use.
 *
 * @see https://w3c.github.io/webappsec-permissions-policy/#algo-parse-policy
 * @example
 * ```ts
 * parsePermissionsPolicy('camera=(), geolocation=(self "https://maps.example")').features;
 * // { camera: [], geolocation: ['self', 'https://maps.example'] }
 * ```
 */
export function parsePermissionsPolicy(value: string): PermissionsPolicyParseResult {
  const sf = parseDictionary(value);
  const problems: FieldProblem[] = [...sf.problems];
  const features = Object.create(null) as Features;
  const directives: PermissionsPolicyDirective[] = [];
  if (sf.value === undefined) return { valid: false, features, directives, problems };
  for (const [feature, member] of sf.value) {
    const offset = sf.offsets.get(feature) ?? 0;
    const warn = (code: string, message: string): void => {
      problems.push({ code, severity: 'warning', message, offset });
    };
    if (!isKnownFeature(feature)) {
      warn(
        'permissions_policy.feature.unknown',
        `unknown feature ${feature} is ignored by browsers`,
      );
    }
    let allowlist: Allowlist;
    const items: readonly SfItem[] = member.kind === 'innerList' ? member.items : [member];
    if (member.kind === 'item' && isToken(member.value) && member.value.token === '*') {
      allowlist = '*';
    } else {
      const entries: string[] = [];
      for (const it of items) {
        const v = it.value;
        if (isToken(v) && (v.token === 'self' || v.token === 'src' || v.token === '*')) {
          entries.push(v.token);
        } else if (typeof v === 'string') {
          const problem = originProblem(v);
          if (problem === undefined) entries.push(v);
          else
            warn(
              'permissions_policy.allowlist.origin',
              `${feature}: "${v}" is ignored: ${problem}`,
            );
        } else {
          warn(
            'permissions_policy.allowlist.entry',
            `${feature}: an entry that is not self, src, * or a quoted origin is ignored${
              isToken(v) ? ` (${v.token}${v.token === 'none' ? '; write () for none' : ''})` : ''
            }`,
          );
        }
      }
      allowlist = entries;
    }
    const reportTo = member.params.get('report-to');
    features[feature] = allowlist;
    directives.push({
      feature,
      allowlist,
      offset,
      ...(typeof reportTo === 'string'
        ? { reportTo }
        : isToken(reportTo)
          ? { reportTo: reportTo.token }
          : {}),
    });
  }
  return { valid: true, features, directives, problems };
}
