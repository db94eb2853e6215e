// Slipway's persistent state: the composition of the narrow ports in store/, one per concept,
// which is what a store implementation (SQLite now; queries stay portable for PostgreSQL)
// implements. Consumers depend on the ports they use, not on this whole.
// All methods are synchronous-looking async so a network store can implement them too.
import type { AcmeAccounts } from './store/acme-accounts.js';
import type { AppsAndEnvironments } from './store/apps-and-environments.js';
import type { AuditLog } from './store/audit.js';
import type { BackupRecords } from './store/backups.js';
import type { CertificateRecords } from './store/certificates.js';
import type { CommitStatuses } from './store/commit-statuses.js';
import type { DeploymentLog } from './store/deployment-log.js';
import type { Deployments } from './store/deployments.js';
import type { Locks } from './store/locks.js';
import type { Releases } from './store/releases.js';
import type { EncryptedSecrets } from './store/secrets.js';
import type { StoredSettings } from './store/settings.js';
import type { StatusReads } from './store/status-reads.js';
import type { StepRuns } from './store/step-runs.js';
import type { Tokens } from './store/tokens.js';
import type { WebhookDeliveries } from './store/webhook-deliveries.js';

export interface Store
  extends AppsAndEnvironments,
    Deployments,
    StepRuns,
    DeploymentLog,
    Releases,
    StatusReads,
    EncryptedSecrets,
    Locks,
    AuditLog,
    Tokens,
    StoredSettings,
    WebhookDeliveries,
    CommitStatuses,
    BackupRecords,
    AcmeAccounts,
    CertificateRecords {
  close(): Promise<void>;
}

export type { AcmeAccount, AcmeAccounts } from './store/acme-accounts.js';
export type { AppsAndEnvironments } from './store/apps-and-environments.js';
export type { AuditLog } from './store/audit.js';
export type { BackupFilter, BackupRecords } from './store/backups.js';
export type { CertificateRecords, CertificateSource, NewStoredCertificate, StoredCertificate } from './store/certificates.js';
export type { CommitStatuses } from './store/commit-statuses.js';
export type { DeploymentLog } from './store/deployment-log.js';
export type { DeploymentFilter, Deployments, NewDeployment } from './store/deployments.js';
export type { LockRequest, Locks } from './store/locks.js';
export type { Releases } from './store/releases.js';
export type { EncryptedSecret, EncryptedSecrets } from './store/secrets.js';
export type { StoredSettings } from './store/settings.js';
export type { StatusReads } from './store/status-reads.js';
export type { StepRuns } from './store/step-runs.js';
export type { Tokens } from './store/tokens.js';
export type { WebhookDeliveries } from './store/webhook-deliveries.js';
