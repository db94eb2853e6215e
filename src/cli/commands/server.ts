// `slipway server` and its shutdown on SIGINT/SIGTERM.
import type { Command } from 'commander';
import type { Settings } from '../../platform/env.js';
import type { CliContext } from '../context.js';
import { untilSignal } from '../signals.js';

interface ServerModule {
  startServer(settings: Settings): Promise<{ url: string; close(): Promise<void> }>;
}

// Loaded on demand: the other commands should not pay for the server's start-up.
const SERVER_MODULE = '../../server.js';

export function registerServer(program: Command, ctx: CliContext): void {
  program
    .command('server')
    .description('run the control plane (HTTP API, pipeline, scheduler) until SIGINT/SIGTERM')
    .action(async () => {
      const settings = ctx.settings();
      const { startServer } = (await import(SERVER_MODULE)) as ServerModule;
      const server = await startServer(settings);
      ctx.err(`slipway server listening on ${server.url} (data: ${settings.dataDir})`);
      const signal = await untilSignal();
      ctx.err(`slipway server: ${signal}, shutting down`);
      await server.close();
    });
}
