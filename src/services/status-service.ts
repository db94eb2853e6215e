// What runs where: per environment, the live release, the last deployment, the lock, and (for
// one app) the runtime's own view of its instances.
import { createHash } from 'node:crypto';
import type { EdgeHealth, EnvironmentStatus } from '../core/wire/status.js';
import type { DriverKind, Release } from '../core/model.js';
import type { EdgeRouteState } from '../core/ports/edge-control.js';
import type { RuntimeDriver } from '../core/ports/runtime-driver.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { BackupRecords } from '../core/ports/store/backups.js';
import type { Locks } from '../core/ports/store/locks.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { StatusReads } from '../core/ports/store/status-reads.js';
import { errorMessage } from '../core/errors.js';
import type { AppService } from './app-service.js';
import { summarizeBackups } from './backup-summary.js';

/** A view serialized once: redacted UTF-8 JSON and its strong entity tag (a hash of the bytes). */
export interface SerializedView {
  body: Buffer;
  etag: string;
}

/** What the status views read from the store (they write nothing). */
export type StatusStore = AppsAndEnvironments & Releases & StatusReads & Locks & BackupRecords;

export class StatusService {
  /**
   * The all-apps view, kept until something it depends on changes (a deployment's status or step,
   * any audited mutation). One process owns the store, so invalidation by event is complete.
   */
  #cached: Promise<SerializedView> | undefined;
  #generation = 0;

  constructor(
    private readonly store: StatusStore,
    private readonly apps: AppService,
    private readonly driver: (kind: DriverKind) => RuntimeDriver,
    private readonly redact: (text: string) => string = (t) => t,
    /** The edge this control plane keeps running; absent when it runs none (SLIPWAY_EDGE=off). */
    private readonly edgeHealth: () => EdgeHealth | null = () => null,
    /** The edge's routes, for maintenance mode (which only the edge holds); absent without an edge. */
    private readonly edgeRoutes: () => Promise<ReadonlyArray<Pick<EdgeRouteState, 'id' | 'maintenance'>>> = async () => [],
  ) {}

  /** How the edge is, when this control plane runs one. */
  edge(): EdgeHealth | null {
    return this.edgeHealth();
  }

  invalidate(): void {
    this.#generation += 1;
    this.#cached = undefined;
  }

  /**
   * `{"environments":[...]}` for every app, serialized, redacted and encoded once per change (the
   * status of 3,000 environments is ~1.8 MB: encoding it on every response cost more than the rest).
   */
  async allSerialized(): Promise<SerializedView> {
    if (this.#cached) return this.#cached;
    const generation = this.#generation;
    const pending = this.status().then((environments) => {
      const edge = this.edgeHealth();
      const body = Buffer.from(this.redact(JSON.stringify(edge ? { environments, edge } : { environments })), 'utf8');
      return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    });
    this.#cached = pending;
    pending.then(
      () => {
        if (generation !== this.#generation && this.#cached === pending) this.#cached = undefined;
      },
      () => {
        if (this.#cached === pending) this.#cached = undefined;
      },
    );
    return pending;
  }

  async status(appName?: string): Promise<EnvironmentStatus[]> {
    const app = appName ? await this.apps.require(appName) : null;
    const [apps, envs, live, latest, locks] = await Promise.all([
      app ? Promise.resolve([app]) : this.store.listApps(),
      this.store.listEnvironments(app?.id),
      this.store.liveReleases(),
      this.store.latestDeploymentsByEnvironment(),
      this.store.listLocks(),
    ]);
    // An edge that cannot be asked leaves maintenance unknown (absent), never fails the status.
    const routes = await this.edgeRoutes().catch(() => null);
    const maintenanceOf = new Map((routes ?? []).map((r) => [r.id, r.maintenance]));
    const appById = new Map(apps.map((a) => [a.id, a]));
    const lockByEnv = new Map(locks.map((l) => [l.environmentId, l]));
    const out: EnvironmentStatus[] = [];
    for (const env of envs) {
      const a = appById.get(env.appId);
      if (!a) continue;
      const r = live.get(env.id);
      const d = latest.get(env.id);
      const l = lockByEnv.get(env.id);
      const row: EnvironmentStatus = {
        app: a.name,
        environment: env.name,
        branch: env.branch,
        live: r
          ? {
              release: r.id,
              commitSha: r.commitSha,
              commitSubject: r.commitSubject,
              artifact: r.artifact,
              deployedAt: r.deployedAt,
              deployedBy: r.deployedBy,
              trigger: r.trigger,
              notes: r.notes,
            }
          : null,
        lastDeployment: d
          ? { id: d.id, number: d.number, kind: d.kind, status: d.status, createdAt: d.createdAt, finishedAt: d.finishedAt, error: d.error }
          : null,
        lock: l ? { kind: l.kind, owner: l.owner, reason: l.reason } : null,
      };
      if (routes) {
        const m = maintenanceOf.get(`${a.name}/${env.name}`);
        row.maintenance = m?.enabled ? { message: m.message } : null;
      }
      if (app) {
        row.runtime = await this.driver(a.driver)
          .status(a, env, r ?? null)
          .catch((err: unknown) => ({ error: errorMessage(err) }));
        row.health = 'healthy' in row.runtime ? (row.runtime.healthy ? 'healthy' : 'unhealthy') : 'unknown';
        row.backups = summarizeBackups(await this.store.listBackups({ environmentId: env.id, limit: 500 }));
      }
      out.push(row);
    }
    return out.sort((x, y) => x.app.localeCompare(y.app) || x.environment.localeCompare(y.environment));
  }

  async releases(appName: string, envName: string): Promise<Release[]> {
    const app = await this.apps.require(appName);
    const env = await this.apps.environment(app, envName);
    return this.store.listReleases(env.id, 100);
  }
}
