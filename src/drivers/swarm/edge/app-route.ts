// Routing an app's stack through the Swarm edge: which service is routed (label
// `slipway.route.port` on the compose service, in `labels` or `deploy.labels`, or the driver's
// option), attaching it to the edge network, and the environment's edge route whose one target
// is discovered by DNS (tasks.<stack>_<service>: one target per running task).
import { healthCheckSchema, routeHosts, routeSchema } from '../../../core/app-spec.js';
import { routeRedirectFields } from '../../../core/route-redirect-fields.js';
import { routeTlsFields } from '../../../core/route-tls-fields.js';
import { ConfigError } from '../../../core/errors.js';
import type { DriverContext } from '../../../core/ports/runtime-driver.js';
import type { EdgeRoute, EdgeRouteState } from '../../../core/ports/edge-control.js';
import type { ServiceSpec } from '../compose/swarm-types.js';
import { LABEL_SPEC_HASH, specHash } from '../stack/apply-stack.js';
import { EDGE_NETWORK } from './edge-network.js';

export const ROUTE_PORT_LABEL = 'slipway.route.port';
export const ROUTE_HEALTH_LABEL = 'slipway.route.health';
export const RELEASE_HEADER = 'X-Slipway-Release';

/** The routed service of a stack; `service` is the compose name ("web"). */
export interface SwarmRoute {
  service: string;
  port: number;
  /** Path the edge probes on each task (default: the spec's processes.<service>.health.path, else "/"). */
  healthPath?: string;
}

function labelOf(spec: ServiceSpec, key: string): string | undefined {
  return spec.Labels[key] ?? spec.TaskTemplate.ContainerSpec.Labels[key];
}

/** The routed service from the specs' labels, else `fallback`; null when neither names one. */
export function routedService(stack: string, specs: readonly ServiceSpec[], fallback?: SwarmRoute): SwarmRoute | null {
  const labelled = specs.filter((s) => labelOf(s, ROUTE_PORT_LABEL) !== undefined);
  if (labelled.length > 1) {
    throw new ConfigError(`stack ${stack}: services ${labelled.map((s) => s.Name).join(', ')} all carry the label ${ROUTE_PORT_LABEL}; the edge routes one service per environment: keep it on one`);
  }
  const spec = labelled[0];
  if (!spec) return fallback ?? null;
  const raw = labelOf(spec, ROUTE_PORT_LABEL) ?? '';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`service ${spec.Name}: label ${ROUTE_PORT_LABEL}=${JSON.stringify(raw)} is not a port; give the port the service listens on, like "8080"`);
  }
  const out: SwarmRoute = { service: spec.Name.startsWith(`${stack}_`) ? spec.Name.slice(stack.length + 1) : spec.Name, port };
  const health = labelOf(spec, ROUTE_HEALTH_LABEL);
  if (health !== undefined) {
    if (!health.startsWith('/')) throw new ConfigError(`service ${spec.Name}: label ${ROUTE_HEALTH_LABEL}=${JSON.stringify(health)}: expected a path starting with "/"`);
    out.healthPath = health;
  }
  return out;
}

/** The specs with the routed service attached to the edge network (idempotent; spec hash label updated). */
export function attachToEdge(stack: string, specs: readonly ServiceSpec[], routed: SwarmRoute, network = EDGE_NETWORK): ServiceSpec[] {
  const name = `${stack}_${routed.service}`;
  if (!specs.some((s) => s.Name === name)) {
    throw new ConfigError(`the routed service ${JSON.stringify(routed.service)} is not a service of stack ${stack} (services: ${specs.map((s) => s.Name).join(', ')})`);
  }
  return specs.map((spec) => {
    if (spec.Name !== name) return spec;
    const nets = spec.TaskTemplate.Networks ?? [];
    if (nets.some((n) => n.Target === network)) return spec;
    const out = structuredClone(spec);
    out.TaskTemplate.Networks = [...nets, { Target: network }].sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
    if (out.Labels[LABEL_SPEC_HASH] !== undefined) out.Labels[LABEL_SPEC_HASH] = specHash(out);
    return out;
  });
}

/** The host names of an environment: its route's hosts, else "<env>.<app>.localhost" (as the process driver). */
export function environmentHosts(ctx: Pick<DriverContext, 'app' | 'environment' | 'envSpec'>): string[] {
  return ctx.envSpec.route ? routeHosts(ctx.envSpec.route) : [`${ctx.environment.name}.${ctx.app.name}.localhost`];
}

export function swarmEdgeRoute(
  ctx: Pick<DriverContext, 'app' | 'environment' | 'envSpec' | 'spec'>,
  stack: string,
  routed: SwarmRoute,
  releaseId: string,
  existing: EdgeRouteState | null,
): EdgeRoute {
  const route = ctx.envSpec.route ?? routeSchema.parse({});
  const health = ctx.spec.processes[routed.service]?.health ?? healthCheckSchema.parse({});
  const out: EdgeRoute = {
    id: `${ctx.app.name}/${ctx.environment.name}`,
    pathPrefix: route.path,
    stripPrefix: route.strip_prefix,
    targets: [{ url: `http://tasks.${stack}_${routed.service}:${routed.port}`, discover: 'dns', release: releaseId }],
    healthCheck: { path: routed.healthPath ?? health.path, intervalMs: health.interval, timeoutMs: health.timeout, healthyThreshold: 1 },
    drainTimeoutMs: ctx.envSpec.drain_timeout,
    releaseHeader: route.release_header ? RELEASE_HEADER : null,
    release: releaseId,
    maintenance: existing?.maintenance ?? null,
    ...routeTlsFields(route),
    ...routeRedirectFields(ctx.envSpec, route, environmentHosts(ctx)),
  };
  if (route.upgrades.length > 0) out.upgrades = route.upgrades.map((p) => p.toLowerCase());
  if (existing?.errorPages) out.errorPages = existing.errorPages;
  return out;
}
