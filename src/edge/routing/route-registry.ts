// The edge's routes and every change to them: health-gated atomic swaps, drains, maintenance,
// pause/resume. Each accepted change is written to the snapshot before it takes effect.
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { EdgeRoute, EdgeRouteState, EdgeTarget } from '../../core/ports/edge-control.js';
import type { Logger } from '../../platform/logger.js';
import type { UpstreamTarget } from '../proxy/upstream-target.js';
import { DEFAULT_DISCOVERY_INTERVAL_MS, DiscoveryLoop, expandTargets, hasDiscovery, refreshDiscovered, resolveAddresses, type ResolveAddresses } from './dns-discovery.js';
import { healthDeadlineMs, waitUntilHealthy } from './health-probe.js';
import { LiveRoute } from './live-route.js';
import { DEFAULT_MAX_HOLD_MS } from './pause-gate.js';
import { readSnapshot, writeSnapshot, type SnapshotEntry } from './route-snapshot.js';
import { routeHealth, type RouteHealth } from './route-health.js';
import { RouteTable } from './route-table.js';
import { SerialQueue } from './serial-queue.js';
import { TargetPool } from './target-pool.js';

export interface DrainReport {
  /** True when every old target finished its in-flight requests before drainTimeoutMs. */
  drained: boolean;
  waitedMs: number;
  targets: Array<{ url: string; drained: boolean; inFlight: number }>;
}

export interface PutRouteResult extends EdgeRouteState {
  drain: DrainReport;
}

export interface MaintenanceChange {
  enabled: boolean;
  message?: string;
  retryAfterSeconds?: number;
  page?: 'short' | 'long';
}

export type OpenTarget = (spec: EdgeTarget) => UpstreamTarget;

export interface RegistryOptions {
  snapshotFile: string;
  logger: Logger;
  /** Makes the target that serves `spec` (the composition root passes proxy/upstream-target.ts). */
  openTarget: OpenTarget;
  /** Minimum time a new target gets to pass its health check (default 30 s). */
  healthDeadlineFloorMs?: number;
  /** Resolver of `discover: 'dns'` targets (default: DNS A records, then the system resolver). */
  resolve?: ResolveAddresses;
  /** How often discovered targets are resolved again (default 1 s). */
  discoveryIntervalMs?: number;
}

const DEFAULT_MAINTENANCE_MESSAGE = 'This site is undergoing maintenance and will be back shortly.';

export class RouteRegistry {
  table = new RouteTable<LiveRoute>([]);
  private readonly routes = new Map<string, LiveRoute>();
  private readonly perRoute = new SerialQueue();
  private readonly commits = new SerialQueue();
  private readonly resolve: ResolveAddresses;
  private readonly discovery: DiscoveryLoop;
  private readonly discovering = new Set<LiveRoute>();
  /** Per route id, the new targets a put is health-checking before its swap. */
  private readonly admitting = new Map<string, readonly UpstreamTarget[]>();

  constructor(private readonly opts: RegistryOptions) {
    this.resolve = opts.resolve ?? resolveAddresses;
    this.discovery = new DiscoveryLoop(opts.discoveryIntervalMs ?? DEFAULT_DISCOVERY_INTERVAL_MS, () => this.discoverAll());
    this.discovery.start();
  }

  /** Loads the snapshot; targets count as healthy until their first failed check. */
  async restore(): Promise<number> {
    const entries = await readSnapshot(this.opts.snapshotFile);
    for (const e of entries) {
      const specs = hasDiscovery(e.route) ? await expandTargets(e.route, this.resolve, false) : e.route.targets;
      const live = this.createLive(e.route, new TargetPool(specs.map((t) => this.opts.openTarget(t))));
      if (e.paused) live.gate.pause(e.maxHoldMs);
    }
    this.rebuildTable();
    return entries.length;
  }

  list(): EdgeRouteState[] {
    return [...this.routes.values()].sort((a, b) => a.id.localeCompare(b.id)).map((r) => r.state());
  }

  get(id: string): EdgeRouteState | null {
    return this.routes.get(id)?.state() ?? null;
  }

  /** The health of every target of the route (serving, admitted by a put, draining); null for an unknown route. */
  health(id: string): RouteHealth | null {
    const live = this.routes.get(id);
    const admitting = this.admitting.get(id) ?? [];
    if (!live && admitting.length === 0) return null;
    return routeHealth(id, live, admitting);
  }

