// `slipway deployments list|show|cancel|logs`
import type { Command } from 'commander';
import type { DeploymentStatus } from '../../core/model.js';
import type { CliContext } from '../context.js';
import { between, duration, sha7, table, when } from '../format.js';
import { followDeployment } from '../follow.js';
import { jsonOption, limitOption, statusOption } from '../options.js';
import { ProgressPrinter } from '../progress.js';
import { resolveDeploymentRef } from '../deployment-ref.js';

const REF_HELP = 'deployment id, or its number as shown in outputs: 5, #5, or APP#5 when several apps have one';

interface ListOptions {
  status?: DeploymentStatus;
  limit?: number;
  json?: boolean;
}

export function registerDeployments(program: Command, ctx: CliContext): void {
  const deployments = program.command('deployments').description('inspect, follow and cancel deployments');
  deployments
    .command('list')
    .description('recent deployments, newest first')
    .argument('[app]', 'only this app')
    .argument('[env]', 'only this environment of the app')
    .addOption(statusOption())
    .addOption(limitOption('deployments'))
    .addOption(jsonOption())
    .action(async (app: string | undefined, env: string | undefined, opts: ListOptions) => {
      const res = await (await ctx.client()).listDeployments({
        ...(app ? { app } : {}),
        ...(env ? { env } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
      });
      if (opts.json) return ctx.json(res);
      if (res.deployments.length === 0) return ctx.out('no deployments');
      ctx.out(
        table(
          ['ID', '#', 'APP', 'ENV', 'KIND', 'STATUS', 'REF', 'COMMIT', 'CREATED', 'BY'],
          res.deployments.map((d) => [d.id, String(d.number), d.app, d.environment, d.kind, d.status, d.ref ?? '-', sha7(d.commitSha), when(d.createdAt, ctx.now()), d.requestedBy]),
        ),
      );
    });
  deployments
    .command('show')
    .description('one deployment with its steps')
    .argument('<deployment>', REF_HELP)
    .option('--app <app>', 'the app whose deployment number it is')
    .addOption(jsonOption())
    .action(async (ref: string, opts: { json?: boolean; app?: string }) => {
      const client = await ctx.client();
      const res = await client.getDeployment(await resolveDeploymentRef(client, ref, opts.app));
      if (opts.json) return ctx.json(res);
      const d = res.deployment;
      const took = between(d.startedAt, d.finishedAt);
      ctx.out(
        [
          `deployment ${d.id} (#${d.number}) ${d.kind} of ${d.app}/${d.environment}`,
          `status:    ${d.status}${took === null ? '' : ` in ${duration(took)}`}`,
          `ref:       ${d.ref ?? '-'}  commit: ${sha7(d.commitSha)}  release: ${d.releaseId ?? '-'}`,
          `requested: ${when(d.createdAt, ctx.now())} by ${d.requestedBy} (${d.trigger})`,
          ...(d.error ? [`error:     ${d.error}`] : []),
        ].join('\n'),
      );
      if (d.steps.length > 0) {
        ctx.out(table(['STEP', 'STATUS', 'TOOK', 'ERROR'], d.steps.map((s) => [s.name, s.status, fmt(between(s.startedAt, s.finishedAt)), s.error ?? ''])));
      }
    });
  deployments
    .command('cancel')
    .description('ask a queued or running deployment to stop (completed steps are undone)')
    .argument('<deployment>', REF_HELP)
    .option('--app <app>', 'the app whose deployment number it is')
    .addOption(jsonOption())
    .action(async (ref: string, opts: { json?: boolean; app?: string }) => {
      const client = await ctx.client();
      const id = await resolveDeploymentRef(client, ref, opts.app);
      const res = await client.cancelDeployment(id);
      if (opts.json) return ctx.json(res);
      ctx.out(`cancel requested for deployment ${id} (#${res.deployment.number}); it is ${res.deployment.status}`);
    });
  deployments
    .command('logs')
    .description("a deployment's log; --follow to stream it until the deployment ends")
    .argument('<deployment>', REF_HELP)
    .option('--app <app>', 'the app whose deployment number it is')
    .option('-f, --follow', 'keep streaming until the deployment reaches a terminal status')
    .addOption(jsonOption())
    .action(async (ref: string, opts: { follow?: boolean; json?: boolean; app?: string }) => {
      const client = await ctx.client();
      const id = await resolveDeploymentRef(client, ref, opts.app);
      const printer = new ProgressPrinter((line) => ctx.out(line));
      if (!opts.follow) {
        const res = await client.readLog(id);
        if (opts.json) return ctx.json(res);
        for (const line of res.lines) printer.line(line);
        return;
      }
      // With --json, one event per line, as the API streams them (NDJSON).
      for await (const event of followDeployment(client, id, { rediscover: () => ctx.rediscover(), onReconnect: ({ after, reason }) => ctx.err(`-- log stream interrupted (${reason}); reconnecting after line ${after}`) })) {
        if (opts.json) {
          if (event.type !== 'heartbeat') ctx.jsonLine(event);
        }
        else printer.event(event);
      }
    });
}

function fmt(ms: number | null): string {
  return ms === null ? '-' : duration(ms);
}
