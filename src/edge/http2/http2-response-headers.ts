// A response head for an HTTP/2 stream, from the [name, value, ...] list an exchange sends (the
// upstream's end-to-end headers plus the edge's own). Names go lower-case (RFC 9113 8.2.1);
// connection-specific fields, which HTTP/2 forbids (8.2.2), are left out (the upstream response
// parser drops them already; this holds for pages and anything added later too); a repeated field
// is joined with ", " (RFC 9110 5.3), except Set-Cookie, which stays one field per cookie.
import type { OutgoingHttpHeaders } from 'node:http2';

const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export function http2ResponseHeaders(status: number, headers: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':status': status };
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = (headers[i] as string).toLowerCase();
    const value = headers[i + 1] as string;
    if (CONNECTION_SPECIFIC.has(name)) continue;
    const seen = out[name];
    if (seen === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = `${String(seen)}, ${value}`;
  }
  return out;
}
