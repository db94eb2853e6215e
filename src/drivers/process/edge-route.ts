// The edge route of an environment, built as data from the spec and the release's instances.
import { healthCheckSchema, routeHosts, routeSchema, type AppSpec, type EnvironmentSpec } from '../../core/app-spec.js';
import { routeRedirectFields } from '../../core/route-redirect-fields.js';
import { routeTlsFields } from '../../core/route-tls-fields.js';
import type { EdgeRoute, EdgeRouteState } from '../../core/ports/edge-control.js';
import { releasePages, staticMounts } from './static-mounts.js';

export const RELEASE_HEADER = 'X-Slipway-Release';

export interface RouteInput {
  app: string;
  env: string;
  spec: AppSpec;
  envSpec: EnvironmentSpec;
  releaseId: string;
  /** The release's directory (absolute): static mounts are served from inside it. */
  releaseDir: string;
  /** Loopback ports of the release's instances of `webProcess(spec)`. */
  ports: number[];
  /** The route as the edge has it now: maintenance and error pages are kept. */
  existing: EdgeRouteState | null;
}

export function routeId(app: string, env: string): string {
  return `${app}/${env}`;
}

/** With no `route` in the environment spec, the environment is served at `<env>.<app>.localhost/`. */
export function defaultHost(app: string, env: string): string {
  return `${env}.${app}.localhost`;
}

/** The process type the edge routes to: the first http process with instances, or null. */
export function webProcess(spec: AppSpec): string | null {
  return Object.entries(spec.processes).find(([, p]) => p.http && p.instances > 0)?.[0] ?? null;
}

export function buildEdgeRoute(input: RouteInput): EdgeRoute {
  const route = input.envSpec.route ?? { ...routeSchema.parse({}), host: defaultHost(input.app, input.env) };
  const web = input.spec.processes[webProcess(input.spec) ?? ''];
  const health = web?.health ?? healthCheckSchema.parse({});
  const out: EdgeRoute = {
    id: routeId(input.app, input.env),
    pathPrefix: route.path,
    stripPrefix: route.strip_prefix,
    targets: input.ports.map((port) => ({ url: `http://127.0.0.1:${port}`, release: input.releaseId })),
    healthCheck: { path: health.path, intervalMs: health.interval, timeoutMs: health.timeout, healthyThreshold: 1 },
    drainTimeoutMs: input.envSpec.drain_timeout,
    releaseHeader: route.release_header ? RELEASE_HEADER : null,
    release: input.releaseId,
    maintenance: input.existing?.maintenance ?? null,
    ...routeTlsFields(route),
    ...routeRedirectFields(input.envSpec, route, routeHosts(route)),
  };
  if (input.spec.static.length > 0) out.static = staticMounts(input.spec, input.releaseDir);
  const pages = releasePages(input.spec, input.releaseDir);
  if (pages) out.pages = pages;
  if (input.spec.intercept_errors) out.interceptErrors = true;
  if (route.upgrades.length > 0) out.upgrades = route.upgrades.map((p) => p.toLowerCase());
  if (input.existing?.errorPages) out.errorPages = input.existing.errorPages;
  return out;
}
