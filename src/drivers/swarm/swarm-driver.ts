// The Docker Swarm runtime driver: build once (image by digest), content-addressed secrets
// and configs, tests (in the built image) and migrations as replicated-job services,
// version-checked service updates that must converge (or fail with the tasks' errors),
// rollback to recorded specs.
import { argvValues, expandCommand } from '../../core/command-argv.js';
import { ConfigError, NotFoundError } from '../../core/errors.js';
import type { App, Environment, Release } from '../../core/model.js';
import type { BuildResult, DriverContext, ReleaseRef, RuntimeDriver, RuntimeLogLine, RuntimeLogQuery, RuntimeStatus, SourceTree } from '../../core/ports/runtime-driver.js';
import { buildRelease, registryAuth, stackName } from './build-release.js';
import type { ServiceSpec } from './compose/swarm-types.js';
import type { EngineClient, EngineRequest } from './engine/engine-client.js';
import { SwarmApi } from './engine/swarm-api.js';
import { isJob, releasePlan } from './release-plan.js';
import { readReleaseState, type SwarmReleaseState } from './release-state.js';
import { applyServices, ensureStackObjects, finalSpec } from './stack/apply-stack.js';
import { ConvergenceError, waitForConvergence } from './stack/convergence.js';
import { removeUnreferencedObjects } from './stack/object-gc.js';
import { pruneImagesOnEveryNode } from './node-jobs/prune-everywhere.js';
import { pruneImages } from './stack/prune-images.js';
import { asJob, runJob } from './stack/run-job.js';
import { mergeLogs, serviceLogs, type LogOptions, type ServiceLogLine } from './stack/service-logs.js';
import { stackStatus, toInstances, type ServiceStatus } from './stack/stack-status.js';
import { runTestJobs } from './test-jobs.js';
import { LABEL_NAMESPACE } from './compose/namespace.js';
import type { AppSpec } from '../../core/app-spec.js';
import { parseAppSpec } from '../../core/config-file.js';
import type { EdgeControl, EdgeRoute, EdgeRouteState } from '../../core/ports/edge-control.js';
import { attachToEdge, routedService, swarmEdgeRoute, type SwarmRoute } from './edge/app-route.js';
import { ensureEdgeNetwork, EDGE_NETWORK } from './edge/edge-network.js';

export interface SwarmDriverOptions {
  /** A connected client, or how to connect on first use. */
  engine: EngineClient | (() => Promise<EngineClient>);
  /** Registry used when slipway.yml has no swarm.registry. */
  registry?: string;
  convergenceTimeoutMs?: number;
  /** How long a release or test job may run (default 10 minutes). */
  jobTimeoutMs?: number;
  pollMs?: number;
  /**
   * Traffic through the Slipway edge running as the Swarm service `slipway-edge` (see
   * edge/edge-service.ts, ensured separately). With it, the routed service of each stack joins
   * the edge network and `activate` puts the environment's route, its target discovered by DNS.
   */
  edge?: SwarmEdgeOptions;
  /**
   * Work on every node's own Engine (image pruning) as global jobs from `image` (an image with
   * node, the edge's), the Engine socket bind-mounted from `dockerSocket`. Without it, images are
   * pruned on the manager only.
   */
  nodeJobs?: { image: string; dockerSocket: string };
}

export interface SwarmEdgeOptions {
  /** The edge's admin API (the control plane's EdgeClient on <edge data dir>/edge/admin.sock). */
  control: EdgeControl;
  /** The routed service when no compose service carries the label slipway.route.port. */
  route?: SwarmRoute;
  /** Overlay network shared with the edge (default "slipway-edge"). */
  network?: string;
}

export class SwarmDriver implements RuntimeDriver {
  readonly kind = 'swarm' as const;
  #engine: EngineClient | null;
  #connect: (() => Promise<EngineClient>) | null;
  readonly #opts: SwarmDriverOptions;

