// One client's TCP connection to the edge, spoken as HTTP/1.1 by our own code (node:http's server
// costs about half of the edge's CPU per proxied request). It reads request heads and bodies,
// hands each request to an exchange, and writes the exchange's response through a ResponseWriter.
// Requests are answered one at a time in order (pipelined ones wait); keep-alive, HTTP/1.0,
// Expect: 100-continue, clients that go away or stop reading, and the idle and head timeouts are
// handled here.
import type net from 'node:net';
import type { ClientSide } from './client-side.js';
import { httpDate } from './http-date.js';
import { RequestBody } from './http1-request-body.js';
import { BadRequestError, MAX_REQUEST_HEAD_BYTES, parseRequestHead, type RequestHead } from './http1-request-head.js';
import { OVERFLOW, ResponseWriter } from './http1-response-writer.js';

export type ClientOutcome = 'completed' | 'gone' | 'bad-body';

/** What a connection asks of the exchange carrying its current request. */
export interface ClientExchange {
  run(): void;
  /** The socket took the bytes it was behind on (after sendData returned false). */
  onClientDrain(): void;
  /**
   * The response was sent whole, the client went away first, or its request body was malformed
   * (the connection answered 400 when it still could). Called once; the exchange then stops.
   */
  onClientDone(outcome: ClientOutcome): void;
}

export interface ConnectionHooks {
  request(conn: ClientConnection, head: RequestHead, body: RequestBody | null): ClientExchange;
  /** Whether this Upgrade request is tunnelled (upgrade); if not, it is served as a plain request. */
  tunnels(head: RequestHead): boolean;
  /** An Upgrade request: the socket (and the bytes after the head) are the hook's from now on. */
  upgrade(head: RequestHead, socket: net.Socket, rest: Buffer, remoteAddress: string | undefined): void;
  /** The server is shutting down: no connection is kept alive after its current response. */
  readonly closing: boolean;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  /** How long a client may leave a response unread (nginx's send_timeout) before it is dropped. */
  readonly sendTimeoutMs: number;
  forget(conn: ClientConnection): void;
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** How long a connection the edge is closing may take to read the rest of the client's bytes. */
const LINGER_MS = 5000;
/** How long a request body nobody reads any more may stall before the connection is dropped. */
const DISCARD_STALL_MS = 30_000;

export class ClientConnection implements ClientSide {
  readonly remoteAddress: string | undefined;
  /** The request came over TLS (a socket the HTTPS listener handed over). */
  readonly secure: boolean;
  /** The current (or last) request's protocol version, for the access log. */
  protocol = 'HTTP/1.1';
  private pending: Buffer | null = null;
  private head: RequestHead | null = null;
  private body: RequestBody | null = null;
  private exchange: ClientExchange | null = null;
  private parsing = false;
  private paused = false;
  /** We sent our FIN (or are about to): nothing more is read as requests. */
  private ending = false;
  private closed = false;
  private lastActivity = Date.now();
  private headStartedAt = 0;
  private endedAt = 0;
  // The response in progress.
  private responseStarted = false;
  private continueSent = false;
  private readonly writer: ResponseWriter;

  constructor(
    private readonly socket: net.Socket,
    private readonly hooks: ConnectionHooks,
  ) {
    this.remoteAddress = socket.remoteAddress;
    this.secure = (socket as net.Socket & { encrypted?: boolean }).encrypted === true;
    this.writer = new ResponseWriter(socket);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', noop);
    socket.on('close', this.onClose);
  }

  get headSent(): boolean {
    return this.responseStarted;
  }

  /** Sends "100 Continue" once, when the client waits for it before sending its body. */
  continueBody(): void {
    const head = this.head;
    if (head === null || !head.expectContinue || this.continueSent || this.responseStarted || this.body?.complete) return;
    this.continueSent = true;
    this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
  }

  /**
   * Starts the response. `contentLength` -1: unknown (chunked for HTTP/1.1, else until close);
   * `headers` must carry Content-Length when it is known. `hold`: more of the response follows in
   * this same turn, so the head goes out with it in one write.
   */
  sendHead(status: number, reason: string, headers: readonly string[], contentLength: number, hold: boolean): void {
    const head = this.head;
    if (head === null || this.responseStarted || this.ending) return;
    this.responseStarted = true;
    let keepAlive = head.keepAlive && !this.hooks.closing;
    // A client still waiting for 100 Continue may or may not send its body now: start afresh.
    if (head.expectContinue && !this.continueSent && this.body !== null && !this.body.complete) keepAlive = false;
    if (this.writer.head(head.method, head.minor, keepAlive, status, reason, headers, contentLength, hold)) this.finishResponse();
  }

