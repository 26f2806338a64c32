/**
 * `barbican headers`: show the status and headers a response to a given
 * request gets under a policy, by running the real Fetch adapter on an
 * empty 200 response.
 *
 * To add a request fact (such as a `--peer IP`), add the option, a field to
 * {@link SimulatedRequest}, and pass it on in {@link simulate}.
 *
 * @module
 */
import {
  createPolicy,
  escapeControlDeep,
  PRESET_NAMES,
  type BarbicanWarning,
  type Policy,
  type PolicyOptions,
  type PresetName,
} from '@barbican/core';
import { assertFieldSafe, isToken, parseIp } from '@barbican/core/parsers';
import { secureFetch } from '@barbican/core/fetch';
import { redactCredentials } from '@barbican/scanner';
import { Option, type Command } from 'commander';
import { discoverConfig, loadPolicy } from '../config.ts';
import type { Io } from '../io.ts';
import { DEFAULT_SECTIONS, type SectionSource } from '../sections.ts';
import { toJson } from '../util.ts';
import { formatWarning } from './check.ts';
import { BarbicanError } from '../errors.ts';

/** The `--json` report of `barbican headers` (stable contract). */
export interface HeadersReport {
  readonly status: number;
  /** Lower-case header name → value: only what the policy put on the response. */
  readonly headers: Record<string, string>;
  readonly warnings: readonly BarbicanWarning[];
}

/** A request to simulate. */
export interface SimulatedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The client's socket address, for trusted-proxy checks (not set by any option yet). */
  readonly peer?: string;
}

interface HeadersOpts {
  config?: string;
  preset?: PresetName;
  url: string;
  method: string;
  header: string[];
  json?: boolean;
  peer?: string;
}

/** Parses one `-H 'Name: value'` argument, refusing names and values that could not be sent. */
export function parseHeaderArg(raw: string): [string, string] {
  const i = raw.indexOf(':');
  const name = i <= 0 ? '' : raw.slice(0, i).trim();
  if (!isToken(name)) {
    throw new BarbicanError(
      'BARBICAN_E_USAGE',
      "-H expects 'Name: value' with a valid header name",
      {
        path: '--header',
        value: raw,
      },
    );
  }
  const value = raw.slice(i + 1).trim();
  assertFieldSafe(value, `--header ${name}`);
  return [name, value];
}

