/**
 * The `errors` section of a policy: which upstream error responses a
 * server or the gateway replaces with a generic page, which page, and
 * whether the server may announce its name and version.
 *
 * In-app middleware cannot replace an application's own error bodies, so
 * it ignores this section; servers (`barbican export`) and the gateway
 * apply it. The one link to the middleware is `serverTokens`, which must
 * not contradict `headers.server` (see {@link resolveErrors}).
 *
 * @see ../../../../docs/config.md#the-errors-section
 * @module
 */
import { BarbicanError } from '../errors.ts';
import type { ServerDisposition } from '../headers/server/index.ts';
import {
  array,
  boolean,
  integer,
  object,
  string,
  union,
  type InferShape,
} from '../schema/index.ts';

export { DEFAULT_ERROR_PAGE, DEFAULT_ERROR_PAGE_CONTENT_TYPE } from './page.ts';

/** nginx `error_page 500 502 503 504`, as in the OpenKAT guide: server errors, not client errors. */
export const DEFAULT_INTERCEPT: readonly number[] = Object.freeze([500, 502, 503, 504]);

const errorsShape = {
  intercept: union(
    [
      boolean(),
      array(integer({ min: 400, max: 599, description: 'An HTTP error status.' }), {
        maxItems: 200,
        unique: true,
      }),
    ],
    {
      description:
        'Upstream statuses whose body is replaced by the error page. true = [500, 502, 503, 504] (the default), false or [] = none.',
    },
  ),
  page: string({
    minLength: 1,
    maxLength: 4096,
    patternDescription: 'a file path',
    description: 'An HTML file to serve instead of the built-in generic page.',
  }),
  serverTokens: boolean({
    description:
      'Let the server announce its name and version (nginx server_tokens, Apache ServerTokens). Default false.',
  }),
};

/** The `errors` section of a policy. */
export type ErrorsOptions = InferShape<typeof errorsShape>;

/** The schema of {@link ErrorsOptions}. */
export const errorsOptionsSchema = object(errorsShape, {
  description:
    'Error obscuring for servers and the gateway: replace upstream error bodies, hide the server version.',
});

/** The effective `errors` settings. Always present on a policy. */
export interface ResolvedErrors {
  /** Ascending statuses to replace; empty = none. */
  readonly intercept: readonly number[];
  /** The page file, or undefined for {@link DEFAULT_ERROR_PAGE}. */
  readonly page: string | undefined;
  readonly serverTokens: boolean;
}

/**
 * Applies the defaults and checks `serverTokens` against `headers.server`:
 * `serverTokens: true` says "announce the server", while `headers.server`
 * removing or replacing Server says the opposite — the user must pick one,
 * so that is `BARBICAN_E_CONFLICT`, not a silent winner.
 *
 * @example
 * ```ts
 * resolveErrors({ intercept: [502] }, 'remove'); // { intercept: [502], page: undefined, serverTokens: false }
 * ```
 */
export function resolveErrors(
  options: ErrorsOptions | undefined,
  server: ServerDisposition,
): ResolvedErrors {
  const o = options ?? {};
  const serverTokens = o.serverTokens ?? false;
  if (serverTokens && server !== 'keep') {
    throw new BarbicanError(
      'BARBICAN_E_CONFLICT',
      `errors.serverTokens lets the server announce its version, but headers.server ${server === 'remove' ? 'removes' : 'replaces'} the Server header`,
      {
        path: 'errors.serverTokens',
        hint: 'Pick one: drop serverTokens, or set headers.server: false to leave Server as the server sends it',
      },
    );
  }
  const intercept =
    o.intercept === undefined || o.intercept === true
      ? DEFAULT_INTERCEPT
      : o.intercept === false
        ? []
        : [...o.intercept].sort((a, b) => a - b);
  return Object.freeze({
    intercept: Object.freeze([...intercept]),
    page: o.page,
    serverTokens,
  });
}
