/**
 * The CSP3 directive table and the source-expression grammar.
 *
 * Shared by the builder (object options), the raw-string validator and the
 * scanner: one place decides what a directive accepts. The checks return
 * data ({@link ValueIssue}); callers turn them into errors or findings.
 *
 * @see https://www.w3.org/TR/CSP3/#framework-directive-source-list
 * @module
 */
import { didYouMean, editDistance, type ErrorCode } from '../../errors.ts';
import { isToken, SCHEME_ONLY, TCHAR, URI_SCHEME } from '../../field.ts';

/** What a directive's value is made of. */
export type DirectiveKind =
  /** A serialized source list (fetch directives, base-uri, form-action…). */
  | 'source-list'
  /** frame-ancestors: only scheme, host, 'self' or 'none' (CSP3 §6.4.2). */
  | 'ancestor-source-list'
  /** No value at all (upgrade-insecure-requests). */
  | 'flag'
  | 'sandbox'
  | 'report-uri'
  | 'report-to'
  | 'trusted-types'
  | 'require-trusted-types-for'
  | 'webrtc'
  /** plugin-types: media types (deprecated). */
  | 'media-types'
  /** referrer / reflected-xss / require-sri-for (deprecated): a few bare tokens. */
  | 'tokens';

/** One known directive. */
export interface DirectiveSpec {
  readonly kind: DirectiveKind;
  /** Set when browsers ignore the directive; says what to use instead. */
  readonly deprecated?: string;
  /** For `tokens`: the accepted (lower-case) words. */
  readonly tokens?: readonly string[];
}

const source: DirectiveSpec = { kind: 'source-list' };

/**
 * Every directive Barbican knows, keyed by its canonical (lower-case,
 * kebab-case) name. The order is the one documentation lists them in.
 */
export const CSP_DIRECTIVE_SPECS: Readonly<Record<string, DirectiveSpec>> = Object.freeze({
  'default-src': source,
  'script-src': source,
  'script-src-elem': source,
  'script-src-attr': source,
  'style-src': source,
  'style-src-elem': source,
  'style-src-attr': source,
  'img-src': source,
  'font-src': source,
  'connect-src': source,
  'media-src': source,
  'object-src': source,
  'frame-src': source,
  'child-src': source,
  'worker-src': source,
  'manifest-src': source,
  'fenced-frame-src': source,
  'base-uri': source,
  'form-action': source,
  'frame-ancestors': { kind: 'ancestor-source-list' },
  sandbox: { kind: 'sandbox' },
  'report-uri': { kind: 'report-uri' },
  'report-to': { kind: 'report-to' },
  'trusted-types': { kind: 'trusted-types' },
  'require-trusted-types-for': { kind: 'require-trusted-types-for' },
  'upgrade-insecure-requests': { kind: 'flag' },
  webrtc: { kind: 'webrtc' },
  // Deprecated: accepted so old policies keep building, with a warning.
  'block-all-mixed-content': {
    kind: 'flag',
    deprecated:
      'browsers now block or upgrade mixed content by default; use upgrade-insecure-requests',
  },
  'plugin-types': {
    kind: 'media-types',
    deprecated: "plugins are gone from browsers; use object-src 'none'",
  },
  'prefetch-src': {
    kind: 'source-list',
    deprecated: 'removed from CSP3; prefetches are governed by default-src',
  },
  'navigate-to': { kind: 'source-list', deprecated: 'removed from CSP3 and never shipped' },
  referrer: {
    kind: 'tokens',
    deprecated: 'removed from CSP; send a Referrer-Policy header',
    tokens: [
      'no-referrer',
      'no-referrer-when-downgrade',
      'origin',
      'origin-when-cross-origin',
      'same-origin',
      'strict-origin',
      'strict-origin-when-cross-origin',
      'unsafe-url',
      'never',
      'default',
      'always',
      'origin-when-crossorigin',
    ],
  },
  'reflected-xss': {
    kind: 'tokens',
    deprecated: 'the XSS auditor was removed from browsers; send X-XSS-Protection: 0',
    tokens: ['allow', 'block', 'filter'],
  },
  'require-sri-for': {
    kind: 'tokens',
    deprecated: 'never shipped by default in any browser',
    tokens: ['script', 'style'],
  },
  'disown-opener': {
    kind: 'flag',
    deprecated: 'never shipped; use Cross-Origin-Opener-Policy',
  },
});

