// The supervisor of one release (runs in its own detached process, see supervisor-main.ts):
// starts every instance, restarts a crashed one with exponential backoff, writes its state to
// `run/<releaseId>/state.json`, and on stop sends SIGTERM, waits the grace, then SIGKILL.
import { createWriteStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { expandArgv } from '../../core/argv-variables.js';
import { spawnProcess, type ChildHandle } from '../../platform/exec.js';
import { writeJsonAtomic } from '../../platform/json-file.js';
import { rotateIfLarge } from './log-rotation.js';
import { formatInstanceLogLine } from './instance-log-line.js';
import {
  backoffDelay,
  instanceLogFile,
  PID_FILE,
  STATE_FILE,
  type InstanceSpec,
  type InstanceState,
  type SupervisorSpec,
  type SupervisorState,
} from './supervisor-protocol.js';

interface Instance {
  spec: InstanceSpec;
  state: InstanceState;
  child: ChildHandle | null;
  timer: NodeJS.Timeout | null;
  failures: number;
  startedMs: number;
}

export class Supervisor {
  readonly #runDir: string;
  readonly #spec: SupervisorSpec;
  readonly #state: SupervisorState;
  readonly #instances: Instance[];
  #writes: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | null = null;
  #logTimer: NodeJS.Timeout | null = null;

  constructor(runDir: string, spec: SupervisorSpec) {
    this.#runDir = runDir;
    this.#spec = spec;
    const now = new Date().toISOString();
    this.#instances = spec.instances.map((s) => ({
      spec: s,
      child: null,
      timer: null,
      failures: 0,
      startedMs: 0,
      state: {
        process: s.process,
        index: s.index,
        port: s.port,
        healthPath: s.healthPath,
        stopGraceMs: s.stopGraceMs,
        pid: null,
        state: 'backoff',
        startedAt: null,
        exits: 0,
        restarts: 0,
        lastExit: null,
        nextStartAt: null,
        log: instanceLogFile(runDir, s.process, s.index),
      },
    }));
    this.#state = {
      supervisorPid: process.pid,
      app: spec.app,
      env: spec.env,
      releaseId: spec.releaseId,
      releaseDir: spec.releaseDir,
      startedAt: now,
      updatedAt: now,
      stopping: false,
      stopped: false,
      instances: this.#instances.map((i) => i.state),
    };
  }

  async start(): Promise<void> {
    mkdirSync(path.join(this.#runDir, 'logs'), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(path.join(this.#runDir, PID_FILE), process.pid, 0o644);
    if (this.#state.stopping) return;
    for (const inst of this.#instances) this.#spawn(inst);
    this.#logTimer = setInterval(() => void this.#rotateLogs(), this.#spec.logCheckIntervalMs);
    this.#logTimer.unref();
    await this.#persist();
  }

  async #rotateLogs(): Promise<void> {
    for (const inst of this.#instances) {
      try {
        if (await rotateIfLarge(inst.state.log, this.#spec.logMaxBytes)) say(`rotated ${inst.state.log}`);
      } catch (err) {
        say(`could not rotate ${inst.state.log}: ${(err as Error).message}`);
      }
    }
  }

  /** SIGTERM to every instance, SIGKILL after its grace; resolves when all are gone. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stopAll();
    return this.#stopped;
  }

  async #stopAll(): Promise<void> {
    this.#state.stopping = true;
    if (this.#logTimer) clearInterval(this.#logTimer);
    say(`stopping ${this.#instances.length} instance(s)`);
    const exits: Promise<void>[] = [];
    for (const inst of this.#instances) {
      if (inst.timer) clearTimeout(inst.timer);
      inst.timer = null;
      const child = inst.child;
      if (!child?.pid) {
        inst.state.state = 'stopped';
        inst.state.nextStartAt = null;
        continue;
      }
      child.kill(); // SIGTERM to its group, SIGKILL after the instance's grace
      exits.push(child.exit.then(() => undefined));
    }
    await this.#persist();
    await Promise.all(exits);
    this.#state.stopped = true;
    await this.#persist();
    await rm(path.join(this.#runDir, PID_FILE), { force: true });
    say('stopped');
  }

  #spawn(inst: Instance): void {
    const { spec } = inst;
    // The app's output passes through us to be stamped with the time and stream of each line.
    const log = createWriteStream(inst.state.log, { flags: 'a', mode: 0o600 });
    log.on('error', (err) => say(`${label(inst)}: cannot write its output to ${inst.state.log}: ${err.message}`));
    const env: Record<string, string> = {
      ...this.#spec.environment,
      SLIPWAY_RELEASE: this.#spec.releaseId,
      SLIPWAY_PROCESS: spec.process,
      SLIPWAY_INSTANCE: String(spec.index),
    };
    if (spec.port !== null) env['PORT'] = String(spec.port);
    const instanceValues: Record<string, string> = { SLIPWAY_PROCESS: spec.process, SLIPWAY_INSTANCE: String(spec.index) };
    if (spec.port !== null) instanceValues['PORT'] = String(spec.port);
    let child: ChildHandle;
    try {
      child = spawnProcess(expandArgv(spec.argv, { ...this.#spec.argvValues, ...instanceValues }), {
        cwd: this.#spec.releaseDir,
        env,
        ...(this.#spec.user ? { uid: this.#spec.user.uid, gid: this.#spec.user.gid } : {}),
        output: 'lines',
        onLine: (line, stream) => log.write(formatInstanceLogLine(new Date(), stream, line)),
        killGraceMs: spec.stopGraceMs,
        onForceKill: () => say(`${label(inst)} ignored SIGTERM for ${spec.stopGraceMs}ms; sending SIGKILL`),
      });
    } catch (err) {
      log.end();
      throw err;
    }
    void child.exit.then(() => log.end());
    inst.child = child;
    inst.startedMs = Date.now();
    Object.assign(inst.state, { pid: child.pid ?? null, state: 'running', startedAt: new Date().toISOString(), nextStartAt: null });
    void child.exit.then((end) => this.#onExit(inst, child, end.code, end.signal, end.startError?.message));
  }

  #onExit(inst: Instance, child: ChildHandle, code: number | null, signal: string | null, error?: string): void {
    if (inst.child !== child) return;
    inst.child = null;
    const ranMs = Date.now() - inst.startedMs;
    const s = inst.state;
    s.exits += 1;
    s.pid = null;
    s.lastExit = { code, signal, at: new Date().toISOString(), ...(error ? { error } : {}) };
    const how = error ? `failed to start (${error})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (this.#state.stopping) {
      s.state = 'stopped';
      say(`${label(inst)} ${how}`);
    } else {
      if (ranMs >= this.#spec.backoff.resetAfterMs) inst.failures = 0;
      const delay = backoffDelay(this.#spec.backoff, inst.failures);
      inst.failures += 1;
      s.state = 'backoff';
      s.nextStartAt = new Date(Date.now() + delay).toISOString();
      say(`${label(inst)} ${how} after ${ranMs}ms; restarting in ${delay}ms`);
      inst.timer = setTimeout(() => {
        inst.timer = null;
        if (this.#state.stopping) return;
        s.restarts += 1;
        this.#spawn(inst);
        void this.#persist();
      }, delay);
    }
    void this.#persist();
  }

  #persist(): Promise<void> {
    this.#writes = this.#writes.then(async () => {
      this.#state.updatedAt = new Date().toISOString();
      try {
        await writeJsonAtomic(path.join(this.#runDir, STATE_FILE), this.#state, 0o644);
      } catch (err) {
        say(`could not write state: ${(err as Error).message}`);
      }
    });
    return this.#writes;
  }
}

function label(inst: Instance): string {
  return `${inst.spec.process}.${inst.spec.index}`;
}

function say(text: string): void {
  process.stdout.write(`${new Date().toISOString()} ${text}\n`);
}
