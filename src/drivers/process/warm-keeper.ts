// Keeps replaced releases warm and stops them when their window ends: at retire (at most one warm
// release per environment), and in a sweep at control-plane start and every 30 s while it runs.
// Every decision about one run dir holds that run dir's lock, so a rollback claiming a warm
// release and the sweep stopping it never cross.
import path from 'node:path';
import type { KeepWarmPolicy } from '../../core/keep-warm-spec.js';
import { errorMessage } from '../../core/errors.js';
import { KeyedMutex } from '../../platform/keyed-mutex.js';
import type { Logger } from '../../platform/logger.js';
import { subdirs } from './artifact-index.js';
import { readCurrent } from './current-link.js';
import type { ProcessLayout } from './layout.js';
import { liveSupervisor, readState, stopRelease, type StopResult } from './supervisor-control.js';
import { clearWarm, clockTime, formatBytes, readWarm, releaseRss, warmExpired, writeWarm, type WarmRecord } from './warm-release.js';

export const WARM_SWEEP_INTERVAL_MS = 30_000;

type Say = (line: string) => void;

/** `why` says why a running release was not kept (null: it was not running anyway). */
export type KeepOutcome = { kept: true; record: WarmRecord } | { kept: false; why: string | null };

export class WarmKeeper {
  readonly #layout: ProcessLayout;
  readonly #logger: Logger | undefined;
  readonly #locks = new KeyedMutex();
  #timer: NodeJS.Timeout | null = null;

  constructor(layout: ProcessLayout, logger: Logger | undefined) {
    this.#layout = layout;
    this.#logger = logger;
  }

  /** Runs `fn` holding the run dir's lock. */
  exclusive<T>(runDir: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(runDir, fn);
  }

  /**
   * Within the run dir's lock: leaves the release running with a warm record when it runs and fits
   * the memory cap; otherwise says why not (the caller stops it).
   */
  async keep(runDir: string, releaseId: string, policy: KeepWarmPolicy): Promise<KeepOutcome> {
    if ((await liveSupervisor(runDir)) === null) return { kept: false, why: null };
    const state = await readState(runDir);
    if (!state || state.stopped || state.stopping) return { kept: false, why: null };
    const rss = await releaseRss(state);
    if (rss > policy.maxMemoryBytes) {
      return { kept: false, why: `its processes use ${formatBytes(rss)}, over keep_warm.max_memory (${formatBytes(policy.maxMemoryBytes)})` };
    }
    const now = Date.now();
    const record: WarmRecord = { releaseId, since: new Date(now).toISOString(), warmUntil: new Date(now + policy.forMs).toISOString() };
    await writeWarm(runDir, record);
    return { kept: true, record };
  }

  /**
   * Within the run dir's lock: takes a warm release back into service (its record removed, so no
   * sweep stops it). Returns the record when there was one.
   */
  async claim(runDir: string): Promise<WarmRecord | null> {
    const record = await readWarm(runDir);
    if (record) await clearWarm(runDir);
    return record;
  }

  /**
   * At a release's start: a warm release is claimed (no sweep stops it from here on); returns the
   * record (null: it was not warm) and the supervisor running it (null: none).
   */
  adopt(runDir: string): Promise<{ warm: WarmRecord | null; live: number | null }> {
    return this.exclusive(runDir, async () => ({ warm: await this.claim(runDir), live: await liveSupervisor(runDir) }));
  }

  /** Stops a release now, warm or not. */
  stopNow(runDir: string): Promise<StopResult> {
    return this.exclusive(runDir, async () => {
      await clearWarm(runDir);
      return stopRelease(runDir);
    });
  }

  /**
   * Retires a replaced release: kept warm when `policy` says so (the deploying spec decides) and
   * it fits the memory cap, else stopped. Either way, other warm releases of the environment are
   * stopped: one warm release per environment.
   */
  async retire(where: { app: string; env: string; releaseId: string; runDir: string }, policy: KeepWarmPolicy | null, say: Say): Promise<void> {
    const { app, env, releaseId, runDir } = where;
    const outcome = await this.exclusive(runDir, async () => {
      const kept = policy ? await this.keep(runDir, releaseId, policy) : null;
      if (kept?.kept) return kept;
      await clearWarm(runDir);
      return { kept: false as const, why: kept?.why ?? null, result: await stopRelease(runDir) };
    });
    await this.stopOthers(app, env, outcome.kept ? releaseId : '', say);
    if (outcome.kept) return say(describeKept(releaseId, outcome.record));
    if (outcome.why) say(`not keeping release ${releaseId} warm: ${outcome.why}`);
    const orphans = outcome.result.orphans ? ` and ${outcome.result.orphans} orphaned instance(s)` : '';
    say(`retired release ${releaseId}${outcome.result.supervisor ? '' : ' (it was not running)'}${orphans}`);
  }

  /** Stops the environment's warm releases other than `except` (one warm release per environment). */
  async stopOthers(app: string, env: string, except: string, say: Say): Promise<void> {
    for (const id of await subdirs(this.#layout.runRoot(app, env))) {
      if (id === except || id.startsWith('.')) continue;
      const runDir = this.#layout.runDir(app, env, id);
      await this.exclusive(runDir, async () => {
        if (!(await readWarm(runDir))) return;
        if (await this.#isCurrent(app, env, id)) return clearWarm(runDir);
        const result = await stopRelease(runDir);
        await clearWarm(runDir);
        if (result.supervisor) say(`stopped release ${id}, which was kept warm: only the latest replaced release stays warm`);
      });
    }
  }

  /** Stops every warm release whose window has passed; drops records of releases no longer running. */
  async sweep(now = Date.now()): Promise<string[]> {
    const stopped: string[] = [];
    for (const app of await subdirs(this.#layout.appsDir)) {
      for (const env of await subdirs(path.join(this.#layout.appsDir, app))) {
        for (const id of await subdirs(this.#layout.runRoot(app, env))) {
          const runDir = this.#layout.runDir(app, env, id);
          await this.exclusive(runDir, async () => {
            const record = await readWarm(runDir);
            if (!record) return;
            if ((await this.#isCurrent(app, env, id)) || (await liveSupervisor(runDir)) === null) return clearWarm(runDir);
            if (!warmExpired(record, now)) return;
            await stopRelease(runDir);
            await clearWarm(runDir);
            stopped.push(`${app}/${env}/${id}`);
          });
        }
      }
    }
    if (stopped.length) this.#logger?.info({ stopped }, 'stopped releases whose keep_warm window ended');
    return stopped;
  }

  /** The sweep every `intervalMs` until `close`. */
  startSweeps(intervalMs = WARM_SWEEP_INTERVAL_MS): void {
    if (this.#timer) return;
    let running = false;
    this.#timer = setInterval(() => {
      if (running) return;
      running = true;
      this.sweep()
        .catch((err: unknown) => this.#logger?.error({ err: errorMessage(err) }, 'keep_warm sweep failed'))
        .finally(() => (running = false));
    }, intervalMs);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #isCurrent(app: string, env: string, id: string): Promise<boolean> {
    return (await readCurrent(this.#layout.currentLink(app, env))) === id;
  }
}

export function describeKept(releaseId: string, record: WarmRecord): string {
  return `kept release ${releaseId} warm until ${clockTime(record.warmUntil)} for a fast rollback (running, not routed)`;
}
