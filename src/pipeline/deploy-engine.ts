// The durable deploy queue: one deployment at a time per environment under a lease lock, newer
// queued deployments supersede older ones, cancels compensate, and a restart finishes what a
// crash interrupted. All state lives in the store; this object only holds timers.
import { EventEmitter } from 'node:events';
import { ConflictError, NotFoundError, errorMessage } from '../core/errors.js';
import { isTerminal, type App, type Deployment, type Environment, type LogLine } from '../core/model.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { DeploymentLog } from '../core/ports/store/deployment-log.js';
import type { Deployments, NewDeployment } from '../core/ports/store/deployments.js';
import type { Locks } from '../core/ports/store/locks.js';
import type { StepRuns } from '../core/ports/store/step-runs.js';

/** What the engine needs of the store: the queue, its leases, step runs and the log. */
export type EngineStore = Deployments & Locks & StepRuns & Pick<DeploymentLog, 'appendLog'> & Pick<AppsAndEnvironments, 'getApp' | 'getEnvironmentById'>;
import type { Logger } from '../platform/logger.js';
import type { DeploymentContext } from './deployment-context.js';
import { DeploymentLogWriter } from './deployment-log.js';
import { DeploymentRunner, type BoundaryHook, type RunOutcome } from './deployment-runner.js';
import type { Plan } from './step.js';

export type EngineEvent = { type: 'log'; line: LogLine } | { type: 'status'; deployment: Deployment };

export interface Planner {
  plan(deployment: Deployment): Promise<Plan>;
  /** The deployment's context, built once: secrets resolved, redactor, spec parsed on first use. */
  context(deployment: Deployment, app: App, environment: Environment): Promise<DeploymentContext>;
  /** Called once a deployment reached a terminal state (temp dirs, notifications). */
  finished?(deployment: Deployment): Promise<void>;
}

export interface EngineOptions {
  store: EngineStore;
  planner: Planner;
  logger: Logger;
  /** Unique per control-plane process. */
  instanceId: string;
  lockTtlMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
  onBoundary?: BoundaryHook;
}

interface Running {
  environmentId: string;
  abort: AbortController;
  done: Promise<void>;
}

export class DeployEngine {
  readonly #events = new EventEmitter();
  readonly #running = new Map<string, Running>();
  readonly #lockTtlMs: number;
  readonly #heartbeatMs: number;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  #kicking: Promise<void> | undefined;
  #kickAgain = false;
  #stopping = false;

  constructor(private readonly opts: EngineOptions) {
    this.#lockTtlMs = opts.lockTtlMs ?? 30_000;
    this.#heartbeatMs = opts.heartbeatMs ?? Math.floor(this.#lockTtlMs / 3);
    this.#pollMs = opts.pollMs ?? 1000;
    this.#events.setMaxListeners(0);
  }

  /** Finishes deployments a previous process left running, then starts taking the queue. */
  async start(): Promise<void> {
    await this.recover();
    this.#timer = setInterval(() => this.kick(), this.#pollMs);
    this.#timer.unref();
    this.kick();
  }

