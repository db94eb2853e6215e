// The client's request headers as the head parser hands them on (raw arrays, [name, value, ...],
// so the request path never builds header objects): the ones to forward upstream, without the
// hop-by-hop ones named here, and the few the edge reads itself. proxy/forward-headers.ts adds
// the X-Forwarded-* and X-Request-Id headers; the client's own forwarding headers (X-Forwarded-*,
// X-Real-IP, Forwarded) are kept apart here and passed on only when the peer is a trusted proxy.

export interface InboundHeaders {
  /** Headers to send upstream, without the hop-by-hop and forwarding ones. */
  forward: string[];
  host: string | undefined;
  requestId: string | undefined;
  /** The client's X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host (several fields joined). */
  forwardedFor: string | undefined;
  forwardedProto: string | undefined;
  forwardedHost: string | undefined;
  /** The client's X-Real-IP and Forwarded fields as sent ([name, value, ...]), or undefined when none. */
  relayed: string[] | undefined;
  hasBody: boolean;
  upgrade: string | undefined;
}

// Not forwarded: transfer-encoding and expect are the upstream client's business (it frames the
// body itself), and X-Forwarded-Prefix and X-Script-Name are the edge's own (never taken from the client).
export const HOP_BY_HOP_REQUEST: ReadonlySet<string> = new Set([
  'te',
  'expect',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'connection',
  'keep-alive',
  'proxy-connection',
  'x-forwarded-prefix',
  'x-script-name',
  'proxy-authorization',
]);
