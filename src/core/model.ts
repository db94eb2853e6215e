// The domain's records. Times are ISO-8601 strings (UTC) so they survive JSON and SQL alike.

export type DriverKind = 'process' | 'swarm';

export interface App {
  id: string;
  name: string;
  repo: string;
  driver: DriverKind;
  createdAt: string;
}

export interface Environment {
  id: string;
  appId: string;
  name: string;
  branch: string | null;
  createdAt: string;
}

export type DeploymentKind = 'deploy' | 'rollback' | 'promote';
export type DeploymentTrigger = 'manual' | 'webhook' | 'promotion' | 'rollback' | 'upload';

/**
 * How a deployment ended. `failed`: stopped before traffic moved, everything undone; `rolled_back`:
 * traffic had moved and was moved back; `compensation_failed`: an undo failed, so what serves is
 * not what served before (the deployment's error says what failed and what serves).
 */
export const TERMINAL_STATUSES = ['succeeded', 'failed', 'rolled_back', 'compensation_failed', 'cancelled', 'superseded'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type DeploymentStatus = 'queued' | 'running' | TerminalStatus;

export function isTerminal(status: DeploymentStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export interface Deployment {
  id: string;
  appId: string;
  environmentId: string;
  /** Number of this deployment within its app, for humans ("#12"). */
  number: number;
  kind: DeploymentKind;
  trigger: DeploymentTrigger;
  status: DeploymentStatus;
  /** What was asked for: a branch, tag or sha (deploy), a release id (rollback), an environment (promote). */
  ref: string | null;
  commitSha: string | null;
  /** The release this deployment creates or brings back. */
  releaseId: string | null;
  requestedBy: string;
  error: string | null;
  cancelRequested: boolean;
  supersededBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Parameters of the plan (upload path, source release, ...), JSON. */
  params: Record<string, unknown>;
}

export type ReleaseStatus = 'pending' | 'live' | 'previous' | 'retired' | 'failed';

export interface Release {
  id: string;
  appId: string;
  environmentId: string;
  deploymentId: string;
  commitSha: string | null;
  commitSubject: string | null;
  /** Content address of the artifact: sha256 of the release tarball, or an image digest. */
  artifact: string | null;
  status: ReleaseStatus;
  /** Driver-specific record needed to bring the release back (ports, image refs, service specs). */
  driverState: Record<string, unknown>;
  /** The app spec this release was deployed with (validated slipway.yml, as JSON). */
  spec: Record<string, unknown>;
  notes: string[];
  trigger: DeploymentTrigger;
  deployedBy: string;
  createdAt: string;
  deployedAt: string | null;
}

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'compensating' | 'compensated' | 'compensation_failed';

export interface StepRun {
  id: number;
  deploymentId: string;
  seq: number;
  name: string;
  status: StepStatus;
  output: Record<string, unknown>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export type LogStream = 'info' | 'stdout' | 'stderr' | 'error' | 'step';

export interface LogLine {
  deploymentId: string;
  seq: number;
  at: string;
  stream: LogStream;
  step: string | null;
  text: string;
}

export interface Lock {
  environmentId: string;
  owner: string;
  kind: 'deployment' | 'manual';
  reason: string;
  deploymentId: string | null;
  acquiredAt: string;
  heartbeatAt: string;
  expiresAt: string;
}

export interface SecretRef {
  appId: string;
  /** Null for a secret shared by every environment of the app. */
  environmentId: string | null;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: 'ok' | 'error';
  details: Record<string, unknown>;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** What became of a webhook delivery: `received` while it is being handled (see webhooks/). */
/** `stale`: a signed push whose commit was no longer the tip of its ref when it arrived (a replay or an overtaken push): nothing deployed. */
export type WebhookDeliveryOutcome = 'received' | 'queued' | 'ignored' | 'rejected' | 'duplicate' | 'ping' | 'stale';

export interface WebhookDeliveryRecord {
  appId: string;
  provider: string;
  /** Null only for a rejected delivery that claimed no id (the id of a rejected one is untrusted). */
  deliveryId: string | null;
  event: string | null;
  ref: string | null;
  commitSha: string | null;
  outcome: WebhookDeliveryOutcome;
  reason: string;
  deploymentIds: string[];
  receivedAt: string;
  /** Rejected deliveries are counted per app, provider, reason and hour: how many this row stands for, and the last one's time. */
  count?: number;
  lastReceivedAt?: string;
}

export type CommitStatusState = 'pending' | 'success' | 'failure' | 'error';

/** A result an external CI reported for a commit (`context` names the check, e.g. "ci/tests"). */
export interface CommitStatus {
  appId: string;
  sha: string;
  context: string;
  state: CommitStatusState;
  description: string | null;
  at: string;
}

/** Why a backup was taken. `safety`: right before a restore or a re-initialisation overwrote the database. */
export type BackupReason = 'pre-migration' | 'scheduled' | 'manual' | 'safety';
/** `created`: stored and its upload read back; `verified`: a restore drill passed; `failed`: the last drill failed. */
export type BackupStatus = 'created' | 'verified' | 'failed';

/** A stored database backup. A backup counts only once a restore drill of it passed (`verified`). */
export interface Backup {
  id: string;
  appId: string;
  environmentId: string;
  /** The database's name in slipway.yml. */
  database: string;
  kind: string;
  /** Name of the backup target in slipway.yml ("local" by default). */
  target: string;
  /** Where it is, for humans (no credentials): the target's location and the object's key. */
  location: string;
  key: string;
  sha256: string;
  size: number;
  rowCounts: Record<string, number>;
  encrypted: boolean;
  /** e.g. "pg_dump (PostgreSQL) 15.18". */
  tool: string;
  reason: BackupReason;
  status: BackupStatus;
  /** The last restore drill's verdict (ok, reasons, row counts), or null before any drill. */
  verdict: Record<string, unknown> | null;
  /** The release whose migration this backup preceded (pre-migration backups). */
  releaseId: string | null;
  createdAt: string;
  verifiedAt: string | null;
}
