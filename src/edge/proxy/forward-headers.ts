// Header rewriting between client and upstream, on raw header arrays ([name, value, ...]) so the
// request path never builds header objects. The request head parser already left out the
// hop-by-hop headers and kept the client's forwarding headers apart (http1/inbound-headers.ts);
// addForwarded passes those on only for a trusted proxy, and sets X-Forwarded-* and X-Request-Id.
import type { InboundHeaders } from '../http1/inbound-headers.js';

/**
 * Appends the X-Forwarded-* and X-Request-Id headers to `forward` (mutates and returns it).
 * `trusted`: the peer is a configured trusted proxy, so what it says about the client (its
 * X-Forwarded-For chain, X-Forwarded-Proto/-Host, X-Real-IP, Forwarded) is passed on; from any
 * other peer those are dropped and the edge says only what it saw itself (`proto`: https when the
 * request came over the edge's TLS listener).
 */
export function addForwarded(
  inbound: InboundHeaders,
  clientAddress: string | undefined,
  trusted: boolean,
  prefix: string,
  requestId: string,
  proto: 'http' | 'https' = 'http',
): string[] {
  const h = inbound.forward;
  const client = clientAddress ?? 'unknown';
  if (trusted) {
    h.push('X-Forwarded-For', inbound.forwardedFor === undefined ? client : `${inbound.forwardedFor}, ${client}`);
    h.push('X-Forwarded-Proto', inbound.forwardedProto ?? proto);
    if (inbound.relayed !== undefined) h.push(...inbound.relayed);
  } else {
    h.push('X-Forwarded-For', client, 'X-Forwarded-Proto', proto);
  }
  const forwardedHost = trusted && inbound.forwardedHost !== undefined ? inbound.forwardedHost : inbound.host;
  if (forwardedHost !== undefined) h.push('X-Forwarded-Host', forwardedHost);
  if (inbound.host === undefined) h.push('Host', 'localhost'); // HTTP/1.0 clients may send none; HTTP/1.1 upstreams need one
  if (prefix !== '/') h.push('X-Forwarded-Prefix', prefix);
  h.push('X-Request-Id', requestId);
  return h;
}
