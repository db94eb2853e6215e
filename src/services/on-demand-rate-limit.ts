// How many certificates on-demand TLS may order: per route, at most its `per_minute` in any
// 60 s, and across all routes at most `perHour` in any hour (SLIPWAY_ON_DEMAND_MAX_PER_HOUR), so a
// permissive ask endpoint cannot run the CA's rate limits (or the account) into the ground.
import { systemClock, type Clock } from '../platform/clock.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export class OnDemandRateLimit {
  readonly #perRoute = new Map<string, number[]>();
  #global: number[] = [];

  constructor(
    private readonly perHour: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Takes one issuance for `route` if both limits allow it; false (nothing taken) otherwise. */
  take(route: string, perMinute: number): boolean {
    const now = this.clock.now().getTime();
    const recent = (this.#perRoute.get(route) ?? []).filter((t) => t > now - MINUTE_MS);
    this.#global = this.#global.filter((t) => t > now - HOUR_MS);
    if (recent.length >= perMinute || this.#global.length >= this.perHour) {
      this.#perRoute.set(route, recent);
      return false;
    }
    recent.push(now);
    this.#perRoute.set(route, recent);
    this.#global.push(now);
    return true;
  }
}
