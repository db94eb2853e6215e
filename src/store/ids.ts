// Sortable text ids ("dep_01jd3k..."): 48 bits of milliseconds then 80 random bits, in
// Crockford base32 (lowercase), monotonic within one process so ids sort in creation order.
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'app' | 'env' | 'dep' | 'rel' | 'tok';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

let lastTime = -1;
let lastRandom: number[] = [];

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime;
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomDigits();
  }
  return `${prefix}_${encodeTime(now)}${lastRandom.map((d) => ALPHABET[d]).join('')}`;
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function randomDigits(): number[] {
  // The top digit keeps one bit of headroom so increments within a millisecond never overflow in practice.
  return [...randomBytes(RANDOM_CHARS)].map((b, i) => (i === 0 ? b % 16 : b % 32));
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    const d = (next[i] ?? 0) + 1;
    if (d < 32) {
      next[i] = d;
      return next;
    }
    next[i] = 0;
  }
  return next;
}
