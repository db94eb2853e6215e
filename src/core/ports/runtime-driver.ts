// What the deploy pipeline needs from a runtime (local processes, Docker Swarm).
// Every method may be called again after a control-plane crash, so each must be idempotent.
import type { AppSpec, EnvironmentSpec } from '../app-spec.js';
import type { App, DriverKind, Environment, Release } from '../model.js';
import type { EdgeRoute, EdgeRouteState } from './edge-control.js';
import type { Sensitive } from '../sensitive.js';

/** Where a step writes its progress; lines are redacted before they are stored. */
export interface DeployLog {
  info(text: string): void;
  error(text: string): void;
  output(stream: 'stdout' | 'stderr', text: string): void;
}

export interface DriverContext {
  app: App;
  environment: Environment;
  /** The app spec of the release being worked on. */
  spec: AppSpec;
  envSpec: EnvironmentSpec;
  /** Plain variables (app + environment level) followed by decrypted secrets, for processes. */
  variables: Record<string, string>;
  secrets: Record<string, Sensitive>;
  log: DeployLog;
  signal: AbortSignal;
}

/** A source tree checked out at one commit (or an extracted upload). */
export interface SourceTree {
  dir: string;
  commitSha: string | null;
}

export interface BuildResult {
  /** Content address of the artifact: "sha256:<hex>" of the release tarball, or an image digest. */
  artifact: string;
  driverState?: Record<string, unknown>;
}

export interface ReleaseRef {
  releaseId: string;
  artifact: string;
  /** The release's stored driver state (from build and start). */
  driverState: Record<string, unknown>;
}

export interface InstanceStatus {
  process: string;
  /** Index within the process type, or a task id. */
  instance: string;
  state: 'starting' | 'healthy' | 'unhealthy' | 'running' | 'stopped' | 'failed';
  node?: string;
  pid?: number;
  port?: number;
  restarts?: number;
  error?: string;
}

/** A service of an orchestrator (Swarm): its replicas and rollout state. */
export interface ServiceReplicas {
  name: string;
  running: number;
  desired: number;
  /** The orchestrator's update state ("updating", "completed", "rollback_completed", ...). */
  updateState?: string;
}

export interface RuntimeStatus {
  releaseId: string | null;
  healthy: boolean;
  instances: InstanceStatus[];
  services?: ServiceReplicas[];
}

/** `slipway logs APP ENV [SERVICE]`: what to read. */
export interface RuntimeLogQuery {
  /** A process type (process driver) or compose service (swarm); all when absent. */
  service?: string;
  follow: boolean;
  /** RFC 3339 time or Unix seconds: only lines written since then. */
  since?: string;
  /** At most this many lines per instance from the end before following. */
  tail?: number;
  signal: AbortSignal;
}

export interface RuntimeLogLine {
  service: string;
  /** Instance index or task id, when known. */
  instance: string | null;
  stream: 'stdout' | 'stderr' | 'output';
  /** When the line was written (RFC 3339, UTC), when the driver knows. */
  time: string | null;
  text: string;
}

export interface RuntimeDriver {
  readonly kind: DriverKind;
  /** Runs the spec's build commands on the source and stores the artifact. */
  build(ctx: DriverContext, req: { releaseId: string; source: SourceTree }): Promise<BuildResult>;
  /** The spec's `test` commands (`require_tests: true`), run against what will be deployed; rejects on the first failing command. */
  test(ctx: DriverContext, req: { releaseId: string; source: SourceTree; build: BuildResult }): Promise<void>;
  /** Makes a release runnable in this environment from its artifact (also for promotion and rollback). */
  stage(ctx: DriverContext, release: ReleaseRef): Promise<void>;
  /** The release phase (migrations): the spec's release commands, run once, before traffic moves. */
  runRelease(ctx: DriverContext, release: ReleaseRef): Promise<void>;
  /** The spec's after_deploy commands, once, after traffic moved (absent: the driver runs none and says so). */
  runAfterDeploy?(ctx: DriverContext, release: ReleaseRef): Promise<void>;
  /** Starts the release's instances and resolves once every one is healthy; returns state to record. */
  start(ctx: DriverContext, release: ReleaseRef, previous: ReleaseRef | null): Promise<Record<string, unknown>>;
  /** Undoes `start`: stops the new instances (process) or restores the previous specs (swarm). */
  abandon(ctx: DriverContext, release: ReleaseRef, previous: ReleaseRef | null): Promise<void>;
  /** Sends the environment's traffic to the release; health-gated by the edge. */
  activate(ctx: DriverContext, release: ReleaseRef): Promise<void>;
  /** Drains and stops every instance of an old release. */
  retire(ctx: DriverContext, release: ReleaseRef): Promise<void>;
  /** Deletes releases and artifacts not in `keep`; returns what it removed. */
  prune(ctx: DriverContext, keep: ReleaseRef[]): Promise<string[]>;
  status(app: App, environment: Environment, live: Release | null): Promise<RuntimeStatus>;
  /** The live release's output, merged across instances; ends when not following, or on abort. */
  streamLogs?(app: App, environment: Environment, live: Release | null, query: RuntimeLogQuery): AsyncIterable<RuntimeLogLine>;
  /**
   * The edge route that serves the live release as it runs now (built from its recorded spec and
   * its running instances), so the control plane can give a restarted or emptied edge every
   * route again; `existing` is the edge's route now (its maintenance is kept). Null when the
   * release has nothing to route (no web process, or nothing running).
   */
  liveRoute?(app: App, environment: Environment, live: Release, existing: EdgeRouteState | null): Promise<EdgeRoute | null>;
  /** Called once at control-plane start: re-adopt what is still running. */
  recover?(): Promise<void>;
  /**
   * At control-plane start, for the live release: when it ran on this machine and no longer runs
   * (`slipway down`, a reboot), start it again and route it. True when it was started.
   */
  revive?(ctx: DriverContext, release: ReleaseRef): Promise<boolean>;
  close?(): Promise<void>;
}
