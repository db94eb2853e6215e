// A client's request body as a Readable for the upstream client: the connection feeds it the bytes
// after the head, and it takes what belongs to the body (Content-Length or chunked framing) and
// says where the body ended, so the rest is the next request. Once the response is done it can
// go on reading without keeping the bytes (discard), so a keep-alive connection stays in step.
import { Readable } from 'node:stream';
import { ChunkedDecoder, type ChunkSink } from './http1-chunked-decoder.js';

export class RequestBody extends Readable implements ChunkSink {
  private remaining: number;
  private readonly decoder: ChunkedDecoder | undefined;
  private discarding = false;
  /** The whole body was read off the connection. */
  complete = false;

  /**
   * `length` for a sized body (> 0), -1 for a chunked one. `wantMore` runs when the reader wants
   * more bytes after a push said to wait (the connection then resumes reading).
   */
  constructor(
    length: number,
    private readonly wantMore: () => void,
  ) {
    super({ highWaterMark: 64 * 1024 });
    this.remaining = length;
    this.decoder = length < 0 ? new ChunkedDecoder(this) : undefined;
  }

  /**
   * Takes body bytes from `buf` at `start`. Returns the index just past the body's end, or -1 when
   * all of `buf` was body and more is needed. Malformed chunked framing throws.
   */
  feed(buf: Buffer, start: number): number {
    if (this.complete) return start;
    const decoder = this.decoder;
    if (decoder !== undefined) {
      const end = decoder.feed(buf, start);
      if (end === -1) return -1;
      this.finish();
      return end;
    }
    const avail = buf.length - start;
    const take = Math.min(avail, this.remaining);
    this.remaining -= take;
    this.onChunkData(take === buf.length ? buf : buf.subarray(start, start + take));
    if (this.remaining > 0) return -1;
    this.finish();
    return start + take;
  }

  /** Whether the reader has all it can take for now. */
  get full(): boolean {
    return !this.discarding && this.readableLength >= this.readableHighWaterMark;
  }

  onChunkData(data: Buffer): void {
    if (this.discarding || data.length === 0) return;
    this.push(data); // a view of a buffer the socket gave us and never reuses
  }

  /** Nobody will read the rest: take it off the connection without keeping it. */
  discard(): void {
    if (this.discarding) return;
    this.discarding = true;
    if (!this.complete) this.wantMore();
  }

  override _read(): void {
    this.wantMore();
  }

  private finish(): void {
    this.complete = true;
    if (!this.discarding) this.push(null);
  }
}
