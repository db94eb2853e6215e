// Request ids the edge makes up when a client sent none. They look like version-4 UUIDs (so logs
// and tools that expect one keep working): 74 random bits chosen once per process, and a counter
// in the last group. Each id costs a few string operations instead of a crypto.randomUUID() call.
import { randomBytes } from 'node:crypto';

const PREFIX = randomPrefix();
const COUNTER_LIMIT = 2 ** 48; // twelve hex digits
let counter = 0;

/** "1c1f0b51-270b-4a3e-9d12-00000000002f": unique within the process, across processes w.h.p. */
export function nextRequestId(): string {
  counter = counter + 1 === COUNTER_LIMIT ? 1 : counter + 1;
  return PREFIX + counter.toString(16).padStart(12, '0');
}

function randomPrefix(): string {
  const b = randomBytes(10);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-`;
}
