import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { CHUNK_SIZE, DecryptStream, EncryptStream, MAGIC } from '../../src/backups/backup-encryption.js';
import { Sensitive } from '../../src/core/sensitive.js';

const key = new Sensitive('master key for tests');

async function collect(src: Readable, ...through: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline([src, ...through, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) })]);
  return Buffer.concat(out);
}

function pieces(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

test('round trip for sizes around the chunk boundaries, fed in odd pieces', async () => {
  for (const size of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 17]) {
    const plain = randomBytes(size);
    const sealed = await collect(pieces(plain, 7919), new EncryptStream(key));
    assert.ok(sealed.subarray(0, 8).equals(MAGIC));
    const chunks = Math.max(1, Math.ceil(size / CHUNK_SIZE));
    assert.equal(sealed.length, 31 + size + 16 * chunks, `overhead for ${size}`);
    const back = await collect(pieces(sealed, 5003), new DecryptStream(key));
    assert.ok(back.equals(plain), `round trip of ${size} bytes`);
  }
});

test('the same plaintext encrypts differently each time (fresh salt and nonce)', async () => {
  const plain = Buffer.from('same');
  const a = await collect(Readable.from([plain]), new EncryptStream(key));
  const b = await collect(Readable.from([plain]), new EncryptStream(key));
  assert.ok(!a.equals(b));
});

test('truncation at a chunk boundary, a dropped chunk, a flipped bit and a wrong key are all refused', async () => {
  const plain = randomBytes(3 * CHUNK_SIZE + 100);
  const sealed = await collect(Readable.from([plain]), new EncryptStream(key));
  const header = 31;
  const full = CHUNK_SIZE + 16;
  const atBoundary = sealed.subarray(0, header + 2 * full);
  await assert.rejects(collect(Readable.from([atBoundary]), new DecryptStream(key)), /decryption failed at chunk 1 \(the last one\)/);
  const dropped = Buffer.concat([sealed.subarray(0, header + full), sealed.subarray(header + 2 * full)]);
  await assert.rejects(collect(Readable.from([dropped]), new DecryptStream(key)), /decryption failed at chunk 1/);
  const flipped = Buffer.from(sealed);
  flipped[header + 10] = flipped[header + 10]! ^ 1;
  await assert.rejects(collect(Readable.from([flipped]), new DecryptStream(key)), /decryption failed at chunk 0/);
  await assert.rejects(collect(Readable.from([sealed]), new DecryptStream(new Sensitive('other'))), /master key is not the one/);
  await assert.rejects(collect(Readable.from([sealed.subarray(0, 20)]), new DecryptStream(key)), /ends inside its header/);
  await assert.rejects(collect(Readable.from([Buffer.from('PGDMP plain dump, not encrypted at all')]), new DecryptStream(key)), /bad header/);
});