  /** Response body bytes; `last` when they complete it (an empty chunk sends a held head). false: wait for onClientDrain. */
  sendData(chunk: Buffer, last: boolean): boolean {
    if (this.exchange === null || !this.responseStarted) return true;
    const ok = this.writer.data(chunk, last);
    if (ok === OVERFLOW) {
      this.abort(); // more than the announced length: never send it on
      return true;
    }
    if (last) this.sendEnd();
    return ok;
  }

  /** The response body is complete (a sized one that is still short cannot be: the connection closes). */
  sendEnd(): void {
    if (this.exchange === null || !this.responseStarted) return;
    if (!this.writer.end()) return this.abort();
    this.finishResponse();
  }

  /** A whole response the edge makes itself (error and maintenance pages). */
  sendWhole(status: number, headers: string[], body: string): void {
    const bytes = pageBytes(headers, body);
    this.sendHead(status, '', headers, bytes.length, true);
    this.sendData(bytes, true);
  }

  /** Drops the connection (a response that cannot be completed correctly, or the server is stopping). */
  abort(): void {
    this.writer.drop();
    this.socket.destroy();
  }

  /** Called every second or so by the server: closes idle, stalled and lingering connections. */
  sweep(now: number): void {
    if (this.closed) return;
    if (this.ending) {
      if (now - this.endedAt > LINGER_MS) this.socket.destroy();
    } else if (this.exchange !== null) {
      // The upstream's own timeout covers a request in progress; a client that stopped reading is ours.
      if (this.writer.blockedSince !== 0 && now - this.writer.blockedSince > this.hooks.sendTimeoutMs) this.socket.destroy();
    } else if (this.body !== null && !this.body.complete) {
      if (now - this.lastActivity > DISCARD_STALL_MS) this.socket.destroy();
    } else if (this.headStartedAt !== 0) {
      if (now - this.headStartedAt > this.hooks.headersTimeoutMs) this.refuse(408, 'Request Timeout: the request head took too long');
    } else if (now - this.lastActivity > this.hooks.keepAliveTimeoutMs || this.hooks.closing) {
      this.socket.destroy();
    }
  }

  /** Closes the connection now when no request is in progress (server shutdown). */
  closeIfIdle(): void {
    if (this.exchange === null) this.socket.destroy();
  }

  private readonly onData = (buf: Buffer): void => {
    if (this.ending) return; // lingering: read and drop until the client closes
    this.lastActivity = Date.now();
    const body = this.body;
    if (body !== null && !body.complete) {
      let end: number;
      try {
        end = body.feed(buf, 0);
      } catch (err) {
        return this.badBody(err);
      }
      if (end === -1) {
        if (body.full) this.pauseReading();
        return;
      }
      if (this.exchange === null) this.body = null; // the response went first; the body was discarded
      if (end === buf.length) {
        if (this.pending !== null) this.parse();
        return;
      }
      buf = buf.subarray(end);
    }
    this.pending = this.pending === null ? buf : Buffer.concat([this.pending, buf]);
    if (this.exchange !== null) {
      // Pipelined: the next request waits for this response.
      if (this.pending.length > MAX_REQUEST_HEAD_BYTES) this.pauseReading();
      return;
    }
    this.parse();
  };

  private parse(): void {
    if (this.parsing) return;
    this.parsing = true;
    try {
      while (this.pending !== null && this.exchange === null && !this.ending && !this.closed && (this.body === null || this.body.complete)) {
        const buf = this.pending;
        let start = 0;
        // RFC 9112 2.2: empty lines before a request line are ignored.
        while (buf[start] === 13 && buf[start + 1] === 10) start += 2;
        const end = buf.indexOf(HEAD_END, start);
        // A head with bare LF line ends never shows the blank line the edge waits for: answer now,
        // not at the head timeout (a complete head with a bare LF is refused by the parser).
        if (end === -1 && hasBareLineBreak(buf, start)) return this.refuse(400, 'Bad Request: a bare LF or CR in the request head (lines end with CRLF)');
        if (end === -1 || end - start > MAX_REQUEST_HEAD_BYTES) {
          if (buf.length - start > MAX_REQUEST_HEAD_BYTES) return this.refuse(431, 'Request Header Fields Too Large: the request head is over 16 KiB');
          this.pending = start >= buf.length ? null : start === 0 ? buf : buf.subarray(start);
          if (this.pending !== null && this.headStartedAt === 0) this.headStartedAt = Date.now();
          return;
        }
        let head: RequestHead;
        try {
          head = parseRequestHead(buf.toString('latin1', start, end));
        } catch (err) {
          if (err instanceof BadRequestError) return this.refuse(err.status, err.message);
          throw err;
        }
        this.pending = null;
        this.headStartedAt = 0;
        if (head.method === 'CONNECT') return this.refuse(405, 'Method Not Allowed: the edge is not a forward proxy');
        if (head.upgrade && this.hooks.tunnels(head)) return this.handOver(head, buf.subarray(end + 4));
        this.startRequest(head, buf, end + 4);
      }
    } finally {
      this.parsing = false;
    }
  }

