// `slipway edge`: the reverse proxy, until SIGINT/SIGTERM.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { untilSignal } from '../signals.js';

interface EdgeModule {
  startEdge(opts: { dataDir: string; host: string; port: number }): Promise<{ port: number; close(): Promise<void> }>;
}

const EDGE_MODULE = '../../edge/main.js';

export function registerEdge(program: Command, ctx: CliContext): void {
  program
    .command('edge')
    .description('run the edge proxy (serves the apps) until SIGINT/SIGTERM')
    .action(async () => {
      const settings = ctx.settings();
      const { startEdge } = (await import(EDGE_MODULE)) as EdgeModule;
      const edge = await startEdge({ dataDir: settings.dataDir, host: settings.edgeHost, port: settings.edgePort });
      ctx.err(`slipway edge listening on http://${settings.edgeHost}:${edge.port}`);
      const signal = await untilSignal();
      ctx.err(`slipway edge: ${signal}, shutting down`);
      await edge.close();
    });
}