/** The canonical names of every known directive, current and deprecated. */
export const CSP_DIRECTIVES: readonly string[] = Object.freeze(Object.keys(CSP_DIRECTIVE_SPECS));

/**
 * Directives whose sources decide which scripts run: core's build-time
 * warnings and the scanner's checks look here.
 *
 * @see https://www.w3.org/TR/CSP3/#directive-script-src
 */
export const SCRIPT_DIRECTIVES: readonly string[] = Object.freeze([
  'script-src',
  'script-src-attr',
  'script-src-elem',
]);

/** Directives a per-request nonce may be added to (a nonce in an *-attr directive never matches). */
export const NONCE_DIRECTIVES: readonly string[] = [
  'default-src',
  'script-src',
  'script-src-elem',
  'style-src',
  'style-src-elem',
];

/** `defaultSrc` → `default-src`. Names that are already kebab-case come back unchanged. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `default-src` → `defaultSrc`, the alias accepted in options. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Resolves a directive name as written in options (kebab-case or its
 * camelCase alias) to the canonical name, or undefined when unknown.
 */
export function canonicalDirective(name: string): string | undefined {
  if (Object.hasOwn(CSP_DIRECTIVE_SPECS, name)) return name;
  // Only the exact camelCase alias: `DefaultSrc` or `default_src` are typos
  // that get a did-you-mean, so configs stay greppable.
  if (/^[a-z]+(?:[A-Z][a-z]+)+$/.test(name)) {
    const kebab = kebabCase(name);
    if (Object.hasOwn(CSP_DIRECTIVE_SPECS, kebab)) return kebab;
  }
  return undefined;
}

/** Candidates for {@link closest}: each name with its comparison form, built once. */
interface Candidates {
  readonly names: readonly string[];
  /** Lower case without `-` and `_`, as `didYouMean` compares them. */
  readonly folded: readonly string[];
}

function candidates(names: readonly string[]): Candidates {
  return { names, folded: names.map((n) => n.toLowerCase().replace(/[-_]/g, '')) };
}

/**
 * Same answer as `didYouMean(input, c.names)` (errors.ts), faster: it only
 * suggests within `max(1, ⌊length/3⌋)` edits, so candidates whose length
 * differs by more can neither match nor be the closest suggestion, and a
 * distance past the best so far needs no exact value.
 */
