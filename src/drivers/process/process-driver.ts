// RuntimeDriver for releases as local processes: Capistrano-style release dirs and `current`
// symlink, content-addressed tarball artifacts, one detached supervisor per running release.
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, PreconditionError } from '../../core/errors.js';
import { parseAppSpec } from '../../core/config-file.js';
import { keepWarmOf } from '../../core/app-spec.js';
import type { EdgeControl, EdgeRoute, EdgeRouteState } from '../../core/ports/edge-control.js';
import type { App, Environment, Release } from '../../core/model.js';
import type {
  BuildResult,
  DriverContext,
  ReleaseRef,
  RuntimeDriver,
  RuntimeLogLine,
  RuntimeLogQuery,
  RuntimeStatus,
  SourceTree,
} from '../../core/ports/runtime-driver.js';
import type { Logger } from '../../platform/logger.js';
import { AppUsers } from './app-users.js';
import { subdirs } from './artifact-index.js';
import { buildRelease } from './build-release.js';
import { commandEnv, secretRedactor } from './child-env.js';
import { argvValues, checkProcessArgv, expandCommand } from '../../core/command-argv.js';
import { readCurrent, switchCurrent } from './current-link.js';
import { buildEdgeRoute, routeId, webProcess } from './edge-route.js';
import { allocatePorts, type PortRange } from './free-ports.js';
import { countHttpInstances, planInstances } from './instance-plan.js';
import { CommandGroups } from './command-groups.js';
import { ProcessLayout } from './layout.js';
import { DEFAULT_LOG_MAX_BYTES } from './log-rotation.js';
import { pruneEnvironment } from './prune-releases.js';
import { releaseLogs } from './release-logs.js';
import { releaseStatus } from './release-status.js';
import { runCommand } from './run-command.js';
import { stageRelease } from './stage-release.js';
import { liveSupervisor, readState, stopRelease } from './supervisor-control.js';
import { launchSupervisor } from './supervisor-launch.js';
import { DEFAULT_BACKOFF, PID_FILE, STATE_FILE, type BackoffSpec, type SupervisorState } from './supervisor-protocol.js';
import { WarmKeeper, WARM_SWEEP_INTERVAL_MS } from './warm-keeper.js';
import { clockTime, readWarm } from './warm-release.js';
import { waitForStart } from './start-gate.js';

export interface ProcessDriverOptions {
  dataDir: string;
  edge: EdgeControl;
  logger?: Logger;
  /** Loopback ports for http instances; any free port when absent. */
  portRange?: PortRange;
  /** Restart backoff of crashed processes (default 500ms doubling to 30s, reset after 60s up). */
  backoff?: Partial<BackoffSpec>;
  /** Instance logs (`run/<id>/logs/<process>.<n>.log`) are rotated past this size (default 10 MiB). */
  logMaxBytes?: number;
  /** How often the supervisor checks log sizes (default 30s). */
  logCheckIntervalMs?: number;
  /**
   * Run build, test and release commands and the app's processes as a system user per app,
   * created on first use (needs root; `server.ts` turns it on when it runs as root).
   */
  appUsers?: boolean;
}

export interface RecoverSummary {
  /** "<app>/<env>/<releaseId>" of supervisors still running and re-adopted. */
  adopted: string[];
  /** Same, for pid files whose supervisor is gone (cleaned). */
  stale: string[];
}

/** What `start` returns for the pipeline to record in the release's driver state. */
export interface ProcessStartState extends Record<string, unknown> {
  processes: Record<string, Array<{ port?: number; pid: number | null }>>;
}

export class ProcessDriver implements RuntimeDriver {
  readonly kind = 'process' as const;
  readonly layout: ProcessLayout;
  readonly #edge: EdgeControl;
  readonly #logger: Logger | undefined;
  readonly #portRange: PortRange | undefined;
  readonly #backoff: BackoffSpec;
  readonly #logMaxBytes: number;
  readonly #logCheckIntervalMs: number;
  readonly #groups: CommandGroups;
  readonly #appUsers: AppUsers | null;
  readonly #warm: WarmKeeper;

  constructor(opts: ProcessDriverOptions) {
    this.layout = new ProcessLayout(opts.dataDir);
    this.#edge = opts.edge;
    this.#logger = opts.logger;
    this.#portRange = opts.portRange;
    this.#backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.#logMaxBytes = opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES;
    this.#logCheckIntervalMs = opts.logCheckIntervalMs ?? 30_000;
    this.#groups = new CommandGroups(this.layout.commandsDir);
    this.#appUsers = opts.appUsers ? new AppUsers(this.layout) : null;
    this.#warm = new WarmKeeper(this.layout, opts.logger);
  }

