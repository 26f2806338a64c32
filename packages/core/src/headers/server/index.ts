/**
 * Server: the response header that names the server software, often with
 * its version (`nginx/1.22.1`, `Apache/2.4.57 (Debian)`), which tells an
 * attacker which exploits to try.
 *
 * One switch decides what happens to it, so the answer is never split
 * between two options:
 * - `true` (or `{}`): Barbican **removes** Server from every response,
 *   whatever the app or framework wrote.
 * - a string (or `{ value }`): Barbican **sets** Server to that value,
 *   e.g. a generic `'edge'`; a header Barbican sets is never removed.
 * - `false` (or a preset that leaves `server` out): Barbican **leaves**
 *   Server as the app sends it, even though Server is on OWASP's remove list
 *   that `removeHeaders: true` uses.
 *
 * Naming Server in `removeHeaders` (`add`, `keep` or a list) only to
 * contradict `headers.server` is an error (`BARBICAN_E_CONFLICT`) rather
 * than a silent winner.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.4
 * @see https://owasp.org/www-project-secure-headers/#server
 * @example
 * ```ts
 * createPolicy({ headers: { server: true } })   // strip Server
 * createPolicy({ headers: { server: 'edge' } }) // Server: edge
 * createPolicy({ headers: { server: false } })  // leave it alone
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import { object, string, type InferShape } from '../../schema/index.ts';
import { defineHeader, type HeaderEmission } from '../types.ts';
import { SERVER_VALUE } from './parse.ts';

export { parseServer } from './parse.ts';
export type { ServerParseResult } from './parse.ts';

const valueSchema = string({
  pattern: SERVER_VALUE,
  patternDescription:
    'a product such as "edge" or "acme/1" (letters, digits, !#$%&\'*+-.^_`|~, one "/"), optionally followed by space-separated words',
  minLength: 1,
  maxLength: 256,
  description: 'The value to send instead of what the app writes.',
});

const shape = { value: valueSchema };

/** The object form: `{}` removes Server; `{ value }` sets it. */
export type ServerOptions = InferShape<typeof shape>;

function emit(value: string | undefined): HeaderEmission[] {
  return value === undefined ? [] : [{ name: 'Server', value }];
}

export const server = defineHeader<ServerOptions>({
  key: 'server',
  headerNames: ['Server'],
  description:
    'Server: true removes it, a string sets it, false leaves what the app sends. It alone decides Server, whatever removeHeaders says.',
  spec: 'https://www.rfc-editor.org/rfc/rfc9110#section-10.2.4',
  schema: object(shape),
  defaults: {},
  compile: (options) => emit(options.value),
  compileRaw(value, _ctx, path) {
    assertFieldSafe(value, path);
    if (value === '') {
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'an empty Server value', {
        path,
        value,
        hint: 'To hide the server, use server: true (Barbican removes the header) instead of an empty value',
      });
    }
    return emit(valueSchema.parse(value, path));
  },
});

/** What the policy does with the Server header, derived from the effective `headers.server`. */
export type ServerDisposition = 'remove' | 'set' | 'keep';

/** The disposition for an effective `headers.server` setting (after preset merging). */
export function serverDisposition(effective: false | string | object): ServerDisposition {
  if (effective === false) return 'keep';
  if (typeof effective === 'string') return 'set';
  return (effective as ServerOptions).value === undefined ? 'remove' : 'set';
}
