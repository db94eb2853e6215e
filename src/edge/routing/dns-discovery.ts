// DNS-discovered targets: a route target with `discover: 'dns'` names a service
// ("http://tasks.shop-prod_web:3000"); each of its A records is served as a target of its own.
// Resolution happens when a route is put and then about every second: a new address joins the
// pool unhealthy (the health monitor admits it after `healthyThreshold` passing checks), an
// address that vanished leaves the pool and drains its in-flight requests.
import { promises as dns } from 'node:dns';
import { isIPv4 } from 'node:net';
import { PreconditionError } from '../../core/errors.js';
import type { EdgeRoute, EdgeTarget } from '../../core/ports/edge-control.js';
import type { Logger } from '../../platform/logger.js';
import type { UpstreamTarget } from '../proxy/upstream-target.js';
import type { LiveRoute } from './live-route.js';
import { TargetPool } from './target-pool.js';

/** All IPv4 addresses of `host` (empty when the name has none). Rejects on resolver failures. */
export type ResolveAddresses = (host: string) => Promise<string[]>;

export const DEFAULT_DISCOVERY_INTERVAL_MS = 1000;

const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** DNS first (Docker's embedded resolver answers tasks.<service>), then the system resolver (/etc/hosts). */
export const resolveAddresses: ResolveAddresses = async (host) => {
  if (isIPv4(host)) return [host];
  try {
    return sortAddresses(await dns.resolve4(host));
  } catch (err) {
    try {
      return sortAddresses((await dns.lookup(host, { all: true, family: 4 })).map((a) => a.address));
    } catch (err2) {
      const code = (err2 as NodeJS.ErrnoException).code ?? (err as NodeJS.ErrnoException).code ?? '';
      if (NO_SUCH_NAME.has(code)) return [];
      throw err2;
    }
  }
};

function sortAddresses(list: string[]): string[] {
  return [...new Set(list)].sort();
}

export function hasDiscovery(route: EdgeRoute): boolean {
  return route.targets.some((t) => t.discover === 'dns');
}

/** The concrete targets of a discovered target: one per address, same scheme and port. */
export function addressTargets(spec: EdgeTarget, addresses: readonly string[]): EdgeTarget[] {
  const u = new URL(spec.url);
  return addresses.map((ip) => {
    const url = `${u.protocol}//${ip}${u.port ? `:${u.port}` : ''}`;
    return spec.release === undefined ? { url } : { url, release: spec.release };
  });
}

/**
 * The route's targets with every discovered one replaced by its addresses. `strict`: a
 * discovered name with no address (or a failing resolver) throws PreconditionError.
 */
export async function expandTargets(route: EdgeRoute, resolve: ResolveAddresses, strict: boolean): Promise<EdgeTarget[]> {
  const out: EdgeTarget[] = [];
  for (const spec of route.targets) {
    if (spec.discover !== 'dns') {
      out.push(spec);
      continue;
    }
    const host = new URL(spec.url).hostname;
    let addresses: string[] = [];
    try {
      addresses = await resolve(host);
    } catch (err) {
      if (strict) throw new PreconditionError(`route ${route.id}: cannot resolve ${host} (${(err as Error).message}); is the edge attached to the service's network?`, { host });
    }
    if (strict && addresses.length === 0) {
      throw new PreconditionError(
        `route ${route.id}: ${host} resolves to no address: no running (healthy) task of the service is reachable from the edge; ` +
          'check that the service runs and shares a network with the edge',
        { host },
      );
    }
    out.push(...addressTargets(spec, addresses));
  }
  const seen = new Set<string>();
  return out.filter((t) => !seen.has(t.url) && Boolean(seen.add(t.url)));
}

/**
 * One discovery pass over a serving route: swaps in a pool with the current addresses. Keeps the
 * pool as it is when a name resolves to nothing or the resolver fails (a DNS hiccup must not
 * empty a route). Returns what changed.
 */
export async function refreshDiscovered(
  live: LiveRoute,
  resolve: ResolveAddresses,
  openTarget: (spec: EdgeTarget) => UpstreamTarget,
  logger: Logger,
): Promise<{ added: string[]; removed: string[] }> {
  const route = live.route;
  const specs: EdgeTarget[] = [];
  for (const spec of route.targets) {
    if (spec.discover !== 'dns') {
      specs.push(spec);
      continue;
    }
    const host = new URL(spec.url).hostname;
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch (err) {
      logger.warn({ route: route.id, host, err: (err as Error).message }, 'edge discovery: resolver failed, keeping the current targets');
      return { added: [], removed: [] };
    }
    if (addresses.length === 0) {
      logger.warn({ route: route.id, host }, 'edge discovery: name resolves to no address, keeping the current targets');
      return { added: [], removed: [] };
    }
    specs.push(...addressTargets(spec, addresses));
  }
  if (live.route !== route) return { added: [], removed: [] }; // a put replaced the route meanwhile
  const current = live.pool.targets;
  const wanted = new Set(specs.map((s) => s.url));
  const removed = current.filter((t) => !wanted.has(t.url));
  const fresh: UpstreamTarget[] = [];
  const next = specs.map((spec) => {
    const same = current.find((t) => t.url === spec.url);
    if (same) return same;
    const t = openTarget(spec);
    t.healthy = false; // takes traffic once the health monitor saw healthyThreshold passing checks
    t.successes = 0;
    fresh.push(t);
    return t;
  });
  if (fresh.length === 0 && removed.length === 0) return { added: [], removed: [] };
  live.pool = new TargetPool(next);
  for (const t of removed) {
    live.draining.add(t);
    t.retire(() => live.draining.delete(t));
  }
  const change = { added: fresh.map((t) => t.url), removed: removed.map((t) => t.url) };
  logger.info({ route: route.id, ...change }, 'edge discovery: targets changed (new ones join once healthy, removed ones drain)');
  return change;
}

/** Runs `pass` every `intervalMs`, never two at once. */
export class DiscoveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      void this.pass().finally(() => {
        this.running = false;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