  healthAll(): RouteHealth[] {
    const ids = [...new Set([...this.routes.keys(), ...this.admitting.keys()])].sort();
    return ids.map((id) => this.health(id)).filter((h): h is RouteHealth => h !== null);
  }

  all(): Iterable<LiveRoute> {
    return this.routes.values();
  }

  put(route: EdgeRoute): Promise<PutRouteResult> {
    return this.perRoute.run(route.id, async () => {
      this.assertNoConflict(route);
      const existing = this.routes.get(route.id);
      const current = existing?.pool.targets ?? [];
      const kept: UpstreamTarget[] = [];
      const fresh: UpstreamTarget[] = [];
      const specs = hasDiscovery(route) ? await expandTargets(route, this.resolve, true) : route.targets;
      const next = specs.map((spec) => {
        const same = current.find((t) => t.url === spec.url);
        const target = same ?? this.opts.openTarget(spec);
        (same ? kept : fresh).push(target);
        return target;
      });
      await this.probeAll(fresh, route);
      const old = current.filter((t) => !kept.includes(t));
      try {
        await this.commit(route.id, route, () => {
          for (const [i, spec] of specs.entries()) {
            const t = next[i];
            if (t) t.release = spec.release;
          }
          const live = existing ?? this.createLive(route, new TargetPool(next));
          live.route = route;
          live.pool = existing ? new TargetPool(next) : live.pool;
          for (const t of old) live.draining.add(t);
          this.rebuildTable();
          live.monitor.start();
        });
      } catch (err) {
        for (const t of fresh) t.retire();
        throw err;
      }
      const live = this.mustGet(route.id);
      const drain = await drainTargets(live, old, route.drainTimeoutMs);
      this.opts.logger.info(
        { route: route.id, targets: route.targets.map((t) => t.url), release: route.release, drain },
        old.length ? (drain.drained ? 'edge route swapped, old targets drained' : 'edge route swapped, drain timed out') : 'edge route updated',
      );
      return { ...live.state(), drain };
    });
  }

  remove(id: string): Promise<void> {
    return this.perRoute.run(id, async () => {
      const live = this.mustGet(id);
      await this.commit(id, null, () => {
        this.routes.delete(id);
        this.rebuildTable();
        live.monitor.stop();
        live.gate.expireAll();
        for (const t of live.pool.targets) live.draining.add(t);
      });
      const drain = await drainTargets(live, live.pool.targets, live.route.drainTimeoutMs);
      this.opts.logger.info({ route: id, drain }, 'edge route removed');
    });
  }

  setMaintenance(id: string, change: MaintenanceChange): Promise<EdgeRouteState> {
    return this.perRoute.run(id, async () => {
      const live = this.mustGet(id);
      const prev = live.route.maintenance;
      const route: EdgeRoute = {
        ...live.route,
        maintenance: {
          enabled: change.enabled,
          message: change.message ?? prev?.message ?? DEFAULT_MAINTENANCE_MESSAGE,
          retryAfterSeconds: change.retryAfterSeconds ?? prev?.retryAfterSeconds ?? 60,
          // Turning maintenance on picks its page afresh (short unless asked); off keeps what was shown.
          ...((change.page ?? (change.enabled ? 'short' : prev?.page)) === 'long' ? { page: 'long' as const } : {}),
        },
      };
      await this.commit(id, route, () => {
        live.route = route;
      });
      this.opts.logger.info({ route: id, maintenance: change.enabled }, 'edge route maintenance changed');
      return live.state();
    });
  }

  async pause(id: string, maxHoldMs = DEFAULT_MAX_HOLD_MS): Promise<EdgeRouteState> {
    const live = this.mustGet(id);
    await this.commit(id, live.route, () => live.gate.pause(maxHoldMs), { paused: true, maxHoldMs });
    this.opts.logger.info({ route: id, maxHoldMs }, 'edge route paused');
    return live.state();
  }

  async resume(id: string): Promise<EdgeRouteState> {
    const live = this.mustGet(id);
    const held = live.gate.held;
    await this.commit(id, live.route, () => live.gate.resume(), { paused: false, maxHoldMs: live.gate.maxHoldMs });
    this.opts.logger.info({ route: id, released: held }, 'edge route resumed');
    return live.state();
  }

  /** Stops health checks and ends held requests (the edge is shutting down). */
  close(): void {
    this.discovery.stop();
    for (const live of this.routes.values()) {
      live.monitor.stop();
      live.gate.expireAll();
    }
  }

