// The `backup` step, right before the release phase: when the release has release commands and
// the environment has databases, each database is backed up (the upload read back, the backup
// restored into a scratch database and checked) first. A failed backup or drill fails the step,
// so the migration never runs without a backup known to restore.
import { PreconditionError } from '../../core/errors.js';
import { specOf } from '../driver-context.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step } from '../step.js';

export function backupBeforeMigration(deps: PipelineDeps): Step {
  return {
    name: 'backup',
    async run(ctx) {
      const spec = specOf(ctx);
      const databases = spec.environments[ctx.environment.name]?.databases ?? [];
      if (spec.release.length === 0 || databases.length === 0) {
        ctx.log.info(spec.release.length === 0 ? 'no release commands: no pre-migration backup needed' : 'no databases: in slipway.yml for this environment; no backup taken');
        return;
      }
      if (!deps.backups) throw new PreconditionError('this control plane cannot take backups, so the release phase may not run; start it with backups enabled');
      const releaseId = String(ctx.state['releaseId']);
      const taken = await deps.backups.beforeMigration({ app: ctx.app, environment: ctx.environment, spec, releaseId, log: (line) => ctx.log.info(line), signal: ctx.signal });
      return { preMigrationBackups: taken.map((b) => b.id) };
    },
  };
}
