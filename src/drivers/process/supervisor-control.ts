// Finding, verifying and stopping the supervisor of a release (and, if it died, its orphans).
import { realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { sleep } from '../../platform/clock.js';
import { readJsonFile, writeJsonAtomic } from '../../platform/json-file.js';
import { cmdline, cwdOf, pidAlive } from './proc-identity.js';
import { PID_FILE, STATE_FILE, SUPERVISOR_ENTRY_BASENAME, type SupervisorState } from './supervisor-protocol.js';

export function readState(runDir: string): Promise<SupervisorState | null> {
  return readJsonFile<SupervisorState>(path.join(runDir, STATE_FILE));
}

/** True when `pid` is alive and is the supervisor of exactly this run dir. */
export async function isOurSupervisor(pid: number, runDir: string): Promise<boolean> {
  if (!(await pidAlive(pid))) return false;
  const args = await cmdline(pid);
  const entry = args.some((a) => path.basename(a).replace(/\.(ts|js)$/, '') === SUPERVISOR_ENTRY_BASENAME);
  return entry && args[args.length - 1] === runDir;
}

/** The verified pid of the release's running supervisor, or null. */
export async function liveSupervisor(runDir: string): Promise<number | null> {
  const pid = await readJsonFile<number>(path.join(runDir, PID_FILE));
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return null;
  return (await isOurSupervisor(pid, runDir)) ? pid : null;
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await pidAlive(pid))) return true;
    await sleep(50);
  }
  return !(await pidAlive(pid));
}

export interface StopResult {
  /** The supervisor was running and was stopped. */
  supervisor: boolean;
  /** Instances left behind by a dead supervisor that were stopped. */
  orphans: number;
}

const DEFAULT_GRACE_MS = 10_000;

/**
 * Stops a release: SIGTERM to its supervisor (which stops its children with their grace), and
 * SIGKILL to the supervisor's group if it has not finished after the longest grace + 5 s. Then any
 * instance still alive whose working directory is the release dir (a supervisor that was killed
 * leaves those behind) gets SIGTERM, the grace, then SIGKILL. Idempotent.
 */
export async function stopRelease(runDir: string): Promise<StopResult> {
  const result: StopResult = { supervisor: false, orphans: 0 };
  const before = await readState(runDir);
  const graceMs = Math.max(0, ...(before?.instances.map((i) => i.stopGraceMs ?? DEFAULT_GRACE_MS) ?? [DEFAULT_GRACE_MS]));
  const pid = await liveSupervisor(runDir);
  if (pid !== null) {
    result.supervisor = true;
    signal(pid, 'SIGTERM');
    if (!(await waitForExit(pid, graceMs + 5000))) {
      signalGroup(pid, 'SIGKILL');
      await waitForExit(pid, 2000);
    }
  }
  const state = await readState(runDir);
  if (state) {
    const releaseDir = await realpath(state.releaseDir).catch(() => state.releaseDir);
    const orphans: number[] = [];
    for (const inst of state.instances) {
      if (inst.pid && (await pidAlive(inst.pid)) && (await cwdOf(inst.pid)) === releaseDir) orphans.push(inst.pid);
    }
    for (const p of orphans) signalGroup(p, 'SIGTERM');
    for (const p of orphans) {
      if (!(await waitForExit(p, graceMs))) signalGroup(p, 'SIGKILL');
    }
    result.orphans = orphans.length;
    if (!state.stopped || orphans.length) {
      for (const inst of state.instances) Object.assign(inst, { pid: null, state: 'stopped', nextStartAt: null });
      await writeJsonAtomic(path.join(runDir, STATE_FILE), { ...state, stopping: true, stopped: true }, 0o644);
    }
  }
  await rm(path.join(runDir, PID_FILE), { force: true });
  return result;
}

/** The process group led by `pid` (supervisors and instances lead their own), else the pid alone. */
function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    signal(pid, sig);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}
