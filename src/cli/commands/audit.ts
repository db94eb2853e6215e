// `slipway audit [--limit N] [--before ID]`
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { table, when } from '../format.js';
import { jsonOption, limitOption, positiveInt } from '../options.js';

export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('who did what, when, newest first')
    .addOption(limitOption('events'))
    .option('--before <id>', 'only events older than this event id (paging)', positiveInt)
    .addOption(jsonOption())
    .action(async (opts: { limit?: number; before?: number; json?: boolean }) => {
      const res = await (await ctx.client()).audit({ ...(opts.limit ? { limit: opts.limit } : {}), ...(opts.before ? { before: opts.before } : {}) });
      if (opts.json) return ctx.json(res);
      if (res.events.length === 0) return ctx.out('no audit events');
      ctx.out(
        table(
          ['ID', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME'],
          res.events.map((e) => [String(e.id), when(e.at, ctx.now()), e.actor, e.action, e.target, e.outcome === 'ok' ? 'ok' : `error: ${String(e.details['error'] ?? '')}`]),
        ),
      );
    });
}
