/**
 * The Strict-Transport-Security header as hstspreload (the library behind
 * hstspreload.org) reads it, with its issue codes.
 *
 * This is deliberately *not* RFC 6797: hstspreload splits on `;`, trims, and
 * matches directive names by prefix. It rejects a quoted max-age
 * (`max-age="31536000"`, legal under RFC 6797 §6.1.1) with
 * `header.parse.max_age.non_digit_characters`, and only warns about repeated
 * directives, which RFC 6797 §6.1 says make a browser ignore the whole field.
 * The preload list is hstspreload's rule, so its verdict is reproduced here;
 * the RFC view comes from `@barbican/core`'s `parseHsts` and is mentioned in
 * the finding messages where the two disagree.
 *
 * @see https://github.com/chromium/hstspreload (header.go)
 * @module
 */

/** One hstspreload issue: a stable code and a human message. */
export interface PreloadIssue {
  /** hstspreload's code, e.g. `header.preloadable.preload.missing`. */
  readonly code: string;
  readonly message: string;
}

/** Errors block preloading; warnings do not. Both keep hstspreload's order. */
export interface PreloadIssues {
  readonly errors: PreloadIssue[];
  readonly warnings: PreloadIssue[];
}

/** The preload submission policies hstspreload.org knows. */
export type PreloadPolicy = 'bulk-1-year' | 'bulk-18-weeks';

/** The header as hstspreload understood it. */
export interface PreloadHeader {
  /** Seconds, or undefined when no valid max-age was found. */
  readonly maxAge: number | undefined;
  readonly includeSubDomains: boolean;
  readonly preload: boolean;
}

/** 126 days: the `bulk-18-weeks` minimum (domains added before the one-year rule). */
export const EIGHTEEN_WEEKS = 86_400 * 126;
/** 365 days: the `bulk-1-year` minimum. */
export const ONE_YEAR = 86_400 * 365;
/** Ten 365-day years: above this hstspreload warns (browsers may cap it). */
export const TEN_YEARS = 10 * ONE_YEAR;
const UINT64_MAX = 18_446_744_073_709_551_615n;

/** An empty issue list to append to. */
export function noIssues(): PreloadIssues {
  return { errors: [], warnings: [] };
}

/** Appends `b` to `a` (errors after errors, warnings after warnings). */
export function combine(a: PreloadIssues, b: PreloadIssues): PreloadIssues {
  a.errors.push(...b.errors);
  a.warnings.push(...b.warnings);
  return a;
}

/**
 * Go's `unicode.IsSpace`, which `strings.TrimSpace` uses: wider than HTTP's
 * OWS (space and tab), and not the same set as JavaScript's `trim()` (which
 * also strips U+FEFF but keeps U+0085).
 */
function isGoSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

function goTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/**
 * Go's `strings.EqualFold` for the ASCII names compared here: Unicode simple
 * folding also maps U+017F (long s) to `s` and U+212A (Kelvin sign) to `k`.
 */
function foldEquals(a: string, ascii: string): boolean {
  if (a.length !== ascii.length) return false;
  for (let i = 0; i < a.length; i++) {
    let c = a.charAt(i);
    if (c === '\u017f') c = 's';
    else if (c === '\u212a') c = 'k';
    if (c.toLowerCase() !== ascii.charAt(i)) return false;
  }
  return true;
}

function hasPrefixFold(s: string, asciiPrefix: string): boolean {
  return s.toLowerCase().startsWith(asciiPrefix);
}

function addUnique(list: PreloadIssue[], code: string, message: string): void {
  if (!list.some((i) => i.code === code)) list.push({ code, message });
}

function parseMaxAge(directive: string): { maxAge: number | undefined; issues: PreloadIssues } {
  const issues = noIssues();
  const digits = directive.slice('max-age='.length);
  let i = 0;
  for (const c of digits) {
    // A leading zero is legal delta-seconds but unusual enough to flag.
    if (i === 0 && c === '0' && digits.length > 1) {
      issues.warnings.push({
        code: 'header.parse.max_age.leading_zero',
        message: `The header's max-age value contains a leading 0: \`${directive}\``,
      });
    }
    if (c < '0' || c > '9') {
      issues.errors.push({
        code: 'header.parse.max_age.non_digit_characters',
        message: `The header's max-age value contains characters that are not digits: \`${directive}\``,
      });
      return { maxAge: undefined, issues };
    }
    i++;
  }
  if (digits === '' || BigInt(digits) > UINT64_MAX) {
    issues.errors.push({
      code: 'header.parse.max_age.parse_int_error',
      message: `The header's max-age value \`${digits}\` is not a number of seconds that fits in 64 bits.`,
    });
    return { maxAge: undefined, issues };
  }
  return { maxAge: Number(digits), issues };
}

/**
 * Parses an HSTS value by hstspreload's rules: syntax issues only, no
 * preload requirements. Never throws.
 *
 * @example
 * ```ts
 * parsePreloadHeader('max-age="31536000"').issues.errors[0]?.code
 * // 'header.parse.max_age.non_digit_characters'
 * ```
 */
