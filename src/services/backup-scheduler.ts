// Scheduled backups, restore drills and retention pruning. Every `tickMs` (and once at start) it
// reads each environment's databases from its live release's spec and runs the jobs that are
// due by their cron expression (UTC). The time of each job's last run is persisted in the
// settings table before the job runs, so a run that fell due while the control plane was down
// runs once at start (not once per missed slot) and a crash never repeats a run in a loop.
import { scheduleState } from '../backups/backup-schedule.js';
import type { AppSpec } from '../core/app-spec.js';
import { errorMessage } from '../core/errors.js';
import type { App, Environment } from '../core/model.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { StoredSettings } from '../core/ports/store/settings.js';
import type { StatusReads } from '../core/ports/store/status-reads.js';
import { systemClock, type Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { databasesOf } from './database-access.js';

export type ScheduledJob = 'backup' | 'drill';

const YIELD_EVERY = 25;

/** The work the scheduler starts (BackupService in production). */
export interface ScheduledWork {
  specFor(env: Environment): Promise<AppSpec>;
  /** A scheduled backup, then retention pruning of that database. */
  backup(app: App, env: Environment, spec: AppSpec, database: string): Promise<void>;
  /** A restore drill of the newest backup of the database (failures are recorded and logged by it). */
  drill(app: App, env: Environment, spec: AppSpec, database: string): Promise<void>;
}

export interface BackupSchedulerOptions {
  store: StoredSettings & AppsAndEnvironments & StatusReads;
  work: ScheduledWork;
  logger: Logger;
  clock?: Clock;
  tickMs?: number;
}

export class BackupScheduler {
  readonly #o: BackupSchedulerOptions;
  readonly #clock: Clock;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  #specs = new Map<string, AppSpec | null>();

  constructor(o: BackupSchedulerOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
  }

  /** Runs the due jobs now (missed ones included), then every tickMs. */
  start(): void {
    this.#stopped = false;
    const loop = () => {
      this.#running = this.tick().then(() => undefined, () => undefined).finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.#o.tickMs ?? 30_000);
      });
    };
    // The first pass (missed runs) starts once the caller's start-up has finished.
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /**
   * One pass over every environment's databases; resolves when the due jobs have finished. The
   * store answers synchronously (SQLite), so the pass yields to I/O every few environments: with
   * thousands of them the API must keep answering meanwhile. Parsed specs are kept per live
   * release, so an unchanged environment costs no YAML parsing on the next pass.
   */
  async tick(): Promise<{ ran: string[] }> {
    const ran: string[] = [];
    const live = await this.#o.store.liveReleases();
    const apps = new Map((await this.#o.store.listApps()).map((a) => [a.id, a]));
    const specs = new Map<string, AppSpec | null>();
    let visited = 0;
    for (const env of await this.#o.store.listEnvironments()) {
      if (this.#stopped) break;
      if (++visited % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      const release = live.get(env.id);
      const app = apps.get(env.appId);
      if (!release || !app) continue;
      const spec = await this.#specOf(env, release.id);
      specs.set(release.id, spec);
      if (!spec) continue;
      for (const db of databasesOf(spec, env)) {
        const jobs: [ScheduledJob, string | undefined][] = [['backup', db.schedule], ['drill', db.drill_schedule]];
        for (const [job, expr] of jobs) {
          if (!expr || this.#stopped) continue;
          const name = `${app.name}/${env.name}/${db.name}:${job}`;
          if (await this.#due(env, db.name, job, expr)) {
            ran.push(name);
            await this.#run(name, () => (job === 'backup' ? this.#o.work.backup(app, env, spec, db.name) : this.#o.work.drill(app, env, spec, db.name)));
          }
        }
      }
    }
    // Only the specs of releases that are still live are kept.
    this.#specs = specs;
    return { ran };
  }

  async #specOf(env: Environment, releaseId: string): Promise<AppSpec | null> {
    if (this.#specs.has(releaseId)) return this.#specs.get(releaseId) ?? null;
    try {
      return await this.#o.work.specFor(env);
    } catch {
      return null;
    }
  }

  async #due(env: Environment, database: string, job: ScheduledJob, expr: string): Promise<boolean> {
    const now = this.#clock.now();
    const lastKey = `schedule.${env.id}.${database}.${job}.last`;
    const sinceKey = `schedule.${env.id}.${database}.${job}.since`;
    const last = await this.#o.store.getSetting(lastKey);
    let since = await this.#o.store.getSetting(sinceKey);
    if (since === null) {
      since = now.toISOString();
      await this.#o.store.putSetting(sinceKey, since);
    }
    const state = scheduleState(expr, last ? new Date(last) : null, new Date(since), now);
    if (!state.due) return false;
    if (state.missed > 1) this.#o.logger.warn({ env: env.id, database, job, missed: state.missed }, 'scheduled runs were missed while the control plane was down; running once now');
    await this.#o.store.putSetting(lastKey, now.toISOString());
    return true;
  }

  async #run(name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      this.#o.logger.info({ job: name }, 'scheduled job done');
    } catch (err) {
      this.#o.logger.error({ job: name, err: errorMessage(err) }, 'SCHEDULED JOB FAILED');
    }
  }
}
