// Makes the edge serve what the store says is live: for every environment of one driver whose
// live release the edge does not route (a restarted edge, a lost or damaged snapshot, a route
// someone removed), the driver builds the release's route again and it is put on the edge.
// Environments with a deployment under way are left to that deployment (it moves traffic itself).
import { errorMessage } from '../core/errors.js';
import type { DriverKind } from '../core/model.js';
import type { EdgeControl } from '../core/ports/edge-control.js';
import type { RuntimeDriver } from '../core/ports/runtime-driver.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { Locks } from '../core/ports/store/locks.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { StatusReads } from '../core/ports/store/status-reads.js';
import type { RouteReconcileReport } from '../core/wire/status.js';

/** The reads a pass makes (nothing is written to the store). */
export type ReconcilerStore = Pick<AppsAndEnvironments, 'listApps' | 'listEnvironments'> &
  Pick<StatusReads, 'liveReleases'> &
  Pick<Releases, 'getRelease'> &
  Pick<Locks, 'listLocks' | 'getLock'>;

export interface RouteReconcilerOptions {
  store: ReconcilerStore;
  /** The driver whose environments this edge serves, and its kind. */
  kind: DriverKind;
  driver: () => RuntimeDriver;
  edge: EdgeControl;
}

export class RouteReconciler {
  constructor(private readonly o: RouteReconcilerOptions) {}

  /** One pass; never throws for one environment (its failure is in the report). */
  async reconcile(): Promise<RouteReconcileReport> {
    const { store, edge } = this.o;
    const [apps, envs, live, locks, routes] = await Promise.all([
      store.listApps(),
      store.listEnvironments(),
      store.liveReleases(),
      store.listLocks(),
      edge.listRoutes(),
    ]);
    const appById = new Map(apps.map((a) => [a.id, a]));
    const deploying = new Set(locks.filter((l) => l.kind === 'deployment').map((l) => l.environmentId));
    const routeById = new Map(routes.map((r) => [r.id, r]));
    const report: RouteReconcileReport = { at: new Date().toISOString(), live: 0, repaired: [], failures: [] };
    for (const env of envs) {
      const app = appById.get(env.appId);
      const summary = live.get(env.id);
      if (!app || app.driver !== this.o.kind || !summary) continue;
      report.live += 1;
      const id = `${app.name}/${env.name}`;
      const existing = routeById.get(id) ?? null;
      if (deploying.has(env.id) || existing?.release === summary.id) continue;
      try {
        // The status read leaves the spec out; the full record has it.
        const release = await store.getRelease(summary.id);
        const driver = this.o.driver();
        const route = release && driver.liveRoute ? await driver.liveRoute(app, env, release, existing) : null;
        if (!route || !release) continue;
        // A deployment may have started since the reads above: it moves traffic itself.
        if (release.status !== 'live' || (await store.getLock(env.id))?.kind === 'deployment') continue;
        await edge.putRoute(route);
        report.repaired.push(`${id} -> ${release.id}`);
      } catch (err) {
        report.failures.push(`${id}: ${errorMessage(err)}`);
      }
    }
    return report;
  }
}
