// `slipway edge`: the reverse proxy, until SIGINT/SIGTERM.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { untilSignal } from '../signals.js';

export function registerEdge(program: Command, ctx: CliContext): void {
  program
    .command('edge')
    .description('run the edge proxy (serves the apps) until SIGINT/SIGTERM')
    .action(async () => {
      const settings = await ctx.settings();
      const [{ startEdge }, { createLogger }] = await Promise.all([import('../../edge/main.js'), import('../../platform/logger.js')]);
      const logger = createLogger({ level: settings.logLevel, destination: ctx.io.stderr });
      const httpsPort = settings.edgeHttpsPort === 'off' ? null : settings.edgeHttpsPort;
      const edge = await startEdge({ dataDir: settings.dataDir, host: settings.edgeHost, port: settings.edgePort, httpsPort, logger });
      const tls = edge.httpsPort === null ? '' : ` and https://${settings.edgeHost}:${edge.httpsPort}`;
      ctx.err(`slipway edge listening on http://${settings.edgeHost}:${edge.port}${tls} (admin socket: ${edge.adminSocket})`);
      const signal = await untilSignal();
      ctx.err(`slipway edge: ${signal}, shutting down`);
      await edge.close();
    });
}