  constructor(opts: SwarmDriverOptions) {
    this.#opts = opts;
    this.#engine = typeof opts.engine === 'function' ? null : opts.engine;
    this.#connect = typeof opts.engine === 'function' ? opts.engine : null;
  }

  async #client(): Promise<{ engine: EngineClient; api: SwarmApi }> {
    if (!this.#engine && this.#connect) this.#engine = await this.#connect();
    const engine = this.#engine as EngineClient;
    return { engine, api: new SwarmApi(engine) };
  }

  #state(ctx: DriverContext, release: ReleaseRef): SwarmReleaseState {
    // The stack belongs to the environment (a promoted release lands in the target's stack).
    return { ...readReleaseState(release.driverState, release.releaseId), stack: stackName(ctx) };
  }

  #auth(ctx: DriverContext, state: SwarmReleaseState): EngineRequest['registryAuth'] {
    const registry = state.image.split('/')[0] ?? '';
    const auth = registryAuth(ctx, registry);
    return auth ? { username: auth.username, password: auth.password.reveal(), serveraddress: auth.serveraddress } : undefined;
  }

  async build(ctx: DriverContext, req: { releaseId: string; source: SourceTree }): Promise<BuildResult> {
    const { engine } = await this.#client();
    return buildRelease(engine, ctx, req, this.#opts.registry);
  }

  /** Each test command inside the built image, as a one-off job service (see test-jobs.ts). */
  async test(ctx: DriverContext, req: { releaseId: string; source: SourceTree; build: BuildResult }): Promise<void> {
    const { engine, api } = await this.#client();
    const state = this.#state(ctx, { releaseId: req.releaseId, artifact: req.build.artifact, driverState: req.build.driverState ?? {} });
    await runTestJobs(engine, api, ctx, state, req.releaseId, {
      timeoutMs: this.#opts.jobTimeoutMs ?? 10 * 60_000,
      registryAuth: this.#auth(ctx, state),
      ...(this.#opts.pollMs !== undefined ? { pollMs: this.#opts.pollMs } : {}),
    });
  }

  async stage(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    const { api } = await this.#client();
    const plan = releasePlan(ctx, this.#state(ctx, release));
    for (const w of plan.warnings) ctx.log.info(w);
    await ensureStackObjects(api, plan, (l) => ctx.log.info(l));
  }

  async runRelease(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    const { engine, api } = await this.#client();
    const state = this.#state(ctx, release);
    const plan = releasePlan(ctx, state);
    const ids = await ensureStackObjects(api, plan);
    const suffix = release.releaseId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 12);
    const jobs: ServiceSpec[] = plan.services.filter(isJob).map((s) => asJob(finalSpec(s, ids.secretIds, ids.configIds), `${s.Name}-${suffix}`));
    const template = plan.services.find((s) => !isJob(s) && state.imageServices.some((n) => s.Name === `${state.stack}_${n}`));
    if (ctx.spec.release.length > 0 && !template) {
      throw new ConfigError(`slipway.yml: release: commands run in the app's image, but no long-running service in ${state.composeFile} runs it (services with build: or swarm.image_service)`);
    }
    const values = argvValues(ctx, release.releaseId);
    ctx.spec.release.forEach((argv, i) => {
      if (!template) return;
      const command = expandCommand(ctx, `release command ${i + 1}`, argv, values);
      jobs.push(asJob(finalSpec(template, ids.secretIds, ids.configIds), `${state.stack}_release-${i + 1}-${suffix}`, command));
    });
    for (const job of jobs) {
      await runJob(engine, api, job, { timeoutMs: this.#opts.jobTimeoutMs ?? 10 * 60_000, log: ctx.log, registryAuth: this.#auth(ctx, state), signal: ctx.signal, pollMs: this.#opts.pollMs });
    }
  }

  async start(ctx: DriverContext, release: ReleaseRef, _previous: ReleaseRef | null): Promise<Record<string, unknown>> {
    const { api } = await this.#client();
    const state = this.#state(ctx, release);
    const specs = await this.#withEdge(ctx, api, state.stack, await this.#specsFor(ctx, api, release, state));
    await this.#rollout(ctx, api, state.stack, specs, this.#auth(ctx, state));
    return { ...state, services: specs };
  }

  /** A release that ran before is brought back with its recorded specs when their objects still exist. */
  async #specsFor(ctx: DriverContext, api: SwarmApi, release: ReleaseRef, state: SwarmReleaseState): Promise<ServiceSpec[]> {
    if (state.services && (await this.#objectsExist(api, state.services)) && state.services.every((s) => s.Name.startsWith(`${state.stack}_`))) {
      ctx.log.info(`redeploying the recorded specs of release ${release.releaseId}`);
      return state.services;
    }
    const plan = releasePlan(ctx, state);
    const ids = await ensureStackObjects(api, plan, (l) => ctx.log.info(l));
    return plan.services.filter((s) => !isJob(s)).map((s) => finalSpec(s, ids.secretIds, ids.configIds));
  }

  async #objectsExist(api: SwarmApi, specs: ServiceSpec[]): Promise<boolean> {
    const secrets = new Set((await api.listSecrets()).map((s) => s.ID));
    const configs = new Set((await api.listConfigs()).map((c) => c.ID));
    return specs.every(
      (s) =>
        (s.TaskTemplate.ContainerSpec.Secrets ?? []).every((r) => r.SecretID && secrets.has(r.SecretID)) &&
        (s.TaskTemplate.ContainerSpec.Configs ?? []).every((r) => r.ConfigID && configs.has(r.ConfigID)),
    );
  }

  async #rollout(ctx: DriverContext, api: SwarmApi, stack: string, specs: ServiceSpec[], auth: EngineRequest['registryAuth']): Promise<void> {
    const changes = await applyServices(api, stack, specs, { registryAuth: auth, log: (l) => ctx.log.info(l) });
    const failures: ConvergenceError[] = [];
    // Services roll out in parallel; each must converge.
    await Promise.all(
      changes.map(async (c) => {
        try {
          await waitForConvergence(api, c.id, { timeoutMs: this.#opts.convergenceTimeoutMs ?? 5 * 60_000, pollMs: this.#opts.pollMs, signal: ctx.signal, log: (l) => ctx.log.info(l), specUnchanged: c.action === 'unchanged' });
          if (c.action !== 'unchanged') ctx.log.info(`${c.name}: converged`);
        } catch (err) {
          if (!(err instanceof ConvergenceError)) throw err;
          for (const e of err.errors) ctx.log.error(`${c.name}: ${e}`);
          failures.push(err);
        }
      }),
    );
    if (failures.length > 0) {
      const first = failures[0] as ConvergenceError;
      throw failures.length === 1 ? first : new ConvergenceError(first.service, first.reason, failures.flatMap((f) => f.errors), failures.map((f) => f.message).join('\n'));
    }
  }

  async abandon(ctx: DriverContext, release: ReleaseRef, previous: ReleaseRef | null): Promise<void> {
    const { api } = await this.#client();
    const stack = stackName(ctx);
    const prev = previous ? this.#state(ctx, previous) : null;
    const keep = new Set((prev?.services ?? []).map((s) => s.Name));
    // Services this release added are removed; the others go back to the previous release's specs.
    for (const svc of await api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] })) {
      if (!keep.has(svc.Spec.Name) && !isJob(svc.Spec)) {
        ctx.log.info(`removing ${svc.Spec.Name} (not part of the previous release)`);
        await api.removeService(svc.ID);
      }
    }
    if (prev?.services) await this.#rollout(ctx, api, stack, await this.#withEdge(ctx, api, stack, prev.services), this.#auth(ctx, prev));
  }

  /** The routed service named in slipway.yml (swarm.route), else the driver's option. */
  #routeOf(ctx: { spec: AppSpec }): SwarmRoute | undefined {
    const r = ctx.spec.swarm?.route;
    if (r) return { service: r.service, port: r.port, ...(r.health_path ? { healthPath: r.health_path } : {}) };
    return this.#opts.edge?.route;
  }

  /** With an edge: the routed service attached to the edge network (created when missing). */
  async #withEdge(ctx: DriverContext, api: SwarmApi, stack: string, specs: ServiceSpec[]): Promise<ServiceSpec[]> {
    const edge = this.#opts.edge;
    if (!edge) return specs;
    const routed = routedService(stack, specs, this.#routeOf(ctx));
    if (!routed) {
      ctx.log.info(`no service of stack ${stack} is routed through the edge (label slipway.route.port on the web service names its port)`);
      return specs;
    }
    const network = edge.network ?? EDGE_NETWORK;
    await ensureEdgeNetwork(api, (l) => ctx.log.info(l), network);
    return attachToEdge(stack, specs, routed, network);
  }

  async activate(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    // The rollout already moved every replica to the release (new tasks joined the edge's pool
    // once healthy, old ones drained); the route names the service, its tasks found by DNS.
    const stack = stackName(ctx);
    const edge = this.#opts.edge;
    if (!edge) {
      ctx.log.info(`release ${release.releaseId} is serving in stack ${stack}`);
      return;
    }
    const state = this.#state(ctx, release);
    const specs = state.services ?? (await (await this.#client()).api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] })).map((s) => s.Spec);
    const routed = routedService(stack, specs.filter((s) => !isJob(s)), this.#routeOf(ctx));
    if (!routed) {
      ctx.log.info(`release ${release.releaseId} is serving in stack ${stack} (no routed service: the edge has no route for it)`);
      return;
    }
    const id = `${ctx.app.name}/${ctx.environment.name}`;
    const route = swarmEdgeRoute(ctx, stack, routed, release.releaseId, await edge.control.getRoute(id));
    await edge.control.putRoute(route);
    ctx.log.info(`edge route ${id} (${route.hosts.join(', ') || 'any host'}${route.pathPrefix}) -> tasks of ${stack}_${routed.service}:${routed.port}, release ${release.releaseId}`);
  }

  /** The route `activate` put for the live release, built again from its recorded spec and service specs. */
  async liveRoute(app: App, environment: Environment, live: Release, existing: EdgeRouteState | null): Promise<EdgeRoute | null> {
    const text = live.spec['text'];
    if (!this.#opts.edge || typeof text !== 'string') return null;
    const file = typeof live.spec['file'] === 'string' ? live.spec['file'] : 'slipway.yml';
    const spec = parseAppSpec(text, `${file} of release ${live.id}`);
    const envSpec = spec.environments[environment.name];
    if (!envSpec) return null;
    const view = { app, environment, spec, envSpec };
    const stack = stackName(view);
    const state = readReleaseState(live.driverState, live.id);
    const specs = state.services ?? (await (await this.#client()).api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] })).map((s) => s.Spec);
    const routed = routedService(stack, specs.filter((s) => !isJob(s)), this.#routeOf(view));
    return routed ? swarmEdgeRoute(view, stack, routed, live.id, existing) : null;
  }

  async retire(ctx: DriverContext, _release: ReleaseRef): Promise<void> {
    const { api } = await this.#client();
    // After a converged rollout only the current specs matter: rollback uses recorded specs.
    const removed = await removeUnreferencedObjects(api, stackName(ctx), [], { includePrevious: false });
    for (const r of removed) ctx.log.info(`removed unreferenced ${r}`);
  }

  async prune(ctx: DriverContext, keep: ReleaseRef[]): Promise<string[]> {
    const { engine, api } = await this.#client();
    const kept = keep.map((r) => readReleaseState(r.driverState, r.releaseId));
    const keepNames = kept.flatMap((s) => (s.services ?? []).flatMap((spec) => [...(spec.TaskTemplate.ContainerSpec.Secrets ?? []).map((x) => x.SecretName), ...(spec.TaskTemplate.ContainerSpec.Configs ?? []).map((x) => x.ConfigName)]));
    const removed = await removeUnreferencedObjects(api, stackName(ctx), keepNames);
    const repo = kept[0]?.tag?.split(':').slice(0, -1).join(':');
    if (!repo) return removed;
    const keepRefs = kept.flatMap((s) => [s.image, ...(s.tag ? [s.tag] : [])]);
    const nodeJobs = this.#opts.nodeJobs;
    if (nodeJobs) {
      removed.push(
        ...(await pruneImagesOnEveryNode(engine, api, {
          toolImage: nodeJobs.image,
          nodeSocket: nodeJobs.dockerSocket,
          repository: repo,
          keepRefs,
          warn: (line) => ctx.log.error(line),
          // The edge image comes from the control plane's registry, pulled like the edge service:
          // the app's registry credentials are not sent there.
          ...(this.#opts.pollMs ? { pollMs: this.#opts.pollMs } : {}),
        })),
      );
    } else {
      removed.push(...(await pruneImages(engine, repo, keepRefs)));
    }
    return removed;
  }

  async status(app: App, environment: Environment, live: Release | null): Promise<RuntimeStatus> {
    const services = await this.serviceStatus(app, environment, live);
    const healthy = services.length > 0 && services.every((s) => s.running >= s.desired && !['paused', 'rollback_started', 'rollback_paused', 'updating'].includes(s.updateState ?? ''));
    return {
      releaseId: live?.id ?? null,
      healthy,
      instances: toInstances(services),
      services: services.map((s) => ({ name: s.service, running: s.running, desired: s.desired, ...(s.updateState ? { updateState: s.updateState } : {}) })),
    };
  }

  /** For `slipway status`: each service's running/desired replicas and its tasks with node, state and error. */
  async serviceStatus(app: App, environment: Environment, live: Release | null): Promise<ServiceStatus[]> {
    const { api } = await this.#client();
    return stackStatus(api, this.#stackOf(app, environment, live));
  }

  /** For `slipway logs APP ENV [SERVICE] [--follow] [--since] [--tail]`: demultiplexed lines. */
  async *logs(app: App, environment: Environment, service: string | null, opts: LogOptions & { live?: Release | null } = {}): AsyncGenerator<ServiceLogLine> {
    const { engine, api } = await this.#client();
    const stack = this.#stackOf(app, environment, opts.live ?? null);
    const services = (await api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] })).filter((s) => !service || s.Spec.Name === `${stack}_${service}`);
    if (service && services.length === 0) throw new NotFoundError('service', `${stack}_${service}`);
    yield* mergeLogs(services.map((s) => serviceLogs(engine, { id: s.ID, name: s.Spec.Name.slice(stack.length + 1) }, opts)));
  }

  /** The runtime port's view of `logs`: one line type for every driver. */
  async *streamLogs(app: App, environment: Environment, live: Release | null, query: RuntimeLogQuery): AsyncGenerator<RuntimeLogLine> {
    const lines = this.logs(app, environment, query.service ?? null, {
      follow: query.follow,
      signal: query.signal,
      timestamps: true,
      live,
      ...(query.since !== undefined ? { since: query.since } : {}),
      ...(query.tail !== undefined ? { tail: query.tail } : {}),
    });
    for await (const l of lines) {
      yield { service: l.service, instance: l.taskId, stream: l.stream === 'stdout' || l.stream === 'stderr' ? l.stream : 'output', time: l.time, text: l.text };
    }
  }

  #stackOf(app: App, environment: Environment, live: Release | null): string {
    const spec = live?.spec as { swarm?: { stack?: string } } | undefined;
    return spec?.swarm?.stack ?? `${app.name}-${environment.name}`;
  }

  async close(): Promise<void> {
    this.#engine?.close();
  }
}
