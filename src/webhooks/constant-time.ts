// Secret comparisons whose duration does not depend on where (or whether) the inputs differ.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `a` equals `b`. Both are hashed to 32 bytes first, so the comparison itself never
 * returns early on a length mismatch; the length check is folded in at the end.
 */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  const same = timingSafeEqual(ha, hb);
  return same && a.length === b.length;
}

export function hmacSha256(secret: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/** Decodes lowercase or uppercase hex of exactly `bytes` bytes, or null. */
export function decodeHex(text: string, bytes: number): Buffer | null {
  if (text.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(text)) return null;
  return Buffer.from(text, 'hex');
}
