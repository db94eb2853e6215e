// The typed client of the control plane's HTTP API: one method per endpoint. Methods return
// the API's JSON unchanged (so `--json` prints exactly what the server said).
import type { Readable } from 'node:stream';
import type { AuditEvent, Backup, CommitStatus, Deployment, LogLine, Release } from '../core/model.js';
import type { RuntimeLogLine } from '../core/ports/runtime-driver.js';
import type { Sensitive } from '../core/sensitive.js';
import type {
  AppView,
  CertificateView,
  CommitStatusRequest,
  CreateAppRequest,
  CreateBackupsRequest,
  DeliveryView,
  DeploymentFilter,
  DeploymentView,
  DeployRequest,
  EnvironmentDiff,
  EnvironmentPair,
  EdgeHealth,
  EnvironmentStatus,
  FollowEvent,
  LockRequest,
  LockView,
  MaintenanceRequest,
  PromotionPreview,
  ReinitializeRequest,
  RestoreOutcome,
  RestoreRequest,
  RollbackRequest,
  SecretView,
  SetSecretRequest,
  ShutdownRequest,
  ShutdownView,
  WebhookSecretInfo,
  WebhookSecretRequest,
} from '../core/wire/index.js';
import { ApiError } from './api-error.js';
import { HttpCaller, type CallOptions, type ProgressEvent } from './http-call.js';
import { ndjsonValues } from './ndjson.js';

export type { DeploymentFilter, FollowEvent };

export interface Upload {
  body: Readable;
  contentType: 'application/gzip' | 'application/x-tar';
}

const seg = encodeURIComponent;
const envPath = (app: string, env: string) => `/api/apps/${seg(app)}/environments/${seg(env)}`;

export class ApiClient {
  readonly #http: HttpCaller;