  private startRequest(head: RequestHead, buf: Buffer, rest: number): void {
    this.head = head;
    this.protocol = head.minor === 1 ? 'HTTP/1.1' : 'HTTP/1.0';
    this.responseStarted = false;
    this.continueSent = false;
    let body: RequestBody | null = null;
    if (head.inbound.hasBody) {
      body = new RequestBody(head.chunked ? -1 : head.contentLength, this.resumeReading);
      if (rest < buf.length) {
        try {
          const end = body.feed(buf, rest);
          rest = end === -1 ? buf.length : end;
        } catch (err) {
          return this.refuse(400, bodyError(err));
        }
      }
    }
    this.body = body;
    if (rest < buf.length) this.pending = buf.subarray(rest);
    const exchange = this.hooks.request(this, head, body);
    this.exchange = exchange;
    exchange.run();
    if (body !== null && body.full) this.pauseReading();
  }

  private finishResponse(): void {
    const exchange = this.exchange;
    this.exchange = null;
    this.head = null;
    const body = this.body;
    if (!this.writer.keepAlive || this.hooks.closing) {
      this.endSocket();
      exchange?.onClientDone('completed');
      return;
    }
    exchange?.onClientDone('completed');
    if (body !== null && !body.complete) {
      body.discard(); // the rest of the body is read and dropped; parsing goes on after it
      return;
    }
    this.body = null;
    if (this.paused) this.resumeReading();
    if (this.pending !== null) queueMicrotask(this.parseLater);
  }

  private readonly parseLater = (): void => {
    if (!this.closed) this.parse();
  };

  /** Answers a request the edge will not serve and closes the connection. */
  private refuse(status: number, message: string): void {
    if (this.closed || this.ending) return;
    const headers = ['Content-Type', 'text/plain; charset=utf-8'];
    const bytes = pageBytes(headers, `${message}\n`);
    // No request to answer (its head was refused): framed as for a GET, and the connection closes.
    this.writer.head('GET', 1, false, status, '', headers, bytes.length, true);
    this.writer.data(bytes, true);
    this.writer.end();
    this.pending = null;
    this.endSocket();
  }


  private badBody(err: unknown): void {
    const exchange = this.exchange;
    const message = bodyError(err);
    this.exchange = null;
    this.body?.destroy();
    this.body = null;
    if (!this.responseStarted) this.refuse(400, message);
    else this.socket.destroy();
    exchange?.onClientDone('bad-body');
  }

  private handOver(head: RequestHead, rest: Buffer): void {
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('drain', this.onDrain);
    socket.off('close', this.onClose);
    socket.off('error', noop);
    this.closed = true;
    this.hooks.forget(this);
    // Paused until the upgrade exchange pipes it: bytes the client sends early wait in the kernel.
    socket.pause();
    this.hooks.upgrade(head, socket, rest, this.remoteAddress);
  }

  /** Half-closes (our FIN after what is queued) and lingers reading until the client closes. */
  private endSocket(): void {
    if (this.ending) return;
    this.ending = true;
    this.endedAt = Date.now();
    if (this.paused) this.resumeReading();
    this.socket.end();
  }

  private pauseReading(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  private readonly resumeReading = (): void => {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.socket.resume();
  };

  // The client shut down its side. Like nginx and node:http, the edge takes that as the client
  // having gone: a request in progress is abandoned (499) and its upstream call aborted.
  private readonly onEnd = (): void => {
    this.socket.destroy();
  };

  private readonly onDrain = (): void => {
    this.writer.blockedSince = 0;
    this.exchange?.onClientDrain();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.hooks.forget(this);
    const exchange = this.exchange;
    this.exchange = null;
    if (this.body !== null && !this.body.complete) this.body.destroy();
    this.body = null;
    exchange?.onClientDone('gone');
  };
}

function noop(): void {}

/** An LF not after a CR, or a CR followed by anything but LF, in `buf` from `start` on. */
function hasBareLineBreak(buf: Buffer, start: number): boolean {
  for (let i = buf.indexOf(10, start); i !== -1; i = buf.indexOf(10, i + 1)) {
    if (i === start || buf[i - 1] !== 13) return true;
  }
  for (let i = buf.indexOf(13, start); i !== -1 && i + 1 < buf.length; i = buf.indexOf(13, i + 1)) {
    if (buf[i + 1] !== 10) return true;
  }
  return false;
}

/** The bytes of a page the edge makes itself, with its Content-Length and Date added to `headers`. */
function pageBytes(headers: string[], body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  headers.push('Content-Length', String(bytes.length), 'Date', httpDate());
  return bytes;
}

function bodyError(err: unknown): string {
  const what = err instanceof Error ? err.message.replace(/^the upstream sent /, '') : String(err);
  return `Bad Request: the request body has ${what}`.replace('has a malformed chunked body:', 'is malformed (chunked):');
}
