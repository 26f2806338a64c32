/**
 * Credentials in URLs (`https://user:secret@staging.example/`) are sent as
 * the user asked, but never printed: every URL in a scan result, an error
 * message or stderr has its userinfo replaced by `***`.
 *
 * @module
 */
import { mapStrings } from '@barbican/core';

/** `scheme://userinfo@` anywhere in a text. Linear: the class cannot cross `/`, `@` or spaces. */
const USERINFO = /\b([A-Z][A-Z0-9+.-]*:\/\/)[^\s/?#@"'<>]*@/gi;

/**
 * Replaces the userinfo of every URL in `text` by `***`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1 ("Use of the format user:password … is deprecated")
 * @example
 * ```ts
 * redactCredentials('https://ci:hunter2@staging.example/'); // 'https://***@staging.example/'
 * ```
 */
export function redactCredentials(text: string): string {
  return text.includes('@') ? text.replace(USERINFO, '$1***@') : text;
}

/**
 * {@link redactCredentials} applied to every string inside `value`.
 *
 * @example
 * ```ts
 * const printable = redactDeep(result);
 * ```
 */
export function redactDeep<T>(value: T): T {
  return mapStrings(value, redactCredentials);
}
