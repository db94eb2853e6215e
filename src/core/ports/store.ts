// Slipway's persistent state. SQLite now; queries stay portable for PostgreSQL.
// All methods are synchronous-looking async so a network store can implement them too.
import type {
  ApiToken,
  App,
  AuditEvent,
  Backup,
  CommitStatus,
  Deployment,
  DeploymentStatus,
  Environment,
  Lock,
  LogLine,
  LogStream,
  Release,
  ReleaseStatus,
  SecretRef,
  StepRun,
  StepStatus,
  WebhookDeliveryOutcome,
  WebhookDeliveryRecord,
} from '../model.js';

export interface NewDeployment {
  appId: string;
  environmentId: string;
  kind: Deployment['kind'];
  trigger: Deployment['trigger'];
  ref: string | null;
  commitSha?: string | null;
  releaseId?: string | null;
  requestedBy: string;
  params?: Record<string, unknown>;
}

export interface DeploymentFilter {
  appId?: string;
  environmentId?: string;
  statuses?: DeploymentStatus[];
  limit?: number;
  /** Newest first unless `oldestFirst`. */
  oldestFirst?: boolean;
}

export interface EncryptedSecret {
  ref: SecretRef;
  /** Opaque ciphertext produced by the secret box (base64). */
  ciphertext: string;
}

export interface LockRequest {
  environmentId: string;
  owner: string;
  kind: Lock['kind'];
  reason: string;
  deploymentId: string | null;
  ttlMs: number;
}

export interface Store {
  // apps and environments
  createApp(app: Omit<App, 'id' | 'createdAt'>, environments: { name: string; branch: string | null }[]): Promise<App>;
  getApp(idOrName: string): Promise<App | null>;
  listApps(): Promise<App[]>;
  /** Adds environments that the app's spec gained; never removes any. */
  ensureEnvironments(appId: string, environments: { name: string; branch: string | null }[]): Promise<Environment[]>;
  listEnvironments(appId?: string): Promise<Environment[]>;
  getEnvironment(appId: string, name: string): Promise<Environment | null>;
  getEnvironmentById(id: string): Promise<Environment | null>;

  // deployments
  /** Inserts a queued deployment and supersedes older queued ones of the same environment, atomically. */
  enqueueDeployment(d: NewDeployment): Promise<{ deployment: Deployment; superseded: Deployment[] }>;
  getDeployment(id: string): Promise<Deployment | null>;
  listDeployments(filter: DeploymentFilter): Promise<Deployment[]>;
  /** Moves a deployment between statuses only if it is currently in `from`; returns the row or null. */
  transitionDeployment(
    id: string,
    from: DeploymentStatus[],
    to: DeploymentStatus,
    patch?: Partial<Pick<Deployment, 'error' | 'commitSha' | 'releaseId' | 'startedAt' | 'finishedAt'>>,
  ): Promise<Deployment | null>;
  updateDeployment(id: string, patch: Partial<Pick<Deployment, 'commitSha' | 'releaseId' | 'params'>>): Promise<void>;
  requestCancel(id: string): Promise<Deployment | null>;

  // step runs
  startStep(deploymentId: string, seq: number, name: string): Promise<StepRun>;
  finishStep(id: number, status: StepStatus, output?: Record<string, unknown>, error?: string | null): Promise<void>;
  listSteps(deploymentId: string): Promise<StepRun[]>;

  // deployment log
  appendLog(deploymentId: string, stream: LogStream, step: string | null, text: string): Promise<LogLine>;
  readLog(deploymentId: string, afterSeq?: number, limit?: number): Promise<LogLine[]>;

  // releases
  createRelease(r: Omit<Release, 'createdAt' | 'deployedAt'>): Promise<Release>;
  getRelease(id: string): Promise<Release | null>;
  updateRelease(id: string, patch: Partial<Pick<Release, 'status' | 'artifact' | 'driverState' | 'deployedAt' | 'commitSubject' | 'notes'>>): Promise<void>;
  listReleases(environmentId: string, limit?: number): Promise<Release[]>;
  liveRelease(environmentId: string): Promise<Release | null>;
  /** Marks `releaseId` live, the former live one `previous`, and older previous ones `retired`, atomically. */
  markLive(environmentId: string, releaseId: string, deployedAt: string): Promise<void>;
  /** The live release of every environment, keyed by environment id (one query: for status; `spec` and `driverState` left empty). */
  liveReleases(): Promise<Map<string, Release>>;
  /** The newest deployment of every environment, keyed by environment id (one query: for status). */
  latestDeploymentsByEnvironment(): Promise<Map<string, Deployment>>;

