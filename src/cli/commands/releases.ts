// `slipway releases APP ENV`
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { sha7, table, truncate, when } from '../format.js';
import { jsonOption } from '../options.js';

export function registerReleases(program: Command, ctx: CliContext): void {
  program
    .command('releases')
    .description('the releases of an environment, newest first (roll back with `slipway rollback APP ENV --to ID`)')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .addOption(jsonOption())
    .action(async (app: string, env: string, opts: { json?: boolean }) => {
      const res = await (await ctx.client()).releases(app, env);
      if (opts.json) return ctx.json(res);
      if (res.releases.length === 0) return ctx.out(`${app}/${env} has no releases yet: deploy with \`slipway deploy ${app} ${env}\``);
      ctx.out(
        table(
          ['RELEASE', 'STATUS', 'COMMIT', 'DEPLOYED', 'BY', 'TRIGGER'],
          res.releases.map((r) => [
            r.id,
            r.status,
            `${sha7(r.commitSha)} ${truncate(r.commitSubject ?? '', 40)}`.trim(),
            when(r.deployedAt ?? r.createdAt, ctx.now()),
            r.deployedBy,
            r.trigger,
          ]),
        ),
      );
    });
}
