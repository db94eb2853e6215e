// A RuntimeDriver for engine tests: records every call, and can hold any method at a gate
// (honouring the abort signal) or make it fail, so tests control exactly where a deploy is.
import type { BuildResult, DriverContext, ReleaseRef, RuntimeDriver, RuntimeStatus } from '../../src/core/ports/runtime-driver.js';
import type { App, Environment, Release } from '../../src/core/model.js';

type Method = 'build' | 'test' | 'stage' | 'runRelease' | 'runAfterDeploy' | 'start' | 'abandon' | 'activate' | 'retire' | 'prune';

export interface Call {
  method: Method;
  env: string;
  release: string;
}

export class GatedDriver implements RuntimeDriver {
  readonly kind = 'process' as const;
  readonly calls: Call[] = [];
  readonly #gates = new Map<Method, { promise: Promise<void>; open: () => void; reached: () => void; reachedP: Promise<void> }>();
  readonly #failures = new Map<Method, { message: string; times: number }>();
  readonly #waiting = new Map<Method, number>();
  /** Traffic per environment: which release the "edge" sends requests to. */
  readonly active = new Map<string, string>();

  hold(method: Method): { reached: Promise<void>; release: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    const reachedP = new Promise<void>((r) => (reached = r));
    this.#gates.set(method, { promise, open, reached, reachedP });
    return {
      reached: reachedP,
      release: () => {
        this.#gates.delete(method);
        open();
      },
    };
  }

  /** Makes `method` fail, every time or only the next `times` calls. */
  failOn(method: Method, message: string, opts: { times?: number } = {}): void {
    this.#failures.set(method, { message, times: opts.times ?? Infinity });
  }

  clearFailures(): void {
    this.#failures.clear();
  }

  /** How many calls of `method` are waiting at its gate right now. */
  waiting(method: Method): number {
    return this.#waiting.get(method) ?? 0;
  }

  count(method: Method): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  async #enter(method: Method, ctx: DriverContext, release: string): Promise<void> {
    this.calls.push({ method, env: ctx.environment.name, release });
    ctx.log.info(`test driver: ${method} ${release}`);
    const gate = this.#gates.get(method);
    if (gate) {
      gate.reached();
      this.#waiting.set(method, this.waiting(method) + 1);
      try {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(new Error(`${method} aborted`));
          if (ctx.signal.aborted) return onAbort();
          ctx.signal.addEventListener('abort', onAbort, { once: true });
          void gate.promise.then(() => {
            ctx.signal.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      } finally {
        this.#waiting.set(method, this.waiting(method) - 1);
      }
    }
    const failure = this.#failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      throw new Error(failure.message);
    }
  }

  async build(ctx: DriverContext, req: { releaseId: string }): Promise<BuildResult> {
    await this.#enter('build', ctx, req.releaseId);
    return { artifact: `sha256:${req.releaseId}` };
  }
  async test(ctx: DriverContext, req: { releaseId: string }): Promise<void> {
    await this.#enter('test', ctx, req.releaseId);
  }
  async stage(ctx: DriverContext, r: ReleaseRef): Promise<void> {
    await this.#enter('stage', ctx, r.releaseId);
  }
  async runRelease(ctx: DriverContext, r: ReleaseRef): Promise<void> {
    await this.#enter('runRelease', ctx, r.releaseId);
  }
  async runAfterDeploy(ctx: DriverContext, r: ReleaseRef): Promise<void> {
    await this.#enter('runAfterDeploy', ctx, r.releaseId);
  }
  async start(ctx: DriverContext, r: ReleaseRef): Promise<Record<string, unknown>> {
    await this.#enter('start', ctx, r.releaseId);
    return { started: true };
  }
  async abandon(ctx: DriverContext, r: ReleaseRef): Promise<void> {
    await this.#enter('abandon', ctx, r.releaseId);
  }
  async activate(ctx: DriverContext, r: ReleaseRef): Promise<void> {
    await this.#enter('activate', ctx, r.releaseId);
    this.active.set(ctx.environment.name, r.releaseId);
  }
  async retire(ctx: DriverContext, r: ReleaseRef): Promise<void> {
    await this.#enter('retire', ctx, r.releaseId);
  }
  async prune(ctx: DriverContext): Promise<string[]> {
    await this.#enter('prune', ctx, '-');
    return [];
  }
  async status(_app: App, env: Environment, live: Release | null): Promise<RuntimeStatus> {
    return { releaseId: live?.id ?? this.active.get(env.name) ?? null, healthy: true, instances: [] };
  }
}
