// `slipway webhooks secret APP [--rotate [--revoke-old]]` and `slipway webhooks deliveries APP [--json]`.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { sha7, table, truncate, when } from '../format.js';
import { jsonOption, limitOption } from '../options.js';

export function registerWebhooks(program: Command, ctx: CliContext): void {
  const webhooks = program.command('webhooks').description('signed webhooks from GitHub, GitLab, Gitea/Forgejo or any CI');
  webhooks
    .command('secret')
    .description("create the app's webhook secret (shown once), or --rotate it (the old one stays valid for 24 h)")
    .argument('<app>', 'app name')
    .option('--rotate', 'replace an existing secret')
    .option('--revoke-old', 'with --rotate: the old secret stops working at once (no 24 h grace), e.g. after a leak')
    .addOption(jsonOption())
    .action(async (app: string, opts: { rotate?: boolean; revokeOld?: boolean; json?: boolean }) => {
      const client = await ctx.client();
      const res = await client.webhookSecret(app, { rotate: opts.rotate === true, revokeOld: opts.revokeOld === true });
      if (opts.json) return ctx.json(res);
      ctx.out(res.secret);
      const base = client.baseUrl;
      ctx.err(`this is the only time the secret is shown; set it at your git provider for ${base}/hooks/<github|gitlab|gitea|generic>/${app}`);
      if (res.previousValidUntil) ctx.err(`the previous secret stays valid until ${res.previousValidUntil}`);
      else if (opts.revokeOld) ctx.err('the previous secret no longer works');
    });
  webhooks
    .command('deliveries')
    .description('webhook deliveries received for the app, newest first')
    .argument('<app>', 'app name')
    .addOption(limitOption('deliveries'))
    .addOption(jsonOption())
    .action(async (app: string, opts: { limit?: number; json?: boolean }) => {
      const res = await (await ctx.client()).webhookDeliveries(app, opts.limit ?? 50);
      if (opts.json) return ctx.json(res);
      if (res.deliveries.length === 0) return ctx.out(`no deliveries for ${app} yet`);
      ctx.out(
        table(
          ['RECEIVED', 'PROVIDER', 'EVENT', 'REF', 'COMMIT', 'OUTCOME', 'REASON'],
          res.deliveries.map((d) => [when(d.lastReceivedAt ?? d.receivedAt, ctx.now()), d.provider, d.event ?? '-', d.ref ?? '-', sha7(d.commitSha), d.count !== undefined && d.count > 1 ? `${d.outcome} x${d.count}` : d.outcome, truncate(d.reason, 80)]),
        ),
      );
    });
}
