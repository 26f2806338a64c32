/**
 * Set-Cookie parser following RFC 6265bis §5.6 ("parse a set-cookie-string")
 * and the parts of the §5.7 storage model that the string alone decides.
 *
 * Shared by the scanner's cookie review. It never throws: every problem is
 * returned as data with the offset into the field value. What depends on
 * the request (the default-path, domain-matching the request host, public
 * suffixes, a Secure cookie set over plain HTTP) is left to the caller and
 * described on each field.
 *
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#name-the-set-cookie-header-field
 * @module
 */
import type { FieldProblem } from '../../field-types.ts';

/** SameSite enforcement (§5.6.7): an unrecognised value means `default`. */
export type SameSiteEnforcement = 'strict' | 'lax' | 'none' | 'default';

/** A cookie-name prefix with rules the user agent enforces (§4.1.3, §5.7). */
export type CookiePrefix = '__Secure-' | '__Host-';

/** One cookie-av as written, after the §5.6 split and WSP trim. */
export interface SetCookieAttribute {
  /** The attribute-name, lower-cased (names match case-insensitively). */
  readonly name: string;
  /** The attribute-value, `''` when the cookie-av has no `=`. */
  readonly value: string;
  /** Offset of the attribute-name in the field value. */
  readonly offset: number;
  /**
   * False when a user agent ignores this cookie-av: an unknown name, a value
   * over 1024 octets, or a value that does not parse (Expires, Max-Age).
   */
  readonly applied: boolean;
}

/** The result of {@link parseSetCookie}. */
export interface SetCookieParseResult {
  /**
   * False when a user agent ignores the whole cookie for a reason the string
   * alone decides (a control character, over 4096 octets, no name and no
   * value, SameSite=None or Partitioned without Secure, a prefix rule). The
   * other fields still describe the string, so a reviewer can say why.
   */
  readonly valid: boolean;
  /** The cookie-name: before the first `=` of the pair, WSP-trimmed; `''` when the pair has no `=`. */
  readonly name: string;
  /** The cookie-value, WSP-trimmed (quotes are part of the value). */
  readonly value: string;
  /**
   * The last valid Expires as milliseconds since the epoch (§5.1.1
   * cookie-date). A user agent caps it at 400 days after receipt, which
   * depends on when the line was received, so it is not capped here.
   * Max-Age wins over Expires when both are present (§5.7 step 6).
   */
  readonly expires: number | undefined;
  /**
   * The last valid Max-Age in seconds, capped at 400 days (§5.6.2 step 5).
   * Zero or negative means the cookie expires at once.
   */
  readonly maxAge: number | undefined;
  /**
   * The domain-attribute: the last Domain, leading `.` removed, lower-cased.
   * Undefined when absent or empty, which makes the cookie host-only (§5.7
   * step 10). Whether it domain-matches the request host is the caller's
   * question.
   */
  readonly domain: string | undefined;
  /**
   * The last Path when it starts with `/`; undefined when absent or when the
   * last Path does not start with `/`, in both of which cases the user agent
   * uses the request's default-path (§5.1.4, §5.6.4).
   */
  readonly path: string | undefined;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** The last SameSite's enforcement; undefined when no SameSite is present. */
  readonly sameSite: SameSiteEnforcement | undefined;
  /** The last SameSite's value as written (case kept), for messages. */
  readonly sameSiteValue: string | undefined;
  /** CHIPS: the cookie is keyed to the top-level site. */
  readonly partitioned: boolean;
  /** The prefix the name starts with, matched case-insensitively. */
  readonly prefix: CookiePrefix | undefined;
  readonly attributes: readonly SetCookieAttribute[];
  readonly problems: readonly FieldProblem[];
}

/** §5.6 step 5 and §5.7 step 4: name and value together. */
const MAX_NAME_VALUE_OCTETS = 4096;
/** §5.6 step 6: a longer attribute-value is ignored. */
const MAX_ATTRIBUTE_VALUE_OCTETS = 1024;
/** §5.6.2 step 4: the cookie-age-limit, 400 days in seconds. */
const COOKIE_AGE_LIMIT = 400 * 24 * 60 * 60;

