import { createPolicy, type PolicyOptions } from '@barbican/core';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { EXIT, type Io } from '../io.ts';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('Validate a policy config and list its warnings (exit 0 valid, 2 invalid).')
    .option('-c, --config <file>', 'barbican.config.json or .yaml', 'barbican.config.json')
    .option('--json', 'print {"valid", "warnings"} as JSON')
    .addHelpText('after', '\nExample:\n  barbican check --config barbican.config.yaml')
    .action(async (opts: { config: string; json?: boolean }) => {
      const options: PolicyOptions = await loadConfig(opts.config);
      const policy = createPolicy(options);
      if (opts.json === true) {
        io.out(JSON.stringify({ valid: true, warnings: policy.warnings }, null, 2));
      } else {
        io.out(`${io.color.green('✓')} ${opts.config} is a valid policy (preset ${policy.preset})`);
        for (const w of policy.warnings) {
          io.out(`${io.color.yellow('warning')} ${w.path}: ${w.message} [${w.code}]`);
        }
      }
      process.exitCode = EXIT.OK;
    });
}
