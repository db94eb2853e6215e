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

/**
 * Files the edge serves itself under a route's path prefix, before proxying. `path` is relative to
 * the prefix ("/static" under a route at "/event1" serves "/event1/static/..."); `dir` or `file` is
 * absolute (the driver resolves it inside the release, so a rollback serves the old release's files).
 */
export interface StaticMount {
  path: string;
  /** A directory served at `path` and below. */
  dir?: string;
  /** One file served at exactly `path`. */
  file?: string;
  /** A missing file (or a method other than GET/HEAD) goes to the app instead of a 404/405. */
  tryFiles?: boolean;
}

/**
 * A redirect the edge answers before proxying: requests for `fromHost`, or whose path (under the
 * route's prefix) starts with `fromPath`, go to `to`; `keepPath` appends the rest of the path and the query.
 */
export interface RedirectRule {
  fromHost?: string;
  fromPath?: string;
  to: string;
  status: 301 | 302 | 307 | 308;
  keepPath: boolean;
}

export type MaintenancePage = 'short' | 'long';

/** The pages a route's release brings (slipway.yml `pages`), as absolute paths of HTML files. */
export type RoutePages = Partial<Record<'maintenance' | 'long_maintenance' | '404' | '500' | '502' | '503' | '504', string>>;

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
  /** `page: 'long'`: the route's long_maintenance page (pages) instead of its maintenance page. */
  maintenance: { enabled: boolean; message: string; retryAfterSeconds: number; page?: MaintenancePage } | null;
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
  /** The release's own pages for the edge's maintenance and error answers (read from the files when served). */
  pages?: RoutePages;
  /** The app's own 404 and 5xx answers are replaced by the route's page for that status, when it has one. */
  interceptErrors?: boolean;
  /** Served by the edge before proxying, in order; absent: none. */
  static?: StaticMount[];
  /** Answered by the edge before static files and proxying, first match wins. */
  redirects?: RedirectRule[];
  /** Send X-Script-Name: <pathPrefix> upstream (WSGI apps mounted under a sub-path). */
  scriptName?: boolean;
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
  setMaintenance(id: string, maintenance: { enabled: boolean; message?: string; retryAfterSeconds?: number; page?: MaintenancePage }): Promise<void>;
  pause(id: string, maxHoldMs?: number): Promise<void>;
  resume(id: string): Promise<void>;
}
