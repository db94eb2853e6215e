// The edge's HTTP/2 front: serves HTTP/2 on TLS sockets whose ALPN negotiated "h2" (the HTTPS
// listener hands them over). Each stream is proxied like an HTTP/1 request: its header list is
// mapped to a RequestHead (http2-request-head.ts) and the same exchange runs it with the stream as
// its client side (http2-stream-client.ts).
//
// node:http2 does the framing, HPACK and flow control. Its server is used without listening: a
// plain (non-TLS) http2.Server given an already-terminated TLSSocket through
// `emit('connection', socket)` runs an HTTP/2 session on it. Verified on Node 20.20 (nghttp2
// 1.61): the session reads through the TLSSocket's own handle (no JS stream in between), reports
// `encrypted: true` and `alpnProtocol: 'h2'`, and curl --http2 and node:http2 clients both talk to
// it. The socket must not have been read from before it is handed over.
//
// Limits: concurrent streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS; nghttp2 refuses the
// excess with REFUSED_STREAM), the header list size (SETTINGS_MAX_HEADER_LIST_SIZE, enforced by
// node:http2), rapid resets (rapid-reset-guard.ts), idle connections (GOAWAY after
// idleTimeoutMs without a frame) and clients that leave a response unread (the stream is reset
// after sendTimeoutMs). close() sends GOAWAY to every connection and lets streams in progress
// finish; closeAll() drops the rest.
import http2, { type Http2Server, type Http2Session, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ClientSide } from '../http1/client-side.js';
import type { ClientExchange } from '../http1/http1-client-connection.js';
import { BadRequestError, type RequestHead } from '../http1/http1-request-head.js';
import { MAX_HEADER_LIST_BYTES, requestHeadFromHttp2 } from './http2-request-head.js';
import { Http2StreamClient, type StreamOwner } from './http2-stream-client.js';
import { DEFAULT_RAPID_RESET_LIMITS, RapidResetGuard, type RapidResetLimits } from './rapid-reset-guard.js';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_CANCEL } = http2.constants;

export interface Http2Hooks {
  /** The exchange that serves one stream's request (the same one HTTP/1 requests get). */
  request(client: ClientSide, head: RequestHead, body: Readable | null): ClientExchange;
  /** A connection was closed for abuse (e.g. a rapid reset flood); for the edge's log. */
  abuse?(remoteAddress: string | undefined, what: string): void;
}

export interface Http2FrontOptions {
  /** Streams a connection may have open at once (default 100). */
  maxConcurrentStreams?: number;
  /** How long a connection may go without a frame before it gets GOAWAY (default 60 s). */
  idleTimeoutMs?: number;
  /** How long a client may leave a response unread before its stream is reset (default 60 s). */
  sendTimeoutMs?: number;
  /** Client resets allowed before the connection is closed as abusive. */
  rapidReset?: RapidResetLimits;
}

const SWEEP_MS = 1000;

export class Http2Front implements StreamOwner {
  private readonly server: Http2Server;
  private readonly sessions = new Map<Http2Session, RapidResetGuard>();
  private readonly streams = new Set<Http2StreamClient>();
  private readonly sendTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly limits: RapidResetLimits;
  private readonly timer: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly hooks: Http2Hooks,
    opts: Http2FrontOptions = {},
  ) {
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 60_000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.limits = opts.rapidReset ?? DEFAULT_RAPID_RESET_LIMITS;
    this.server = http2.createServer({
      settings: {
        maxConcurrentStreams: opts.maxConcurrentStreams ?? 100,
        maxHeaderListSize: MAX_HEADER_LIST_BYTES,
        enablePush: false,
      },
      maxHeaderListPairs: 256,
    });
    this.server.on('session', this.onSession);
    this.server.on('stream', this.onStream);
    this.timer = setInterval(() => this.sweep(), Math.min(SWEEP_MS, this.sendTimeoutMs / 2));
    this.timer.unref();
  }

  /** Serves HTTP/2 on `socket`, a TLS socket that negotiated "h2" and was not read from yet. */
  accept(socket: TLSSocket): void {
    // node:http2 would take any other socket for HTTP/1 and hold it until its unknownProtocol timeout.
    if (this.closing || socket.alpnProtocol !== 'h2') {
      socket.destroy();
      return;
    }
    this.server.emit('connection', socket);
  }

  /** Connections open now (for tests and status). */
  get connections(): number {
    return this.sessions.size;
  }

  /** GOAWAY to every connection: no new streams; streams in progress finish, then each connection closes. */
  close(): void {
    this.closing = true;
    for (const session of this.sessions.keys()) session.close();
  }

  /** Drops every connection (after close(), once the drain wait is over). */
  closeAll(): void {
    this.closing = true;
    clearInterval(this.timer);
    for (const session of this.sessions.keys()) session.destroy();
    this.sessions.clear();
  }

  peerReset(client: Http2StreamClient): void {
    const session = client.stream.session;
    if (session === undefined) return;
    const guard = this.sessions.get(session);
    if (guard === undefined || !guard.reset(performance.now())) return;
    this.sessions.delete(session);
    this.hooks.abuse?.(client.remoteAddress, 'HTTP/2 rapid reset: too many streams reset before their response (by the client, or for its protocol errors); GOAWAY (ENHANCE_YOUR_CALM)');
    // Not from inside nghttp2's frame processing (this runs in a stream's 'aborted'): there the
    // GOAWAY would be queued but the socket closed before it went out.
    // An error is given with the code: destroy(undefined, code) would send NO_ERROR (its error defaults to 0).
    setImmediate(() => session.destroy(new Error('HTTP/2 rapid reset'), NGHTTP2_ENHANCE_YOUR_CALM));
  }

  streamDone(client: Http2StreamClient): void {
    this.streams.delete(client);
  }

  private readonly onSession = (session: ServerHttp2Session): void => {
    if (this.closing) {
      session.destroy();
      return;
    }
    this.sessions.set(session, new RapidResetGuard(this.limits, performance.now()));
    session.on('error', noop);
    session.once('close', () => this.sessions.delete(session));
    session.setTimeout(this.idleTimeoutMs, () => session.close());
  };

  private readonly onStream = (stream: ServerHttp2Stream, _headers: unknown, _flags: number, rawHeaders: string[]): void => {
    stream.on('error', noop);
    let head: RequestHead;
    try {
      head = requestHeadFromHttp2(rawHeaders, stream.endAfterHeaders);
    } catch (err) {
      if (!(err instanceof BadRequestError)) throw err;
      return refuse(stream, err);
    }
    const client = new Http2StreamClient(stream, stream.session?.socket?.remoteAddress, head, this);
    this.streams.add(client);
    const body = head.inbound.hasBody ? stream : null;
    if (body === null) stream.resume(); // nothing to read but END_STREAM (or an empty DATA frame)
    client.start(this.hooks.request(client, head, body));
  };

  private sweep(): void {
    const now = Date.now();
    for (const client of this.streams) {
      if (client.blockedSince !== 0 && now - client.blockedSince > this.sendTimeoutMs) client.stream.close(NGHTTP2_CANCEL);
    }
  }
}

/** Answers a request the edge will not serve (its header list is not one it proxies). */
function refuse(stream: ServerHttp2Stream, err: BadRequestError): void {
  if (stream.closed) return;
  stream.respond({ ':status': err.status, 'content-type': 'text/plain; charset=utf-8' });
  stream.end(`${err.message}\n`);
}

function noop(): void {}
