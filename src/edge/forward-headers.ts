// Header rewriting between client and upstream, on raw header arrays ([name, value, ...]) so the
// request path never builds header objects. Hop-by-hop headers are dropped, X-Forwarded-* set.

export interface InboundHeaders {
  /** Headers to send upstream, without the hop-by-hop and X-Forwarded-* ones. */
  forward: string[];
  host: string | undefined;
  requestId: string | undefined;
  forwardedFor: string | undefined;
  hasBody: boolean;
  upgrade: string | undefined;
}

/** Reads the client's raw headers in one pass. */
export function readInbound(raw: readonly string[]): InboundHeaders {
  const forward: string[] = [];
  let host: string | undefined;
  let requestId: string | undefined;
  let forwardedFor: string | undefined;
  let upgrade: string | undefined;
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') host = value;
        break;
      case 2:
      case 6:
      case 7:
      case 10:
      case 16:
      case 17:
      case 18:
      case 19: {
        const lower = name.toLowerCase();
        if (lower === 'upgrade') upgrade = value;
        else if (lower === 'transfer-encoding') hasBody = true;
        if (HOP_BY_HOP_REQUEST.has(lower)) continue;
        break;
      }
      case 12:
        if (name.toLowerCase() === 'x-request-id') {
          requestId = value;
          continue;
        }
        break;
      case 14:
        if (!hasBody && name.toLowerCase() === 'content-length' && value !== '0') hasBody = true;
        break;
      case 15:
        if (name.toLowerCase() === 'x-forwarded-for') {
          forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
          continue;
        }
        break;
    }
    forward.push(name, value);
  }
  return { forward, host, requestId, forwardedFor, hasBody, upgrade };
}

// transfer-encoding and expect are the upstream client's business (it frames the body itself).
const HOP_BY_HOP_REQUEST = new Set([
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