/** Checks `--url` and `--method` and builds the request description. */
export function buildRequest(
  url: string,
  method: string,
  headers: readonly string[],
): SimulatedRequest {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BarbicanError('BARBICAN_E_USAGE', 'not an absolute URL', {
      path: '--url',
      value: url,
      hint: 'Write it like https://app.example/path',
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Fetch refuses them, and its message would echo the password.
    throw new BarbicanError('BARBICAN_E_USAGE', 'a URL with credentials cannot be simulated', {
      path: '--url',
      value: redactCredentials(url),
      hint: 'Browsers never send user:password@ in a request; drop it',
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new BarbicanError('BARBICAN_E_USAGE', 'only http: and https: URLs can be simulated', {
      path: '--url',
      value: url,
    });
  }
  if (!isToken(method)) {
    throw new BarbicanError('BARBICAN_E_USAGE', 'not an HTTP method', {
      path: '--method',
      value: method,
    });
  }
  return { url: parsed.href, method: method.toUpperCase(), headers: headers.map(parseHeaderArg) };
}

/**
 * Runs `request` through the Fetch adapter with a handler that returns an
 * empty 200 carrying no headers of its own, so every header in the result
 * comes from the policy (or from the engine's own answer, such as a redirect).
 */
export async function simulate(policy: Policy, request: SimulatedRequest): Promise<HeadersReport> {
  let req: Request;
  try {
    req = new Request(request.url, {
      method: request.method,
      headers: request.headers.map(([n, v]): [string, string] => [n, v]),
    });
  } catch (error) {
    throw new BarbicanError('BARBICAN_E_USAGE', 'the request cannot be built', {
      hint: (error as Error).message,
      cause: error,
    });
  }
  const handler = secureFetch(
    () => new Response(null, { status: 200 }),
    policy,
    () => request.peer,
  );
  const response = await handler(req);
  const headers: Record<string, string> = {};
  // Headers iterate in lower-case, sorted order: stable output to diff.
  for (const [name, value] of response.headers) headers[name] = value;
  return { status: response.status, headers, warnings: policy.warnings };
}

/**
 * The policy a command works on: `--config FILE`, else a config file found
 * in the working directory, else `--preset` (default `barbican`). With both,
 * `--preset` replaces the file's preset under its overrides. `sections` are
 * the package sections the config file may hold (default: every package's).
 *
 * @example
 * ```ts
 * const policy = await resolvePolicy({ preset: 'strict' }, io);
 * ```
 */
export async function resolvePolicy(
  opts: { readonly config?: string; readonly preset?: PresetName },
  io: Io,
  sections: readonly SectionSource[] = DEFAULT_SECTIONS,
): Promise<Policy> {
  let file = opts.config;
  if (file === undefined && opts.preset === undefined) {
    file = await discoverConfig();
    if (file !== undefined) io.err(`barbican: using ${file}`);
  }
  if (file === undefined) return createPolicy({ preset: opts.preset ?? 'barbican' });
  const { options, policy } = await loadPolicy(file, sections);
  if (opts.preset === undefined) return policy;
  // --preset with --config swaps the starting point under the file's overrides.
  const swapped: PolicyOptions = { ...options, preset: opts.preset };
  return createPolicy(swapped);
}

/**
 * `--peer` is a socket address: an IP, never a name (trust is decided by
 * address, and a typo would silently make the peer untrusted).
 */
export function peerAddress(value: string): string {
  if (parseIp(value) === undefined) {
    throw new BarbicanError('BARBICAN_E_USAGE', 'not an IP address', {
      path: '--peer',
      value,
      hint: 'Give the client socket address, e.g. --peer 10.0.0.5 or --peer ::1',
    });
  }
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Adds the two options every policy-reading command shares, `--config` and
 * `--preset`, read by {@link resolvePolicy}.
 */
export function policySourceOptions(command: Command): Command {
  return command
    .option(
      '-c, --config <file>',
      'config file (default: barbican.config.{json,yaml,yml} in the working directory, else preset barbican)',
    )
    .addOption(
      new Option(
        '-p, --preset <name>',
        'use a preset (with --config: replaces its preset)',
      ).choices(PRESET_NAMES),
    );
}

/** Registers `barbican headers`. */
export function registerHeaders(
  program: Command,
  io: Io,
  sections: readonly SectionSource[] = DEFAULT_SECTIONS,
): void {
  policySourceOptions(
    program
      .command('headers')
      .description('Show the status and headers a response to this request gets under a policy.'),
  )
    .option(
      '--url <url>',
      'the request URL (its scheme decides HTTPS; localhost gets no HSTS)',
      'https://example.com/',
    )
    .option('-X, --method <method>', 'the request method', 'GET')
    .option('-H, --header <header>', "a request header, 'Name: value' (repeatable)", collect, [])
    .option('--json', 'print {"status", "headers", "warnings"} as JSON on stdout')
    .option(
      '--peer <ip>',
      "the client's socket address (try trustedProxies: a header alone never grants trust)",
    )
    .addHelpText(
      'after',
      "\nExamples:\n  barbican headers --preset strict\n  barbican headers --config barbican.config.json --url http://app.example/login -X POST -H 'Accept: text/html' --json",
    )
    .action(async (opts: HeadersOpts) => {
      const built = buildRequest(opts.url, opts.method, opts.header);
      const request = opts.peer === undefined ? built : { ...built, peer: peerAddress(opts.peer) };
      const policy = await resolvePolicy(opts, io, sections);
      const report = await simulate(policy, request);
      if (opts.json === true) {
        io.out(toJson(report));
        return;
      }
      const safe = escapeControlDeep({ request, headers: report.headers });
      io.out(`${io.color.bold(String(report.status))} ${safe.request.method} ${safe.request.url}`);
      for (const [name, value] of Object.entries(safe.headers)) {
        io.out(`${io.color.cyan(name)}: ${value}`);
      }
      for (const w of report.warnings) io.err(formatWarning(io, w));
    });
}
