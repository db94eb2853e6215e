// Optional encryption of backups with the master key: AES-256-GCM in a chunked format, so
// that encryption and decryption stream with constant memory and every chunk is authenticated.
//
// Format (all integers big-endian):
//   header  = "SLPWBK01" (8 bytes) | salt (16 bytes) | nonce prefix (7 bytes)
//   chunk i = AES-256-GCM(plaintext_i) (CHUNK_SIZE bytes, the last one 0..CHUNK_SIZE) | tag (16 bytes)
// key   = HKDF-SHA256(master key, salt, info "slipway backup v1"), 32 bytes, one per file
// nonce = prefix (7) | i (4) | last flag (1: 0x01 on the final chunk, else 0x00)
// AAD   = the header. The last-chunk flag makes truncation at a chunk boundary detectable,
// the counter makes reordering detectable (the STREAM construction of Hoang, Reyhanitabar,
// Rogaway and Vizár). Every chunk but the last holds exactly CHUNK_SIZE bytes; the last holds
// 1..CHUNK_SIZE bytes (0 only for an empty plaintext), so the reader knows a chunk is the last
// one when no bytes follow it.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PreconditionError } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';

export const MAGIC = Buffer.from('SLPWBK01', 'ascii');
export const CHUNK_SIZE = 64 * 1024;
const TAG = 16;
const HEADER = MAGIC.length + 16 + 7;
const INFO = 'slipway backup v1';

function deriveKey(master: Sensitive, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(master.reveal(), 'utf8'), salt, INFO, 32));
}

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, 7);
  n[11] = last ? 1 : 0;
  return n;
}

export class EncryptStream extends Transform {
  readonly #header: Buffer;
  readonly #key: Buffer;
  readonly #prefix: Buffer;
  #pending: Buffer[] = [];
  #pendingLength = 0;
  #index = 0;

  constructor(master: Sensitive) {
    super();
    const salt = randomBytes(16);
    this.#prefix = randomBytes(7);
    this.#key = deriveKey(master, salt);
    this.#header = Buffer.concat([MAGIC, salt, this.#prefix]);
    this.push(this.#header);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#pending.push(chunk);
    this.#pendingLength += chunk.length;
    // Keep at least one byte back: only at the end do we know which chunk is the last one.
    while (this.#pendingLength > CHUNK_SIZE) this.push(this.#seal(this.#take(CHUNK_SIZE), false));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.push(this.#seal(this.#take(this.#pendingLength), true));
    cb();
  }

  #take(n: number): Buffer {
    const all = Buffer.concat(this.#pending, this.#pendingLength);
    this.#pending = n < all.length ? [all.subarray(n)] : [];
    this.#pendingLength = all.length - n;
    return all.subarray(0, n);
  }

  #seal(plain: Buffer, last: boolean): Buffer {
    const c = createCipheriv('aes-256-gcm', this.#key, nonce(this.#prefix, this.#index++, last));
    c.setAAD(this.#header);
    return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  }
}

export class DecryptStream extends Transform {
  readonly #master: Sensitive;
  #header: Buffer | undefined;
  #key: Buffer | undefined;
  #prefix: Buffer | undefined;
  #pending: Buffer[] = [];
  #pendingLength = 0;
  #index = 0;

  constructor(master: Sensitive) {
    super();
    this.#master = master;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#pending.push(chunk);
    this.#pendingLength += chunk.length;
    try {
      if (!this.#header) {
        if (this.#pendingLength < HEADER) return cb();
        const head = this.#take(HEADER);
        if (!head.subarray(0, MAGIC.length).equals(MAGIC)) {
          throw new PreconditionError('the backup is not in Slipway\'s encrypted format (bad header); was it encrypted?');
        }
        this.#header = head;
        this.#key = deriveKey(this.#master, head.subarray(MAGIC.length, MAGIC.length + 16));
        this.#prefix = head.subarray(MAGIC.length + 16);
      }
      while (this.#pendingLength > CHUNK_SIZE + TAG) this.push(this.#open(this.#take(CHUNK_SIZE + TAG), false));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (!this.#header) throw new PreconditionError('the encrypted backup is truncated: it ends inside its header');
      if (this.#pendingLength < TAG) throw new PreconditionError('the encrypted backup is truncated: its final chunk is missing');
      this.push(this.#open(this.#take(this.#pendingLength), true));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  #take(n: number): Buffer {
    const all = Buffer.concat(this.#pending, this.#pendingLength);
    this.#pending = n < all.length ? [all.subarray(n)] : [];
    this.#pendingLength = all.length - n;
    return all.subarray(0, n);
  }

  #open(sealed: Buffer, last: boolean): Buffer {
    const index = this.#index++;
    const d = createDecipheriv('aes-256-gcm', this.#key!, nonce(this.#prefix!, index, last));
    d.setAAD(this.#header!);
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
    } catch {
      throw new PreconditionError(
        `decryption failed at chunk ${index}${last ? ' (the last one)' : ''}: the backup was altered or truncated, or the master key is not the one it was encrypted with`,
      );
    }
  }
}
