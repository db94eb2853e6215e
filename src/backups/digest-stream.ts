// A pass-through stream that computes sha256 and the byte count of what flows through it.
import { createHash, type Hash } from 'node:crypto';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

export interface ObjectDigest {
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

export class DigestStream extends Transform {
  readonly #hash: Hash = createHash('sha256');
  #size = 0;
  #digest: ObjectDigest | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.#digest = { size: this.#size, sha256: this.#hash.digest('hex') };
    cb();
  }

  /** Bytes seen so far (for progress). */
  get bytes(): number {
    return this.#size;
  }

  /** Available once the stream has ended. */
  get digest(): ObjectDigest {
    if (!this.#digest) throw new Error('DigestStream.digest read before the stream ended');
    return this.#digest;
  }
}

/** Reads a stream to its end and returns its digest (never holds more than one chunk). */
export async function digestOf(source: Readable): Promise<ObjectDigest> {
  const d = new DigestStream();
  await pipeline(source, d, new Writable({ write: (_c, _e, cb) => cb() }));
  return d.digest;
}