export function parsePreloadHeader(value: string): {
  header: PreloadHeader;
  issues: PreloadIssues;
} {
  const issues = noIssues();
  let maxAge: number | undefined;
  let includeSubDomains = false;
  let preload = false;
  const directives = value.split(';').map(goTrim);
  if (directives.length === 1 && directives[0] === '') {
    // Nothing else is worth saying about an empty header.
    issues.warnings.push({ code: 'header.parse.empty', message: 'The HSTS header is empty.' });
    return { header: { maxAge, includeSubDomains, preload }, issues };
  }
  for (const d of directives) {
    if (foldEquals(d, 'preload')) {
      if (preload)
        addUnique(
          issues.warnings,
          'header.parse.repeated.preload',
          'The header repeats the `preload` directive.',
        );
      preload = true;
    } else if (hasPrefixFold(d, 'preload')) {
      addUnique(
        issues.warnings,
        'header.parse.invalid.preload',
        'The header has a `preload` directive with extra characters.',
      );
    } else if (foldEquals(d, 'includesubdomains')) {
      if (includeSubDomains)
        addUnique(
          issues.warnings,
          'header.parse.repeated.include_sub_domains',
          'The header repeats the `includeSubDomains` directive.',
        );
      includeSubDomains = true;
    } else if (hasPrefixFold(d, 'includesubdomains')) {
      addUnique(
        issues.warnings,
        'header.parse.invalid.include_sub_domains',
        'The header has an `includeSubDomains` directive with extra characters.',
      );
    } else if (hasPrefixFold(d, 'max-age=')) {
      const parsed = parseMaxAge(d);
      combine(issues, parsed.issues);
      if (parsed.issues.errors.length > 0) continue;
      if (maxAge === undefined) maxAge = parsed.maxAge;
      else
        addUnique(
          issues.warnings,
          'header.parse.repeated.max_age',
          'The header repeats the `max-age` directive.',
        );
    } else if (hasPrefixFold(d, 'max-age')) {
      addUnique(
        issues.errors,
        'header.parse.invalid.max_age.no_value',
        'The header has a max-age directive without a value; give the max-age in seconds.',
      );
    } else if (d === '') {
      addUnique(
        issues.warnings,
        'header.parse.empty_directive',
        'The header has an empty directive or an extra semicolon.',
      );
    } else {
      issues.warnings.push({
        code: 'header.parse.unknown_directive',
        message: `The header has an unknown directive: \`${d}\``,
      });
    }
  }
  return { header: { maxAge, includeSubDomains, preload }, issues };
}

/**
 * The preload requirements on a parsed header: `includeSubDomains`,
 * `preload`, and a max-age meeting the policy (over ten years only warns).
 */
export function eligibleHeader(header: PreloadHeader, policy: PreloadPolicy): PreloadIssues {
  const issues = noIssues();
  if (!header.includeSubDomains)
    issues.errors.push({
      code: 'header.preloadable.include_sub_domains.missing',
      message: 'The header must contain the `includeSubDomains` directive.',
    });
  if (!header.preload)
    issues.errors.push({
      code: 'header.preloadable.preload.missing',
      message: 'The header must contain the `preload` directive.',
    });
  const min = policy === 'bulk-18-weeks' ? EIGHTEEN_WEEKS : ONE_YEAR;
  const minName = policy === 'bulk-18-weeks' ? '18 weeks' : '1 year';
  if (header.maxAge === undefined) {
    issues.errors.push({
      code: 'header.preloadable.max_age.missing',
      message: 'The header must contain a valid `max-age` directive.',
    });
  } else if (header.maxAge < min) {
    const base = `The max-age must be at least ${min} seconds (≈ ${minName}), but the header has max-age=${header.maxAge}.`;
    if (header.maxAge === 0)
      issues.errors.push({
        code: 'header.preloadable.max_age.zero',
        message: `${base} max-age=0 tells browsers to forget HSTS; to leave the preload list use https://hstspreload.org/removal/`,
      });
    else
      issues.errors.push({
        code:
          policy === 'bulk-18-weeks'
            ? 'header.preloadable.max_age.below_18_weeks'
            : 'header.preloadable.max_age.below_1_year',
        message: base,
      });
  } else if (header.maxAge > TEN_YEARS) {
    issues.warnings.push({
      code: 'header.preloadable.max_age.over_10_years',
      message: `The max-age (${header.maxAge} seconds) is longer than 10 years, an unusually long value that some browsers cap.`,
    });
  }
  return issues;
}

/** Parse issues plus preload requirements for one header value. */
export function eligibleHeaderString(value: string, policy: PreloadPolicy): PreloadIssues {
  const { header, issues } = parsePreloadHeader(value);
  return combine(issues, eligibleHeader(header, policy));
}

/**
 * The requirements for leaving the preload list: a valid max-age and no
 * `preload`. Parse warnings are dropped, as hstspreload does (sites asking
 * for removal often have small mistakes that should not block it).
 */
export function removableHeaderString(value: string): PreloadIssues {
  const { header, issues } = parsePreloadHeader(value);
  const out: PreloadIssues = { errors: [...issues.errors], warnings: [] };
  if (header.preload)
    out.errors.push({
      code: 'header.removable.contains.preload',
      message: 'For removal from the preload list, the header must not contain `preload`.',
    });
  if (header.maxAge === undefined)
    out.errors.push({
      code: 'header.removable.missing.max_age',
      message: 'The header must contain a valid `max-age` directive.',
    });
  return out;
}

/**
 * Exactly one HSTS field, then `check` on it. hstspreload refuses several
 * fields outright rather than guessing which one a browser uses (RFC 6797
 * §8.1: the first).
 */
export function checkResponseHeaders(
  values: readonly string[],
  check: (value: string) => PreloadIssues,
): PreloadIssues {
  const first = values[0];
  if (first === undefined)
    return {
      errors: [
        { code: 'response.no_header', message: 'No HSTS header is present on the response.' },
      ],
      warnings: [],
    };
  if (values.length > 1)
    return {
      errors: [
        {
          code: 'response.multiple_headers',
          message: `The response has ${values.length} HSTS headers; send exactly one.`,
        },
      ],
      warnings: [],
    };
  return check(first);
}
