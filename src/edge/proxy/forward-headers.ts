// Header rewriting between client and upstream, on raw header arrays ([name, value, ...]) so the
// request path never builds header objects. The request head parser already left out the
// hop-by-hop headers (http1/inbound-headers.ts); addForwarded sets X-Forwarded-* and X-Request-Id.
import type { InboundHeaders } from '../http1/inbound-headers.js';

/** Appends the X-Forwarded-* and X-Request-Id headers to `forward` (mutates and returns it). */
export function addForwarded(
  inbound: InboundHeaders,
  clientAddress: string | undefined,
  prefix: string,
  requestId: string,
): string[] {
  const h = inbound.forward;
  const client = clientAddress ?? 'unknown';
  h.push('X-Forwarded-For', inbound.forwardedFor === undefined ? client : `${inbound.forwardedFor}, ${client}`);
  h.push('X-Forwarded-Proto', 'http');
  if (inbound.host !== undefined) h.push('X-Forwarded-Host', inbound.host);
  else h.push('Host', 'localhost'); // HTTP/1.0 clients may send none; HTTP/1.1 upstreams need one
  if (prefix !== '/') h.push('X-Forwarded-Prefix', prefix);
  h.push('X-Request-Id', requestId);
  return h;
}
