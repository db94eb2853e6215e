// The health of a route's targets as the admin API reports it (GET /routes/:id/health): for each
// target its role, health state, last check and consecutive failures, and whether it takes traffic.
import type { UpstreamTarget } from '../proxy/upstream-target.js';
import type { LiveRoute } from './live-route.js';

export type HealthState = 'healthy' | 'unhealthy' | 'unknown';

/** serving: in the route's pool; admitting: a put checks it before the swap; draining: swapped out, finishing its requests. */
export type TargetRole = 'serving' | 'admitting' | 'draining';

export interface TargetHealth {
  url: string;
  role: TargetRole;
  /** unknown until its first health check finished (targets restored from the snapshot start so, in rotation). */
  state: HealthState;
  /** Takes new requests: serving and healthy, or serving on a route that fails open. */
  inRotation: boolean;
  /** ISO time the last health check finished; null before the first. */
  lastCheckAt: string | null;
  /** "200", "503", "ECONNREFUSED", "timeout after 2000 ms"; null before the first check. */
  lastResult: string | null;
  consecutiveFailures: number;
  inFlight: number;
}

export interface RouteHealth {
  id: string;
  /** No serving target is healthy, so traffic goes to all of them. */
  failingOpen: boolean;
  /** Requests held by a pause. */
  held: number;
  targets: TargetHealth[];
}

export function routeHealth(id: string, live: LiveRoute | undefined, admitting: readonly UpstreamTarget[]): RouteHealth {
  const failingOpen = live?.pool.failingOpen ?? false;
  const targets: TargetHealth[] = [];
  for (const t of live?.pool.targets ?? []) targets.push(targetHealth(t, 'serving', failingOpen || t.healthy));
  for (const t of admitting) targets.push(targetHealth(t, 'admitting', false));
  for (const t of live?.draining ?? []) targets.push(targetHealth(t, 'draining', false));
  return { id, failingOpen, held: live?.gate.held ?? 0, targets };
}

function targetHealth(t: UpstreamTarget, role: TargetRole, inRotation: boolean): TargetHealth {
  const checked = t.lastCheckAt !== 0;
  return {
    url: t.url,
    role,
    state: !checked ? 'unknown' : t.healthy ? 'healthy' : 'unhealthy',
    inRotation,
    lastCheckAt: checked ? new Date(t.lastCheckAt).toISOString() : null,
    lastResult: checked ? t.lastResult : null,
    consecutiveFailures: t.failures,
    inFlight: t.inFlight,
  };
}
