// One HTTP/2 stream as the client side of an exchange (http1/client-side.ts): the response head
// goes out as a HEADERS frame (http2-response-headers.ts), the body as DATA under the client's
// flow control (a write the stream cannot take yet returns false and the exchange pauses the
// upstream until 'drain'), and the request body is the stream itself, which node:http2 hands on
// under the edge's flow control (a paused stream stops the client's window from growing).
// A response that ends before the request body does ends the stream with RST_STREAM(NO_ERROR)
// once sent (RFC 9113 8.1), so an upload nobody reads is not taken in without bound.
import http2, { type ServerHttp2Stream } from 'node:http2';
import type { ClientSide } from '../http1/client-side.js';
import { httpDate } from '../http1/http-date.js';
import type { ClientExchange } from '../http1/http1-client-connection.js';
import type { RequestHead } from '../http1/http1-request-head.js';
import { http2ResponseHeaders } from './http2-response-headers.js';

const { NGHTTP2_NO_ERROR, NGHTTP2_INTERNAL_ERROR } = http2.constants;

/** What a stream client tells the front that carries it. */
export interface StreamOwner {
  /**
   * The stream was reset before its response was complete, by the client or by nghttp2 for the
   * client's protocol error, not by the edge itself (counted against rapid resets).
   */
  peerReset(client: Http2StreamClient): void;
  /** The stream is over (response sent, or the stream gone). */
  streamDone(client: Http2StreamClient): void;
}

export class Http2StreamClient implements ClientSide {
  readonly secure = true;
  readonly protocol = 'HTTP/2';
  headSent = false;
  /** When a write last had to wait for the client (0: not waiting); the front drops streams stalled too long. */
  blockedSince = 0;
  private exchange: ClientExchange | null = null;
  /** The response is complete or given up: nothing more is sent or reported. */
  private done = false;
  /** The edge reset the stream itself (abort), so its close is not the client's reset. */
  private resetByEdge = false;
  /** The head ended the stream (HEAD, 204, 304: node:http2 sends no body for them). */
  private bodyless = false;
  private continueSent = false;
  /** The client's side of the stream ended (END_STREAM seen: the request body, if any, is all in). */
  private requestEnded: boolean;
  private length = -1;
  private sent = 0;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly remoteAddress: string | undefined,
    private readonly head: RequestHead,
    private readonly owner: StreamOwner,
  ) {
    this.requestEnded = stream.endAfterHeaders;
    if (!this.requestEnded) stream.once('end', this.onRequestEnd);
    stream.on('drain', this.onDrain);
    stream.on('aborted', this.onAborted);
    stream.on('close', this.onClose);
  }

  /** Runs the exchange for this stream. */
  start(exchange: ClientExchange): void {
    this.exchange = exchange;
    exchange.run();
  }

  continueBody(): void {
    if (!this.head.expectContinue || this.continueSent || this.headSent || this.done || this.requestEnded) return;
    this.continueSent = true;
    this.stream.additionalHeaders({ ':status': 100 });
  }

  sendHead(status: number, _reason: string, headers: readonly string[], contentLength: number, _hold: boolean): void {
    const stream = this.stream;
    if (this.headSent || this.done || stream.closed) return;
    this.headSent = true;
    this.length = contentLength;
    try {
      stream.respond(http2ResponseHeaders(status, headers));
    } catch {
      return this.abort(); // a header value node:http2 refuses to send
    }
    this.bodyless = stream.writableEnded;
  }

  sendData(chunk: Buffer, last: boolean): boolean {
    if (this.done || !this.headSent) return true;
    let ok = true;
    if (!this.bodyless && chunk.length > 0) {
      this.sent += chunk.length;
      if (this.length >= 0 && this.sent > this.length) {
        this.abort(); // more than the announced length: never send it on
        return true;
      }
      if (last) {
        // The last bytes carry END_STREAM themselves: no empty DATA frame (and write) after them.
        this.stream.end(chunk);
        this.sendEnd();
        return true;
      }
      ok = this.stream.write(chunk);
    }
    if (last) this.sendEnd();
    else if (!ok) this.blockedSince = Date.now();
    return ok;
  }

  sendEnd(): void {
    if (this.done || !this.headSent) return;
    if (!this.bodyless && this.length >= 0 && this.sent < this.length) return this.abort(); // a sized body cut short
    this.done = true;
    const stream = this.stream;
    if (!stream.writableEnded) stream.end();
    if (!this.requestEnded) stream.close(NGHTTP2_NO_ERROR); // sent after the response's last DATA
    this.finish('completed');
  }

  sendWhole(status: number, headers: string[], body: string): void {
    const bytes = Buffer.from(body, 'utf8');
    headers.push('Content-Length', String(bytes.length), 'Date', httpDate());
    this.sendHead(status, '', headers, bytes.length, true);
    this.sendData(bytes, true);
  }

  abort(): void {
    if (this.stream.closed) return;
    this.resetByEdge = true;
    this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  private finish(outcome: 'completed' | 'gone'): void {
    const exchange = this.exchange;
    this.exchange = null;
    this.blockedSince = 0;
    this.owner.streamDone(this);
    exchange?.onClientDone(outcome);
  }

  private readonly onRequestEnd = (): void => {
    this.requestEnded = true;
  };

  private readonly onDrain = (): void => {
    this.blockedSince = 0;
    this.exchange?.onClientDrain();
  };

  private readonly onAborted = (): void => {
    if (!this.resetByEdge && !this.done) this.owner.peerReset(this);
  };

  private readonly onClose = (): void => {
    if (this.done) return;
    this.done = true;
    this.finish('gone');
  };
}
