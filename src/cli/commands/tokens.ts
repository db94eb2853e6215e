// `slipway tokens create-admin [--name NAME]`: replace a lost admin token offline, in the data dir
// (SLIPWAY_DATA_DIR) of a stopped control plane.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerTokens(program: Command, ctx: CliContext): void {
  const tokens = program.command('tokens').description('API tokens');
  tokens
    .command('create-admin')
    .description('make a new admin token directly in the data dir (the control plane must be stopped); written to <data dir>/admin.token and printed once')
    .option('--name <name>', 'what the token is for, shown in the audit log', 'admin-recovered')
    .action(async (opts: { name: string }) => {
      const settings = await ctx.settings();
      // Loaded on demand, like the server: it opens the database itself.
      const { createAdminTokenOffline } = await import('../../startup/offline-admin-token.js');
      const { token, file } = await createAdminTokenOffline({
        dataDir: settings.dataDir,
        name: opts.name,
        ...(settings.masterKey ? { masterKeyFromEnv: settings.masterKey } : {}),
      });
      ctx.out(token.reveal());
      ctx.err(`a new admin token "${opts.name}" was written to ${file}; this is the only time it is shown. Older tokens stay valid.`);
    });
}
