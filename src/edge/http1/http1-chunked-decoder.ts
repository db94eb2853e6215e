// Finds the data and the end of a chunked response body (RFC 9112 7.1) across any split of the
// bytes into packets. Data is handed on as subarrays of the input (no copy); chunk extensions
// and trailer fields are read past and not forwarded. Malformed framing throws.

const enum State {
  Size,
  SizeTail, // whitespace or an extension after the size, up to CR
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  EndLf,
  Done,
}

/** Longest chunk-size line (size, extensions) and all trailer fields together, in bytes. */
const MAX_LINE_BYTES = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
/** 13 hex digits: sizes stay safe integers. */
const MAX_SIZE_DIGITS = 13;

export class MalformedChunkError extends Error {
  readonly code = 'SLIPWAY_UPSTREAM_MALFORMED';
  constructor(what: string) {
    super(`the upstream sent a malformed chunked body: ${what}`);
  }
}

export interface ChunkSink {
  onChunkData(data: Buffer): void;
}

export class ChunkedDecoder {
  private state = State.Size;
  private remaining = 0;
  private digits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;

  constructor(private readonly sink: ChunkSink) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /**
   * Reads `buf` from `start`; returns the index just past the body's end once the last chunk
   * and trailers are complete, or -1 when all of `buf` was consumed and more is needed.
   */
  feed(buf: Buffer, start: number): number {
    const n = buf.length;
    let i = start;
    while (i < n) {
      switch (this.state) {
        case State.Data: {
          const take = Math.min(this.remaining, n - i);
          this.sink.onChunkData(take === n && i === 0 ? buf : buf.subarray(i, i + take));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = State.DataCr;
          continue;
        }
        case State.Size: {
          const c = buf[i] as number;
          const v = hexValue(c);
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) throw new MalformedChunkError('chunk size too large');
            this.remaining = this.remaining * 16 + v;
          } else if (this.digits === 0) {
            throw new MalformedChunkError('expected a hexadecimal chunk size');
          } else if (c === 13) {
            this.state = State.SizeLf;
          } else if (c === 59 /* ; */ || c === 32 || c === 9) {
            this.state = State.SizeTail;
          } else {
            throw new MalformedChunkError('unexpected byte after the chunk size');
          }
          break;
        }
        case State.SizeTail: {
          const c = buf[i] as number;
          if (c === 13) this.state = State.SizeLf;
          else if (c === 10) throw new MalformedChunkError('a bare LF in a chunk extension');
          else if (++this.lineBytes > MAX_LINE_BYTES) throw new MalformedChunkError('chunk extension too long');
          break;
        }
        case State.SizeLf:
          if (buf[i] !== 10) throw new MalformedChunkError('expected LF after the chunk size');
          this.digits = 0;
          this.lineBytes = 0;
          this.state = this.remaining === 0 ? State.TrailerStart : State.Data;
          break;
        case State.DataCr:
          if (buf[i] !== 13) throw new MalformedChunkError('chunk data longer than its size');
          this.state = State.DataLf;
          break;
        case State.DataLf:
          if (buf[i] !== 10) throw new MalformedChunkError('expected CRLF after chunk data');
          this.state = State.Size;
          break;
        case State.TrailerStart:
          if (buf[i] === 13) {
            this.state = State.EndLf;
            break;
          }
          this.state = State.TrailerLine;
          continue;
        case State.TrailerLine: {
          const c = buf[i] as number;
          if (c === 13) this.state = State.TrailerLf;
          else if (c === 10) throw new MalformedChunkError('a bare LF in a trailer field');
          else if (++this.trailerBytes > MAX_TRAILER_BYTES) throw new MalformedChunkError('trailer fields too long');
          break;
        }
        case State.TrailerLf:
          if (buf[i] !== 10) throw new MalformedChunkError('expected LF after a trailer field');
          this.state = State.TrailerStart;
          break;
        case State.EndLf:
          if (buf[i] !== 10) throw new MalformedChunkError('expected LF after the last chunk');
          this.state = State.Done;
          return i + 1;
        case State.Done:
          return i;
      }
      i++;
    }
    return this.state === State.Done ? i : -1;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
