// The HTTPS part of an edge route, from the environment's route spec: `tls` (with HSTS) when the
// route has TLS, `canonicalHost` when one is named. Both drivers build their routes with it, so a
// route without either stays exactly as it was before routes had TLS.
import type { RouteSpec } from './app-spec.js';
import type { EdgeRoute } from './ports/edge-control.js';

export function routeTlsFields(route: Pick<RouteSpec, 'tls' | 'hsts' | 'canonical_host'> & Partial<Pick<RouteSpec, 'on_demand_tls'>>): Pick<EdgeRoute, 'tls' | 'canonicalHost' | 'onDemandTls'> {
  const out: Pick<EdgeRoute, 'tls' | 'canonicalHost' | 'onDemandTls'> = {};
  if (route.tls !== 'off') out.tls = { hsts: route.hsts };
  if (route.canonical_host !== undefined) out.canonicalHost = route.canonical_host;
  if (route.on_demand_tls !== undefined) out.onDemandTls = true;
  return out;
}
