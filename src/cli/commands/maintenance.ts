// `slipway maintenance on|off APP ENV [--message TEXT]`
import { Argument, type Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerMaintenance(program: Command, ctx: CliContext): void {
  program
    .command('maintenance')
    .description('serve (or stop serving) the maintenance page for an environment')
    .addArgument(new Argument('<mode>', 'on or off').choices(['on', 'off']))
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .option('--message <text>', 'shown on the maintenance page')
    .action(async (mode: 'on' | 'off', app: string, env: string, opts: { message?: string }) => {
      const enabled = mode === 'on';
      await (await ctx.client()).setMaintenance(app, env, { enabled, ...(opts.message ? { message: opts.message } : {}) });
      ctx.out(`${app}/${env}: maintenance ${enabled ? 'on' : 'off'}`);
    });
}