  /** One discovery pass over every route with `discover: 'dns'` targets (each in its route's queue). */
  /** A route whose queue is busy (a put waiting for its drain) is skipped until its pass ran. */
  private async discoverAll(): Promise<void> {
    for (const live of this.routes.values()) {
      if (!hasDiscovery(live.route) || this.discovering.has(live)) continue;
      this.discovering.add(live);
      void this.perRoute
        .run(live.id, async () => {
          if (this.routes.get(live.id) === live) await refreshDiscovered(live, this.resolve, this.opts.openTarget, this.opts.logger);
        })
        .catch((err: unknown) => this.opts.logger.warn({ route: live.id, err: (err as Error).message }, 'edge discovery pass failed'))
        .finally(() => this.discovering.delete(live));
    }
  }

  private createLive(route: EdgeRoute, pool: TargetPool): LiveRoute {
    const live = new LiveRoute(route, pool, this.opts.logger);
    this.routes.set(route.id, live);
    live.monitor.start();
    return live;
  }

  private mustGet(id: string): LiveRoute {
    const live = this.routes.get(id);
    if (!live) throw new NotFoundError('edge route', id);
    return live;
  }

  private assertNoConflict(route: EdgeRoute): void {
    const fallback = this.table.fallbackConflictWith(route);
    if (fallback) {
      const otherId = (fallback as unknown as { id: string }).id;
      throw new ConflictError(
        `route ${route.id}: on_demand_tls: route ${otherId} already has on-demand TLS on this edge, and only one route may serve the hosts no other route claims; remove on_demand_tls from one of them`,
        { id: route.id, conflictsWith: otherId },
      );
    }
    const other = this.table.conflictWith(route);
    if (other) {
      const hosts = route.hosts.length ? route.hosts.join(', ') : 'any host';
      throw new ConflictError(
        `route ${route.id} would serve the same requests as route ${other.id} (${hosts}, path ${route.pathPrefix}); ` +
          'give it another host or path prefix, or remove the other route first',
        { id: route.id, conflictsWith: other.id },
      );
    }
  }

  private async probeAll(fresh: UpstreamTarget[], route: EdgeRoute): Promise<void> {
    if (fresh.length === 0) return;
    const deadline = healthDeadlineMs(route.healthCheck, this.opts.healthDeadlineFloorMs ?? 30_000);
    const abort = new AbortController();
    let first: unknown;
    for (const t of fresh) t.healthy = false; // until it passed the gate
    this.admitting.set(route.id, fresh);
    try {
      await Promise.allSettled(
        fresh.map((t) =>
          waitUntilHealthy(t, route.healthCheck, deadline, abort.signal).catch((err: unknown) => {
            first ??= err;
            abort.abort();
            throw err;
          }),
        ),
      );
    } finally {
      this.admitting.delete(route.id);
    }
    if (first !== undefined) {
      for (const t of fresh) t.retire();
      throw first;
    }
    for (const t of fresh) t.healthy = true;
  }

  /** Writes the snapshot as it will be after the change, then applies the change synchronously. */
  private commit(id: string, route: EdgeRoute | null, apply: () => void, pause?: { paused: boolean; maxHoldMs: number }): Promise<void> {
    return this.commits.run('', async () => {
      if (route) this.assertNoConflict(route);
      const entries: SnapshotEntry[] = [];
      const ids = new Set([...this.routes.keys(), ...(route ? [id] : [])]);
      for (const rid of [...ids].sort()) {
        const live = this.routes.get(rid);
        if (rid === id) {
          if (!route) continue;
          entries.push({
            route,
            paused: pause?.paused ?? live?.gate.paused ?? false,
            maxHoldMs: pause?.maxHoldMs ?? live?.gate.maxHoldMs ?? DEFAULT_MAX_HOLD_MS,
          });
        } else if (live) {
          entries.push({ route: live.route, paused: live.gate.paused, maxHoldMs: live.gate.maxHoldMs });
        }
      }
      await writeSnapshot(this.opts.snapshotFile, entries);
      apply();
    });
  }

  private rebuildTable(): void {
    this.table = new RouteTable([...this.routes.values()]);
  }
}

async function drainTargets(live: LiveRoute, old: readonly UpstreamTarget[], timeoutMs: number): Promise<DrainReport> {
  const started = Date.now();
  for (const t of old) t.retire(() => live.draining.delete(t));
  const results = await Promise.all(old.map((t) => t.whenDrained(timeoutMs)));
  return {
    drained: results.every(Boolean),
    waitedMs: Date.now() - started,
    targets: old.map((t, i) => ({ url: t.url, drained: results[i] ?? false, inFlight: t.inFlight })),
  };
}
