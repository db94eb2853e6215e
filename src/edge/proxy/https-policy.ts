// What a route's TLS settings mean for one request (EdgeRoute.tls, EdgeRoute.canonicalHost): a
// plain-HTTP request for a TLS route is redirected (308) to https, except the ACME HTTP-01 path; a
// request for a host other than the canonical one is redirected (308) to it, same scheme; the
// redirect for both is one hop. HTTPS responses of an `hsts` route carry Strict-Transport-Security.
import type { EdgeRoute } from '../../core/ports/edge-control.js';

export const ACME_HTTP01_PREFIX = '/.well-known/acme-challenge/';
export const HSTS_VALUE = 'max-age=31536000';

export interface RequestOrigin {
  secure: boolean;
  /** Normalised host (lower case, no port). */
  host: string;
  /** The Host header as sent (it may carry a port). */
  hostHeader: string | undefined;
  /** Origin-form target: path and query. */
  target: string;
}

/**
 * The Location to redirect to, or null to serve the request. `httpsPort`: where the edge's HTTPS
 * listener is reached (443 is left out of the URL); null when the edge serves no HTTPS, and then
 * plain-HTTP requests are served as they are.
 */
export function redirectFor(route: EdgeRoute, req: RequestOrigin, httpsPort: number | null): string | null {
  const canonical = route.canonicalHost ?? null;
  const toCanonical = canonical !== null && req.host !== canonical;
  const toHttps = !req.secure && route.tls != null && httpsPort !== null && !req.target.startsWith(ACME_HTTP01_PREFIX);
  if (!toCanonical && !toHttps) return null;
  const host = toCanonical ? canonical : req.host;
  if (toHttps) return `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.target}`;
  return `${req.secure ? 'https' : 'http'}://${host}${portOf(req.hostHeader)}${req.target}`;
}

/** Whether this response gets Strict-Transport-Security. */
export function wantsHsts(route: EdgeRoute, secure: boolean): boolean {
  return secure && route.tls?.hsts === true;
}

/** ":8080" from "shop.example:8080" (or "[::1]:8080"), "" when the header has no port. */
function portOf(hostHeader: string | undefined): string {
  if (hostHeader === undefined) return '';
  const close = hostHeader.lastIndexOf(']');
  const colon = hostHeader.lastIndexOf(':');
  return colon > close ? hostHeader.slice(colon) : '';
}
