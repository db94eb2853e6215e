// The command tree. Commands parse their arguments, call the API client, and print.
import { Command } from 'commander';
import { registerApps } from './commands/apps.js';
import { registerAudit } from './commands/audit.js';
import { registerBackups } from './commands/backups.js';
import { registerConfig } from './commands/config.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDeployments } from './commands/deployments.js';
import { registerDiff } from './commands/diff.js';
import { registerDown } from './commands/down.js';
import { registerEdge } from './commands/edge.js';
import { registerCerts } from './commands/certs.js';
import { registerLocks } from './commands/locks.js';
import { registerLogs } from './commands/logs.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerPromote } from './commands/promote.js';
import { registerReleases } from './commands/releases.js';
import { registerRollback } from './commands/rollback.js';
import { registerSecrets } from './commands/secrets.js';
import { registerServer } from './commands/server.js';
import { registerService } from './commands/service.js';
import { registerStatus } from './commands/status.js';
import { registerTokens } from './commands/tokens.js';
import { registerUp } from './commands/up.js';
import { registerWebhooks } from './commands/webhooks.js';
import type { CliContext } from './context.js';

export function buildProgram(ctx: CliContext, version: string): Command {
  const program = new Command('slipway')
    .description('Slipway: push to deploy, health-gated cutover, one-step rollback')
    .version(version, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  registerUp(program, ctx);
  registerServer(program, ctx);
  registerDown(program, ctx);
  registerService(program, ctx);
  registerTokens(program, ctx);
  registerEdge(program, ctx);
  registerApps(program, ctx);
  registerDeploy(program, ctx);
  registerRollback(program, ctx);
  registerPromote(program, ctx);
  registerDiff(program, ctx);
  registerStatus(program, ctx);
  registerLogs(program, ctx);
  registerDeployments(program, ctx);
  registerReleases(program, ctx);
  registerSecrets(program, ctx);
  registerWebhooks(program, ctx);
  registerBackups(program, ctx);
  registerLocks(program, ctx);
  registerCerts(program, ctx);
  registerMaintenance(program, ctx);
  registerAudit(program, ctx);
  registerConfig(program, ctx);
  return program;
}
