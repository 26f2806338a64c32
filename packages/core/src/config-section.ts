/**
 * Config-file sections owned by packages other than core.
 *
 * `barbican.config.{json,yaml}` holds the policy options plus sections core
 * knows nothing about, such as `gateway` (owned by `@barbican/gateway`).
 * Such a package describes its section with a {@link ConfigSection}: a
 * schema written with core's schema DSL (so its errors and JSON Schema look
 * like every other option's) and an optional cross-check against the built
 * policy. The CLI splits the section off before `createPolicy`, validates
 * it, and includes it in `barbican check` and `barbican schema`.
 *
 * A package exports its section from a light subpath with no heavy imports
 * (e.g. `@barbican/gateway/options`), so `barbican check` never loads
 * undici or a database driver.
 *
 * @see ../../../ARCHITECTURE.md#config-file-sections-owned-by-packages
 * @module
 */
import type { Policy } from './policy/index.ts';
import type { Schema } from './schema/index.ts';

/** A warning a section's cross-check raises: data, like a policy warning, with the package's own code. */
export interface SectionWarning {
  /** A stable code owned by the package, e.g. `BARBICAN_W_GATEWAY_…`. */
  readonly code: string;
  /** The option path from the top of the file, e.g. `gateway.upstream`. */
  readonly path: string;
  readonly message: string;
}

/** One top-level section of `barbican.config.*` owned by a package. */
export interface ConfigSection<T = unknown> {
  /** The top-level key, e.g. `gateway`. Never the name of a policy option. */
  readonly name: string;
  /** One line for `barbican schema` and editor completion. */
  readonly description: string;
  /** Validates the section's value found at option path `name`. */
  readonly schema: Schema<T>;
  /**
   * Checks the validated section against the built policy (e.g. a gateway
   * port that contradicts `sslRedirect`); throws `BarbicanError` for an
   * error, returns warnings.
   */
  readonly check?: (value: T, policy: Policy) => readonly SectionWarning[];
}

/**
 * Declares a section, keeping its value type.
 *
 * @example
 * ```ts
 * import { defineConfigSection } from '@barbican/core';
 * import { integer, object, string } from '@barbican/core/schema';
 * export const gatewaySection = defineConfigSection({
 *   name: 'gateway',
 *   description: 'The Barbican gateway: upstream, listeners, limits.',
 *   schema: object({ upstream: string(), port: integer({ min: 1, max: 65535 }) }),
 * });
 * ```
 */
export function defineConfigSection<T>(section: ConfigSection<T>): ConfigSection<T> {
  return section;
}
