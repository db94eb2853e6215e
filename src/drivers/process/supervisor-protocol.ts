// What the driver hands a release's supervisor (over its stdin, never on disk: it holds secrets)
// and what the supervisor writes back into `run/<releaseId>/` (no secrets).
import path from 'node:path';

export interface InstanceSpec {
  process: string;
  index: number;
  argv: string[];
  /** Loopback port given as PORT, for http processes. */
  port: number | null;
  healthPath: string | null;
  stopGraceMs: number;
}

export interface BackoffSpec {
  initialMs: number;
  maxMs: number;
  /** A process that stayed up this long starts over at `initialMs` after its next crash. */
  resetAfterMs: number;
}

export interface SupervisorSpec {
  app: string;
  env: string;
  releaseId: string;
  releaseDir: string;
  /** The app's user its processes run as (the supervisor itself stays root); absent: as the supervisor. */
  user?: { uid: number; gid: number };
  /** Complete environment of the app's processes (variables and secrets). */
  environment: Record<string, string>;
  /**
   * What `${NAME}` in an instance's argv may expand to besides PORT, SLIPWAY_PROCESS and
   * SLIPWAY_INSTANCE: the spec's variables and SLIPWAY_APP/ENV/RELEASE, never a secret.
   */
  argvValues: Record<string, string>;
  instances: InstanceSpec[];
  backoff: BackoffSpec;
  /** Instance logs are rotated (one old copy kept) past this size. */
  logMaxBytes: number;
  logCheckIntervalMs: number;
}

export interface ExitRecord {
  code: number | null;
  signal: string | null;
  at: string;
  error?: string;
}

export interface InstanceState {
  process: string;
  index: number;
  port: number | null;
  healthPath: string | null;
  stopGraceMs: number;
  pid: number | null;
  state: 'running' | 'backoff' | 'stopped';
  startedAt: string | null;
  /** Times the process exited (crashes, and stops). */
  exits: number;
  /** Times the supervisor started it again after an exit. */
  restarts: number;
  lastExit: ExitRecord | null;
  nextStartAt: string | null;
  log: string;
}

export interface SupervisorState {
  supervisorPid: number;
  app: string;
  env: string;
  releaseId: string;
  releaseDir: string;
  startedAt: string;
  updatedAt: string;
  stopping: boolean;
  stopped: boolean;
  instances: InstanceState[];
}

export const STATE_FILE = 'state.json';
export const PID_FILE = 'supervisor.pid';
export const SUPERVISOR_LOG = 'supervisor.log';
export const SUPERVISOR_ENTRY_BASENAME = 'supervisor-main';

export const DEFAULT_BACKOFF: BackoffSpec = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

export function instanceLogFile(runDir: string, process: string, index: number): string {
  return path.join(runDir, 'logs', `${process}.${index}.log`);
}

export function backoffDelay(backoff: BackoffSpec, consecutiveFailures: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(consecutiveFailures, 30));
}
