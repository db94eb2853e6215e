// One keep-alive TCP connection to an upstream: writes a request (head, then the body with
// backpressure, chunked when it has no length), reads the response through a ResponseReader,
// and tells its pool when it is free again or gone. One request at a time (no pipelining).
import net from 'node:net';
import { UpstreamError, type UpstreamRequest } from './upstream-request.js';
import { ResponseReader } from './upstream-response-reader.js';

export interface ConnectionOwner {
  /** The connection finished a response and can carry another request. */
  onIdle(conn: UpstreamConnection): void;
  /** The connection is closed (called once). */
  onClosed(conn: UpstreamConnection): void;
}

/** Idle time before we close a kept-alive connection when the upstream gave no Keep-Alive hint (Node's servers close at 5 s). */
const DEFAULT_KEEP_ALIVE_MS = 4000;
const MAX_KEEP_ALIVE_MS = 600_000;
const READ_BUFFER_BYTES = 16 * 1024;
/** Longest wait for a TCP connection (undici's default, which the edge used before). */
const CONNECT_TIMEOUT_MS = 10_000;

export class UpstreamConnection {
  private readonly socket: net.Socket;
  private connected = false;
  private closed = false;
  private request: UpstreamRequest | undefined;
  private reader: ResponseReader | undefined;
  /** Has carried a complete response before (so the upstream may have closed it meanwhile). */
  private reused = false;
  private bodyDone = true;
  private paused = false;
  private bodyWaitsForDrain = false;
  /** Date.now() of the last byte received or request byte sent. */
  private lastActivity = 0;
  private idleSince = 0;
  private keepAliveMs = DEFAULT_KEEP_ALIVE_MS;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly owner: ConnectionOwner,
  ) {
    // Reads land in one buffer per connection (no 64 KiB allocation and no stream push per read);
    // each read is copied out (small reads from Node's shared pool) since handlers keep the bytes.
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number) => {
          // One new Buffer and a copy (a subarray first would be a second typed array per read).
          const bytes = Buffer.allocUnsafe(n);
          readBuffer.copy(bytes, 0, 0, n);
          this.onData(bytes);
          return true;
        },
      },
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.connected = true;
      if (this.request) this.send(this.request);
    });
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    socket.on('drain', () => this.onDrain());
  }

  /** Sends `req` now (or once connected). The connection must be free. */
  start(req: UpstreamRequest): void {
    this.request = req;
    this.reader = new ResponseReader(req.method, req.handler, req.dropResponseHeaders);
    this.lastActivity = Date.now();
    req.control = this;
    if (this.connected) this.send(req);
  }

  /** Continue reading after the handler asked for a pause. */
  resume(req: UpstreamRequest): void {
    if (this.request !== req || !this.paused) return;
    this.paused = false;
    this.lastActivity = Date.now();
    this.socket.resume();
  }

  /** The client went away: drop the request and the connection (its response would be unread). */
  abort(req: UpstreamRequest): void {
    if (this.request !== req) return;
    this.detach(req);
    this.destroy();
  }

  /** Fails a request that saw no activity for its timeout; closes an expired idle connection. */
  checkTimeout(now: number): void {
    const req = this.request;
    if (req === undefined) {
      if (now - this.idleSince > this.keepAliveMs) this.destroy();
      return;
    }
    const limit = this.connected ? req.timeoutMs : Math.min(req.timeoutMs, CONNECT_TIMEOUT_MS);
    if (this.paused || now - this.lastActivity <= limit) return;
    const what = this.connected ? 'the upstream did not answer' : `cannot connect to ${this.host}:${this.port}`;
    // A connect that times out is a 502 (the upstream is unreachable), a silent upstream a 504.
    this.fail(new UpstreamError(`${what} within ${limit} ms`, 'ETIMEDOUT', this.connected ? 'no' : 'connect', this.connected));
  }

  /** Closes the connection; a request on it fails. */
  destroy(err?: UpstreamError): void {
    if (err && this.request) return this.fail(err);
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.owner.onClosed(this);
  }

  private send(req: UpstreamRequest): void {
    let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
    const h = req.headers;
    for (let i = 0; i < h.length; i += 2) head += `${h[i] as string}: ${h[i + 1] as string}\r\n`;
    const body = req.body;
    if (body === null) {
      this.bodyDone = true;
      this.socket.write(`${head}\r\n`, 'latin1');
      return;
    }
    this.bodyDone = false;
    this.socket.write(req.chunked ? `${head}Transfer-Encoding: chunked\r\n\r\n` : `${head}\r\n`, 'latin1');
    body.on('data', this.onBodyData);
    body.on('end', this.onBodyEnd);
    body.on('error', this.onBodyError);
  }

  private readonly onBodyData = (chunk: Buffer): void => {
    const req = this.request;
    if (req === undefined || chunk.length === 0) return;
    this.lastActivity = Date.now();
    const socket = this.socket;
    let ok: boolean;
    if (req.chunked) {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      ok = socket.write(chunk);
    }
    if (!ok) {
      this.bodyWaitsForDrain = true;
      req.body?.pause();
    }
  };

  private readonly onBodyEnd = (): void => {
    const req = this.request;
    if (req === undefined) return;
    if (req.chunked) this.socket.write('0\r\n\r\n', 'latin1');
    this.bodyDone = true;
    this.detachBody(req);
  };

  private readonly onBodyError = (): void => {
    const req = this.request;
    if (req === undefined) return;
    this.fail(new UpstreamError('the client request body failed', 'SLIPWAY_CLIENT_BODY', 'no'));
  };

  private onDrain(): void {
    if (!this.bodyWaitsForDrain) return;
    this.bodyWaitsForDrain = false;
    this.request?.body?.resume();
  }

  private onData(buf: Buffer): void {
    const req = this.request;
    const reader = this.reader;
    if (req === undefined || reader === undefined) return this.destroy(); // bytes nobody asked for
    this.lastActivity = Date.now();
    let complete: boolean;
    try {
      complete = reader.feed(buf);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return this.fail(new UpstreamError(message, 'SLIPWAY_UPSTREAM_MALFORMED', 'no'));
    }
    if (this.request !== req) return; // aborted from a handler callback
    if (complete) return this.complete(req, reader);
    if (reader.wantsPause) {
      reader.wantsPause = false;
      this.paused = true;
      this.socket.pause();
    }
  }

  private complete(req: UpstreamRequest, reader: ResponseReader): void {
    const reusable = reader.keepAlive && !reader.extraBytes && this.bodyDone && !this.closed;
    this.detach(req);
    if (reader.keepAliveHintMs > 0) this.keepAliveMs = Math.min(MAX_KEEP_ALIVE_MS, Math.max(500, reader.keepAliveHintMs - 1000));
    req.handler.onUpstreamEnd();
    if (!reusable) return this.destroy();
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.reused = true;
    this.idleSince = Date.now();
    this.owner.onIdle(this);
  }

  private onEnd(): void {
    const req = this.request;
    const reader = this.reader;
    if (req === undefined || reader === undefined) return this.destroy();
    if (reader.eof()) {
      this.bodyDone = true; // not reused anyway: the upstream closed
      return this.complete(req, reader);
    }
    this.fail(this.closedError('SLIPWAY_UPSTREAM_CLOSED', 'closed the connection before the response was complete'));
  }

  private onSocketError(err: NodeJS.ErrnoException): void {
    if (this.request === undefined) return this.destroy();
    const code = err.code ?? 'ECONNRESET';
    if (!this.connected) {
      return this.fail(new UpstreamError(`cannot connect to ${this.host}:${this.port}: ${code}`, code, 'connect'));
    }
    this.fail(this.closedError(code, err.message));
  }

  private onSocketClose(): void {
    if (this.request !== undefined) this.fail(this.closedError('ECONNRESET', 'closed the connection'));
    else this.destroy();
  }

  private closedError(code: string, what: string): UpstreamError {
    const started = this.reader?.started ?? false;
    return new UpstreamError(`upstream ${this.host}:${this.port} ${what}`, code, this.reused && !started ? 'stale' : 'no');
  }

  /** Reports `err` to the request on this connection (if any) and closes the connection. */
  private fail(err: UpstreamError): void {
    const req = this.request;
    if (req !== undefined) this.detach(req);
    this.destroy();
    req?.handler.onUpstreamError(err);
  }

  private detach(req: UpstreamRequest): void {
    this.request = undefined;
    this.reader = undefined;
    if (req.control === this) req.control = undefined;
    this.detachBody(req);
  }

  private detachBody(req: UpstreamRequest): void {
    const body = req.body;
    if (body === null) return;
    body.off('data', this.onBodyData);
    body.off('end', this.onBodyEnd);
    body.off('error', this.onBodyError);
    if (this.bodyWaitsForDrain) {
      this.bodyWaitsForDrain = false;
      body.resume();
    }
  }
}
