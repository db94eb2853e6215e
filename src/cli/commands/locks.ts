// `slipway lock APP ENV --reason TEXT`, `slipway unlock APP ENV`, `slipway locks`
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { table, when } from '../format.js';
import { jsonOption } from '../options.js';

export function registerLocks(program: Command, ctx: CliContext): void {
  program
    .command('lock')
    .description('stop deployments to an environment until unlocked')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .requiredOption('--reason <text>', 'why, so that others know')
    .addOption(jsonOption())
    .action(async (app: string, env: string, opts: { reason: string; json?: boolean }) => {
      const res = await (await ctx.client()).lock(app, env, { reason: opts.reason });
      if (opts.json) return ctx.json(res);
      ctx.out(`${app}/${env} locked by ${res.lock.owner}: ${res.lock.reason}`);
    });
  program
    .command('unlock')
    .description('release a manual lock')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .action(async (app: string, env: string) => {
      await (await ctx.client()).unlock(app, env);
      ctx.out(`${app}/${env} unlocked`);
    });
  program
    .command('locks')
    .description('list the locks held now (manual and by running deployments)')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const res = await (await ctx.client()).listLocks();
      if (opts.json) return ctx.json(res);
      if (res.locks.length === 0) return ctx.out('no locks');
      ctx.out(
        table(
          ['APP', 'ENV', 'KIND', 'OWNER', 'SINCE', 'REASON'],
          res.locks.map((l) => [l.app, l.environment, l.kind, l.owner, when(l.acquiredAt, ctx.now()), l.reason]),
        ),
      );
    });
}
