// `slipway logs APP ENV [SERVICE] [--follow] [--since TIME] [--tail N]`: the live release's output.
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { jsonOption } from '../options.js';
import { onInterrupt } from '../signals.js';

export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .description("the live release's output: every instance, or one process type / compose service")
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .argument('[service]', 'a process type (process driver) or compose service (swarm)')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--since <time>', 'only lines since then: RFC 3339 time or Unix seconds')
    .option('--tail <n>', 'start with the last N lines of each instance')
    .addOption(jsonOption())
    .action(async (app: string, env: string, service: string | undefined, opts: { follow?: boolean; since?: string; tail?: string; json?: boolean }) => {
      const tail = opts.tail === undefined ? undefined : Number(opts.tail);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new InvalidInputError(`--tail ${opts.tail}: expected a whole number of lines, e.g. --tail 100`);
      const controller = new AbortController();
      const stop = onInterrupt(() => controller.abort());
      try {
        const client = await ctx.client();
        const lines = client.logs(
          app,
          env,
          { ...(service ? { service } : {}), ...(opts.follow ? { follow: true } : {}), ...(opts.since ? { since: opts.since } : {}), ...(tail !== undefined ? { tail } : {}) },
          { signal: controller.signal },
        );
        for await (const l of lines) {
          if (opts.json) ctx.out(JSON.stringify(l));
          else ctx.out(`${l.time ?? '-'.padEnd(24)} ${l.service}${l.instance ? `.${l.instance.slice(0, 12)}` : ''} | ${l.text}`);
        }
      } catch (err) {
        if (!controller.signal.aborted) throw err;
      } finally {
        stop();
      }
    });
}
