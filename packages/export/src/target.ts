/**
 * The shapes every export target shares: what a renderer is given and what
 * it returns. Leaf module: it imports only types.
 *
 * @module
 */
import type { ExportModel } from './model.ts';
import type { Loss } from '@barbican/core';

/** A parsed `major.minor.patch` version; missing parts are 0. */
export interface Version {
  /** As given, for comments in the output (`# for nginx 1.22.1`). */
  readonly text: string;
  readonly parts: readonly [number, number, number];
}

/** The targets `barbican export` writes. */
export const TARGET_NAMES = [
  'nginx',
  'apache',
  'caddy',
  'haproxy',
  'traefik',
  'krakend',
  'netlify',
  'cloudflare-pages',
  'vercel',
  'nextjs',
] as const;

/** One export target. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** Facts about the deployment that a policy does not hold, for the complete example config. */
export interface Deployment {
  /** The application the server proxies to, e.g. `http://127.0.0.1:3000`. */
  readonly upstream: string;
  /** Listening address (undefined = all) and ports. */
  readonly listen: {
    readonly address: string | undefined;
    readonly http: number;
    readonly https: number;
  };
  /** Used when the policy's `tls.certificates` is empty. */
  readonly certificate: { readonly cert: string; readonly key: string };
  /** Absolute directory where the exported files are installed (include paths point there). */
  readonly dir: string;
  /** Where the example keeps its pid file, logs and temporary files; undefined = the distribution's defaults. */
  readonly runtimeDir: string | undefined;
}

/** Everything a renderer reads besides the model. */
export interface RenderContext {
  /** The target's version. */
  readonly version: Version;
  /** The OpenSSL the server is linked with, for targets that use OpenSSL. */
  readonly openssl: Version | undefined;
  readonly deploy: Deployment;
}

/**
 * A feature of the policy the target cannot express, with what responses
 * show because of it (core's type: the drift check reads the same data).
 */
export type { Loss, LossSign } from '@barbican/core';

/** One file of the `--out` set. */
export interface ExportFile {
  /** Relative path inside the output directory. */
  readonly path: string;
  readonly content: string;
  /** What it is for and where it goes, one line. */
  readonly purpose: string;
}

/** What a renderer returns. */
export interface Rendered {
  /** What `barbican export` prints: the lines to paste or include where {@link TargetSpec.snippetPlace} says. */
  readonly snippet: string;
  /** The full commented set, including a complete example configuration. */
  readonly files: readonly ExportFile[];
  readonly losses: readonly Loss[];
}

/** A target: its version range and its pure renderer. */
export interface TargetSpec {
  readonly name: TargetName;
  /** Human name, e.g. `Apache httpd`. */
  readonly title: string;
  /** The version generated for by default: what Debian 12 ships, where it ships it. */
  readonly defaultVersion: string;
  /** The oldest version the renderer can generate for. */
  readonly minVersion: string;
  /** Whether `--openssl-version` applies (default 3.0, Debian 12's). */
  readonly usesOpenssl: boolean;
  /** Where the snippet goes, e.g. `inside a server {} block`. */
  readonly snippetPlace: string;
  /** Default install directory for `Deployment.dir`. */
  readonly defaultDir: string;
  render(model: ExportModel, ctx: RenderContext): Rendered;
}
