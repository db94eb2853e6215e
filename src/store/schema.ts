// Row types of the state database, as Kysely sees them. Column names are snake_case;
// times are ISO-8601 text; JSON columns are text parsed on read (see json-column.ts).
import type { ColumnType, Generated } from 'kysely';
import type {
  AuditEvent,
  BackupReason,
  BackupStatus,
  CommitStatusState,
  DeploymentKind,
  DeploymentStatus,
  DeploymentTrigger,
  DriverKind,
  Lock,
  LogStream,
  ReleaseStatus,
  StepStatus,
  WebhookDeliveryOutcome,
} from '../core/model.js';

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface AppsTable {
  id: string;
  name: string;
  repo: string;
  driver: DriverKind;
  created_at: string;
}

export interface EnvironmentsTable {
  id: string;
  app_id: string;
  name: string;
  branch: string | null;
  created_at: string;
}

export interface DeploymentsTable {
  id: string;
  app_id: string;
  environment_id: string;
  number: number;
  kind: DeploymentKind;
  trigger: DeploymentTrigger;
  status: DeploymentStatus;
  ref: string | null;
  commit_sha: string | null;
  release_id: string | null;
  requested_by: string;
  error: string | null;
  /** 0 or 1. */
  cancel_requested: number;
  superseded_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  params: string;
}

export interface ReleasesTable {
  id: string;
  app_id: string;
  environment_id: string;
  deployment_id: string;
  commit_sha: string | null;
  commit_subject: string | null;
  artifact: string | null;
  status: ReleaseStatus;
  driver_state: string;
  spec: string;
  notes: string;
  trigger: DeploymentTrigger;
  deployed_by: string;
  created_at: string;
  deployed_at: string | null;
}

export interface StepRunsTable {
  id: Generated<number>;
  deployment_id: string;
  seq: number;
  name: string;
  status: StepStatus;
  output: string;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface DeploymentLogsTable {
  deployment_id: string;
  seq: number;
  at: string;
  stream: LogStream;
  step: string | null;
  text: string;
}

export interface SecretsTable {
  id: Generated<number>;
  app_id: string;
  environment_id: string | null;
  name: string;
  ciphertext: string;
  created_at: string;
  updated_at: string;
}

export interface LocksTable {
  environment_id: string;
  owner: string;
  kind: Lock['kind'];
  reason: string;
  deployment_id: string | null;
  acquired_at: string;
  heartbeat_at: string;
  expires_at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: AuditEvent['outcome'];
  details: string;
}

export interface TokensTable {
  id: string;
  name: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
}

export interface CertificatesTable {
  id: string;
  /** JSON array of host names. */
  hosts: string;
  chain_pem: string;
  key_ciphertext: string;
  not_before: string;
  not_after: string;
  source: 'acme' | 'secret';
  /** Has a default ('route'), so inserts may leave it out. */
  origin: ColumnType<'route' | 'on-demand', 'route' | 'on-demand' | undefined, 'route' | 'on-demand'>;
  directory_url: string | null;
  renew_after: string | null;
  failures: number;
  last_error: string | null;
  last_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  apps: AppsTable;
  environments: EnvironmentsTable;
  deployments: DeploymentsTable;
  releases: ReleasesTable;
  step_runs: StepRunsTable;
  deployment_logs: DeploymentLogsTable;
  secrets: SecretsTable;
  locks: LocksTable;
  audit_events: AuditEventsTable;
  tokens: TokensTable;
  settings: SettingsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  commit_statuses: CommitStatusesTable;
  backups: BackupsTable;
  certificates: CertificatesTable;
  acme_accounts: AcmeAccountsTable;
}

export interface AcmeAccountsTable {
  directory_url: string;
  account_url: string;
  sealed_key: string;
  email: string | null;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  app_id: string;
  provider: string;
  delivery_id: string | null;
  event: string | null;
  ref: string | null;
  commit_sha: string | null;
  outcome: WebhookDeliveryOutcome;
  reason: string;
  deployment_ids: string;
  received_at: string;
  /** Deliveries this row stands for: 1, or for a rejected row the rejections of its hour (migration 004). */
  count: Generated<number>;
  last_received_at: string | null;
}

export interface CommitStatusesTable {
  id: Generated<number>;
  app_id: string;
  sha: string;
  context: string;
  state: CommitStatusState;
  description: string | null;
  at: string;
}

export interface BackupsTable {
  id: string;
  app_id: string;
  environment_id: string;
  database: string;
  kind: string;
  target: string;
  location: string;
  key: string;
  sha256: string;
  size: number;
  row_counts: string;
  encrypted: number;
  tool: string;
  reason: BackupReason;
  status: BackupStatus;
  verdict: string | null;
  release_id: string | null;
  created_at: string;
  verified_at: string | null;
}
