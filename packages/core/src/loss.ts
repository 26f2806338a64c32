/**
 * What a deployment of the policy cannot do, as data shared by two
 * packages: `@barbican/export` declares a {@link Loss} for each feature a
 * target cannot express (one lossy-export warning each), and
 * the scanner's drift check (`barbican scan --policy FILE --target T`)
 * expects them, reporting a difference a loss explains as that loss rather
 * than as drift.
 *
 * A loss says precisely what responses show because of it
 * ({@link LossSign}): "Server: nginx", not "anything about Server". A
 * difference the signs do not describe exactly stays drift.
 *
 * Leaf module: types only.
 *
 * @see ../../../docs/export.md
 * @see ../../../docs/scan.md#expected-losses---target
 * @module
 */

/**
 * A response header the deployment sends (or cannot send) whatever the
 * policy says, e.g. stock nginx's `Server: nginx`.
 */
export interface HeaderSign {
  readonly kind: 'header';
  /** Lower case, e.g. `server`. */
  readonly name: string;
  /** The exact value sent, or `null` when the deployment sends no such header. */
  readonly value: string | null;
  /** Only responses over this scheme; absent: both. */
  readonly scheme?: 'https' | 'http';
}

/** Hosts not on `allowedHosts` are served (the platform routes every host to the site). */
export interface HostsSign {
  readonly kind: 'hosts';
}

/** Plain HTTP is not redirected to HTTPS (`status` null), or a GET is redirected with `status`. */
export interface RedirectSign {
  readonly kind: 'redirect';
  readonly status: number | null;
}

/**
 * A TLS version or suite the deployment accepts or refuses against the
 * policy; with neither `name` nor `outcome`, the whole `tls` section (a
 * platform that manages TLS itself).
 */
export interface TlsSign {
  readonly kind: 'tls';
  /** A protocol (`TLSv1.2`) or suite (OpenSSL or IANA name, as the policy spells it). */
  readonly name?: string;
  readonly outcome?: 'accepted' | 'refused';
}

/** One thing a response or handshake shows because of a loss. */
export type LossSign = HeaderSign | HostsSign | RedirectSign | TlsSign;

/**
 * A feature of the policy a deployment target cannot express.
 *
 * @example
 * ```ts
 * const loss: Loss = {
 *   feature: 'server-header',
 *   path: 'headers.server',
 *   message: 'nginx always sends its own "Server: nginx" (no version)',
 *   served: [{ kind: 'header', name: 'server', value: 'nginx' }],
 * };
 * ```
 */
export interface Loss {
  /** Stable id, e.g. `server-header`, `csrf`. */
  readonly feature: string;
  /** The option path it comes from. */
  readonly path: string;
  /** What is lost, in one line (without the target name). */
  readonly message: string;
  /**
   * What responses show because of it, for the drift check; absent when the
   * loss shows in nothing the scanner sees (a nonce, CSRF checks, proxy trust).
   */
  readonly served?: readonly LossSign[];
}

/**
 * The losses one deployment declared, as the drift check takes them
 * (`barbican scan --policy FILE --target T`): what the deployment target
 * declared it cannot express for one policy, version and OpenSSL.
 *
 * @example
 * ```ts
 * // Built by @barbican/export from one export's result:
 * const declared: DeclaredLosses = declaredLosses(exportPolicy(policy, 'nginx'));
 * declared.by; // 'nginx 1.22.1'
 * ```
 */
export interface DeclaredLosses {
  /** Who declared them, for messages, e.g. `nginx 1.22.1`. */
  readonly by: string;
  /** The warning code the declarer reported each loss with (the export's lossy-export warning). */
  readonly code: string;
  readonly losses: readonly Loss[];
}
