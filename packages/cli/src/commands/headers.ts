import {
  BarbicanError,
  createPolicy,
  PRESET_NAMES,
  type PolicyOptions,
  type PresetName,
} from '@barbican/core';
import { secureFetch } from '@barbican/core/fetch';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config.ts';
import { EXIT, type Io } from '../io.ts';

interface HeadersOpts {
  config?: string;
  preset?: PresetName;
  url: string;
  method: string;
  header: string[];
  json?: boolean;
}

export function registerHeaders(program: Command, io: Io): void {
  program
    .command('headers')
    .description('Show the status and headers a response to this request gets under a policy.')
    .option('-c, --config <file>', 'barbican.config.json or .yaml')
    .addOption(
      new Option('-p, --preset <name>', 'use a preset instead of a config').choices(PRESET_NAMES),
    )
    .option('--url <url>', 'the request URL', 'https://localhost/')
    .option('-X, --method <method>', 'the request method', 'GET')
    .option('-H, --header <header>', "a request header, 'Name: value' (repeatable)", collect, [])
    .option('--json', 'print {"status", "headers", "warnings"} as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  barbican headers --preset strict\n  barbican headers --config barbican.config.json --url http://app.example/login -X POST --json',
    )
    .action(async (opts: HeadersOpts) => {
      const options: PolicyOptions =
        opts.config === undefined
          ? { preset: opts.preset ?? 'barbican' }
          : await loadConfig(opts.config);
      if (opts.config !== undefined && opts.preset !== undefined) options.preset = opts.preset;
      const policy = createPolicy(options);
      const request = new Request(opts.url, {
        method: opts.method.toUpperCase(),
        headers: opts.header.map(splitHeader),
      });
      const handler = secureFetch(() => new Response(null, { status: 200 }), policy);
      const response = await handler(request);
      const headers: Record<string, string> = {};
      for (const [name, value] of response.headers) headers[name] = value;
      if (opts.json === true) {
        io.out(
          JSON.stringify({ status: response.status, headers, warnings: policy.warnings }, null, 2),
        );
      } else {
        io.out(
          `${io.color.bold(String(response.status))} ${opts.method.toUpperCase()} ${opts.url}`,
        );
        for (const [name, value] of Object.entries(headers))
          io.out(`${io.color.cyan(name)}: ${value}`);
        for (const w of policy.warnings)
          io.err(`${io.color.yellow('warning')} ${w.path}: ${w.message} [${w.code}]`);
      }
      process.exitCode = EXIT.OK;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function splitHeader(raw: string): [string, string] {
  const i = raw.indexOf(':');
  if (i <= 0) {
    throw new BarbicanError('BARBICAN_E_USAGE', "-H expects 'Name: value'", {
      path: '--header',
      value: raw,
    });
  }
  return [raw.slice(0, i).trim(), raw.slice(i + 1).trim()];
}
