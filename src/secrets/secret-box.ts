// Encrypts secret values at rest: AES-256-GCM with a random 12-byte IV per value.
// Sealed form: `v1:<base64 iv>:<base64 tag>:<base64 ciphertext>`.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidInputError, PreconditionError } from '../core/errors.js';
import type { SecretCipher } from '../core/ports/secret-cipher.js';
import { Sensitive } from '../core/sensitive.js';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class SecretBox implements SecretCipher {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** `key` must be 32 bytes (see loadMasterKey); it is copied. */
  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES) {
      throw new InvalidInputError(`the master key must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    return new SecretBox(Buffer.from(key));
  }

  seal(plain: Sensitive): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain.reveal(), 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
  }

  open(sealed: string): Sensitive {
    const [iv, tag, ciphertext] = parse(sealed);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      return new Sensitive(plain.toString('utf8'));
    } catch {
      throw new PreconditionError(
        'cannot decrypt a stored secret: the master key does not match the one it was sealed with ' +
          '(was SLIPWAY_MASTER_KEY or <data dir>/master.key changed or lost?), or the stored value was altered; ' +
          'restore the original master key, or set the secret again',
      );
    }
  }

  [inspect.custom](): string {
    return 'SecretBox { [key redacted] }';
  }

  toJSON(): string {
    return 'SecretBox';
  }
}

function parse(sealed: string): [Buffer, Buffer, Buffer] {
  const parts = sealed.split(':');
  const [version, iv, tag, ciphertext] = parts;
  const wellFormed =
    parts.length === 4 &&
    version === VERSION &&
    [iv, tag, ciphertext].every((p) => p !== undefined && BASE64.test(p)) &&
    Buffer.from(iv ?? '', 'base64').length === IV_BYTES &&
    Buffer.from(tag ?? '', 'base64').length === TAG_BYTES;
  if (!wellFormed) {
    throw new PreconditionError(
      `a stored secret is not in the sealed format ("${VERSION}:<iv>:<tag>:<ciphertext>", base64); ` +
        'it was altered or written by another program; set the secret again',
    );
  }
  return [Buffer.from(iv ?? '', 'base64'), Buffer.from(tag ?? '', 'base64'), Buffer.from(ciphertext ?? '', 'base64')];
}
