// The Store port on SQLite. Queries live in queries/ (portable Kysely, reusable by a
// PostgreSQL store); this class wires them to one database and one clock.
import type { Kysely } from 'kysely';
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
  SecretRef,
  StepRun,
  StepStatus,
  WebhookDeliveryRecord,
} from '../core/model.js';
import type { AcmeAccount, BackupFilter, DeploymentFilter, EncryptedSecret, LockRequest, NewDeployment, Store } from '../core/ports/store.js';
import type { NewStoredCertificate, StoredCertificate } from '../core/ports/store/certificates.js';
import type { Clock } from '../platform/clock.js';
import * as acmeAccounts from './queries/acme-accounts.js';
import * as apps from './queries/apps.js';
import * as auditTrail from './queries/audit.js';
import * as certificates from './queries/certificates.js';
import * as backups from './queries/backups.js';
import * as commitStatuses from './queries/commit-statuses.js';
import * as deployments from './queries/deployments.js';
import * as locks from './queries/locks.js';
import * as logs from './queries/logs.js';
import * as releases from './queries/releases.js';
import * as secrets from './queries/secrets.js';
import * as settings from './queries/settings.js';
import * as status from './queries/status.js';
import * as steps from './queries/steps.js';
import * as tokens from './queries/tokens.js';
import * as deliveries from './queries/webhook-deliveries.js';
import type { Database } from './schema.js';

export class SqliteStore implements Store {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  #closed = false;

