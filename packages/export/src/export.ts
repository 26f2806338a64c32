/**
 * `exportPolicy`: policy → model → the target's renderer → files and
 * warnings. The only place that knows every target (through the table in
 * `targets/index.ts`).
 *
 * @module
 */
import {
  createPolicy,
  isPolicy,
  type DeclaredLosses,
  type Policy,
  type PolicyOptions,
} from '@barbican/core';
import { didYouMean } from '@barbican/core/parsers';
import { BarbicanError, type ExportWarning } from './errors.ts';
import { buildExportModel } from './model.ts';
import type { Deployment, ExportFile, Loss, TargetName, TargetSpec } from './target.ts';
import { TARGET_NAMES } from './target.ts';
import { TARGETS } from './targets/index.ts';
import { atLeast, parseVersion } from './version.ts';

/** Options of {@link exportPolicy}. */
export interface ExportOptions {
  /** The target's version (default: Debian 12's, see `TARGETS[t].defaultVersion`). */
  readonly targetVersion?: string;
  /** The OpenSSL version the server is linked with (default 3.0, Debian 12's). */
  readonly opensslVersion?: string;
  /** Deployment facts for the complete example config (upstream, ports, paths). */
  readonly deploy?: Partial<Omit<Deployment, 'listen'>> & {
    readonly listen?: Partial<Deployment['listen']>;
  };
}

/** What {@link exportPolicy} returns. */
export interface ExportResult {
  readonly target: TargetName;
  /** The version generated for. */
  readonly version: string;
  /** Lines to paste or include where `TARGETS[target].snippetPlace` says (what the CLI prints). */
  readonly snippet: string;
  /** The commented file set, with a complete example configuration (what `--out` writes). */
  readonly files: readonly ExportFile[];
  /** What the target cannot express (also listed in the files' comments). */
  readonly losses: readonly Loss[];
  /** One `BARBICAN_W_EXPORT_LOSSY` per loss. */
  readonly warnings: readonly ExportWarning[];
}

/** Debian 12's OpenSSL. */
export const DEFAULT_OPENSSL = '3.0';

/**
 * Resolves a target name, refusing unknown ones with a suggestion.
 *
 * @example
 * ```ts
 * targetSpec('ngnix') // throws BARBICAN_E_EXPORT_TARGET … Did you mean "nginx"?
 * ```
 */
export function targetSpec(name: string): TargetSpec {
  if ((TARGET_NAMES as readonly string[]).includes(name)) return TARGETS[name as TargetName];
  const guess = didYouMean(name, TARGET_NAMES);
  throw new BarbicanError('BARBICAN_E_EXPORT_TARGET', 'not an export target', {
    path: '--target',
    value: name,
    allowed: TARGET_NAMES.join(', '),
    ...(guess === undefined ? {} : { hint: `Did you mean "${guess}"?` }),
  });
}

function deployment(spec: TargetSpec, given: ExportOptions['deploy']): Deployment {
  return {
    upstream: given?.upstream ?? 'http://127.0.0.1:3000',
    listen: {
      address: given?.listen?.address,
      http: given?.listen?.http ?? 80,
      https: given?.listen?.https ?? 443,
    },
    certificate: given?.certificate ?? {
      cert: '/etc/ssl/barbican/fullchain.pem',
      key: '/etc/ssl/barbican/privkey.pem',
    },
    dir: given?.dir ?? spec.defaultDir,
    runtimeDir: given?.runtimeDir,
  };
}

/**
 * Renders a policy for one target.
 *
 * @example
 * ```ts
 * import { createPolicy } from '@barbican/core';
 * import { exportPolicy } from '@barbican/export';
 * const out = exportPolicy(createPolicy({ preset: 'strict', allowedHosts: ['app.example'] }), 'nginx');
 * console.log(out.snippet); // add_header … always; lines for a server {} block
 * ```
 */
export function exportPolicy(
  policy: Policy | PolicyOptions,
  target: string,
  options: ExportOptions = {},
): ExportResult {
  const built = isPolicy(policy) ? policy : createPolicy(policy);
  const spec = targetSpec(target);
  const version = parseVersion(options.targetVersion ?? spec.defaultVersion, '--target-version');
  if (!atLeast(version, spec.minVersion)) {
    throw new BarbicanError(
      'BARBICAN_E_EXPORT_TARGET',
      `${spec.title} ${version.text} is older than the oldest version the export writes for`,
      {
        path: '--target-version',
        value: version.text,
        allowed: `${spec.minVersion} or later`,
      },
    );
  }
  const openssl = spec.usesOpenssl
    ? parseVersion(options.opensslVersion ?? DEFAULT_OPENSSL, '--openssl-version')
    : undefined;
  const model = buildExportModel(built);
  const rendered = spec.render(model, {
    version,
    openssl,
    deploy: deployment(spec, options.deploy),
  });
  const warnings = rendered.losses.map((l): ExportWarning => ({
    code: 'BARBICAN_W_EXPORT_LOSSY',
    path: l.path,
    message: `${spec.name}: ${l.message}`,
  }));
  return {
    target: spec.name,
    version: version.text,
    snippet: rendered.snippet,
    files: rendered.files,
    losses: rendered.losses,
    warnings,
  };
}

/**
 * The losses of an export as the drift check expects them (`barbican scan
 * --policy FILE --target T`, `ScanOptions.losses`): named after the target
 * and version, with the warning code each was reported with.
 *
 * @see ../../../docs/scan.md#expected-losses---target
 * @example
 * ```ts
 * const declared = declaredLosses(exportPolicy(policy, 'nginx'));
 * await scan('https://shop.example/', { policy, losses: declared });
 * // declared.by === 'nginx 1.22.1'
 * ```
 */
export function declaredLosses(result: ExportResult): DeclaredLosses {
  return {
    by: `${targetSpec(result.target).title} ${result.version}`,
    code: 'BARBICAN_W_EXPORT_LOSSY' satisfies ExportWarning['code'],
    losses: result.losses,
  };
}
