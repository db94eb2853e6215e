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
  /** Maintenance mode at the edge (503 with this message); null: off; absent: the edge could not be asked. */
  maintenance?: { message: string } | null;
  runtime?: RuntimeStatus | { error: string };
  /** From the runtime status, when it was asked for (`status APP`): unknown when the driver could not tell. */
  health?: 'healthy' | 'unhealthy' | 'unknown';
  /** Per database (`status APP` only): the newest backup, and a failed newest restore drill. */
  backups?: BackupSummary[];
}

/** One pass of making the edge serve what the store says is live. */
export interface RouteReconcileReport {
  at: string;
  /** Live releases of the edge's environments. */
  live: number;
  /** Routes put again: "<app>/<env> -> <release>". */
  repaired: string[];
  /** "<app>/<env>: why" for routes that could not be put. */
  failures: string[];
}

/**
 * The edge that serves the apps, as the control plane sees it (`GET /api/status`, `slipway status`):
 * up, down (and being restarted with backoff), or not run by this control plane (SLIPWAY_EDGE=off).
 */
export interface EdgeHealth {
  state: 'up' | 'down' | 'external';
  pid: number | null;
  url: string | null;
  /** When the edge entered this state. */
  since: string;
  /** Times the control plane restarted it. */
  restarts: number;
  /** Why the edge is down or could not be restarted. */
  error: string | null;
  /** When the next restart is tried, while down. */
  nextAttemptAt: string | null;
  lastReconcile: RouteReconcileReport | null;
}
