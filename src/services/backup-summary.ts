// Per database of an environment: its newest backup and, loudly, a failed newest restore drill.
import type { Backup } from '../core/model.js';
import type { BackupSummary } from '../core/wire/status.js';

/** `backups`: newest first, as the store lists them. */
export function summarizeBackups(backups: Backup[]): BackupSummary[] {
  const out = new Map<string, BackupSummary>();
  for (const b of backups) {
    if (!out.has(b.database)) {
      const drilled = backups.find((x) => x.database === b.database && x.verdict !== null);
      const reasons = drilled?.verdict?.['reasons'];
      out.set(b.database, {
        database: b.database,
        latest: { id: b.id, status: b.status, reason: b.reason, takenAt: b.createdAt },
        failedDrill: drilled?.status === 'failed' ? { backup: drilled.id, reasons: Array.isArray(reasons) ? reasons.map(String) : [] } : null,
      });
    }
  }
  return [...out.values()];
}
