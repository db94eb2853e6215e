// Applies a retention plan: deletes the backups that planRetention does not keep, from their target.
import { errorMessage } from '../core/errors.js';
import { isVerified, type BackupWithVerdict } from './backup-record.js';
import type { BackupTarget } from './backup-target.js';
import type { RetentionPolicy } from './database-spec.js';
import { planRetention, type RetentionPlan } from './retention.js';

export interface PruneResult {
  plan: RetentionPlan;
  /** Ids deleted from the target (the caller then removes their records). */
  deleted: string[];
  /** Deletions that failed, with the reason; those records must stay. */
  failed: { id: string; reason: string }[];
}

/** `backups`: every backup of one database on `target`, with the verdict of its last drill. */
export async function pruneBackups(target: BackupTarget, backups: BackupWithVerdict[], policy: RetentionPolicy): Promise<PruneResult> {
  const plan = planRetention(
    backups.map((b) => ({ id: b.record.id, createdAt: b.record.startedAt, verified: isVerified(b) })),
    policy,
  );
  const byId = new Map(backups.map((b) => [b.record.id, b.record]));
  const deleted: string[] = [];
  const failed: PruneResult['failed'] = [];
  for (const id of plan.delete) {
    const record = byId.get(id)!;
    try {
      await target.delete(record.key);
      deleted.push(id);
    } catch (err) {
      failed.push({ id, reason: errorMessage(err) });
    }
  }
  return { plan, deleted, failed };
}