  /** Stops taking new work and waits (up to `graceMs`) for running deployments. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    const all = Promise.all([...this.#running.values()].map((r) => r.done));
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  async enqueue(req: NewDeployment): Promise<Deployment> {
    const { deployment, superseded } = await this.opts.store.enqueueDeployment(req);
    for (const s of superseded) this.#emitStatus(s);
    this.#emitStatus(deployment);
    this.kick();
    return deployment;
  }

  async cancel(id: string): Promise<Deployment> {
    const store = this.opts.store;
    const d = await store.getDeployment(id);
    if (!d) throw new NotFoundError('deployment', id);
    if (d.status === 'queued') {
      const done = await store.transitionDeployment(id, ['queued'], 'cancelled', {
        finishedAt: new Date().toISOString(),
        error: 'cancelled by request before it started',
      });
      if (done) {
        this.#emitStatus(done);
        return done;
      }
      return this.cancel(id); // it started meanwhile
    }
    if (d.status === 'running') {
      const marked = (await store.requestCancel(id)) ?? d;
      this.#running.get(id)?.abort.abort(new Error('cancelled by request'));
      return marked;
    }
    throw new ConflictError(`deployment #${d.number} is already ${d.status}; nothing to cancel`, { status: d.status });
  }

  subscribe(deploymentId: string, listener: (e: EngineEvent) => void): () => void {
    const key = `d:${deploymentId}`;
    this.#events.on(key, listener);
    return () => this.#events.off(key, listener);
  }

  /** Anything the status of an environment depends on moved: a deployment's status or a step. */
  onChange(listener: () => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  /** Any status change of any deployment. */
  onStatus(listener: (d: Deployment) => void): () => void {
    const fn = (e: EngineEvent) => e.type === 'status' && listener(e.deployment);
    this.#events.on('all', fn);
    return () => this.#events.off('all', fn);
  }

  isRunningHere(id: string): boolean {
    return this.#running.has(id);
  }

  /** Looks at the queue now (also runs every `pollMs`). */
  kick(): void {
    if (this.#stopping) return;
    if (this.#kicking) {
      this.#kickAgain = true;
      return;
    }
    this.#kicking = this.#schedule()
      .catch((err) => this.opts.logger.error({ err: errorMessage(err) }, 'deploy queue scan failed'))
      .finally(() => {
        this.#kicking = undefined;
        if (this.#kickAgain) {
          this.#kickAgain = false;
          this.kick();
        }
      });
  }

  async #schedule(): Promise<void> {
    const { store } = this.opts;
    const queued = await store.listDeployments({ statuses: ['queued'], oldestFirst: true, limit: 1000 });
    const seen = new Set<string>();
    for (const d of queued) {
      if (this.#stopping) return;
      if (seen.has(d.environmentId)) continue;
      seen.add(d.environmentId);
      if ([...this.#running.values()].some((r) => r.environmentId === d.environmentId)) continue;
      const owner = this.#owner(d);
      const { acquired } = await store.tryLock({
        environmentId: d.environmentId,
        owner,
        kind: 'deployment',
        reason: `deployment #${d.number}`,
        deploymentId: d.id,
        ttlMs: this.#lockTtlMs,
      });
      if (!acquired) continue;
      const started = await store.transitionDeployment(d.id, ['queued'], 'running', { startedAt: new Date().toISOString() });
      if (!started) {
        await store.unlock(d.environmentId, owner);
        continue;
      }
      this.#emitStatus(started);
      this.#execute(started, false);
    }
  }

  async recover(): Promise<void> {
    const { store, logger } = this.opts;
    const orphans = await store.listDeployments({ statuses: ['running'], oldestFirst: true, limit: 1000 });
    for (const d of orphans) {
      if (this.#running.has(d.id)) continue;
      logger.warn({ deployment: d.id, number: d.number }, 'finishing a deployment interrupted by a restart');
      await store.unlock(d.environmentId);
      const { acquired } = await store.tryLock({
        environmentId: d.environmentId,
        owner: this.#owner(d),
        kind: 'deployment',
        reason: `recovering deployment #${d.number}`,
        deploymentId: d.id,
        ttlMs: this.#lockTtlMs,
      });
      if (!acquired) continue;
      await this.#execute(d, true).done;
    }
  }

  #owner(d: Deployment): string {
    return `${this.opts.instanceId}:${d.id}`;
  }

  #execute(d: Deployment, recovering: boolean): Running {
    const abort = new AbortController();
    const running: Running = { environmentId: d.environmentId, abort, done: Promise.resolve() };
    this.#running.set(d.id, running);
    running.done = this.#drive(d, recovering, abort).finally(() => {
      this.#running.delete(d.id);
      this.kick();
    });
    return running;
  }

  async #drive(d: Deployment, recovering: boolean, abort: AbortController): Promise<void> {
    const { store, planner, logger } = this.opts;
    const owner = this.#owner(d);
    const beat = setInterval(() => {
      void this.#heartbeat(d, owner, abort);
    }, this.#heartbeatMs);
    let writer: DeploymentLogWriter | undefined;
    let redact: (t: string) => string = (t) => t;
    const writeLog = (line: LogLine) => this.#events.emit(`d:${d.id}`, { type: 'log', line } satisfies EngineEvent);
    const logWriteError = (err: unknown) => logger.error({ err: errorMessage(err), deployment: d.id }, 'could not persist a deployment log line');
    try {
      let outcome: RunOutcome;
      try {
        const app = await store.getApp(d.appId);
        const environment = await store.getEnvironmentById(d.environmentId);
        if (!app || !environment) throw new Error('the app or environment of this deployment no longer exists');
        const target = await planner.context(d, app, environment);
        redact = (text) => target.redact(text);
        writer = new DeploymentLogWriter(store, d.id, redact, writeLog, logWriteError);
        if (d.cancelRequested) abort.abort(new Error('cancelled by request'));
        const plan = await planner.plan(d);
        const runner = new DeploymentRunner(store, writer, { deployment: d, target, signal: abort.signal }, plan, async (phase, step) => {
          if (phase === 'after') this.#events.emit('change');
          await this.opts.onBoundary?.(phase, step);
        });
        outcome = recovering ? await runner.recover(await store.listSteps(d.id)) : await runner.run();
      } catch (err) {
        writer ??= new DeploymentLogWriter(store, d.id, redact, writeLog, logWriteError);
        outcome = { status: 'failed', error: redact(errorMessage(err)) };
        writer.write('error', `deployment failed: ${errorMessage(err)}`);
      }
      const error = outcome.error === null ? null : redact(outcome.error);
      writer.write(outcome.status === 'succeeded' ? 'info' : 'error', `deployment ${outcome.status}${error ? `: ${error}` : ''}`);
      await writer.flush();
      // The lock goes first, so whoever sees the terminal status can take the environment at once.
      clearInterval(beat);
      await store.unlock(d.environmentId, owner);
      const final = await store.transitionDeployment(d.id, ['running'], outcome.status, {
        error,
        finishedAt: new Date().toISOString(),
      });
      if (final) {
        this.#emitStatus(final);
        await planner.finished?.(final).catch((err) => logger.warn({ err: errorMessage(err) }, 'after-deployment hook failed'));
      }
    } catch (err) {
      logger.error({ err: errorMessage(err), deployment: d.id }, 'deployment could not be driven to the end');
    } finally {
      clearInterval(beat);
      await writer?.flush();
      await store.unlock(d.environmentId, owner).catch(() => false);
    }
  }

  async #heartbeat(d: Deployment, owner: string, abort: AbortController): Promise<void> {
    const { store, logger } = this.opts;
    try {
      const held = await store.heartbeat(d.environmentId, owner, this.#lockTtlMs);
      if (!held && !abort.signal.aborted) {
        logger.error({ deployment: d.id }, 'lost the environment lock; stopping the deployment');
        abort.abort(new Error('lost the environment lock'));
      }
      const fresh = await store.getDeployment(d.id);
      if (fresh?.cancelRequested && !abort.signal.aborted) abort.abort(new Error('cancelled by request'));
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'lock heartbeat failed');
    }
  }

  #emitStatus(deployment: Deployment): void {
    const e: EngineEvent = { type: 'status', deployment };
    this.#events.emit(`d:${deployment.id}`, e);
    this.#events.emit('all', e);
    this.#events.emit('change');
  }
}

export { isTerminal };