/** Attributes whose repetition changes the outcome (the last wins). */
const VALUED_ATTRIBUTES = new Set(['expires', 'max-age', 'domain', 'path', 'samesite']);

/**
 * Octets the string occupied on the wire. Field values reach JavaScript as
 * byte strings (one character per octet, as Fetch's Headers and Node expose
 * them); anything above U+00FF can only have come from UTF-8.
 */
function octets(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x100) n += 1;
    else if (c < 0x800) n += 2;
    // A surrogate pair is 4 UTF-8 octets, 2 per code unit.
    else if (c >= 0xd800 && c <= 0xdfff) n += 2;
    else n += 3;
  }
  return n;
}

const isWsp = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** The [start, end) range of `s[from, to)` without leading or trailing WSP. */
function trimRange(s: string, from: number, to: number): [number, number] {
  let a = from;
  let b = to;
  while (a < b && isWsp(s[a])) a++;
  while (b > a && isWsp(s[b - 1])) b--;
  return [a, b];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// §5.1.1 delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
const DATE_DELIMITERS = /[\t\x20-\x2F\x3B-\x40\x5B-\x60\x7B-\x7E]+/;
const TIME_TOKEN = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)/;
const DAY_TOKEN = /^(\d{1,2})(?:\D|$)/;
const YEAR_TOKEN = /^(\d{2,4})(?:\D|$)/;

/**
 * RFC 6265bis §5.1.1 cookie-date: tolerant of every date format servers
 * have sent, by picking the first time, day, month and year tokens in order.
 * Returns milliseconds since the epoch, or undefined when the date fails.
 */
