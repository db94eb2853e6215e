// `slipway server` and its shutdown on SIGINT/SIGTERM.
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { untilSignal } from '../signals.js';

export function registerServer(program: Command, ctx: CliContext): void {
  program
    .command('server')
    .description('run the control plane (HTTP API, pipeline, scheduler) until SIGINT/SIGTERM')
    .addHelpText('after', () => ctx.serverSettingsHelp)
    .action(async () => {
      const settings = await ctx.settings();
      // Loaded on demand: the other commands should not pay for the server's start-up.
      const { startServer } = await import('../../server.js');
      const server = await startServer(settings);
      ctx.err(`slipway server listening on ${server.url} (data: ${settings.dataDir}${server.edgeUrl ? `, edge: ${server.edgeUrl}` : ''})`);
      if (server.firstToken) ctx.err(`slipway server: the admin token was written to ${path.join(settings.dataDir, 'admin.token')}`);
      const signal = await untilSignal();
      ctx.err(`slipway server: ${signal}, shutting down`);
      await server.close();
    });
}
