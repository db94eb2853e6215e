// Deploys, rollbacks, cancels, and reading deployments and their logs.
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import type { DeploymentView, FollowEvent } from '../core/wire/deployments.js';
import { isTerminal, type Deployment, type LogLine, type StepRun } from '../core/model.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { DeploymentLog } from '../core/ports/store/deployment-log.js';
import type { Deployments } from '../core/ports/store/deployments.js';
import type { Locks } from '../core/ports/store/locks.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { StepRuns } from '../core/ports/store/step-runs.js';
import type { DeployEngine, EngineEvent } from '../pipeline/deploy-engine.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';
import { waitingReason } from './waiting-reason.js';

/** A follow stream sends a heartbeat after this long without any other line. */
export const FOLLOW_HEARTBEAT_MS = 15_000;
/** How often a queued deployment's reason for waiting is looked at again. */
const WAITING_CHECK_MS = 2_000;

/** Refuses an uploaded archive that is hostile or malformed (throws InvalidInputError). */
export type UploadCheck = (file: string) => Promise<void>;

/** What the deployment service reads from the store (the engine does the writing). */
export type DeploymentReads = AppsAndEnvironments & Deployments & StepRuns & DeploymentLog & Pick<Releases, 'getRelease'> & Pick<Locks, 'getLock'>;

export class DeploymentService {
  constructor(
    private readonly store: DeploymentReads,
    private readonly engine: DeployEngine,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
    private readonly checkUpload: UploadCheck = async () => undefined,
  ) {}

  async deploy(actor: Actor, input: { app: string; env: string; ref?: string; upload?: string; trigger?: Deployment['trigger'] }): Promise<Deployment> {
    const target = `${input.app}/${input.env}`;
    return this.audit.record(actor, 'deployment.create', target, { ref: input.ref ?? null }, async () => {
      const app = await this.apps.require(input.app);
      const env = await this.apps.environment(app, input.env, input.ref);
      if (input.upload) await this.checkUpload(input.upload);
      return this.engine.enqueue({
        appId: app.id,
        environmentId: env.id,
        kind: 'deploy',
        trigger: input.trigger ?? (input.upload ? 'upload' : 'manual'),
        ref: input.ref ?? null,
        requestedBy: actor.name,
        params: input.upload ? { upload: input.upload } : {},
      });
    });
  }

  async rollback(actor: Actor, input: { app: string; env: string; to?: string }): Promise<Deployment> {
    const target = `${input.app}/${input.env}`;
    return this.audit.record(actor, 'deployment.rollback', target, { to: input.to ?? null }, async () => {
      const app = await this.apps.require(input.app);
      const env = await this.apps.environment(app, input.env);
      if (input.to !== undefined) {
        // Asked for by id: an unknown release is a 404 now, not a queued rollback that fails later.
        const target = await this.store.getRelease(input.to);
        if (!target || target.environmentId !== env.id) throw new NotFoundError(`release of ${app.name}/${env.name}`, input.to);
      }
      return this.engine.enqueue({
        appId: app.id,
        environmentId: env.id,
        kind: 'rollback',
        trigger: 'rollback',
        ref: input.to ?? null,
        requestedBy: actor.name,
        params: input.to ? { to: input.to } : {},
      });
    });
  }

  async cancel(actor: Actor, id: string): Promise<Deployment> {
    return this.audit.record(actor, 'deployment.cancel', id, {}, () => this.engine.cancel(id));
  }

  async get(id: string): Promise<DeploymentView> {
    const d = await this.store.getDeployment(id);
    if (!d) throw new NotFoundError('deployment', id);
    return this.view(d, await this.store.listSteps(id));
  }

  async list(filter: { app?: string; env?: string; status?: Deployment['status']; limit?: number }): Promise<DeploymentView[]> {
    const limit = filter.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidInputError('limit must be between 1 and 1000', { field: 'limit' });
    let appId: string | undefined;
    let environmentId: string | undefined;
    if (filter.app) {
      const app = await this.apps.require(filter.app);
      appId = app.id;
      if (filter.env) environmentId = (await this.apps.environment(app, filter.env)).id;
    }
    const rows = await this.store.listDeployments({
      ...(appId ? { appId } : {}),
      ...(environmentId ? { environmentId } : {}),
      ...(filter.status ? { statuses: [filter.status] } : {}),
      limit,
    });
    return Promise.all(rows.map((d) => this.view(d, [])));
  }

  async readLog(id: string, afterSeq = 0, limit = 1000): Promise<LogLine[]> {
    if (!(await this.store.getDeployment(id))) throw new NotFoundError('deployment', id);
    return this.store.readLog(id, afterSeq, limit);
  }

  /**
   * The log from `afterSeq` on, then live lines, ending with the terminal status. Subscribes before
   * reading the stored lines so that nothing falls between the two.
   */
  async *follow(id: string, afterSeq = 0, signal?: AbortSignal): AsyncGenerator<FollowEvent> {
    const first = await this.store.getDeployment(id);
    if (!first) throw new NotFoundError('deployment', id);
    const pending: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = this.engine.subscribe(id, (e) => {
      pending.push(e);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      let last = afterSeq;
      for (;;) {
        const batch = await this.store.readLog(id, last, 1000);
        for (const line of batch) {
          last = line.seq;
          yield { type: 'log', line };
        }
        if (batch.length < 1000) break;
      }
      let current = (await this.store.getDeployment(id)) ?? first;
      let lastSentAt = Date.now();
      let waiting = '';
      let waitingCheckedAt = 0;
      // A deployment driven by another process shows no live events here: poll the store as well.
      while (!isTerminal(current.status) && !signal?.aborted) {
        if (current.status === 'queued' && Date.now() - waitingCheckedAt >= WAITING_CHECK_MS) {
          waitingCheckedAt = Date.now();
          const reason = await waitingReason(this.store, current);
          if (reason !== waiting) {
            waiting = reason;
            lastSentAt = Date.now();
            yield { type: 'waiting', reason };
          }
        }
        if (Date.now() - lastSentAt >= FOLLOW_HEARTBEAT_MS) {
          lastSentAt = Date.now();
          yield { type: 'heartbeat', at: new Date().toISOString() };
        }
        if (pending.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 1000).unref();
          });
          wake = undefined;
        }
        const events = pending.splice(0);
        for (const e of events) {
          if (e.type === 'log' && e.line.seq > last) {
            last = e.line.seq;
            lastSentAt = Date.now();
            yield e;
          } else if (e.type === 'status') {
            current = e.deployment;
            if (!isTerminal(current.status)) {
              lastSentAt = Date.now();
              yield e;
            }
          }
        }
        if (events.length === 0) {
          for (const line of await this.store.readLog(id, last, 1000)) {
            last = line.seq;
            lastSentAt = Date.now();
            yield { type: 'log', line };
          }
          current = (await this.store.getDeployment(id)) ?? current;
        }
      }
      for (const line of await this.store.readLog(id, last, 1000)) yield { type: 'log', line };
      yield { type: 'status', deployment: (await this.store.getDeployment(id)) ?? current };
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async view(d: Deployment, steps: StepRun[]): Promise<DeploymentView> {
    const [app, env] = await Promise.all([this.store.getApp(d.appId), this.store.getEnvironmentById(d.environmentId)]);
    return { ...d, app: app?.name ?? d.appId, environment: env?.name ?? d.environmentId, steps };
  }
}