  /** Periodic work while the server runs: stopping warm releases whose keep_warm window ended. */
  startBackground(sweepIntervalMs = WARM_SWEEP_INTERVAL_MS): void {
    this.#warm.startSweeps(sweepIntervalMs);
  }

  async close(): Promise<void> {
    this.#warm.close();
  }

  /** Stops the warm releases whose window has passed (run at start and by `startBackground`). */
  sweepWarm(now?: number): Promise<string[]> {
    return this.#warm.sweep(now);
  }

  build(ctx: DriverContext, req: { releaseId: string; source: SourceTree }): Promise<BuildResult> {
    return buildRelease(this.layout, ctx, req, this.#groups, this.#appUsers);
  }

  /**
   * Each test command in the checked-out tree (build copied it elsewhere, so it is intact), with
   * CI=true; with app users, in a copy of it given to the app's user (the checkout stays ours).
   */
  async test(ctx: DriverContext, req: { releaseId: string; source: SourceTree; build: BuildResult }): Promise<void> {
    if (ctx.spec.test.length === 0) {
      ctx.log.info(`${ctx.environment.name} has require_tests: true but slipway.yml lists no test commands; nothing to run`);
      return;
    }
    const copy = this.#appUsers ? path.join(this.layout.buildsDir, `test-${req.releaseId}-${randomBytes(4).toString('hex')}`) : null;
    try {
      const runAs = copy ? await this.#appUsers?.giveCopy(ctx.app.name, req.source.dir, copy) : undefined;
      const env = commandEnv(ctx, { CI: 'true', ...runAs?.env });
      const redactor = secretRedactor(ctx);
      const values = argvValues(ctx, req.releaseId);
      for (const [i, argv] of ctx.spec.test.entries()) {
        const cwd = copy ?? req.source.dir;
        const label = `test command ${i + 1}`;
        await runCommand({ label, argv: expandCommand(ctx, label, argv, values), cwd, env, log: ctx.log, signal: ctx.signal, redactor, groups: this.#groups, ...(runAs ? { user: runAs.user } : {}) });
      }
    } finally {
      if (copy) await rm(copy, { recursive: true, force: true });
    }
    ctx.log.info('tests passed');
  }

  async stage(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    const target = { app: ctx.app.name, env: ctx.environment.name, spec: ctx.spec };
    const unpacked = await stageRelease(this.layout, target, release);
    const shared = [...ctx.spec.shared.dirs, ...ctx.spec.shared.files];
    await this.#appUsers?.prepareRelease(ctx.app.name, ctx.environment.name, release.releaseId, shared);
    ctx.log.info(`${unpacked ? 'staged' : 'already staged'} release ${release.releaseId} from ${release.artifact}`);
  }

  async runRelease(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    if (ctx.spec.release.length === 0) ctx.log.info('no release commands');
    await this.#runInRelease(ctx, release, ctx.spec.release, 'release command');
  }

  async runAfterDeploy(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    await this.#runInRelease(ctx, release, ctx.spec.after_deploy, 'after_deploy command');
  }

  /** Commands of the spec run one after the other in the staged release, as the app's user. */
  async #runInRelease(ctx: DriverContext, release: ReleaseRef, commands: readonly string[][], what: string): Promise<void> {
    const dir = await this.#stagedDir(ctx, release);
    const runAs = await this.#appUsers?.forApp(ctx.app.name);
    const env = commandEnv(ctx, { SLIPWAY_RELEASE: release.releaseId, ...runAs?.env });
    const redactor = secretRedactor(ctx);
    const values = argvValues(ctx, release.releaseId);
    for (const [i, argv] of commands.entries()) {
      const user = runAs ? { user: runAs.user } : {};
      const label = `${what} ${i + 1}`;
      await runCommand({ label, argv: expandCommand(ctx, label, argv, values), cwd: dir, env, log: ctx.log, signal: ctx.signal, redactor, groups: this.#groups, ...user });
    }
  }

  async start(ctx: DriverContext, release: ReleaseRef, _previous: ReleaseRef | null): Promise<ProcessStartState> {
    const releaseDir = await this.#stagedDir(ctx, release);
    const runDir = this.#runDir(ctx, release.releaseId);
    // A warm release is claimed (no sweep stops it from here on) and reused as it runs; one that
    // does not pass the gate at once (an instance restarting, a hung process) is started afresh.
    const { warm, live } = await this.#warm.adopt(runDir);
    if (warm && live !== null) {
      ctx.log.info(`release ${release.releaseId} was warm: no restart (supervisor ${live}); checking its health`);
      try {
        return await this.#gate(ctx, release, runDir, live, true);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        ctx.log.error(`warm release ${release.releaseId} failed its check (${errorMessage(err)}); starting it again`);
        await stopRelease(runDir);
      }
    } else if (live !== null) {
      ctx.log.info(`supervisor ${live} of release ${release.releaseId} is already running; waiting for it to be healthy`);
      return this.#gate(ctx, release, runDir, live, true);
    }
    await rm(path.join(runDir, STATE_FILE), { force: true });
    await rm(path.join(runDir, PID_FILE), { force: true });
    const ports = await allocatePorts(countHttpInstances(ctx.spec), this.#portRange);
    const instances = planInstances(ctx.spec, ports);
    if (instances.length === 0) {
      ctx.log.info('the spec has no process with instances > 0; nothing to start');
      return { processes: {} };
    }
    const values = argvValues(ctx, release.releaseId);
    checkProcessArgv(ctx, instances, values);
    const runAs = await this.#appUsers?.forApp(ctx.app.name);
    const pid = await launchSupervisor(runDir, {
      app: ctx.app.name,
      env: ctx.environment.name,
      releaseId: release.releaseId,
      releaseDir,
      ...(runAs ? { user: { uid: runAs.user.uid, gid: runAs.user.gid } } : {}),
      environment: commandEnv(ctx, { ...runAs?.env }),
      argvValues: values,
      instances,
      backoff: this.#backoff,
      logMaxBytes: this.#logMaxBytes,
      logCheckIntervalMs: this.#logCheckIntervalMs,
    });
    ctx.log.info(`supervisor ${pid} started ${instances.length} instance(s) of release ${release.releaseId}`);
    return this.#gate(ctx, release, runDir, pid, false);
  }

  /** The start gate; a release that does not pass it is stopped. */
  async #gate(ctx: DriverContext, release: ReleaseRef, runDir: string, supervisorPid: number, adopted: boolean): Promise<ProcessStartState> {
    try {
      const state = await waitForStart({
        runDir,
        supervisorPid,
        spec: ctx.spec,
        signal: ctx.signal,
        redactor: secretRedactor(ctx),
        adopted,
        onHealthy: (instance, detail) => ctx.log.info(`${instance} is healthy (${detail})`),
      });
      ctx.log.info(`release ${release.releaseId}: all ${state.instances.length} instance(s) started`);
      return startState(state);
    } catch (err) {
      ctx.log.error(`release ${release.releaseId} did not start; stopping its instances`);
      await stopRelease(runDir);
      throw err;
    }
  }

  async abandon(ctx: DriverContext, release: ReleaseRef, _previous: ReleaseRef | null): Promise<void> {
    const runDir = this.#runDir(ctx, release.releaseId);
    const result = await this.#warm.stopNow(runDir);
    ctx.log.info(result.supervisor ? `stopped release ${release.releaseId}` : `release ${release.releaseId} was not running`);
  }

  async activate(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    await this.#stagedDir(ctx, release);
    const app = ctx.app.name;
    const env = ctx.environment.name;
    const link = this.layout.currentLink(app, env);
    const before = await readCurrent(link);
    await switchCurrent(link, release.releaseId);
    ctx.log.info(`current -> releases/${release.releaseId}`);
    const web = webProcess(ctx.spec);
    if (!web) return;
    try {
      const ports = await this.#webPorts(this.#runDir(ctx, release.releaseId), web);
      if (ports.length === 0) {
        throw new PreconditionError(`release ${release.releaseId} has no running ${web} instances; start it before activating it`);
      }
      const existing = await this.#edge.getRoute(routeId(app, env));
      const route = buildEdgeRoute({ app, env, spec: ctx.spec, envSpec: ctx.envSpec, releaseId: release.releaseId, releaseDir: this.layout.releaseDir(app, env, release.releaseId), ports, existing });
      await this.#edge.putRoute(route);
      ctx.log.info(`edge route ${route.id} (${route.hosts.join(', ') || 'any host'}${route.pathPrefix}) -> ${ports.length} target(s)`);
    } catch (err) {
      if (before && before !== release.releaseId) await switchCurrent(link, before);
      throw err;
    }
  }

  async liveRoute(app: App, environment: Environment, live: Release, existing: EdgeRouteState | null): Promise<EdgeRoute | null> {
    const text = live.spec['text'];
    if (typeof text !== 'string') return null;
    const file = typeof live.spec['file'] === 'string' ? live.spec['file'] : 'slipway.yml';
    const spec = parseAppSpec(text, `${file} of release ${live.id}`);
    const envSpec = spec.environments[environment.name];
    const web = webProcess(spec);
    if (!envSpec || !web) return null;
    const ports = await this.#webPorts(this.layout.runDir(app.name, environment.name, live.id), web);
    if (ports.length === 0) return null;
    return buildEdgeRoute({ app: app.name, env: environment.name, spec, envSpec, releaseId: live.id, releaseDir: this.layout.releaseDir(app.name, environment.name, live.id), ports, existing });
  }

  /** Stops the replaced release, or keeps it warm for a fast rollback (see WarmKeeper.retire). */
  async retire(ctx: DriverContext, release: ReleaseRef): Promise<void> {
    const where = { app: ctx.app.name, env: ctx.environment.name, releaseId: release.releaseId, runDir: this.#runDir(ctx, release.releaseId) };
    await this.#warm.retire(where, keepWarmOf(ctx.spec, ctx.environment.name), (line) => ctx.log.info(line));
  }

  async prune(ctx: DriverContext, keep: ReleaseRef[]): Promise<string[]> {
    const outcome = await pruneEnvironment(this.layout, ctx.app.name, ctx.environment.name, keep);
    for (const id of outcome.skippedRunning) {
      const warm = await readWarm(this.#runDir(ctx, id));
      ctx.log.info(warm ? `kept release ${id}: it is kept warm until ${clockTime(warm.warmUntil)}` : `kept release ${id}: it is still running (retire it first)`);
    }
    for (const what of outcome.removed) ctx.log.info(`pruned ${what}`);
    return outcome.removed;
  }

  async status(app: App, environment: Environment, live: Release | null): Promise<RuntimeStatus> {
    if (!live) return { releaseId: null, healthy: false, instances: [] };
    return releaseStatus(this.layout.runDir(app.name, environment.name, live.id), live.id);
  }

  streamLogs(app: App, environment: Environment, live: Release | null, query: RuntimeLogQuery): AsyncIterable<RuntimeLogLine> {
    if (!live) throw new PreconditionError(`${app.name}/${environment.name} has no live release, so there are no logs to show`);
    return releaseLogs(this.layout.runDir(app.name, environment.name, live.id), query);
  }

  /**
   * Re-adopts running supervisors, cleans stale pid files and leftovers of interrupted builds: the
   * build, test and release commands an earlier control plane left running are killed first.
   */
  async recover(): Promise<void> {
    await this.recoverRuns();
  }

  /** `recover`, telling what it found. */
  async recoverRuns(): Promise<RecoverSummary> {
    const killed = await this.#groups.killOrphans();
    if (killed.length > 0) this.#logger?.warn({ killed }, 'killed commands an earlier control plane left running');
    const summary: RecoverSummary = { adopted: [], stale: [] };
    for (const app of await subdirs(this.layout.appsDir)) {
      for (const env of await subdirs(path.join(this.layout.appsDir, app))) {
        for (const id of await subdirs(this.layout.runRoot(app, env))) {
          const runDir = this.layout.runDir(app, env, id);
          const pidFile = path.join(runDir, PID_FILE);
          if (!(await stat(pidFile).catch(() => null))) continue;
          const name = `${app}/${env}/${id}`;
          if ((await liveSupervisor(runDir)) !== null) {
            summary.adopted.push(name);
          } else {
            await rm(pidFile, { force: true });
            summary.stale.push(name);
          }
        }
      }
    }
    await rm(this.layout.buildsDir, { recursive: true, force: true });
    await this.#warm.sweep();
    this.#logger?.info(summary, 'process driver recovered');
    return summary;
  }

  /**
   * The live release ran here (its run dir has a state) and its supervisor is gone: start it
   * again on fresh ports, then route the edge to it.
   */
  async revive(ctx: DriverContext, release: ReleaseRef): Promise<boolean> {
    const runDir = this.#runDir(ctx, release.releaseId);
    if ((await liveSupervisor(runDir)) !== null || (await readState(runDir)) === null) return false;
    await this.start(ctx, release, null);
    await this.activate(ctx, release);
    return true;
  }

  /** Loopback ports of the release's running instances of `web`; none when its supervisor stopped. */
  async #webPorts(runDir: string, web: string): Promise<number[]> {
    const state = await readState(runDir);
    if (!state || state.stopped) return [];
    return state.instances.filter((i) => i.process === web && i.port !== null).map((i) => i.port as number);
  }

  #runDir(ctx: DriverContext, releaseId: string): string {
    return this.layout.runDir(ctx.app.name, ctx.environment.name, releaseId);
  }

  async #stagedDir(ctx: DriverContext, release: ReleaseRef): Promise<string> {
    const dir = this.layout.releaseDir(ctx.app.name, ctx.environment.name, release.releaseId);
    if (!(await stat(dir).catch(() => null))) {
      throw new PreconditionError(`release ${release.releaseId} is not staged in ${ctx.app.name}/${ctx.environment.name}; run stage first`);
    }
    return dir;
  }
}

function startState(state: SupervisorState): ProcessStartState {
  const processes: ProcessStartState['processes'] = {};
  for (const i of state.instances) {
    const list = (processes[i.process] ??= []);
    list.push(i.port !== null ? { port: i.port, pid: i.pid } : { pid: i.pid });
  }
  return { processes };
}