  constructor(db: Kysely<Database>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  createApp(app: Omit<App, 'id' | 'createdAt'>, environments: apps.EnvironmentInput[]): Promise<App> {
    return apps.createApp(this.#db, this.#clock, app, environments);
  }
  getApp(idOrName: string): Promise<App | null> {
    return apps.getApp(this.#db, idOrName);
  }
  listApps(): Promise<App[]> {
    return apps.listApps(this.#db);
  }
  ensureEnvironments(appId: string, environments: apps.EnvironmentInput[]): Promise<Environment[]> {
    return apps.ensureEnvironments(this.#db, this.#clock, appId, environments);
  }
  listEnvironments(appId?: string): Promise<Environment[]> {
    return apps.listEnvironments(this.#db, appId);
  }
  getEnvironment(appId: string, name: string): Promise<Environment | null> {
    return apps.getEnvironment(this.#db, appId, name);
  }
  getEnvironmentById(id: string): Promise<Environment | null> {
    return apps.getEnvironmentById(this.#db, id);
  }

  enqueueDeployment(d: NewDeployment): Promise<{ deployment: Deployment; superseded: Deployment[] }> {
    return deployments.enqueueDeployment(this.#db, this.#clock, d);
  }
  getDeployment(id: string): Promise<Deployment | null> {
    return deployments.getDeployment(this.#db, id);
  }
  listDeployments(filter: DeploymentFilter): Promise<Deployment[]> {
    return deployments.listDeployments(this.#db, filter);
  }
  transitionDeployment(
    id: string,
    from: DeploymentStatus[],
    to: DeploymentStatus,
    patch?: deployments.TransitionPatch,
  ): Promise<Deployment | null> {
    return deployments.transitionDeployment(this.#db, this.#clock, id, from, to, patch);
  }
  updateDeployment(id: string, patch: deployments.DeploymentPatch): Promise<void> {
    return deployments.updateDeployment(this.#db, id, patch);
  }
  requestCancel(id: string): Promise<Deployment | null> {
    return deployments.requestCancel(this.#db, this.#clock, id);
  }

  startStep(deploymentId: string, seq: number, name: string): Promise<StepRun> {
    return steps.startStep(this.#db, this.#clock, deploymentId, seq, name);
  }
  finishStep(id: number, status: StepStatus, output?: Record<string, unknown>, error?: string | null): Promise<void> {
    return steps.finishStep(this.#db, this.#clock, id, status, output, error);
  }
  listSteps(deploymentId: string): Promise<StepRun[]> {
    return steps.listSteps(this.#db, deploymentId);
  }

  appendLog(deploymentId: string, stream: LogStream, step: string | null, text: string): Promise<LogLine> {
    return logs.appendLog(this.#db, this.#clock, deploymentId, stream, step, text);
  }
  readLog(deploymentId: string, afterSeq?: number, limit?: number): Promise<LogLine[]> {
    return logs.readLog(this.#db, deploymentId, afterSeq, limit);
  }

  createRelease(r: Omit<Release, 'createdAt' | 'deployedAt'>): Promise<Release> {
    return releases.createRelease(this.#db, this.#clock, r);
  }
  getRelease(id: string): Promise<Release | null> {
    return releases.getRelease(this.#db, id);
  }
  updateRelease(id: string, patch: releases.ReleasePatch): Promise<void> {
    return releases.updateRelease(this.#db, id, patch);
  }
  listReleases(environmentId: string, limit?: number): Promise<Release[]> {
    return releases.listReleases(this.#db, environmentId, limit);
  }
  liveRelease(environmentId: string): Promise<Release | null> {
    return releases.liveRelease(this.#db, environmentId);
  }
  markLive(environmentId: string, releaseId: string, deployedAt: string): Promise<void> {
    return releases.markLive(this.#db, environmentId, releaseId, deployedAt);
  }

  putSecret(s: EncryptedSecret): Promise<void> {
    return secrets.putSecret(this.#db, this.#clock, s);
  }
  deleteSecret(appId: string, environmentId: string | null, name: string): Promise<boolean> {
    return secrets.deleteSecret(this.#db, appId, environmentId, name);
  }
  listSecrets(appId: string, environmentId?: string | null): Promise<SecretRef[]> {
    return secrets.listSecrets(this.#db, appId, environmentId);
  }
  secretsFor(appId: string, environmentId: string): Promise<EncryptedSecret[]> {
    return secrets.secretsFor(this.#db, appId, environmentId);
  }
  allSecrets(): Promise<EncryptedSecret[]> {
    return secrets.allSecrets(this.#db);
  }

  tryLock(req: LockRequest): Promise<{ acquired: boolean; lock: Lock }> {
    return locks.tryLock(this.#db, this.#clock, req);
  }
  heartbeat(environmentId: string, owner: string, ttlMs: number): Promise<boolean> {
    return locks.heartbeat(this.#db, this.#clock, environmentId, owner, ttlMs);
  }
  unlock(environmentId: string, owner?: string): Promise<boolean> {
    return locks.unlock(this.#db, environmentId, owner);
  }
  getLock(environmentId: string): Promise<Lock | null> {
    return locks.getLock(this.#db, environmentId);
  }
  listLocks(): Promise<Lock[]> {
    return locks.listLocks(this.#db);
  }

  audit(e: Omit<AuditEvent, 'id' | 'at'> & { at?: string }): Promise<AuditEvent> {
    return auditTrail.audit(this.#db, this.#clock, e);
  }
  listAudit(filter: auditTrail.AuditFilter): Promise<AuditEvent[]> {
    return auditTrail.listAudit(this.#db, filter);
  }

  createToken(name: string, hash: string): Promise<ApiToken> {
    return tokens.createToken(this.#db, this.#clock, name, hash);
  }
  findTokenByHash(hash: string): Promise<ApiToken | null> {
    return tokens.findTokenByHash(this.#db, hash);
  }
  listTokens(): Promise<ApiToken[]> {
    return tokens.listTokens(this.#db);
  }
  touchToken(id: string, at: string): Promise<void> {
    return tokens.touchToken(this.#db, id, at);
  }

  saveCertificate(c: NewStoredCertificate): Promise<StoredCertificate> {
    return certificates.saveCertificate(this.#db, this.#clock, c);
  }
  getStoredCertificate(id: string): Promise<StoredCertificate | null> {
    return certificates.getStoredCertificate(this.#db, id);
  }
  listStoredCertificates(): Promise<StoredCertificate[]> {
    return certificates.listStoredCertificates(this.#db);
  }
  recordCertificateFailure(id: string, error: string, retryAt: string): Promise<boolean> {
    return certificates.recordCertificateFailure(this.#db, this.#clock, id, error, retryAt);
  }
  deleteStoredCertificate(id: string): Promise<boolean> {
    return certificates.deleteStoredCertificate(this.#db, id);
  }

  getSetting(key: string): Promise<string | null> {
    return settings.getSetting(this.#db, key);
  }
  putSetting(key: string, value: string): Promise<void> {
    return settings.putSetting(this.#db, this.#clock, key, value);
  }

  getAcmeAccount(directoryUrl: string): Promise<AcmeAccount | null> {
    return acmeAccounts.getAcmeAccount(this.#db, directoryUrl);
  }
  keepAcmeAccount(account: Omit<AcmeAccount, 'createdAt'>): Promise<AcmeAccount> {
    return acmeAccounts.keepAcmeAccount(this.#db, this.#clock, account);
  }
  replaceAcmeAccount(previousAccountUrl: string, account: Omit<AcmeAccount, 'createdAt'>): Promise<AcmeAccount> {
    return acmeAccounts.replaceAcmeAccount(this.#db, this.#clock, previousAccountUrl, account);
  }

  claimDelivery(d: deliveries.ClaimInput): Promise<{ duplicate: boolean; first: WebhookDeliveryRecord | null }> {
    return deliveries.claimDelivery(this.#db, d);
  }
  settleDelivery(appId: string, provider: string, deliveryId: string, s: deliveries.Settlement): Promise<void> {
    return deliveries.settleDelivery(this.#db, appId, provider, deliveryId, s);
  }
  rejectDelivery(d: Omit<WebhookDeliveryRecord, 'outcome' | 'deploymentIds'>): Promise<void> {
    return deliveries.rejectDelivery(this.#db, d);
  }
  listDeliveries(appId: string, limit?: number): Promise<WebhookDeliveryRecord[]> {
    return deliveries.listDeliveries(this.#db, appId, limit);
  }

  addCommitStatus(s: Omit<CommitStatus, 'at'> & { at?: string }): Promise<CommitStatus> {
    return commitStatuses.addCommitStatus(this.#db, this.#clock, s);
  }
  listCommitStatuses(appId: string, sha: string): Promise<CommitStatus[]> {
    return commitStatuses.listCommitStatuses(this.#db, appId, sha);
  }

  addBackup(b: backups.NewBackup): Promise<Backup> {
    return backups.addBackup(this.#db, this.#clock, b);
  }
  getBackup(id: string): Promise<Backup | null> {
    return backups.getBackup(this.#db, id);
  }
  listBackups(filter: BackupFilter): Promise<Backup[]> {
    return backups.listBackups(this.#db, filter);
  }
  updateBackup(id: string, patch: Partial<Pick<Backup, 'status' | 'verdict' | 'verifiedAt' | 'releaseId'>>): Promise<void> {
    return backups.updateBackup(this.#db, id, patch);
  }
  deleteBackup(id: string): Promise<boolean> {
    return backups.deleteBackup(this.#db, id);
  }

  /** The newest deployment (highest number) of every environment that has one, by environment id. */
  latestDeploymentsByEnvironment(): Promise<Map<string, Deployment>> {
    return status.latestDeploymentsByEnvironment(this.#db);
  }
  /** The live release of every environment that has one, by environment id. */
  liveReleases(): Promise<Map<string, Release>> {
    return status.liveReleases(this.#db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.destroy();
  }
}
