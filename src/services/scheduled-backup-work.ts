// What the scheduler's jobs do, in terms of the BackupService: a scheduled backup followed by
// retention pruning, and a restore drill of the newest backup (a failed drill throws).
import { PreconditionError } from '../core/errors.js';
import type { BackupRecords } from '../core/ports/store/backups.js';
import { SYSTEM } from './actor.js';
import type { BackupScheduler, ScheduledWork } from './backup-scheduler.js';
import type { BackupService } from './backup-service.js';

export type { BackupScheduler };

export function scheduledBackupWork(backups: BackupService, store: BackupRecords): ScheduledWork {
  return {
    specFor: (env) => backups.specFor(env),
    async backup(app, env, spec, database) {
      await backups.take({ app, environment: env, spec, database, reason: 'scheduled' });
      const pruned = await backups.prune(app, env, spec, database);
      if (pruned.failed.length > 0) {
        throw new PreconditionError(`pruning old backups of ${app.name}/${env.name}/${database} failed: ${pruned.failed.map((f) => `${f.id}: ${f.reason}`).join('; ')}`);
      }
    },
    async drill(app, env, _spec, database) {
      const [newest] = await store.listBackups({ environmentId: env.id, database, limit: 1 });
      if (!newest) return;
      const checked = await backups.verify(SYSTEM, newest.id);
      if (checked.status !== 'verified') {
        const reasons = checked.verdict?.['reasons'];
        throw new PreconditionError(`restore drill of backup ${newest.id} of ${app.name}/${env.name}/${database} FAILED: ${Array.isArray(reasons) ? reasons.join('; ') : 'see the backup'}`);
      }
    },
  };
}
