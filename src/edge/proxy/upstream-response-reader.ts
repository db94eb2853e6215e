// Reads one response off an upstream connection: the head (skipping 1xx interim responses), then
// the body framed by Content-Length, chunked coding or the connection's close, handing body
// bytes to the handler as views of the received buffers. Malformed input throws.
import { ChunkedDecoder, type ChunkSink } from '../http1/http1-chunked-decoder.js';
import { MalformedHeadError, MAX_HEAD_BYTES, parseResponseHead, responseHasBody } from '../http1/http1-response-head.js';
import type { UpstreamHandler } from './upstream-request.js';

const enum Body {
  Head,
  Length,
  Chunked,
  UntilClose,
  Done,
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);

export class ResponseReader implements ChunkSink {
  private mode = Body.Head;
  private pending: Buffer | undefined;
  private remaining = 0;
  private decoder: ChunkedDecoder | undefined;
  private slices: Buffer[] = [];
  /** A byte of the response arrived. */
  started = false;
  /** The handler asked to pause (its client is not keeping up). */
  wantsPause = false;
  /** The connection may carry another request after this response. */
  keepAlive = false;
  keepAliveHintMs = -1;
  /** Bytes arrived after the end of the response (the connection cannot be trusted again). */
  extraBytes = false;
  /** The head went to the handler as followed by body bytes, and none were delivered yet. */
  private headHeld = false;

  constructor(
    private readonly method: string,
    private readonly handler: UpstreamHandler,
    private readonly drop: readonly string[],
  ) {}

  get done(): boolean {
    return this.mode === Body.Done;
  }

  get headReceived(): boolean {
    return this.mode !== Body.Head;
  }

  /** Takes the next bytes from the connection; true once the response is complete. */
  feed(buf: Buffer): boolean {
    this.started = true;
    let data = buf;
    let i = 0;
    if (this.mode === Body.Head) {
      if (this.pending !== undefined) {
        data = Buffer.concat([this.pending, buf]);
        this.pending = undefined;
      }
      i = this.readHead(data);
      if (i < 0) return false;
    }
    const complete = this.readBody(data, i);
    // The handler was told body bytes would follow the head, but none came out of this read
    // (half a chunk-size line): an empty chunk lets it send the head now.
    if (this.headHeld) this.deliver(EMPTY, false);
    return complete;
  }

  /** The upstream closed the connection: true when that ends the response (close-delimited body). */
  eof(): boolean {
    if (this.mode !== Body.UntilClose) return this.mode === Body.Done;
    this.mode = Body.Done;
    return true;
  }

  onChunkData(data: Buffer): void {
    this.slices.push(data);
  }

  /** Index just past the head in `data`, or -1 when more bytes are needed. */
  private readHead(data: Buffer): number {
    let start = 0;
    for (;;) {
      const end = data.indexOf(HEAD_END, start);
      if (end === -1 || end - start > MAX_HEAD_BYTES) {
        if (data.length - start > MAX_HEAD_BYTES) throw new MalformedHeadError(`longer than ${MAX_HEAD_BYTES} bytes`);
        if (start < data.length) this.pending = start === 0 ? data : data.subarray(start);
        return -1;
      }
      const head = parseResponseHead(data, start, end, this.drop);
      start = end + 4;
      if (head.statusCode < 200) {
        if (head.statusCode === 101) throw new MalformedHeadError('101 Switching Protocols to a request that did not ask to upgrade');
        continue; // 100 Continue, 102, 103 Early Hints: interim, not forwarded
      }
      this.keepAlive = head.keepAlive;
      this.keepAliveHintMs = head.keepAliveHintMs;
      if (!responseHasBody(this.method, head.statusCode)) this.mode = Body.Done;
      else if (head.chunked) {
        this.mode = Body.Chunked;
        this.decoder = new ChunkedDecoder(this);
      } else if (head.contentLength >= 0) {
        this.remaining = head.contentLength;
        this.mode = head.contentLength === 0 ? Body.Done : Body.Length;
      } else {
        this.mode = Body.UntilClose;
        this.keepAlive = false;
      }
      this.headHeld = this.mode !== Body.Done && start < data.length;
      this.handler.onUpstreamHead(head, this.headHeld);
      return start;
    }
  }

  private readBody(data: Buffer, i: number): boolean {
    const avail = data.length - i;
    switch (this.mode) {
      case Body.Length: {
        if (avail === 0) return false;
        const take = Math.min(this.remaining, avail);
        this.remaining -= take;
        const last = this.remaining === 0;
        if (last) {
          this.mode = Body.Done;
          if (avail > take) this.extraBytes = true;
        }
        this.deliver(take === data.length ? data : data.subarray(i, i + take), last);
        return last;
      }
      case Body.Chunked: {
        if (avail === 0) return false;
        const decoder = this.decoder as ChunkedDecoder;
        const end = decoder.feed(data, i);
        const slices = this.slices;
        const last = end !== -1;
        if (last) {
          this.mode = Body.Done;
          if (end < data.length) this.extraBytes = true;
        }
        const n = slices.length;
        for (let k = 0; k < n; k++) this.deliver(slices[k] as Buffer, last && k === n - 1);
        slices.length = 0;
        return last;
      }
      case Body.UntilClose:
        if (avail > 0) this.deliver(i === 0 ? data : data.subarray(i), false);
        return false;
      case Body.Done:
        if (avail > 0) this.extraBytes = true;
        return true;
      case Body.Head:
        return false;
    }
  }

  private deliver(chunk: Buffer, last: boolean): void {
    this.headHeld = false;
    if (!this.handler.onUpstreamData(chunk, last)) this.wantsPause = true;
  }
}