function closest(input: string, c: Candidates): string | undefined {
  const needle = input.toLowerCase().replace(/[-_]/g, '');
  // didYouMean's distance is infinite past 64 characters: no suggestion.
  if (needle.length > 64) return undefined;
  const limit = Math.max(1, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (let k = 0; k < c.names.length; k++) {
    const hay = c.folded[k] ?? '';
    if (hay === needle) return c.names[k];
    if (Math.abs(hay.length - needle.length) >= bestDistance || hay.length > 64) continue;
    const d = editDistance(needle, hay, bestDistance - 1);
    if (d < bestDistance) {
      bestDistance = d;
      best = c.names[k];
    }
  }
  return best;
}

const DIRECTIVE_CANDIDATES = candidates(CSP_DIRECTIVES);

/** The closest known directive name, for "did you mean". */
export function suggestDirective(name: string): string | undefined {
  return closest(name, DIRECTIVE_CANDIDATES);
}

/** A problem with one token of a directive value. */
export interface ValueIssue {
  /** Stable dotted code, e.g. `csp.source.unquoted_keyword`. */
  readonly code: string;
  /** The Barbican error code a builder throws for it. */
  readonly errorCode: ErrorCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Index of the offending token in the value list, or -1 for the value as a whole. */
  readonly index: number;
  readonly allowed?: string;
  readonly hint?: string;
}

/** Keywords of CSP3 and its extensions, lower case with their quotes. */
export const CSP_KEYWORDS: readonly string[] = [
  "'self'",
  "'none'",
  "'unsafe-inline'",
  "'unsafe-eval'",
  "'strict-dynamic'",
  "'unsafe-hashes'",
  "'report-sample'",
  "'unsafe-allow-redirects'",
  "'wasm-unsafe-eval'",
  "'trusted-types-eval'",
  "'inline-speculation-rules'",
  "'report-sha256'",
  "'report-sha384'",
  "'report-sha512'",
];
const KEYWORDS = new Set(CSP_KEYWORDS);
const KEYWORD_CANDIDATES = candidates(CSP_KEYWORDS);
const BARE_KEYWORDS = new Set(CSP_KEYWORDS.map((k) => k.slice(1, -1)));

/** base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2( "=" ) (CSP3 §2.3.1). */
const BASE64_VALUE = /^[\w+/-]+={0,2}$/;
const HASH_ALGORITHMS: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64 };
/**
 * host-source = [ scheme-part "://" ] host-part [ ":" port-part ] [ path-part ]
 * (CSP3 §2.3.1). Linear: every repetition is delimited by a character the
 * next one cannot start with, so there is no backtracking blow-up.
 */
const HOST_SOURCE = new RegExp(
  `^(?:${URI_SCHEME}://)?(?:\\*|(?:\\*\\.)?[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.?)(?::(\\d+|\\*))?(/(?:[\\w\\-.~!$&'()*+=:@/]|%[0-9a-f]{2})*)?$`,
  'i',
);

