// What the plans need from the rest of the control plane, as small interfaces.
import type { AppSpec } from '../core/app-spec.js';
import type { DriverKind } from '../core/model.js';
import type { RuntimeDriver } from '../core/ports/runtime-driver.js';
import type { SourceProvider } from '../core/ports/source.js';
import type { BackupRecords } from '../core/ports/store/backups.js';
import type { CommitStatuses } from '../core/ports/store/commit-statuses.js';
import type { Deployments } from '../core/ports/store/deployments.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { Releases } from '../core/ports/store/releases.js';

/** What the steps read and write in the store. */
export type PipelineStore = Releases &
  Pick<Deployments, 'updateDeployment' | 'listDeployments'> &
  Pick<AppsAndEnvironments, 'getEnvironment'> &
  Pick<CommitStatuses, 'listCommitStatuses'> &
  Pick<BackupRecords, 'listBackups'>;
import type { Sensitive } from '../core/sensitive.js';
import type { MigrationBackups } from './migration-backups.js';
import type { RouteCertificates } from './route-certificates.js';

export interface PipelineDeps {
  store: PipelineStore;
  source: SourceProvider;
  driver(kind: DriverKind): RuntimeDriver;
  /** Decrypted secrets visible to an environment (app-wide overlaid by the environment's own). */
  secrets(appId: string, environmentId: string): Promise<Record<string, Sensitive>>;
  /**
   * Extracts an uploaded tarball safely into `dir`; a tarball whose entries are all under one
   * directory (`DDGC-0.940/...`) gives that directory's contents.
   */
  extractUpload(tarball: string, dir: string): Promise<void>;
  /** The one top directory of an uploaded tarball (its version name, "DDGC-0.940"), or null. */
  uploadVersion?(tarball: string): Promise<string | null>;
  /** Scratch space for one deployment, removed when it ends. */
  workDir(deploymentId: string): string;
  /** Server-wide redaction: every secret value the control plane knows, current or replaced. */
  redact?: (text: string) => string;
  /** Parses slipway.yml (the control plane: in a worker thread); absent: on the caller's thread. */
  parseSpec?: (text: string, where: string) => Promise<AppSpec>;
  /** Takes the pre-migration backups (absent: an environment with databases cannot run a release phase). */
  backups?: MigrationBackups;
  /** Certificates for routes with TLS (absent: a route with tls fails its deployment, saying so). */
  certificates?: RouteCertificates;
}
