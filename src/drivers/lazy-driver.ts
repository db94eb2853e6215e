// A runtime driver loaded on first use: the Swarm driver pulls in dockerode and its SSH stack,
// which an idle control plane that only runs local processes should not pay for.
import { StepFailedError } from '../core/errors.js';
import type { App, DriverKind, Environment, Release } from '../core/model.js';
import type { EdgeRoute, EdgeRouteState } from '../core/ports/edge-control.js';
import type { BuildResult, DriverContext, ReleaseRef, RuntimeDriver, RuntimeLogLine, RuntimeLogQuery, RuntimeStatus, SourceTree } from '../core/ports/runtime-driver.js';

export class LazyDriver implements RuntimeDriver {
  #loaded: Promise<RuntimeDriver> | null = null;
  #ready = false;

  constructor(
    readonly kind: DriverKind,
    private readonly load: () => Promise<RuntimeDriver>,
  ) {}

  #driver(): Promise<RuntimeDriver> {
    // A failed load (a bad address, an engine that is down) is tried again on the next call.
    this.#loaded ??= this.load().then(
      (d) => {
        this.#ready = true;
        return d;
      },
      (err: unknown) => {
        this.#loaded = null;
        throw err;
      },
    );
    return this.#loaded;
  }

  async build(ctx: DriverContext, req: { releaseId: string; source: SourceTree }): Promise<BuildResult> {
    return (await this.#driver()).build(ctx, req);
  }
  async test(ctx: DriverContext, req: { releaseId: string; source: SourceTree; build: BuildResult }): Promise<void> {
    return (await this.#driver()).test(ctx, req);
  }
  async stage(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    return (await this.#driver()).stage(ctx, release);
  }
  async runRelease(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    return (await this.#driver()).runRelease(ctx, release);
  }

  async runAfterDeploy(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    const driver = await this.#driver();
    if (!driver.runAfterDeploy) throw new StepFailedError('this driver runs no after_deploy commands');
    return driver.runAfterDeploy(ctx, release);
  }
  async start(ctx: DriverContext, release: ReleaseRef, previous: ReleaseRef | null): Promise<Record<string, unknown>> {
    return (await this.#driver()).start(ctx, release, previous);
  }
  async abandon(ctx: DriverContext, release: ReleaseRef, previous: ReleaseRef | null): Promise<void> {
    return (await this.#driver()).abandon(ctx, release, previous);
  }
  async activate(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    return (await this.#driver()).activate(ctx, release);
  }
  async retire(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    return (await this.#driver()).retire(ctx, release);
  }
  async prune(ctx: DriverContext, keep: ReleaseRef[]): Promise<string[]> {
    return (await this.#driver()).prune(ctx, keep);
  }
  async status(app: App, environment: Environment, live: Release | null): Promise<RuntimeStatus> {
    return (await this.#driver()).status(app, environment, live);
  }
  async *streamLogs(app: App, environment: Environment, live: Release | null, query: RuntimeLogQuery): AsyncGenerator<RuntimeLogLine> {
    const d = await this.#driver();
    if (!d.streamLogs) throw new Error(`the ${this.kind} driver cannot show logs`);
    yield* d.streamLogs(app, environment, live, query);
  }
  /** Whether the driver is loaded (its first use succeeded). */
  get loaded(): boolean {
    return this.#ready;
  }
  /** Never loads the driver: routes are reconciled only for a driver in use. */
  async liveRoute(app: App, environment: Environment, live: Release, existing: EdgeRouteState | null): Promise<EdgeRoute | null> {
    const d = this.#ready && this.#loaded ? await this.#loaded : null;
    return d?.liveRoute ? d.liveRoute(app, environment, live, existing) : null;
  }
  /** Recovery waits for the first real use: a driver that was never loaded has nothing to re-adopt. */
  async recover(): Promise<void> {}
  async close(): Promise<void> {
    if (this.#loaded) await (await this.#loaded.catch(() => null))?.close?.();
  }
}
