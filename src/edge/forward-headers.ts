// Header rewriting between client and upstream, on raw header arrays ([name, value, ...]) so the
// request path never builds header objects. The request head parser leaves out the hop-by-hop
// headers named here (http1-request-head.ts); addForwarded sets X-Forwarded-* and X-Request-Id.

export interface InboundHeaders {
  /** Headers to send upstream, without the hop-by-hop and X-Forwarded-* ones. */
  forward: string[];
  host: string | undefined;
  requestId: string | undefined;
  forwardedFor: string | undefined;
  hasBody: boolean;
  upgrade: string | undefined;
}

// Not forwarded: transfer-encoding and expect are the upstream client's business (it frames the
// body itself), and the X-Forwarded-* headers the edge sets are never taken from the client.
export const HOP_BY_HOP_REQUEST: ReadonlySet<string> = new Set([
  'te',
  'expect',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'connection',
  'keep-alive',
  'proxy-connection',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-prefix',
  'proxy-authorization',
]);

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
