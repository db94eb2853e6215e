// `slipway rollback APP ENV [--to RELEASE] [--no-follow]`
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { jsonOption } from '../options.js';
import { watchDeployment } from '../watch-deployment.js';

export function registerRollback(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('bring back the previous release (or --to a given one) and follow it')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .option('--to <release>', 'release id to bring back (see `slipway releases APP ENV`)')
    .option('--no-follow', 'return once the rollback is queued')
    .addOption(jsonOption())
    .action(async (app: string, env: string, opts: { to?: string; follow: boolean; json?: boolean }) => {
      const client = await ctx.client();
      const { deployment } = await client.rollback(app, env, opts.to ? { to: opts.to } : {});
      ctx.exitCode = await watchDeployment(ctx, client, deployment, { follow: opts.follow, json: opts.json === true });
    });
}
