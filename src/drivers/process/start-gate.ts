// The start gate: resolves once every instance of a freshly started release is up and has stayed
// up `min_uptime`, and every http instance has answered its health check; rejects with the reason
// (exit code and last log lines, or the failing probe) as soon as one of them cannot make it.
import { readFile } from 'node:fs/promises';
import { healthCheckSchema, type AppSpec, type HealthCheckSpec } from '../../core/app-spec.js';
import { StepFailedError } from '../../core/errors.js';
import type { Redactor } from '../../core/redactor.js';
import { sleep } from '../../platform/clock.js';
import { probeHealth } from './health-probe.js';
import { pidAlive } from './proc-identity.js';
import { readState } from './supervisor-control.js';
import type { InstanceState, SupervisorState } from './supervisor-protocol.js';
import { parseInstanceLogLine } from './instance-log-line.js';

const POLL_MS = 50;
const LOG_TAIL_LINES = 10;

export interface GateOptions {
  runDir: string;
  supervisorPid: number;
  spec: AppSpec;
  signal: AbortSignal;
  redactor: Redactor;
  /** True when re-adopting a supervisor that was already running: earlier exits do not count. */
  adopted: boolean;
  onHealthy?: (instance: string, detail: string) => void;
}

interface Tracker {
  key: string;
  health: HealthCheckSpec | null;
  minUptimeMs: number;
  baselineExits: number;
  healthy: boolean;
  failures: number;
  lastProbe: number;
  lastDetail: string;
}

export function healthOf(spec: AppSpec, process: string): HealthCheckSpec | null {
  const p = spec.processes[process];
  if (!p?.http) return null;
  return p.health ?? healthCheckSchema.parse({});
}

export async function waitForStart(opts: GateOptions): Promise<SupervisorState> {
  const first = await readState(opts.runDir);
  if (!first) throw new StepFailedError(`the supervisor in ${opts.runDir} wrote no state`);
  const trackers = new Map<string, Tracker>();
  for (const inst of first.instances) {
    const p = opts.spec.processes[inst.process];
    trackers.set(keyOf(inst), {
      key: keyOf(inst),
      health: healthOf(opts.spec, inst.process),
      minUptimeMs: p?.min_uptime ?? 0,
      baselineExits: opts.adopted ? inst.exits : 0,
      healthy: false,
      failures: 0,
      lastProbe: 0,
      lastDetail: 'not probed yet',
    });
  }
  const budget = Math.max(0, ...[...trackers.values()].map(gateBudget));
  const deadline = Date.now() + budget;
  for (;;) {
    if (opts.signal.aborted) throw new StepFailedError('starting the release was cancelled', { cancelled: true });
    const state = await readState(opts.runDir);
    if (!state || !(await pidAlive(opts.supervisorPid))) {
      throw new StepFailedError(`the supervisor of the release (pid ${opts.supervisorPid}) died; see ${opts.runDir}/supervisor.log`);
    }
    let uptimeShort = false;
    const probes: Promise<void>[] = [];
    for (const inst of state.instances) {
      const t = trackers.get(keyOf(inst));
      if (!t) continue;
      if (inst.exits > t.baselineExits || inst.state !== 'running' || !inst.startedAt) {
        throw await exitedError(t.key, inst, opts.redactor);
      }
      const upMs = Date.now() - Date.parse(inst.startedAt);
      if (upMs < t.minUptimeMs) uptimeShort = true;
      if (t.health && !t.healthy) {
        if (Date.now() - t.lastProbe >= t.health.interval && inst.port !== null) probes.push(probe(t, inst.port, upMs, opts));
      }
    }
    await Promise.all(probes);
    // Probes that just passed count at once (a warm release is healthy on its first probe).
    if (!uptimeShort && [...trackers.values()].every((t) => !t.health || t.healthy)) return state;
    if (Date.now() > deadline) {
      const pending = [...trackers.values()].filter((t) => t.health && !t.healthy);
      const why = pending.length
        ? pending.map((t) => `${t.key}: health check ${t.health?.path} did not pass (${t.lastDetail})`).join('; ')
        : 'instances did not reach min_uptime';
      throw new StepFailedError(`the release did not become healthy within ${budget}ms: ${why}`);
    }
    await sleep(POLL_MS);
  }
}

async function probe(t: Tracker, port: number, upMs: number, opts: GateOptions): Promise<void> {
  const h = t.health as HealthCheckSpec;
  t.lastProbe = Date.now();
  const result = await probeHealth(port, h.path, h.timeout);
  t.lastDetail = result.detail;
  if (result.ok) {
    t.healthy = true;
    opts.onHealthy?.(t.key, `GET ${h.path} on port ${port}: ${result.detail}`);
    return;
  }
  // During the start period an instance that does not answer yet (refused, reset, timed out) may
  // still be booting; one that answers with an error status is failing, and counts at once.
  if (upMs < h.start_period && !result.answered) return;
  t.failures += 1;
  if (t.failures >= h.retries) {
    throw new StepFailedError(
      `${t.key} failed its health check ${h.retries} times in a row: GET ${h.path} on 127.0.0.1:${port} -> ${result.detail}`,
      { instance: t.key, port, probe: result.detail },
    );
  }
}

function gateBudget(t: Tracker): number {
  const h = t.health;
  const healthMs = h ? h.start_period + h.retries * (h.interval + h.timeout) : 0;
  return Math.max(healthMs, t.minUptimeMs) + 5000;
}

async function exitedError(key: string, inst: InstanceState, redactor: Redactor): Promise<StepFailedError> {
  const e = inst.lastExit;
  const how = !e ? 'is not running' : e.error ? `could not start: ${e.error}` : e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  const text = await readFile(inst.log, 'utf8').catch(() => '');
  // The app's own words: the supervisor's time and stream prefix is left out.
  const tail = text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).map((l) => parseInstanceLogLine(l).text).join('\n');
  return new StepFailedError(
    `${key} ${how} while starting${tail ? `; last lines of its log:\n${redactor.redact(tail)}` : ''}`,
    { instance: key, exitCode: e?.code ?? null, signal: e?.signal ?? null },
  );
}

function keyOf(inst: { process: string; index: number }): string {
  return `${inst.process}.${inst.index}`;
}
