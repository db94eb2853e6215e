// How the control plane drives the edge proxy (its admin API).

export interface EdgeTarget {
  /** "http://127.0.0.1:41234" */
  url: string;
  /** Release that owns the target, for logs and headers. */
  release?: string;
  /**
   * 'dns': the url's host names a service ("http://tasks.shop-prod_web:3000"); the edge resolves
   * all its A records about every second and serves each address as a target of its own (new
   * ones after passing the health check, vanished ones drain). Absent: the url is one origin.
   */
  discover?: 'dns';
}

export interface EdgeHealthCheck {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive successes needed before a new target takes traffic. */
  healthyThreshold: number;
}

export interface EdgeRoute {
  /** Stable id, "<app>/<env>". */
  id: string;
  /** Host names matched exactly (case-insensitive); empty means any host. */
  hosts: string[];
  /** Path prefix, "/" for everything. */
  pathPrefix: string;
  stripPrefix: boolean;
  targets: EdgeTarget[];
  healthCheck: EdgeHealthCheck;
  drainTimeoutMs: number;
  /** Response header naming the serving release, or null. */
  releaseHeader: string | null;
  release: string | null;
  maintenance: { enabled: boolean; message: string; retryAfterSeconds: number } | null;
  /**
   * HTTP Upgrade protocols besides WebSocket the edge tunnels to the targets ("h2c"), lower case;
   * absent or empty: only WebSocket. Other upgrade requests are served as plain requests.
   */
  upgrades?: string[];
  /** Custom bodies for 502/503/504, HTML. */
  errorPages?: Partial<Record<'502' | '503' | '504', string>>;
  /**
   * HTTPS for this route's hosts (certificates come through EdgeTls): plain-HTTP requests are
   * redirected with 308 to https (the ACME HTTP-01 path excepted), HTTPS responses carry
   * Strict-Transport-Security when hsts is set. Absent or null: served over HTTP as before.
   */
  tls?: { hsts: boolean } | null;
  /** One of `hosts`: requests for the route's other hosts are redirected (308) to it, same scheme, path and query. */
  canonicalHost?: string | null;
  /**
   * Certificates at the first handshake (on_demand_tls): the edge asks the control plane for a
   * certificate for an SNI name it has none for, and serves this route for hosts no other route
   * claims. At most one route per edge.
   */
  onDemandTls?: boolean;
}

export interface EdgeRouteState extends EdgeRoute {
  paused: boolean;
  /** Requests currently in flight per target url. */
  inFlight: Record<string, number>;
}

export interface EdgeControl {
  /** Creates or updates a route. Targets are health-checked first; the swap is atomic and the old targets drain. */
  putRoute(route: EdgeRoute): Promise<EdgeRouteState>;
  removeRoute(id: string): Promise<void>;
  getRoute(id: string): Promise<EdgeRouteState | null>;
  listRoutes(): Promise<EdgeRouteState[]>;
  setMaintenance(id: string, maintenance: { enabled: boolean; message?: string; retryAfterSeconds?: number }): Promise<void>;
  pause(id: string, maxHoldMs?: number): Promise<void>;
  resume(id: string): Promise<void>;
}
