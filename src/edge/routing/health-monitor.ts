// Active health checks of a route's serving targets every `intervalMs`: one failed check takes a
// target out of rotation, `healthyThreshold` passing checks put it back.
import type { Logger } from '../../platform/logger.js';
import type { UpstreamTarget } from '../proxy/upstream-target.js';
import { probe } from './health-probe.js';
import type { LiveRoute } from './live-route.js';

export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 0;
  private readonly probing = new Set<UpstreamTarget>();

  constructor(
    private readonly live: LiveRoute,
    private readonly logger: Logger,
  ) {}

  /** Starts, or restarts when the interval changed. */
  start(): void {
    const interval = this.live.route.healthCheck.intervalMs;
    if (this.timer && interval === this.intervalMs) return;
    this.stop();
    this.intervalMs = interval;
    this.timer = setInterval(() => this.tick(), interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const check = this.live.route.healthCheck;
    for (const target of this.live.pool.targets) {
      if (this.probing.has(target)) continue;
      this.probing.add(target);
      void probe(target, check).then((result) => {
        this.probing.delete(target);
        this.apply(target, result.ok, result.detail);
      });
    }
  }

  private apply(target: UpstreamTarget, ok: boolean, detail: string): void {
    const pool = this.live.pool;
    if (!pool.targets.includes(target)) return; // swapped out meanwhile
    const routeId = this.live.route.id;
    if (ok) {
      if (target.healthy) return;
      target.successes++;
      if (target.successes < this.live.route.healthCheck.healthyThreshold) return;
      target.healthy = true;
      target.successes = 0;
      const wasFailingOpen = pool.failingOpen;
      pool.refresh();
      this.logger.info({ route: routeId, target: target.url }, 'edge target healthy again, back in rotation');
      if (wasFailingOpen && !pool.failingOpen) this.logger.info({ route: routeId }, 'edge route no longer failing open');
      return;
    }
    target.successes = 0;
    if (!target.healthy) return;
    target.healthy = false;
    const startedFailingOpen = pool.refresh();
    this.logger.warn({ route: routeId, target: target.url, result: detail }, 'edge target failed its health check, out of rotation');
    if (startedFailingOpen) {
      this.logger.error(
        { route: routeId, targets: pool.targets.map((t) => t.url) },
        'every target of the route is unhealthy: failing open, sending traffic to all of them',
      );
    }
  }
}
