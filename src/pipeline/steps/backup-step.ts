// Before the release phase of an environment with databases: every database backed up (the upload
// read back, the backup restored into a scratch database and checked) first. A failed backup or
// drill fails the step, so the migration never runs without a backup known to restore.
import { PreconditionError } from '../../core/errors.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step } from '../step.js';

export function backupBeforeMigration(deps: PipelineDeps): Step<'releaseId' | 'specText', 'preMigrationBackups'> {
  return {
    name: 'backup',
    async run(ctx) {
      const spec = ctx.target.spec(ctx.state.specText);
      const databases = spec.environments[ctx.environment.name]?.databases ?? [];
      if (spec.release.length === 0 || databases.length === 0) {
        ctx.log.info(spec.release.length === 0 ? 'no release commands: no pre-migration backup needed' : 'no databases: in slipway.yml for this environment; no backup taken');
        return { preMigrationBackups: [] };
      }
      if (!deps.backups) throw new PreconditionError('this control plane cannot take backups, so the release phase may not run; start it with backups enabled');
      const taken = await deps.backups.beforeMigration({
        app: ctx.app,
        environment: ctx.environment,
        spec,
        releaseId: ctx.state.releaseId,
        log: (line) => ctx.log.info(line),
        signal: ctx.signal,
      });
      return { preMigrationBackups: taken.map((b) => b.id) };
    },
  };
}
