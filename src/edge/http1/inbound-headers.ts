// The client's request headers as the head parser hands them on (raw arrays, [name, value, ...],
// so the request path never builds header objects): the ones to forward upstream, without the
// hop-by-hop ones named here, and the few the edge reads itself. proxy/forward-headers.ts adds
// the X-Forwarded-* and X-Request-Id headers.

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
