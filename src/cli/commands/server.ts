// `slipway server` and its shutdown on SIGINT/SIGTERM.
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { untilSignalOr } from '../signals.js';

export function registerServer(program: Command, ctx: CliContext): void {
  program
    .command('server')
    .description('run the control plane (HTTP API, pipeline, scheduler) until SIGINT/SIGTERM (the edge and the apps keep running) or `slipway down`')
    .addHelpText('after', () => ctx.serverSettingsHelp)
    .action(async () => {
      const settings = await ctx.settings();
      // Loaded on demand: the other commands should not pay for the server's start-up.
      const { startServer } = await import('../../server.js');
      const server = await startServer(settings);
      ctx.err(`slipway server listening on ${server.url} (data: ${settings.dataDir}${server.edgeUrl ? `, edge: ${server.edgeUrl}` : ''})`);
      if (server.firstToken) ctx.err(`slipway server: the admin token was written to ${path.join(settings.dataDir, 'admin.token')}`);
      const why = await untilSignalOr(server.shutdownRequested);
      ctx.err(why === 'shutdown' ? 'slipway server: the apps and the edge are stopped (slipway down); shutting down' : `slipway server: ${why}, shutting down the control plane (the edge and the apps keep running; \`slipway down\` stops everything)`);
      await server.close();
    });
}