  // secrets (values are ciphertext here; the secret box lives above the store)
  putSecret(s: EncryptedSecret): Promise<void>;
  deleteSecret(appId: string, environmentId: string | null, name: string): Promise<boolean>;
  listSecrets(appId: string, environmentId?: string | null): Promise<SecretRef[]>;
  /** App-wide secrets overlaid by the environment's own. */
  secretsFor(appId: string, environmentId: string): Promise<EncryptedSecret[]>;
  allSecrets(): Promise<EncryptedSecret[]>;

  // locks (leases)
  /** Takes the environment's lock if free or expired; returns the lock held after the call. */
  tryLock(req: LockRequest): Promise<{ acquired: boolean; lock: Lock }>;
  heartbeat(environmentId: string, owner: string, ttlMs: number): Promise<boolean>;
  unlock(environmentId: string, owner?: string): Promise<boolean>;
  getLock(environmentId: string): Promise<Lock | null>;
  listLocks(): Promise<Lock[]>;

  // audit
  audit(e: Omit<AuditEvent, 'id' | 'at'> & { at?: string }): Promise<AuditEvent>;
  listAudit(filter: { limit?: number; beforeId?: number; target?: string }): Promise<AuditEvent[]>;

  // tokens
  createToken(name: string, hash: string): Promise<ApiToken>;
  findTokenByHash(hash: string): Promise<ApiToken | null>;
  listTokens(): Promise<ApiToken[]>;
  touchToken(id: string, at: string): Promise<void>;

  /** Key/value settings of the control plane itself (webhook secrets, schedules' last runs, ...). */
  getSetting(key: string): Promise<string | null>;
  putSetting(key: string, value: string): Promise<void>;

  // webhook deliveries (replay protection: one claimed row per app, provider and delivery id)
  /** Inserts the delivery as `received` unless (app, provider, id) was claimed before; then returns that first row. */
  claimDelivery(d: Omit<WebhookDeliveryRecord, 'outcome' | 'reason' | 'deploymentIds'> & { deliveryId: string }): Promise<{ duplicate: boolean; first: WebhookDeliveryRecord | null }>;
  settleDelivery(appId: string, provider: string, deliveryId: string, s: { outcome: WebhookDeliveryOutcome; reason: string; deploymentIds: string[] }): Promise<void>;
  /** Records a refused delivery (never deduplicated, claims nothing). */
  rejectDelivery(d: Omit<WebhookDeliveryRecord, 'outcome' | 'deploymentIds'>): Promise<void>;
  /** Newest first. */
  listDeliveries(appId: string, limit?: number): Promise<WebhookDeliveryRecord[]>;

  // commit statuses reported by external CI
  addCommitStatus(s: Omit<CommitStatus, 'at'> & { at?: string }): Promise<CommitStatus>;
  /** Every status of the commit, newest first. */
  listCommitStatuses(appId: string, sha: string): Promise<CommitStatus[]>;

  // backups (the records; the bytes live on a backup target)
  addBackup(b: Omit<Backup, 'createdAt' | 'verifiedAt'> & { createdAt?: string }): Promise<Backup>;
  getBackup(id: string): Promise<Backup | null>;
  /** Newest first. */
  listBackups(filter: BackupFilter): Promise<Backup[]>;
  updateBackup(id: string, patch: Partial<Pick<Backup, 'status' | 'verdict' | 'verifiedAt' | 'releaseId'>>): Promise<void>;
  deleteBackup(id: string): Promise<boolean>;

  close(): Promise<void>;
}

export interface BackupFilter {
  appId?: string;
  environmentId?: string;
  database?: string;
  releaseId?: string;
  reason?: Backup['reason'];
  limit?: number;
}

export type { ReleaseStatus };
