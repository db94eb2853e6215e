// `slipway diff APP A B [--json]`: the commits B's live release is ahead of A's, and behind.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { sha7 } from '../format.js';
import { jsonOption } from '../options.js';
import { commitLines } from './promote.js';

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('which commits one environment runs that the other does not')
    .argument('<app>', 'app name')
    .argument('<a>', 'environment A, e.g. production')
    .argument('<b>', 'environment B, e.g. staging')
    .addOption(jsonOption())
    .action(async (app: string, a: string, b: string, opts: { json?: boolean }) => {
      const res = await (await ctx.client()).diff(app, { from: a, to: b });
      if (opts.json) return ctx.json(res);
      ctx.out(`${a}: ${res.from.release ?? '-'} (${sha7(res.from.commitSha)})  ${b}: ${res.to.release ?? '-'} (${sha7(res.to.commitSha)})`);
      ctx.out(`${b} is ${res.ahead.length} commit(s) ahead of ${a}${res.ahead.length ? ':' : ''}`);
      for (const line of commitLines(res.ahead)) ctx.out(line);
      ctx.out(`${b} is ${res.behind.length} commit(s) behind ${a}${res.behind.length ? ':' : ''}`);
      for (const line of commitLines(res.behind)) ctx.out(line);
      for (const f of res.flags ?? []) ctx.out(`! ${b} ${f} against ${a}`);
    });
}
