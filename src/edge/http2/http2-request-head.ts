// An HTTP/2 request's header list mapped to the RequestHead the exchanges take (the same shape the
// HTTP/1 parser makes), so a stream is proxied to an HTTP/1.1 upstream exactly like an HTTP/1
// request: `:method` and `:path` become the request line, `:authority` the Host header, several
// `cookie` fields one (RFC 9113 8.2.3: joined with "; "), the client's forwarding headers kept apart
// (inbound-headers.ts). nghttp2 has already refused (stream error) what RFC 9113 8.2.2 calls
// malformed: upper-case names, connection-specific fields (Connection, Keep-Alive,
// Proxy-Connection, Transfer-Encoding, Upgrade), TE other than "trailers", CR, LF or NUL in a
// value, a Content-Length the DATA frames do not match. What reaches us is checked again where the
// HTTP/1.1 request line or head we write could be bent by it (the path, a value); hop-by-hop
// names are left out as for HTTP/1.
import { BadRequestError, MAX_REQUEST_HEAD_BYTES, type RequestHead } from '../http1/http1-request-head.js';
import { parseLength } from '../http1/http1-syntax.js';
import { HOP_BY_HOP_REQUEST } from '../http1/inbound-headers.js';

/** The header list size the edge advertises (SETTINGS_MAX_HEADER_LIST_SIZE): as much as an HTTP/1 head, plus HPACK's per-field overhead. */
export const MAX_HEADER_LIST_BYTES = MAX_REQUEST_HEAD_BYTES + 4 * 1024;

/** A CR, LF or NUL: never in a value we write into an HTTP/1.1 head. */
const BREAKS_HEAD = /[\0\r\n]/;

/**
 * Maps `raw` (the stream's header list, [name, value, ...], names lower-case as HTTP/2 requires).
 * `endStream`: the HEADERS frame ended the stream (no body). Throws BadRequestError.
 */
export function requestHeadFromHttp2(raw: readonly string[], endStream: boolean): RequestHead {
  let method = '';
  let path: string | undefined;
  let authority: string | undefined;
  let host: string | undefined;
  let cookie: string | undefined;
  const forward: string[] = [];
  const head: RequestHead = {
    method,
    target: '',
    minor: 1, // proxied as HTTP/1.1
    inbound: {
      forward,
      host: undefined,
      requestId: undefined,
      forwardedFor: undefined,
      forwardedProto: undefined,
      forwardedHost: undefined,
      relayed: undefined,
      hasBody: false,
      upgrade: undefined,
    },
    contentLength: -1,
    chunked: false,
    keepAlive: true,
    expectContinue: false,
    upgrade: false, // HTTP/2 has no Upgrade: WebSockets are HTTP/1.1 only
  };
  const inbound = head.inbound;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (BREAKS_HEAD.test(value)) throw bad(`a CR, LF or NUL in header ${JSON.stringify(name)}`);
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':authority') authority = value;
      else if (name !== ':scheme') throw bad(`the pseudo-header ${name} (only :method, :scheme, :authority and :path)`);
      continue;
    }
    switch (name) {
      case 'host':
        if (host !== undefined) throw bad('more than one Host header');
        host = value;
        continue;
      case 'cookie':
        cookie = cookie === undefined ? value : `${cookie}; ${value}`;
        continue;
      case 'content-length': {
        const length = parseLength(value);
        if (length < 0) throw bad(`Content-Length ${JSON.stringify(value)} is not a length`);
        if (head.contentLength !== -1 && head.contentLength !== length) throw bad('two different Content-Length values');
        if (head.contentLength !== -1) continue;
        head.contentLength = length;
        break;
      }
      case 'expect':
        if (value.toLowerCase() !== '100-continue') throw new BadRequestError(417, `Expect ${JSON.stringify(value)} is not supported (only 100-continue)`);
        head.expectContinue = true;
        continue;
      case 'x-request-id':
        inbound.requestId = value;
        continue;
      case 'x-forwarded-for':
        inbound.forwardedFor = inbound.forwardedFor === undefined ? value : `${inbound.forwardedFor}, ${value}`;
        continue;
      case 'x-forwarded-host':
        inbound.forwardedHost = inbound.forwardedHost === undefined ? value : `${inbound.forwardedHost}, ${value}`;
        continue;
      case 'x-forwarded-proto':
        inbound.forwardedProto = inbound.forwardedProto === undefined ? value : `${inbound.forwardedProto}, ${value}`;
        continue;
      case 'x-real-ip':
      case 'forwarded':
        (inbound.relayed ??= []).push(name, value);
        continue;
    }
    if (HOP_BY_HOP_REQUEST.has(name)) continue;
    forward.push(name, value);
  }
  if (method === '') throw bad('a request without :method');
  if (method === 'CONNECT') throw new BadRequestError(400, 'CONNECT is not served: the edge is not a forward proxy, and WebSockets are served over HTTP/1.1');
  if (path === undefined || path.charCodeAt(0) !== 47 /* / */) throw bad('a :path that does not start with "/" (the edge is not a forward proxy)');
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 32 || c >= 127) throw bad('a :path with a character outside visible ASCII (percent-encode it)');
  }
  if (authority !== undefined && host !== undefined && authority.toLowerCase() !== host.toLowerCase()) {
    throw bad('a Host header that differs from :authority');
  }
  const hostValue = authority ?? host;
  head.method = method;
  head.target = path;
  inbound.host = hostValue;
  if (hostValue !== undefined) forward.push('host', hostValue);
  if (cookie !== undefined) forward.push('cookie', cookie);
  inbound.hasBody = !endStream && head.contentLength !== 0;
  head.chunked = inbound.hasBody && head.contentLength === -1;
  return head;
}

function bad(what: string): BadRequestError {
  return new BadRequestError(400, `Bad Request: ${what}`);
}
