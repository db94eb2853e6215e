// `slipway promote APP FROM TO [--yes] [--no-follow]`: shows the commits and deployment notes TO
// will receive, then deploys FROM's artifact to TO (no rebuild) and follows it like deploy.
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { Commit } from '../../core/ports/source.js';
import type { CliContext } from '../context.js';
import { sha7 } from '../format.js';
import { jsonOption } from '../options.js';
import { watchDeployment } from '../watch-deployment.js';

export function commitLines(commits: readonly Commit[]): string[] {
  return commits.map((c) => `  ${sha7(c.sha)} ${c.subject}`);
}

export function registerPromote(program: Command, ctx: CliContext): void {
  program
    .command('promote')
    .description("deploy the artifact that runs in FROM to TO (same hash or digest, no rebuild) and follow it")
    .argument('<app>', 'app name')
    .argument('<from>', 'source environment, e.g. staging')
    .argument('<to>', 'target environment, e.g. production')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--no-follow', 'return once the promotion is queued')
    .addOption(jsonOption())
    .action(async (app: string, from: string, to: string, opts: { yes?: boolean; follow: boolean; json?: boolean }) => {
      const client = await ctx.client();
      const preview = await client.previewPromotion(app, { from, to });
      if (!opts.json) {
        ctx.out(`${app}: promote ${preview.from.release} (${sha7(preview.from.commitSha)}, ${preview.from.artifact ?? '-'}) from ${from} to ${to}`);
        ctx.out(`${to} receives ${preview.commits.length} commit(s)${preview.to.commitSha ? ` since ${sha7(preview.to.commitSha)}` : ''}:`);
        for (const line of commitLines(preview.commits)) ctx.out(line);
        if (preview.notes.length > 0) {
          ctx.out('Deployment notes:');
          for (const n of preview.notes) ctx.out(`  Deployment: ${n}`);
        }
        for (const f of preview.flags ?? []) ctx.out(`! this release ${f}`);
      }
      if (!opts.yes) {
        if (!ctx.io.stdin.isTTY) {
          ctx.err('not a terminal: add --yes to promote without confirmation');
          ctx.exitCode = 2;
          return;
        }
        const rl = readline.createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
        const answer = await rl.question(`promote to ${to}? [y/N] `).finally(() => rl.close());
        if (!/^y(es)?$/i.test(answer.trim())) {
          ctx.err('not promoted');
          ctx.exitCode = 1;
          return;
        }
      }
      const res = await client.promote(app, { from, to });
      ctx.exitCode = await watchDeployment(ctx, client, res.deployment, { follow: opts.follow, json: opts.json === true });
    });
}
