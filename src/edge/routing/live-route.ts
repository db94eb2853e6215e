// A route as it serves: its settings, current target pool, pause gate, health monitor and the
// old targets still draining.
import type { EdgeRoute, EdgeRouteState } from '../../core/ports/edge-control.js';
import type { Logger } from '../../platform/logger.js';
import type { ServedRoute } from '../proxy/served-route.js';
import type { UpstreamTarget } from '../proxy/upstream-target.js';
import { HealthMonitor } from './health-monitor.js';
import { PauseGate } from './pause-gate.js';
import type { Routable } from './route-table.js';
import type { TargetPool } from './target-pool.js';

export class LiveRoute implements Routable, ServedRoute {
  readonly gate = new PauseGate();
  readonly draining = new Set<UpstreamTarget>();
  readonly monitor: HealthMonitor;

  constructor(
    public route: EdgeRoute,
    public pool: TargetPool,
    logger: Logger,
  ) {
    this.monitor = new HealthMonitor(this, logger);
  }

  get id(): string {
    return this.route.id;
  }
  get hosts(): readonly string[] {
    return this.route.hosts;
  }
  get pathPrefix(): string {
    return this.route.pathPrefix;
  }
  get onDemandTls(): boolean {
    return this.route.onDemandTls === true;
  }

  state(): EdgeRouteState {
    const inFlight: Record<string, number> = {};
    for (const t of this.draining) inFlight[t.url] = t.inFlight;
    for (const t of this.pool.targets) inFlight[t.url] = t.inFlight;
    return { ...structuredClone(this.route), paused: this.gate.paused, inFlight };
  }

  /** Everything in flight on current and draining targets. */
  inFlightTotal(): number {
    let n = 0;
    for (const t of this.pool.targets) n += t.inFlight;
    for (const t of this.draining) n += t.inFlight;
    return n;
  }
}
