// Part of the composition root: keeps the local edge running. It watches the edge (its pid and its
// admin socket), restarts a dead one on the same port with backoff, gives it every live route
// again (at start, after each restart, and every so often), and tells `status` how the edge is.
import path from 'node:path';
import { EdgeDownError, errorMessage } from './core/errors.js';
import type { EdgeHealth, RouteReconcileReport } from './core/wire/status.js';
import { pidAlive } from './platform/process-alive.js';
import { adminSocketPath, edgeAnswers, ensureEdge, type EdgeInfo, type EdgeProcessOptions } from './edge-process.js';
import type { Logger } from './platform/logger.js';

export interface EdgeKeeperOptions {
  edge: EdgeProcessOptions;
  /** Puts on the edge every live route it lacks (RouteReconciler). */
  reconcile: () => Promise<RouteReconcileReport>;
  logger: Logger;
  /** How often the edge is checked (default 1 s). */
  probeIntervalMs?: number;
  /** How often routes are reconciled while the edge is up (default 30 s). */
  reconcileIntervalMs?: number;
  /** Delay before the second restart attempt, doubling up to `maxBackoffMs` (defaults 500 ms, 15 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called when the health changes (the status view is cached). */
  onChange?: () => void;
  /** Starts or finds the edge (default `ensureEdge`); tests inject one. */
  launch?: (opts: EdgeProcessOptions) => Promise<EdgeInfo>;
}

/** Probes that failed in a row, with the edge's pid still alive, before it counts as down (a busy edge is not a dead one). */
const SLOW_PROBES_BEFORE_DOWN = 3;

export class EdgeKeeper {
  readonly #o: EdgeKeeperOptions;
  readonly #launch: (opts: EdgeProcessOptions) => Promise<EdgeInfo>;
  #info: EdgeInfo | null = null;
  #state: 'up' | 'down' = 'down';
  #since = new Date();
  #restarts = 0;
  #error: string | null = null;
  #failedRestarts = 0;
  #failedProbes = 0;
  #nextAttemptAt: number | null = null;
  #lastReconcile: RouteReconcileReport | null = null;
  /** Probes and restarts run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();
  #ticking = false;
  #reconciling: Promise<void> | null = null;
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(opts: EdgeKeeperOptions) {
    this.#o = opts;
    this.#launch = opts.launch ?? ((o) => ensureEdge(o));
  }

  /** Starts (or finds) the edge, then watches it. A failure to start here is the caller's to report. */
  async start(): Promise<EdgeInfo> {
    const info = await this.#launch(this.#o.edge);
    this.#markUp(info);
    this.#timers.push(setInterval(() => void this.#tick(), this.#o.probeIntervalMs ?? 1000).unref());
    this.#timers.push(setInterval(() => void this.reconcileNow(), this.#o.reconcileIntervalMs ?? 30_000).unref());
    void this.reconcileNow();
    return info;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#queue;
    await this.#reconciling;
  }

  health(): EdgeHealth {
    return {
      state: this.#state,
      pid: this.#info?.pid ?? null,
      url: this.#info ? `http://${this.#info.host}:${this.#info.port}` : null,
      since: this.#since.toISOString(),
      restarts: this.#restarts,
      error: this.#state === 'down' ? this.#error : null,
      nextAttemptAt: this.#state === 'down' && this.#nextAttemptAt !== null ? new Date(this.#nextAttemptAt).toISOString() : null,
      lastReconcile: this.#lastReconcile,
    };
  }

