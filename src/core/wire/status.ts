// What runs where, on the wire (`GET /api/status`).
import type { Backup, Deployment, Release } from '../model.js';
import type { RuntimeStatus } from '../ports/runtime-driver.js';

/** Per database of an environment: its newest backup and, loudly, a failed newest restore drill. */
export interface BackupSummary {
  database: string;
  latest: { id: string; status: Backup['status']; reason: Backup['reason']; takenAt: string };
  /** The newest drilled backup, when its drill failed: its id and the reasons. */
  failedDrill: { backup: string; reasons: string[] } | null;
}

export interface EnvironmentStatus {
  app: string;
  environment: string;
  branch: string | null;
  live: {
    release: string;
    commitSha: string | null;
    commitSubject: string | null;
    artifact: string | null;
    deployedAt: string | null;
    deployedBy: string;
    trigger: Release['trigger'];
    notes: string[];
  } | null;
  lastDeployment: Pick<Deployment, 'id' | 'number' | 'kind' | 'status' | 'createdAt' | 'finishedAt' | 'error'> | null;
  lock: { kind: string; owner: string; reason: string } | null;
  runtime?: RuntimeStatus | { error: string };
  /** From the runtime status, when it was asked for (`status APP`): unknown when the driver could not tell. */
  health?: 'healthy' | 'unhealthy' | 'unknown';
  /** Per database (`status APP` only): the newest backup, and a failed newest restore drill. */
  backups?: BackupSummary[];
}
