// `slipway maintenance on|off APP ENV [--message TEXT] [--page short|long] [--retry-after SECONDS]`
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerMaintenance(program: Command, ctx: CliContext): void {
  program
    .command('maintenance')
    .description('serve (or stop serving) the maintenance page for an environment')
    .addArgument(new Argument('<mode>', 'on or off').choices(['on', 'off']))
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .option('--message <text>', 'shown on the maintenance page')
    .addOption(new Option('--page <page>', "which of the release's pages: short (pages.maintenance) or long (pages.long_maintenance)").choices(['short', 'long']))
    .option('--retry-after <seconds>', 'Retry-After sent with the 503', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 86_400) throw new InvalidArgumentError('expected whole seconds from 0 to 86400, like 3600');
      return n;
    })
    .action(async (mode: 'on' | 'off', app: string, env: string, opts: { message?: string; page?: 'short' | 'long'; retryAfter?: number }) => {
      const enabled = mode === 'on';
      await (await ctx.client()).setMaintenance(app, env, {
        enabled,
        ...(opts.message ? { message: opts.message } : {}),
        ...(opts.page ? { page: opts.page } : {}),
        ...(opts.retryAfter !== undefined ? { retryAfterSeconds: opts.retryAfter } : {}),
      });
      ctx.out(`${app}/${env}: maintenance ${enabled ? 'on' : 'off'}`);
    });
}
