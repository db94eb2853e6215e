// Manual environment locks ("nobody deploy production during the migration").
import { ConflictError, InvalidInputError, LockedError, NotFoundError } from '../core/errors.js';
import type { LockView } from '../core/wire/locks.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { Locks } from '../core/ports/store/locks.js';
import type { DeployEngine } from '../pipeline/deploy-engine.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';

/** Manual locks last until released (a century, as far as the lease is concerned). */
const MANUAL_TTL_MS = 100 * 365 * 24 * 3600 * 1000;

export class LockService {
  constructor(
    private readonly store: Locks & AppsAndEnvironments,
    private readonly engine: DeployEngine,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
  ) {}

  async lock(actor: Actor, input: { app: string; env: string; reason: string }): Promise<LockView> {
    const target = `${input.app}/${input.env}`;
    return this.audit.record(actor, 'lock.acquire', target, { reason: input.reason }, async () => {
      if (!input.reason.trim()) throw new InvalidInputError('a lock needs a reason (--reason TEXT) so others know why', { field: 'reason' });
      const app = await this.apps.require(input.app);
      const env = await this.apps.environment(app, input.env);
      const { acquired, lock } = await this.store.tryLock({
        environmentId: env.id,
        owner: `manual:${actor.name}`,
        kind: 'manual',
        reason: input.reason,
        deploymentId: null,
        ttlMs: MANUAL_TTL_MS,
      });
      if (!acquired) {
        throw new LockedError(`${target} is already locked by ${lock.owner}: ${lock.reason}`, { owner: lock.owner, reason: lock.reason });
      }
      return { ...lock, app: app.name, environment: env.name };
    });
  }

  async unlock(actor: Actor, input: { app: string; env: string }): Promise<void> {
    const target = `${input.app}/${input.env}`;
    await this.audit.record(actor, 'lock.release', target, {}, async () => {
      const app = await this.apps.require(input.app);
      const env = await this.apps.environment(app, input.env);
      const lock = await this.store.getLock(env.id);
      if (!lock) throw new NotFoundError('lock on', target);
      if (lock.kind === 'deployment') {
        throw new ConflictError(`${target} is locked by a running deployment; cancel the deployment instead`, { deploymentId: lock.deploymentId });
      }
      await this.store.unlock(env.id, lock.owner);
      this.engine.kick();
    });
  }

  async list(): Promise<LockView[]> {
    const [locks, envs, apps] = await Promise.all([this.store.listLocks(), this.store.listEnvironments(), this.store.listApps()]);
    const envById = new Map(envs.map((e) => [e.id, e]));
    const appById = new Map(apps.map((a) => [a.id, a.name]));
    return locks.map((l) => {
      const env = envById.get(l.environmentId);
      return { ...l, app: env ? appById.get(env.appId) ?? '' : '', environment: env?.name ?? '' };
    });
  }
}