/** Regexes of {@link checkSource}, compiled once (a literal in a function is a new object per call). */
const UNQUOTED_PREFIX = /^(?:nonce|sha256|sha384|sha512)-/;
const QUOTED_HASH = /^'(sha256|sha384|sha512)-(.*)'$/;
const QUERY_OR_FRAGMENT = /[?#]/;

/** What a valid source expression is; used by warnings and the nonce logic. */
export type SourceKind = 'keyword' | 'none' | 'nonce' | 'hash' | 'scheme' | 'host';

/** Classifies a source expression that {@link checkSource} accepted. */
export function sourceKind(token: string): SourceKind {
  const lower = token.toLowerCase();
  if (lower === "'none'") return 'none';
  if (lower.startsWith("'nonce-")) return 'nonce';
  if (/^'sha(?:256|384|512)-/.test(lower)) return 'hash';
  if (lower.startsWith("'")) return 'keyword';
  return SCHEME_ONLY.test(token) ? 'scheme' : 'host';
}

type TokenIssue = Omit<ValueIssue, 'index' | 'severity'>;

function sourceError(message: string, extra: Partial<TokenIssue> = {}): TokenIssue {
  return { code: 'csp.source.invalid', errorCode: 'BARBICAN_E_CSP_SOURCE', message, ...extra };
}

/**
 * Checks one source expression against the CSP3 grammar. Returns undefined
 * when it is valid. `ancestor` restricts it to frame-ancestors' grammar.
 */
export function checkSource(token: string, ancestor = false): TokenIssue | undefined {
  const lower = token.toLowerCase();
  // Fast path for the most common tokens: a quoted keyword passes every
  // check below up to the keyword table.
  if (KEYWORDS.has(lower)) {
    return ancestor && lower !== "'self'" && lower !== "'none'" ? notForAncestors() : undefined;
  }
  // Bare keywords parse as host names ("self" is a host called self), so the
  // policy silently means something else: the most common CSP mistake.
  if (BARE_KEYWORDS.has(lower) || UNQUOTED_PREFIX.test(lower)) {
    return {
      code: 'csp.source.unquoted_keyword',
      errorCode: 'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
      message: 'keyword without single quotes',
      hint: `Write "'${token}'" (with single quotes); unquoted it means a host named ${token}`,
    };
  }
  if (token.length > 2 && token.startsWith('"') && token.endsWith('"')) {
    return {
      code: 'csp.source.unquoted_keyword',
      errorCode: 'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
      message: 'keyword in double quotes',
      hint: `CSP keywords use single quotes: write "'${token.slice(1, -1)}'"`,
    };
  }
  if (token.startsWith("'")) {
    if (token.length < 2 || !token.endsWith("'")) {
      return sourceError('quoted source is not closed', { hint: `Write "${token}'"` });
    }
    if (lower.startsWith("'nonce-")) {
      if (ancestor) return notForAncestors();
      return BASE64_VALUE.test(token.slice(7, -1))
        ? undefined
        : sourceError('nonce is not base64', {
            allowed: "'nonce-' followed by base64 (A-Z a-z 0-9 + / - _, up to two =)",
          });
    }
    const hash = QUOTED_HASH.exec(lower);
    if (hash !== null) {
      if (ancestor) return notForAncestors();
      const algorithm = hash[1] ?? '';
      const digest = token.slice(algorithm.length + 2, -1);
      if (!BASE64_VALUE.test(digest)) {
        return sourceError('hash is not base64', {
          allowed: `'${algorithm}-' followed by a base64 digest`,
        });
      }
      // A digest of the wrong length can never match anything: surely a
      // copy-paste slip, so say so now rather than let scripts fail silently.
      const bytes = HASH_ALGORITHMS[algorithm] ?? 0;
      const chars = Math.ceil((bytes * 4) / 3);
      // (?<!=) starts the match at the first '=' of the run: linear time.
      if (digest.replace(/(?<!=)=+$/, '').length !== chars) {
        return sourceError(`a ${algorithm} digest is ${bytes} bytes`, {
          allowed: `${chars} base64 characters (${4 * Math.ceil(bytes / 3)} with = padding)`,
          hint: 'Compute it with cspHash() from @barbican/core',
        });
      }
      return undefined;
    }
    if (!KEYWORDS.has(lower)) {
      const guess = closest(lower, KEYWORD_CANDIDATES);
      return sourceError('unknown keyword', {
        allowed: CSP_KEYWORDS.join(' '),
        ...(guess === undefined
          ? token === "'*'"
            ? { hint: 'The wildcard is written without quotes: *' }
            : {}
          : { hint: `Did you mean "${guess}"?` }),
      });
    }
    if (ancestor && lower !== "'self'" && lower !== "'none'") return notForAncestors();
    return undefined;
  }
  if (SCHEME_ONLY.test(token)) return undefined;
  if (QUERY_OR_FRAGMENT.test(token)) {
    return sourceError('a source cannot contain a query (?) or fragment (#)', {
      hint: 'CSP matches scheme, host, port and path only',
    });
  }
  if (token.includes('[')) {
    return sourceError('IP-literal hosts ([…]) are not part of the host-source grammar', {
      hint: 'Browsers never match IPv6 literals in CSP; use a host name',
    });
  }
  const m = HOST_SOURCE.exec(token);
  if (m === null) {
    return sourceError('not a valid source expression', {
      allowed:
        "'self', 'none', a keyword, 'nonce-…', 'sha256-…', a scheme (https:), or a host ([scheme://]host[:port][/path], * or *.example.com)",
    });
  }
  const port = m[1];
  if (port !== undefined && port !== '*' && Number(port) > 65535) {
    return sourceError('port is above 65535');
  }
  return undefined;
}

function notForAncestors(): TokenIssue {
  return sourceError('not allowed in frame-ancestors', {
    allowed: "'self', 'none', a scheme (https:) or a host",
    hint: 'frame-ancestors takes no nonces, hashes or script keywords',
  });
}

const SANDBOX_TOKENS = [
  'allow-downloads',
  'allow-forms',
  'allow-modals',
  'allow-orientation-lock',
  'allow-pointer-lock',
  'allow-popups',
  'allow-popups-to-escape-sandbox',
  'allow-presentation',
  'allow-same-origin',
  'allow-scripts',
  'allow-storage-access-by-user-activation',
  'allow-top-navigation',
  'allow-top-navigation-by-user-activation',
  'allow-top-navigation-to-custom-protocols',
];

/** tt-policy-name = 1*( ALPHA / DIGIT / "-" / "#" / "=" / "_" / "/" / "@" / "." / "%") (Trusted Types §4.1). */
const TT_POLICY_NAME = /^[\w\-#=/@.%]+$/;
/** `type "/" subtype`, both RFC 9110 tokens (plugin-types). */
const MEDIA_TYPE = new RegExp(`^[${TCHAR}]+/[${TCHAR}]+$`);

function issue(index: number, t: TokenIssue): ValueIssue {
  return { ...t, index, severity: 'error' };
}

/** The "takes exactly n" issue, when the token count is not `n`. */
function exactly(name: string, tokens: readonly string[], n: number, what: string): ValueIssue[] {
  if (tokens.length === n) return [];
  const count = n === 1 ? 'one' : n;
  return [
    issue(-1, sourceError(`${name} takes exactly ${count} ${what}`, { code: 'csp.value.count' })),
  ];
}

/** A keyword written without its single quotes, which makes it mean something else. */
function unquotedKeyword(index: number, hint: string): ValueIssue {
  return issue(index, {
    code: 'csp.source.unquoted_keyword',
    errorCode: 'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
    message: 'keyword without single quotes',
    hint,
  });
}

/** Each token through `check`, which returns the token's issue, if any. */
function eachToken(
  tokens: readonly string[],
  check: (t: string, i: number) => ValueIssue | undefined,
): ValueIssue[] {
  const out: ValueIssue[] = [];
  tokens.forEach((t, i) => {
    const bad = check(t, i);
    if (bad !== undefined) out.push(bad);
  });
  return out;
}

/**
 * CSP3 §2.3.1: 'none' is a whole source list of its own; mixed with other
 * sources browsers ignore it, so the author's intent is lost. `none` is the
 * index of the 'none' to blame (the last valid one), or -1.
 */
function noneMixed(
  none: number,
  tokens: readonly string[],
  others: string,
  hint?: string,
): ValueIssue[] {
  if (none === -1 || tokens.length <= 1) return [];
  return [
    issue(
      none,
      sourceError(`'none' cannot be combined with ${others}`, {
        code: 'csp.source.none_mixed',
        ...(hint === undefined ? {} : { hint }),
      }),
    ),
  ];
}

function checkSourceList(
  _name: string,
  tokens: readonly string[],
  spec: DirectiveSpec,
): ValueIssue[] {
  const out: ValueIssue[] = [];
  let none = -1;
  tokens.forEach((t, i) => {
    const bad = checkSource(t, spec.kind === 'ancestor-source-list');
    if (bad !== undefined) out.push(issue(i, bad));
    else if (t.toLowerCase() === "'none'") none = i;
  });
  out.push(
    ...noneMixed(none, tokens, 'other sources', "Remove 'none', or remove the other sources"),
  );
  return out;
}

function checkSandbox(_name: string, tokens: readonly string[]): ValueIssue[] {
  return eachToken(tokens, (t, i) => {
    if (SANDBOX_TOKENS.includes(t.toLowerCase())) return undefined;
    const guess = didYouMean(t, SANDBOX_TOKENS);
    return issue(
      i,
      sourceError('unknown sandbox flag', {
        allowed: SANDBOX_TOKENS.join(' '),
        ...(guess === undefined ? {} : { hint: `Did you mean "${guess}"?` }),
      }),
    );
  });
}

function checkTrustedTypes(_name: string, tokens: readonly string[]): ValueIssue[] {
  const names = eachToken(tokens, (t, i) => {
    const lower = t.toLowerCase();
    if (lower === "'none'" || lower === "'allow-duplicates'" || t === '*') return undefined;
    if (lower === 'none' || lower === 'allow-duplicates') {
      return unquotedKeyword(i, `Write "'${t}'"; unquoted it is a policy named ${t}`);
    }
    if (TT_POLICY_NAME.test(t)) return undefined;
    return issue(
      i,
      sourceError('not a Trusted Types policy name', {
        allowed: "policy names (letters, digits, -#=_/@.%), *, 'allow-duplicates' or 'none'",
      }),
    );
  });
  const none = tokens.findLastIndex((t) => t.toLowerCase() === "'none'");
  return [...names, ...noneMixed(none, tokens, 'policy names')];
}

/** One grammar check per directive kind: the value tokens in, the issues out. */
const VALUE_CHECKS: Readonly<
  Record<
    DirectiveKind,
    (name: string, tokens: readonly string[], spec: DirectiveSpec) => ValueIssue[]
  >
> = {
  'source-list': checkSourceList,
  'ancestor-source-list': checkSourceList,
  flag: (name, tokens) =>
    tokens.length > 0
      ? [issue(0, sourceError(`${name} takes no value`, { code: 'csp.value.count' }))]
      : [],
  sandbox: checkSandbox,
  'report-to': (name, tokens) => [
    ...exactly(name, tokens, 1, 'endpoint name (from Reporting-Endpoints)'),
    // report-to's endpoint name is an RFC 9110 token.
    ...eachToken(tokens, (t, i) =>
      isToken(t) ? undefined : issue(i, sourceError('not a valid endpoint name (token)')),
    ),
  ],
  'report-uri': (_name, tokens) => [
    ...(tokens.length === 0
      ? [issue(-1, sourceError('report-uri needs at least one URI', { code: 'csp.value.count' }))]
      : []),
    ...eachToken(tokens, (t, i) =>
      URL.canParse(t, 'https://report.invalid/')
        ? undefined
        : issue(i, sourceError('not a URI reference')),
    ),
  ],
  'trusted-types': checkTrustedTypes,
  'require-trusted-types-for': (name, tokens) => [
    ...exactly(name, tokens, 1, "sink group ('script')"),
    ...eachToken(tokens, (t, i) => {
      const lower = t.toLowerCase();
      if (lower === 'script') return unquotedKeyword(i, `Write "'script'"`);
      if (lower === "'script'") return undefined;
      return issue(i, sourceError("the only sink group is 'script'", { allowed: "'script'" }));
    }),
  ],
  webrtc: (name, tokens) => [
    ...exactly(name, tokens, 1, "value ('allow' or 'block')"),
    ...eachToken(tokens, (t, i) => {
      const lower = t.toLowerCase();
      if (lower === 'allow' || lower === 'block') return unquotedKeyword(i, `Write "'${t}'"`);
      if (lower === "'allow'" || lower === "'block'") return undefined;
      return issue(
        i,
        sourceError("webrtc takes 'allow' or 'block'", { allowed: "'allow' 'block'" }),
      );
    }),
  ],
  'media-types': (_name, tokens) =>
    eachToken(tokens, (t, i) =>
      MEDIA_TYPE.test(t) ? undefined : issue(i, sourceError('not a media type (type/subtype)')),
    ),
  tokens: (name, tokens, spec) => {
    const allowed = spec.tokens ?? [];
    return eachToken(tokens, (t, i) =>
      allowed.includes(t.toLowerCase())
        ? undefined
        : issue(i, sourceError(`not a ${name} value`, { allowed: allowed.join(' ') })),
    );
  },
};

/**
 * Checks a directive's value tokens (already split on whitespace) against
 * that directive's grammar. `name` must be a known, canonical name.
 */
export function checkDirectiveValue(name: string, tokens: readonly string[]): ValueIssue[] {
  const spec = CSP_DIRECTIVE_SPECS[name];
  if (spec === undefined) return [];
  return VALUE_CHECKS[spec.kind](name, tokens, spec);
}