  /**
   * Resolves when the edge answers, restarting it at once (whatever the backoff) if it does not;
   * rejects with an EdgeDownError naming why when it cannot be restarted.
   */
  async ensureUp(): Promise<void> {
    await this.#serial(async () => {
      if (await edgeAnswers(this.#socket())) {
        if (this.#state === 'down') this.#markUp(this.#info);
        return;
      }
      if (this.#state === 'up') this.#markDown('the edge stopped answering on its admin socket');
      await this.#restart();
    });
    if (this.#state !== 'up') {
      throw new EdgeDownError(
        `the edge is down and could not be restarted (${this.#error ?? 'unknown reason'}); nothing reaches the apps through it until it runs again: see ${this.#logFile()} and \`slipway status\``,
        { socketPath: this.#socket() },
      );
    }
  }

  /** One reconcile pass now (a pass already running is awaited instead). */
  reconcileNow(): Promise<void> {
    if (this.#stopped || this.#state !== 'up') return Promise.resolve();
    this.#reconciling ??= this.#o
      .reconcile()
      .then(
        (report) => {
          this.#lastReconcile = report;
          if (report.repaired.length) this.#o.logger.warn({ repaired: report.repaired }, 'edge routes given again from the store');
          if (report.failures.length) this.#o.logger.error({ failures: report.failures }, 'edge routes could not be given again');
          this.#o.onChange?.();
        },
        (err: unknown) => this.#o.logger.error({ err: errorMessage(err) }, 'edge route reconcile failed'),
      )
      .finally(() => (this.#reconciling = null));
    return this.#reconciling;
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#stopped) return;
    this.#ticking = true;
    try {
      await this.#serial(async () => {
        if (this.#stopped) return;
        if (this.#state === 'up') {
          const running = this.#info !== null && (await pidAlive(this.#info.pid));
          if (running && (await edgeAnswers(this.#socket(), 1000))) {
            this.#failedProbes = 0;
            return;
          }
          this.#failedProbes += 1;
          if (running && this.#failedProbes < SLOW_PROBES_BEFORE_DOWN) return;
          this.#markDown(running ? 'the edge stopped answering on its admin socket' : `the edge process ${this.#info?.pid ?? '?'} is gone`);
        }
        if (this.#nextAttemptAt !== null && Date.now() < this.#nextAttemptAt) return;
        await this.#restart();
      });
    } finally {
      this.#ticking = false;
    }
  }

  /** One restart attempt on the edge's own ports (HTTP and HTTPS); schedules the next one with backoff if it fails. */
  async #restart(): Promise<void> {
    const port = this.#info?.port ?? this.#o.edge.port;
    const known = this.#info?.httpsPort;
    const httpsPort = known === undefined ? this.#o.edge.httpsPort : (known ?? 'off');
    try {
      const info = await this.#launch({ ...this.#o.edge, port, httpsPort });
      this.#restarts += 1;
      this.#o.logger.warn({ pid: info.pid, port: info.port, restarts: this.#restarts }, 'edge restarted');
      this.#markUp(info);
      void this.reconcileNow();
    } catch (err) {
      this.#failedRestarts += 1;
      const initial = this.#o.initialBackoffMs ?? 500;
      const delay = Math.min(initial * 2 ** (this.#failedRestarts - 1), this.#o.maxBackoffMs ?? 15_000);
      this.#nextAttemptAt = Date.now() + delay;
      this.#error = `restart failed: ${errorMessage(err)}`;
      this.#o.logger.error({ err: this.#error, retryInMs: delay }, 'the edge is down and could not be restarted');
      this.#o.onChange?.();
    }
  }

  #markUp(info: EdgeInfo | null): void {
    this.#info = info;
    if (this.#state !== 'up') this.#since = new Date();
    this.#state = 'up';
    this.#error = null;
    this.#failedRestarts = 0;
    this.#failedProbes = 0;
    this.#nextAttemptAt = null;
    this.#o.onChange?.();
  }

  #markDown(why: string): void {
    this.#state = 'down';
    this.#since = new Date();
    this.#error = why;
    this.#nextAttemptAt = null;
    this.#o.logger.error({ pid: this.#info?.pid, reason: why }, 'the edge is down; restarting it');
    this.#o.onChange?.();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #socket(): string {
    return adminSocketPath(this.#o.edge.dataDir);
  }

  #logFile(): string {
    return path.join(this.#o.edge.dataDir, 'edge', 'edge.log');
  }
}
