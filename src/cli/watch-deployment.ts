// After a deploy or rollback is queued: follow it to the end (or not), print, and decide the exit status.
import type { Deployment } from '../core/model.js';
import type { ApiClient } from './api-client.js';
import type { CliContext } from './context.js';
import { reportOutcome } from './deployment-outcome.js';
import { followDeployment } from './follow.js';
import { ProgressPrinter } from './progress.js';
import { onInterrupt } from './signals.js';

/** The shell's convention for "ended by Ctrl-C". */
export const EXIT_INTERRUPTED = 130;

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
  // Ctrl-C stops watching, not the deployment: say so, and how to stop it for real.
  const stop = new AbortController();
  const unregister = onInterrupt(() => stop.abort());
  try {
    for await (const event of followDeployment(client, queued.id, {
      signal: stop.signal,
      rediscover: () => ctx.rediscover(),
      onReconnect: ({ after, reason }) => ctx.err(`-- log stream interrupted (${reason}); reconnecting after line ${after}`),
    })) {
      if (!opts.json) printer.event(event);
      if (event.type === 'status') last = event.deployment;
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
    ctx.err(`stopped following; ${label} goes on. Follow it again with \`slipway deployments logs ${queued.id} --follow\`, stop it with \`slipway deployments cancel ${queued.id}\``);
    return EXIT_INTERRUPTED;
  } finally {
    unregister();
  }
  if (opts.json) {
    ctx.json({ deployment: last });
    return last.status === 'succeeded' ? 0 : 1;
  }
  const serving = last.status === 'failed' || last.status === 'rolled_back' ? await servingNow(client, last.id) : undefined;
  return reportOutcome(ctx, last, serving);
}

/** The release the deployment's environment serves now (null: none); undefined when the server cannot say. */
async function servingNow(client: ApiClient, id: string): Promise<string | null | undefined> {
  try {
    const { deployment } = await client.getDeployment(id);
    const { environments } = await client.status();
    const env = environments.find((e) => e.app === deployment.app && e.environment === deployment.environment);
    return env ? (env.live?.release ?? null) : undefined;
  } catch {
    return undefined;
  }
}