  constructor(baseUrl: string, token: Sensitive) {
    this.#http = new HttpCaller(baseUrl, token);
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** `slipway down`: the control plane stops the apps, the edge, then itself. */
  shutdown(): Promise<{ shutdown: ShutdownView }> {
    return this.#http.json('POST', '/api/system/shutdown', { json: { everything: true } satisfies ShutdownRequest });
  }

  health(): Promise<{ ok: true; version: string }> {
    return this.#http.json('GET', '/healthz');
  }

  listApps(): Promise<{ apps: AppView[] }> {
    return this.#http.json('GET', '/api/apps');
  }

  createApp(input: CreateAppRequest): Promise<{ app: AppView }> {
    return this.#http.json('POST', '/api/apps', { json: input });
  }

  getApp(name: string): Promise<{ app: AppView }> {
    return this.#http.json('GET', `/api/apps/${seg(name)}`);
  }

  deploy(app: string, env: string, input: DeployRequest = {}): Promise<{ deployment: Deployment }> {
    return this.#http.json('POST', `${envPath(app, env)}/deployments`, { json: input });
  }

  upload(app: string, env: string, upload: Upload): Promise<{ deployment: Deployment }> {
    return this.#http.json('POST', `${envPath(app, env)}/uploads`, { raw: upload });
  }

  rollback(app: string, env: string, input: RollbackRequest = {}): Promise<{ deployment: Deployment }> {
    return this.#http.json('POST', `${envPath(app, env)}/rollback`, { json: input });
  }

  releases(app: string, env: string): Promise<{ releases: Release[] }> {
    return this.#http.json('GET', `${envPath(app, env)}/releases`);
  }

  setMaintenance(app: string, env: string, input: MaintenanceRequest): Promise<{ ok: true }> {
    return this.#http.json('PUT', `${envPath(app, env)}/maintenance`, { json: input });
  }

  lock(app: string, env: string, input: LockRequest): Promise<{ lock: LockView }> {
    return this.#http.json('PUT', `${envPath(app, env)}/lock`, { json: input });
  }

  async unlock(app: string, env: string): Promise<void> {
    await this.#http.json('DELETE', `${envPath(app, env)}/lock`);
  }

  listCertificates(): Promise<{ certificates: CertificateView[] }> {
    return this.#http.json('GET', '/api/certificates');
  }

  getCertificate(ref: string): Promise<{ certificate: CertificateView }> {
    return this.#http.json('GET', `/api/certificates/${seg(ref)}`);
  }

  renewCertificate(ref: string): Promise<{ certificate: CertificateView }> {
    return this.#http.json('POST', `/api/certificates/${seg(ref)}/renew`);
  }

  listLocks(): Promise<{ locks: LockView[] }> {
    return this.#http.json('GET', '/api/locks');
  }

  listDeployments(filter: DeploymentFilter = {}): Promise<{ deployments: DeploymentView[] }> {
    return this.#http.json('GET', '/api/deployments', { query: { ...filter } });
  }

  getDeployment(id: string): Promise<{ deployment: DeploymentView }> {
    return this.#http.json('GET', `/api/deployments/${seg(id)}`);
  }

  readLog(id: string, after = 0): Promise<{ lines: LogLine[] }> {
    return this.#http.json('GET', `/api/deployments/${seg(id)}/log`, { query: { after } });
  }

  /**
   * One follow connection: the log after `after`, then live events, ending after the terminal
   * status (or earlier, when the connection drops: see follow.ts, which reconnects).
   */
  async *followLog(id: string, after = 0, opts: { signal?: AbortSignal; idleTimeoutMs?: number } = {}): AsyncGenerator<FollowEvent> {
    const body = this.#http.stream('GET', `/api/deployments/${seg(id)}/log`, {
      query: { after, follow: 1 },
      ...(opts.signal ? { signal: opts.signal } : {}),
      bodyTimeoutMs: opts.idleTimeoutMs ?? 60_000,
    });
    for await (const value of ndjsonValues(body)) {
      const event = value as Partial<FollowEvent>;
      if (event.type === 'log' || event.type === 'status' || event.type === 'waiting' || event.type === 'heartbeat') yield event as FollowEvent;
    }
  }

  /** The live release's output (`slipway logs`); with follow, until the signal aborts. */
  async *logs(app: string, env: string, query: { service?: string; follow?: boolean; since?: string; tail?: number }, opts: { signal?: AbortSignal } = {}): AsyncGenerator<RuntimeLogLine> {
    const body = this.#http.stream('GET', `${envPath(app, env)}/logs`, {
      query: { service: query.service, follow: query.follow ? 1 : undefined, since: query.since, tail: query.tail },
      ...(opts.signal ? { signal: opts.signal } : {}),
      // A quiet app writes nothing for a long time; the connection is kept while following.
      bodyTimeoutMs: query.follow ? 0 : 60_000,
    });
    for await (const value of ndjsonValues(body)) {
      const v = value as Partial<RuntimeLogLine> & { error?: unknown; status?: number };
      if (v.error) throw ApiError.fromStreamed(v);
      yield v as RuntimeLogLine;
    }
  }

  cancelDeployment(id: string): Promise<{ deployment: Deployment }> {
    return this.#http.json('POST', `/api/deployments/${seg(id)}/cancel`);
  }

  listSecrets(app: string, env?: string): Promise<{ secrets: SecretView[] }> {
    return this.#http.json('GET', `/api/apps/${seg(app)}/secrets`, { query: { env } });
  }

  /** The value is revealed only into the request body, never into a URL or a message. */
  setSecret(app: string, name: string, value: Sensitive, env?: string): Promise<{ secret: SecretView }> {
    return this.#http.json('PUT', `/api/apps/${seg(app)}/secrets/${seg(name)}`, { json: { value: value.reveal(), ...(env ? { env } : {}) } satisfies SetSecretRequest });
  }

  async unsetSecret(app: string, name: string, env?: string): Promise<void> {
    await this.#http.json('DELETE', `/api/apps/${seg(app)}/secrets/${seg(name)}`, { query: { env } });
  }

  status(app?: string): Promise<{ environments: EnvironmentStatus[]; edge?: EdgeHealth }> {
    return this.#http.json('GET', '/api/status', { query: { app } });
  }

  promote(app: string, input: EnvironmentPair): Promise<{ deployment: Deployment } & PromotionPreview> {
    return this.#http.json('POST', `/api/apps/${seg(app)}/promote`, { json: input });
  }

  previewPromotion(app: string, input: EnvironmentPair): Promise<PromotionPreview> {
    return this.#http.json('GET', `/api/apps/${seg(app)}/promote`, { query: input });
  }

  diff(app: string, input: EnvironmentPair): Promise<EnvironmentDiff> {
    return this.#http.json('GET', `/api/apps/${seg(app)}/diff`, { query: input });
  }

  /** The new secret is in the answer, the only time it is ever shown. */
  webhookSecret(app: string, input: WebhookSecretRequest): Promise<WebhookSecretInfo & { secret: string }> {
    return this.#http.json('POST', `/api/apps/${seg(app)}/webhook-secret`, { json: input });
  }

  webhookSecretInfo(app: string): Promise<WebhookSecretInfo> {
    return this.#http.json('GET', `/api/apps/${seg(app)}/webhook-secret`);
  }

  webhookDeliveries(app: string, limit = 50): Promise<{ deliveries: DeliveryView[] }> {
    return this.#http.json('GET', `/api/apps/${seg(app)}/webhook-deliveries`, { query: { limit } });
  }

  reportCommitStatus(app: string, sha: string, input: CommitStatusRequest): Promise<{ status: CommitStatus }> {
    return this.#http.json('POST', `/api/apps/${seg(app)}/commits/${seg(sha)}/statuses`, { json: input });
  }

  audit(query: { limit?: number; before?: number } = {}): Promise<{ events: AuditEvent[] }> {
    return this.#http.json('GET', '/api/audit', { query });
  }

  backups(app: string, env: string, query: { database?: string } = {}): Promise<{ backups: Backup[] }> {
    return this.#http.json('GET', `${envPath(app, env)}/backups`, { query });
  }

  createBackups(app: string, env: string, input: CreateBackupsRequest = {}, onProgress?: (e: ProgressEvent) => void): Promise<{ backups: Backup[] }> {
    return this.#long('POST', `${envPath(app, env)}/backups`, { json: input }, onProgress);
  }

  getBackup(id: string): Promise<{ backup: Backup }> {
    return this.#http.json('GET', `/api/backups/${seg(id)}`);
  }

  verifyBackup(id: string, onProgress?: (e: ProgressEvent) => void): Promise<{ backup: Backup }> {
    return this.#long('POST', `/api/backups/${seg(id)}/verify`, {}, onProgress);
  }

  restoreBackup(id: string, input: RestoreRequest, onProgress?: (e: ProgressEvent) => void): Promise<RestoreOutcome> {
    return this.#long('POST', `/api/backups/${seg(id)}/restore`, { json: input }, onProgress);
  }

  reinitializeDatabase(app: string, env: string, database: string, input: ReinitializeRequest, onProgress?: (e: ProgressEvent) => void): Promise<{ safety: Backup }> {
    return this.#long('POST', `${envPath(app, env)}/databases/${seg(database)}/reinitialize`, { json: input }, onProgress);
  }

  /** A backup operation: with `onProgress`, streamed (no time limit while progress arrives). */
  #long<T>(method: string, path: string, opts: CallOptions, onProgress?: (e: ProgressEvent) => void): Promise<T> {
    return onProgress ? this.#http.withProgress<T>(method, path, opts, onProgress) : this.#http.json<T>(method, path, opts);
  }
}
