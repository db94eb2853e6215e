// The redirect and sub-path part of an edge route, from the environment's spec: `redirects` in the
// edge's form, the route's hosts with every from_host added (so those requests reach the route and
// its rules; a route for any host already gets them), and `scriptName`. Both drivers build their
// routes with it.
import type { EnvironmentSpec, RouteSpec } from './app-spec.js';
import type { EdgeRoute } from './ports/edge-control.js';

export function routeRedirectFields(
  envSpec: Pick<EnvironmentSpec, 'redirects'>,
  route: Pick<RouteSpec, 'script_name'>,
  hosts: string[],
): Pick<EdgeRoute, 'hosts' | 'redirects' | 'scriptName'> {
  const out: Pick<EdgeRoute, 'hosts' | 'redirects' | 'scriptName'> = { hosts };
  if (envSpec.redirects.length > 0) {
    out.redirects = envSpec.redirects.map((r) => ({
      ...(r.from_host !== undefined ? { fromHost: r.from_host } : {}),
      ...(r.from_path !== undefined ? { fromPath: r.from_path.length > 1 ? r.from_path.replace(/\/+$/, '') || '/' : r.from_path } : {}),
      to: r.to,
      status: r.status,
      keepPath: r.keep_path,
    }));
    if (hosts.length > 0) {
      const extra = envSpec.redirects.flatMap((r) => (r.from_host !== undefined && !hosts.includes(r.from_host) ? [r.from_host] : []));
      out.hosts = [...hosts, ...new Set(extra)];
    }
  }
  if (route.script_name) out.scriptName = true;
  return out;
}