export function parseCookieDate(text: string): number | undefined {
  let time: [number, number, number] | undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  for (const token of text.split(DATE_DELIMITERS)) {
    if (token === '') continue;
    if (time === undefined) {
      const m = TIME_TOKEN.exec(token);
      if (m !== null) {
        time = [Number(m[1]), Number(m[2]), Number(m[3])];
        continue;
      }
    }
    if (day === undefined) {
      const m = DAY_TOKEN.exec(token);
      if (m !== null) {
        day = Number(m[1]);
        continue;
      }
    }
    if (month === undefined) {
      const i = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
      if (i !== -1) {
        month = i;
        continue;
      }
    }
    if (year === undefined) {
      const m = YEAR_TOKEN.exec(token);
      if (m !== null) year = Number(m[1]);
    }
  }
  if (time === undefined || day === undefined || month === undefined || year === undefined) {
    return undefined;
  }
  // Two-digit years: 70–99 are 19xx, 00–69 are 20xx.
  if (year >= 70 && year <= 99) year += 1900;
  else if (year <= 69) year += 2000;
  const [hour, minute, second] = time;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const ms = Date.UTC(year, month, day, hour, minute, second);
  // "If the date does not exist" (30 February), the date fails.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/** Collects a parse's problems, prefixing each code with `set_cookie.`. */
class Problems {
  readonly list: FieldProblem[] = [];
  error(code: string, message: string, offset: number): void {
    this.list.push({ code: `set_cookie.${code}`, severity: 'error', message, offset });
  }
  warn(code: string, message: string, offset: number): void {
    this.list.push({ code: `set_cookie.${code}`, severity: 'warning', message, offset });
  }
}

/** What the cookie-avs decided so far: the last of each kind wins. */
interface AttributeState {
  expires: number | undefined;
  maxAge: number | undefined;
  domainAttribute: string | undefined;
  domainOffset: number;
  path: string | undefined;
  secure: boolean;
  httpOnly: boolean;
  sameSite: SameSiteEnforcement | undefined;
  sameSiteValue: string | undefined;
  partitioned: boolean;
}

/** One cookie-av as split from the line: its lower-cased name, its value, and both offsets. */
interface RawAttribute {
  readonly name: string;
  readonly value: string;
  readonly nameOffset: number;
  readonly valueOffset: number;
}

/**
 * Applies one cookie-av to the state; returns false when a user agent
 * ignores it (the `applied` flag of {@link SetCookieAttribute}).
 */
type AttributeRule = (state: AttributeState, a: RawAttribute, problems: Problems) => boolean;

/** The cookie-avs RFC 6265bis §5.6.1–§5.6.7 (and CHIPS, and Chromium's Priority) know. */
const ATTRIBUTE_RULES: Readonly<Record<string, AttributeRule>> = {
  expires(state, a, problems) {
    // §5.6.1: an unparsable date drops the cookie-av.
    const t = parseCookieDate(a.value);
    if (t === undefined) {
      problems.warn(
        'expires.invalid',
        `Expires=${a.value} is not a date browsers can read, so it is ignored`,
        a.valueOffset,
      );
      return false;
    }
    state.expires = t;
    return true;
  },
  'max-age'(state, a, problems) {
    // §5.6.2 steps 1–2: DIGIT or "-" first, then only DIGITs.
    if (!/^-?\d+$/.test(a.value)) {
      problems.warn(
        'max_age.invalid',
        `Max-Age=${a.value} is not a whole number of seconds, so it is ignored`,
        a.valueOffset,
      );
      return false;
    }
    const seconds = Number(a.value);
    if (seconds > COOKIE_AGE_LIMIT) {
      problems.warn(
        'max_age.capped',
        `Max-Age=${a.value} is over 400 days; browsers cap it at ${COOKIE_AGE_LIMIT}`,
        a.valueOffset,
      );
    }
    state.maxAge = Math.max(Math.min(seconds, COOKIE_AGE_LIMIT), -Number.MAX_SAFE_INTEGER);
    return true;
  },
  domain(state, a, problems) {
    // §5.6.3: a leading "." is dropped, the rest lower-cased; §5.7 step 10:
    // an empty domain-attribute leaves the cookie host-only.
    state.domainAttribute = a.value.replace(/^\./, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
    state.domainOffset = a.valueOffset;
    if (state.domainAttribute === '') {
      problems.warn(
        'domain.empty',
        'an empty Domain is ignored: the cookie stays host-only',
        a.nameOffset,
      );
    }
    return true;
  },
  path(state, a, problems) {
    // §5.6.4: a Path not starting with "/" means the default-path.
    if (a.value.startsWith('/')) {
      state.path = a.value;
    } else {
      state.path = undefined;
      problems.warn(
        'path.invalid',
        `Path=${a.value} does not start with "/", so browsers use the default path of the request`,
        a.nameOffset,
      );
    }
    return true;
  },
  secure(state) {
    state.secure = true;
    return true;
  },
  httponly(state) {
    state.httpOnly = true;
    return true;
  },
  samesite(state, a, problems) {
    // §5.6.7: anything but None/Strict/Lax (any case) is "Default".
    const v = a.value.toLowerCase();
    state.sameSiteValue = a.value;
    if (v === 'strict' || v === 'lax' || v === 'none') {
      state.sameSite = v;
    } else {
      state.sameSite = 'default';
      problems.warn(
        'same_site.invalid',
        `SameSite=${a.value} is not Strict, Lax or None; browsers apply their default`,
        a.nameOffset,
      );
    }
    return true;
  },
  partitioned(state) {
    // CHIPS (draft-cutler-httpbis-partitioned-cookies).
    state.partitioned = true;
    return true;
  },
  // Chromium's eviction hint: not in RFC 6265bis, but not a mistake either.
  priority: () => true,
};

/**
 * §5.6 step 1: a CTL other than HTAB makes the user agent ignore the line.
 * (Splitting at CR/LF/NUL, as older parsers did, let one line smuggle another.)
 */
function checkControlCharacters(field: string, problems: Problems): void {
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if ((c <= 0x1f && c !== 0x09) || c === 0x7f) {
      problems.error(
        'control_character',
        `control character U+${c.toString(16).padStart(4, '0').toUpperCase()}: browsers ignore the whole Set-Cookie line`,
        i,
      );
      return;
    }
  }
}

/** §5.6 steps 2–5 and §5.7 step 2: the pair runs to the first ";", and splits at its first "=". */
function parsePair(
  field: string,
  pairEnd: number,
  problems: Problems,
): { name: string; value: string } {
  const eq = field.indexOf('=');
  let name = '';
  let value: string;
  if (eq === -1 || eq > pairEnd) {
    const [a, b] = trimRange(field, 0, pairEnd);
    value = field.slice(a, b);
    if (value !== '') {
      problems.warn(
        'name.missing',
        'the pair has no "=", so browsers store a cookie with an empty name and this as its value',
        a,
      );
    }
  } else {
    const [na, nb] = trimRange(field, 0, eq);
    const [va, vb] = trimRange(field, eq + 1, pairEnd);
    name = field.slice(na, nb);
    value = field.slice(va, vb);
  }
  // §5.6 step 5.
  if (octets(name) + octets(value) > MAX_NAME_VALUE_OCTETS) {
    problems.error(
      'too_large',
      `name and value exceed ${MAX_NAME_VALUE_OCTETS} octets: browsers ignore the cookie`,
      0,
    );
  }
  // §5.7 step 2.
  if (name === '' && value === '') {
    problems.error('empty', 'the cookie has neither a name nor a value: browsers ignore it', 0);
  }
  return { name, value };
}

/** §5.6 "parse the unparsed-attributes": each ";"-separated cookie-av after the pair. */
function* splitAttributes(field: string, pairEnd: number): Generator<RawAttribute> {
  let start = pairEnd;
  while (start < field.length) {
    const next = field.indexOf(';', start + 1);
    const end = next === -1 ? field.length : next;
    const sep = field.indexOf('=', start + 1);
    const hasValue = sep !== -1 && sep < end;
    const [na, nb] = trimRange(field, start + 1, hasValue ? sep : end);
    const [va, vb] = hasValue ? trimRange(field, sep + 1, end) : [end, end];
    start = end;
    const name = field.slice(na, nb).toLowerCase();
    const value = field.slice(va, vb);
    if (name === '' && value === '') continue;
    yield { name, value, nameOffset: na, valueOffset: va };
  }
}

/** Reads every cookie-av into the state, recording each with whether a user agent applies it. */
function readAttributes(
  field: string,
  pairEnd: number,
  state: AttributeState,
  problems: Problems,
): SetCookieAttribute[] {
  const attributes: SetCookieAttribute[] = [];
  const seen = new Set<string>();
  for (const a of splitAttributes(field, pairEnd)) {
    const record = (applied: boolean): void => {
      attributes.push({ name: a.name, value: a.value, offset: a.nameOffset, applied });
    };
    // §5.6 step 6: an over-long value drops this cookie-av only.
    if (octets(a.value) > MAX_ATTRIBUTE_VALUE_OCTETS) {
      record(false);
      problems.warn(
        'attribute.too_long',
        `${a.name} value exceeds ${MAX_ATTRIBUTE_VALUE_OCTETS} octets, so browsers ignore the attribute`,
        a.valueOffset,
      );
      continue;
    }
    if (VALUED_ATTRIBUTES.has(a.name) && seen.has(a.name)) {
      problems.warn(
        'attribute.repeated',
        `${a.name} appears more than once; browsers use the last one`,
        a.nameOffset,
      );
    }
    seen.add(a.name);
    const rule = Object.hasOwn(ATTRIBUTE_RULES, a.name) ? ATTRIBUTE_RULES[a.name] : undefined;
    if (rule === undefined) {
      problems.warn(
        'attribute.unknown',
        `unknown attribute ${JSON.stringify(a.name)} is ignored by browsers`,
        a.nameOffset,
      );
    }
    record(rule?.(state, a, problems) ?? false);
  }
  return attributes;
}

/** §5.7 steps 8 and 19, and CHIPS: rules on the attributes that make a user agent drop the cookie. */
function checkAttributeRules(
  state: AttributeState,
  domain: string | undefined,
  problems: Problems,
): void {
  // §5.7 step 8.
  if (domain !== undefined && /[^\x00-\x7f]/.test(domain)) {
    problems.error(
      'domain.non_ascii',
      'Domain has a non-ASCII character: browsers ignore the cookie',
      state.domainOffset,
    );
  }
  // §5.7 step 19: a cross-site cookie must be Secure.
  if (state.sameSite === 'none' && !state.secure) {
    problems.error(
      'same_site.none_insecure',
      'SameSite=None without Secure: browsers ignore the cookie',
      0,
    );
  }
  // CHIPS: partitioned cookies must be Secure.
  if (state.partitioned && !state.secure) {
    problems.error(
      'partitioned.insecure',
      'Partitioned without Secure: browsers ignore the cookie',
      0,
    );
  }
}

/**
 * §5.7 steps 20–21: prefixes, matched case-insensitively so `__host-`
 * cannot claim the guarantees without meeting them.
 */
function checkPrefix(
  name: string,
  value: string,
  state: AttributeState,
  domain: string | undefined,
  problems: Problems,
): CookiePrefix | undefined {
  const lowerName = name.toLowerCase();
  const prefix: CookiePrefix | undefined = lowerName.startsWith('__secure-')
    ? '__Secure-'
    : lowerName.startsWith('__host-')
      ? '__Host-'
      : undefined;
  if (prefix === '__Secure-' && !state.secure) {
    problems.error(
      'prefix.secure',
      `the ${prefix} prefix needs Secure: browsers ignore the cookie`,
      0,
    );
  }
  if (prefix === '__Host-') {
    const wrong: string[] = [];
    if (!state.secure) wrong.push('Secure');
    if (domain !== undefined) wrong.push('no Domain');
    // The parser cannot know the request's default-path, so only an
    // explicit Path=/ is known to satisfy "the cookie's path is /".
    if (state.path !== '/') wrong.push('Path=/');
    if (wrong.length > 0) {
      problems.error(
        'prefix.host',
        `the __Host- prefix needs ${wrong.join(', ')}: browsers ignore the cookie`,
        0,
      );
    }
  }
  // §5.7: a nameless cookie whose value looks prefixed would be sent as
  // `__Host-x=…` and pass for a prefixed cookie it is not.
  const lowerValue = value.toLowerCase();
  if (name === '' && (lowerValue.startsWith('__secure-') || lowerValue.startsWith('__host-'))) {
    problems.error(
      'prefix.nameless',
      'a cookie without a name whose value starts with a cookie prefix: browsers ignore it',
      0,
    );
  }
  return prefix;
}

/**
 * Parses one Set-Cookie field value as RFC 6265bis §5.6 says a user agent
 * does: the name-value pair runs to the first `;` and splits at its first
 * `=` (no `=` means an empty name), then each `;`-separated cookie-av is
 * matched case-insensitively, the last of a kind winning. Never throws.
 *
 * @see https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#name-the-set-cookie-header-field
 * @example
 * ```ts
 * const c = parseSetCookie('__Host-sid=abc; Secure; Path=/; HttpOnly; SameSite=Lax');
 * c.valid;    // true
 * c.prefix;   // '__Host-'
 * c.sameSite; // 'lax'
 * ```
 */
export function parseSetCookie(field: string): SetCookieParseResult {
  const problems = new Problems();
  checkControlCharacters(field, problems);
  const semi = field.indexOf(';');
  const pairEnd = semi === -1 ? field.length : semi;
  const { name, value } = parsePair(field, pairEnd, problems);
  const state: AttributeState = {
    expires: undefined,
    maxAge: undefined,
    domainAttribute: undefined,
    domainOffset: 0,
    path: undefined,
    secure: false,
    httpOnly: false,
    sameSite: undefined,
    sameSiteValue: undefined,
    partitioned: false,
  };
  const attributes = readAttributes(field, pairEnd, state, problems);
  const domain = state.domainAttribute === '' ? undefined : state.domainAttribute;
  checkAttributeRules(state, domain, problems);
  const prefix = checkPrefix(name, value, state, domain, problems);
  return {
    valid: !problems.list.some((p) => p.severity === 'error'),
    name,
    value,
    expires: state.expires,
    maxAge: state.maxAge,
    domain,
    path: state.path,
    secure: state.secure,
    httpOnly: state.httpOnly,
    sameSite: state.sameSite,
    sameSiteValue: state.sameSiteValue,
    partitioned: state.partitioned,
    prefix,
    attributes,
    problems: problems.list,
  };
}
