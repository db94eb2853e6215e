// During a rollback: when the release being rolled back ran migrations after a backup, say so,
// with the exact command that restores that backup (a rollback never touches the database).
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step } from '../step.js';

export function rollbackBackupNotice(deps: PipelineDeps): Step<'previousReleaseId', 'rollbackBackups'> {
  return {
    name: 'backup-notice',
    async run(ctx) {
      const from = ctx.state.previousReleaseId;
      if (from === null) return { rollbackBackups: [] };
      const backups = await deps.store.listBackups({ releaseId: from, reason: 'pre-migration' });
      if (backups.length === 0) return { rollbackBackups: [] };
      const target = `${ctx.app.name}/${ctx.environment.name}`;
      ctx.log.info(`release ${from} ran migrations; the rollback does not undo them. Backups taken before them:`);
      for (const b of backups) {
        ctx.log.info(`  ${b.database}: backup ${b.id} (${b.createdAt}, ${b.status}); restore with:`);
        ctx.log.info(`    slipway backups restore ${b.id} --to ${ctx.app.name} ${ctx.environment.name} --confirm ${target}`);
      }
      return { rollbackBackups: backups.map((b) => b.id) };
    },
  };
}
