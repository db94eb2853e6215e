// After a deploy or rollback is queued: follow it to the end (or not), print, and decide the exit status.
import type { Deployment } from '../core/model.js';
import type { ApiClient } from './api-client.js';
import type { CliContext } from './context.js';
import { reportOutcome } from './deployment-outcome.js';
import { followDeployment } from './follow.js';
import { ProgressPrinter } from './progress.js';

export async function watchDeployment(ctx: CliContext, client: ApiClient, queued: Deployment, opts: { follow: boolean; json: boolean }): Promise<number> {
  const label = `${queued.kind} #${queued.number} (${queued.id})`;
  if (!opts.follow) {
    if (opts.json) ctx.json({ deployment: queued });
    else ctx.out(`${label} is ${queued.status}; follow it with \`slipway deployments logs ${queued.id} --follow\``);
    return 0;
  }
  if (!opts.json) ctx.err(`${label} ${queued.status}`);
  const printer = new ProgressPrinter((line) => ctx.err(line));
  let last: Deployment = queued;
  for await (const event of followDeployment(client, queued.id, {
    onReconnect: ({ after, reason }) => ctx.err(`-- log stream interrupted (${reason}); reconnecting after line ${after}`),
  })) {
    if (!opts.json) printer.event(event);
    if (event.type === 'status') last = event.deployment;
  }
  if (opts.json) {
    ctx.json({ deployment: last });
    return last.status === 'succeeded' ? 0 : 1;
  }
  return reportOutcome(ctx, last);
}
