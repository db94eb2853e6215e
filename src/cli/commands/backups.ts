// `slipway backups list|create|verify|restore` and `slipway db reinit APP ENV DB --confirm APP/ENV/DB`
import type { Command } from 'commander';
import type { Backup } from '../../core/model.js';
import type { CliContext } from '../context.js';
import { table, when } from '../format.js';
import { jsonOption } from '../options.js';
import { progressLines } from '../waiting.js';

function size(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function verdictReasons(b: Backup): string[] {
  const reasons = b.verdict?.['reasons'];
  return Array.isArray(reasons) ? reasons.map(String) : [];
}

function describe(b: Backup): string {
  return `${b.id} ${b.database} ${b.status} ${size(b.size)} sha256 ${b.sha256} at ${b.location} (${b.key})`;
}

export function registerBackups(program: Command, ctx: CliContext): void {
  const backups = program.command('backups').description('database backups: list, create, restore drills, restore');
  backups
    .command('list')
    .description('backups of an environment, newest first; a failed drill shows as FAILED')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .option('--database <name>', 'only this database')
    .addOption(jsonOption())
    .action(async (app: string, env: string, opts: { database?: string; json?: boolean }) => {
      const res = await (await ctx.client()).backups(app, env, opts.database ? { database: opts.database } : {});
      if (opts.json) return ctx.json(res);
      if (res.backups.length === 0) return ctx.out(`${app}/${env} has no backups yet: take one with \`slipway backups create ${app} ${env}\``);
      ctx.out(
        table(
          ['BACKUP', 'DATABASE', 'STATUS', 'REASON', 'SIZE', 'TAKEN', 'RELEASE'],
          res.backups.map((b) => [b.id, b.database, b.status === 'failed' ? 'FAILED' : b.status, b.reason, size(b.size), when(b.createdAt, ctx.now()), b.releaseId ?? '']),
        ),
      );
      for (const b of res.backups.filter((x) => x.status === 'failed')) {
        ctx.out(`restore drill of ${b.id} FAILED: ${verdictReasons(b).join('; ')}`);
      }
      if (res.backups.some((b) => b.status === 'failed')) ctx.exitCode = 1;
    });
  backups
    .command('create')
    .description('back up every database of the environment now (or --database one); the upload is read back')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .option('--database <name>', 'only this database')
    .addOption(jsonOption())
    .action(async (app: string, env: string, opts: { database?: string; json?: boolean }) => {
      const client = await ctx.client();
      const res = await client.createBackups(app, env, opts.database ? { database: opts.database } : {}, progressLines(ctx, `backing up ${app}/${env}`));
      if (opts.json) return ctx.json(res);
      for (const b of res.backups) ctx.out(`backup ${describe(b)}`);
    });
  backups
    .command('verify')
    .description('restore drill: restore into a scratch database, run the checks, compare row counts')
    .argument('<backup>', 'backup id')
    .addOption(jsonOption())
    .action(async (id: string, opts: { json?: boolean }) => {
      const client = await ctx.client();
      const res = await client.verifyBackup(id, progressLines(ctx, `drilling ${id}`));
      if (opts.json) {
        ctx.json(res);
      } else if (res.backup.status === 'verified') {
        ctx.out(`restore drill of ${id} passed: ${Object.keys(res.backup.rowCounts).length} table(s), row counts match`);
      } else {
        ctx.out(`restore drill of ${id} FAILED:`);
        for (const r of verdictReasons(res.backup)) ctx.out(`  - ${r}`);
      }
      if (res.backup.status !== 'verified') ctx.exitCode = 1;
    });
  backups
    .command('restore')
    .description('restore a backup into an environment\'s database (a safety backup is taken first)')
    .argument('<backup>', 'backup id')
    .requiredOption('--to <app_env...>', 'the app and environment to restore into: --to APP ENV')
    .requiredOption('--confirm <app/env>', 'type APP/ENV to confirm that its database is overwritten')
    .addOption(jsonOption())
    .action(async (id: string, opts: { to: string[]; confirm: string; json?: boolean }) => {
      const [app, env] = opts.to;
      if (!app || !env || opts.to.length !== 2) {
        ctx.err('--to takes the app and the environment: --to APP ENV');
        ctx.exitCode = 2;
        return;
      }
      const client = await ctx.client();
      const res = await client.restoreBackup(id, { to: { app, env }, confirm: opts.confirm }, progressLines(ctx, `restoring ${id} into ${app}/${env}`));
      if (opts.json) return ctx.json(res);
      ctx.out(`safety backup taken first: ${describe(res.safety)}`);
      ctx.out(`restored ${id} into ${app}/${env}: ${Object.entries(res.rowCounts).map(([t, n]) => `${t}=${n}`).join(' ')}`);
    });

  const db = program.command('db').description('dangerous database operations, each behind a typed confirmation and a backup');
  db.command('reinit')
    .description('drop and recreate a database, empty (a safety backup is taken first)')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name')
    .argument('<database>', 'database name in slipway.yml')
    .requiredOption('--confirm <app/env/db>', 'type APP/ENV/DATABASE to confirm')
    .addOption(jsonOption())
    .action(async (app: string, env: string, database: string, opts: { confirm: string; json?: boolean }) => {
      const client = await ctx.client();
      const res = await client.reinitializeDatabase(app, env, database, { confirm: opts.confirm }, progressLines(ctx, `re-initialising ${app}/${env}/${database}`));
      if (opts.json) return ctx.json(res);
      ctx.out(`safety backup taken first: ${describe(res.safety)}`);
      ctx.out(`${app}/${env}/${database} is empty now; the next deploy's release phase initialises it`);
    });
}
