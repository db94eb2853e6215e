// `slipway secrets set|list|unset`. A value is never taken from argv (visible in process lists).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { table, when } from '../format.js';
import { jsonOption } from '../options.js';
import { readSecretValue } from '../secret-input.js';

export function registerSecrets(program: Command, ctx: CliContext): void {
  const secrets = program.command('secrets').description("manage an app's secrets (values are never shown)");
  secrets
    .command('set')
    .description('set a secret; the value comes from stdin (piped, or typed without echo) or --value-from-file')
    .argument('<app>', 'app name')
    .argument('<name>', 'variable name, e.g. DATABASE_URL')
    .option('--env <env>', 'only for this environment (default: every environment of the app)')
    .option('--value-from-file <file>', 'read the value from this file (one trailing newline is dropped)')
    .addOption(jsonOption())
    .action(async (app: string, name: string, opts: { env?: string; valueFromFile?: string; json?: boolean }) => {
      const value = await readSecretValue(ctx.io, {
        ...(opts.valueFromFile ? { fromFile: opts.valueFromFile } : {}),
        prompt: `value of ${name} for ${app}${opts.env ? `/${opts.env}` : ''} (not echoed): `,
      });
      const res = await (await ctx.client()).setSecret(app, name, value, opts.env);
      if (opts.json) return ctx.json(res);
      ctx.out(`set ${name} for ${app}${opts.env ? `/${opts.env}` : ' (all environments)'}; it takes effect on the next deploy`);
    });
  secrets
    .command('list')
    .description('secret names and when they changed')
    .argument('<app>', 'app name')
    .option('--env <env>', 'only secrets that apply to this environment')
    .addOption(jsonOption())
    .action(async (app: string, opts: { env?: string; json?: boolean }) => {
      const res = await (await ctx.client()).listSecrets(app, opts.env);
      if (opts.json) return ctx.json(res);
      if (res.secrets.length === 0) return ctx.out(`${app} has no secrets`);
      ctx.out(table(['NAME', 'ENVIRONMENT', 'UPDATED'], res.secrets.map((s) => [s.name, s.environment ?? '(all)', when(s.updatedAt, ctx.now())])));
    });
  secrets
    .command('unset')
    .description('remove a secret')
    .argument('<app>', 'app name')
    .argument('<name>', 'variable name')
    .option('--env <env>', 'the environment it was set for')
    .action(async (app: string, name: string, opts: { env?: string }) => {
      await (await ctx.client()).unsetSecret(app, name, opts.env);
      ctx.out(`removed ${name} from ${app}${opts.env ? `/${opts.env}` : ''}`);
    });
}
