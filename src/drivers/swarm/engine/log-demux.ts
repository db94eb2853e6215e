// Demultiplexes the Docker Engine's multiplexed stream (container/service logs, attach, exec
// without a TTY). Each frame: 1 byte stream type, 3 bytes zero, 4 bytes big-endian length,
// then the payload. Types: 0 stdin, 1 stdout, 2 stderr, 3 the daemon's own error stream.

export type EngineStream = 'stdin' | 'stdout' | 'stderr' | 'system';

const STREAM_TYPES: readonly EngineStream[] = ['stdin', 'stdout', 'stderr', 'system'];
const HEADER = 8;

export interface Frame {
  stream: EngineStream;
  payload: Buffer;
}

export class LogDemuxError extends Error {
  override readonly name = 'LogDemuxError';
}

/** Incremental frame parser: feed it chunks split anywhere, get whole frames back. */
export class FrameDemuxer {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.#pendingBytes >= HEADER) {
      const head = this.#peek(HEADER);
      const type = head[0] ?? 255;
      const stream = STREAM_TYPES[type];
      if (stream === undefined || head[1] !== 0 || head[2] !== 0 || head[3] !== 0) {
        throw new LogDemuxError(
          `not a multiplexed Engine stream (header bytes ${head.toString('hex')}); was the service or container started with a TTY?`,
        );
      }
      const size = head.readUInt32BE(4);
      if (this.#pendingBytes < HEADER + size) break;
      const all = this.#take(HEADER + size);
      frames.push({ stream, payload: all.subarray(HEADER) });
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get buffered(): number {
    return this.#pendingBytes;
  }

  #peek(n: number): Buffer {
    const first = this.#pending[0];
    if (first && first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.#pending);
    this.#pending = [joined];
    return joined.subarray(0, n);
  }

  #take(n: number): Buffer {
    const joined = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.#pending = rest.length > 0 ? [rest] : [];
    this.#pendingBytes = rest.length;
    return out;
  }
}

export interface LogLineEvent {
  stream: EngineStream;
  line: string;
}

/**
 * Splits demultiplexed frames into lines per stream. A line may span frames (the Engine
 * splits long lines), so partial lines are kept per stream until their newline arrives.
 */
export class LineSplitter {
  #partial = new Map<EngineStream, Buffer>();

  push(frame: Frame): LogLineEvent[] {
    const prev = this.#partial.get(frame.stream);
    let buf = prev ? Buffer.concat([prev, frame.payload]) : frame.payload;
    const out: LogLineEvent[] = [];
    let nl = buf.indexOf(0x0a);
    while (nl !== -1) {
      out.push({ stream: frame.stream, line: stripCr(buf.subarray(0, nl).toString('utf8')) });
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(0x0a);
    }
    if (buf.length > 0) this.#partial.set(frame.stream, Buffer.from(buf));
    else this.#partial.delete(frame.stream);
    return out;
  }

  /** The unterminated rest of every stream, at end of input. */
  flush(): LogLineEvent[] {
    const out: LogLineEvent[] = [];
    for (const [stream, buf] of this.#partial) out.push({ stream, line: stripCr(buf.toString('utf8')) });
    this.#partial.clear();
    return out;
  }
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/** Lines of a multiplexed Engine stream, in order, with the stream each came from. */
export async function* demuxLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<LogLineEvent> {
  const frames = new FrameDemuxer();
  const lines = new LineSplitter();
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (const frame of frames.push(buf)) yield* lines.push(frame);
  }
  yield* lines.flush();
  if (frames.buffered > 0) {
    throw new LogDemuxError(`the Engine stream ended inside a frame (${frames.buffered} bytes left over)`);
  }
}

/** Builds one frame (for tests and for fakes of the Engine). */
export function encodeFrame(stream: EngineStream, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(HEADER);
  head[0] = STREAM_TYPES.indexOf(stream);
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}
