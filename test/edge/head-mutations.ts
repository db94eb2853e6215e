// Seeded generation of HTTP/1.x request heads for differential tests of the edge's request head
// parser: a corpus of valid heads (with their bodies) mutated at the field level (duplicate and
// conflicting framing headers, Transfer-Encoding variants, obs-fold, bare LF, versions, spacing,
// case, very long values) and at the byte level (insert, delete, replace). Pure and deterministic:
// case `index` of seed `seed` is always the same bytes, whatever other cases were generated.

import { SeededRandom } from '../support/seeded-random.js';

export interface HeadCase {
  seed: number;
  index: number;
  /** The corpus head it started from. */
  base: string;
  /** The mutations applied, in order, for failure messages. */
  applied: string[];
  /** The head as latin1, without the "\r\n\r\n" that ends it (mutations may have put one inside). */
  head: string;
  /** The corpus body (latin1), to send when the framing is not known to match the head. */
  body: string;
}

interface Seed {
  name: string;
  requestLine: string;
  fields: string[];
  body: string;
}

const CORPUS: readonly Seed[] = [
  { name: 'get', requestLine: 'GET /index.html?q=1&r=a%20b HTTP/1.1', fields: ['Host: example.com', 'User-Agent: oracle/1.0', 'Accept: */*'], body: '' },
  { name: 'post-length', requestLine: 'POST /submit HTTP/1.1', fields: ['Host: example.com', 'Content-Type: text/plain', 'Content-Length: 11'], body: 'hello world' },
  { name: 'post-chunked', requestLine: 'POST /upload HTTP/1.1', fields: ['Host: example.com', 'Transfer-Encoding: chunked', 'Content-Type: application/octet-stream'], body: '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n' },
  { name: 'http10', requestLine: 'GET /old/page HTTP/1.0', fields: ['User-Agent: old/1.0', 'Accept: text/html'], body: '' },
  { name: 'whitespace', requestLine: 'GET /ws?x=1 HTTP/1.1', fields: ['Host:\texample.com', 'X-Padded: \t value with spaces \t', 'Accept:   text/html  ', 'X-Empty:'], body: '' },
  { name: 'duplicates', requestLine: 'GET /dup HTTP/1.1', fields: ['Host: example.com', 'Accept: a', 'Accept: b', 'Cookie: a=1', 'Cookie: b=2', 'X-Forwarded-For: 10.0.0.1'], body: '' },
  { name: 'put-continue', requestLine: 'PUT /item/7 HTTP/1.1', fields: ['Host: example.com:8080', 'Expect: 100-continue', 'Content-Length: 4', 'Connection: keep-alive'], body: 'data' },
];

const SPECIAL_BYTES = ' \t\r\n:;,\x00\x7f\x80\xff';
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TE_VARIANTS = [' chunked', 'chunked ', ' Chunked', ' chunked, chunked', ' x-chunked', ' chunked\x00', '\tchunked', ' chunked\t', ' CHUNKED', ' identity', ' gzip, chunked', ''];
const VERSIONS = ['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'http/1.1', 'HTTP/1.10', 'HTTP/1', 'HTTP/1.1 ', 'HTTP/11', 'HTTP /1.1'];
/** Longest head text the edge reads (MAX_REQUEST_HEAD_BYTES), to aim long values at its boundary. */
const HEAD_LIMIT = 16 * 1024;

/** Case `index` of the run seeded with `seed`. */
export function generateCase(seed: number, index: number): HeadCase {
  const random = new SeededRandom((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const base = random.pick(CORPUS);
  const applied: string[] = [];
  let requestLine = base.requestLine;
  const fields = [...base.fields];
  const apply = (p: number, name: string, mutate: () => void): void => {
    if (random.chance(p)) {
      mutate();
      applied.push(name);
    }
  };
  const anyField = (): number => random.int(fields.length);
  const insertAt = (line: string): void => void fields.splice(random.int(fields.length + 1), 0, line);
  const nameOf = (line: string): string => line.slice(0, Math.max(0, line.indexOf(':')));

  apply(0.15, 'duplicate-field', () => insertAt(fields[anyField()] ?? 'X-A: 1'));
  apply(0.12, 'second-content-length', () => {
    const existing = fields.find((f) => nameOf(f).toLowerCase() === 'content-length');
    const same = existing !== undefined && random.chance(0.5);
    insertAt(same ? existing : `Content-Length: ${random.int(20)}`);
  });
  apply(0.15, 'transfer-encoding', () => {
    if (random.chance(0.5)) dropFraming(fields);
    insertAt(`Transfer-Encoding:${random.pick(TE_VARIANTS)}`);
  });
  apply(0.08, 'obs-fold', () => fields.splice(1 + anyField(), 0, `${random.pick([' ', '\t', '  '])}${random.pick(['folded', 'Content-Length: 5', 'chunked'])}`));
  apply(0.08, 'version', () => {
    requestLine = requestLine.replace(/ HTTP\/1\.[01]$/, ` ${random.pick(VERSIONS)}`);
  });
  apply(0.08, 'space-before-colon', () => {
    const i = anyField();
    fields[i] = (fields[i] ?? '').replace(':', random.pick([' :', '\t:', '  :']));
  });
  apply(0.2, 'name-case', () => {
    const i = anyField();
    const line = fields[i] ?? '';
    const name = nameOf(line);
    const cased = random.pick([name.toUpperCase(), name.toLowerCase(), [...name].map((c) => (random.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('')]);
    fields[i] = cased + line.slice(name.length);
  });
  apply(0.1, 'value-whitespace', () => {
    const i = anyField();
    const line = fields[i] ?? '';
    const colon = line.indexOf(':');
    if (colon < 0) return;
    const ows = (): string => Array.from({ length: random.int(4) }, () => random.pick([' ', '\t'])).join('');
    fields[i] = `${line.slice(0, colon + 1)}${ows()}${line.slice(colon + 1).trim()}${ows()}`;
  });
  apply(0.05, 'long-value', () => {
    const text = [requestLine, ...fields].join('\r\n');
    const prefix = 'X-Long: ';
    // Land exactly on the edge's limit, just over it, or somewhere below it.
    const room = HEAD_LIMIT - text.length - 2 - prefix.length;
    const length = random.pick([room, room + 1, 1 + random.int(Math.max(1, room))]);
    insertAt(prefix + LETTERS.repeat(Math.ceil(length / LETTERS.length) + 1).slice(0, Math.max(0, length)));
  });

  const separators = fields.map(() => '\r\n');
  apply(0.08, 'bare-lf', () => {
    separators[random.int(separators.length)] = random.pick(['\n', '\r', '\n\r']);
  });
  let head = requestLine + fields.map((f, i) => (separators[i] ?? '\r\n') + f).join('');
  if (random.chance(0.35)) {
    for (let k = 1 + random.int(3); k > 0; k--) {
      const [name, mutated] = mutateByte(random, head);
      head = mutated;
      applied.push(name);
    }
  }
  apply(0.03, 'leading-crlf', () => {
    head = `\r\n${head}`;
  });
  return { seed, index, base: base.name, applied, head, body: base.body };
}

/** Removes the framing headers, so a Transfer-Encoding added after them can be the only one. */
function dropFraming(fields: string[]): void {
  for (let i = fields.length - 1; i >= 0; i--) {
    const name = (fields[i] ?? '').split(':')[0]?.toLowerCase();
    if (name === 'content-length' || name === 'transfer-encoding') fields.splice(i, 1);
  }
}

function mutateByte(random: SeededRandom, text: string): [string, string] {
  const at = random.int(text.length + 1);
  const byte = random.chance(0.55) ? random.pick([...SPECIAL_BYTES]) : random.chance(0.85) ? random.pick([...LETTERS]) : String(random.int(10));
  const kind = random.pick(['insert', 'delete', 'replace'] as const);
  const label = `${kind}@${at}${kind === 'delete' ? '' : `=${JSON.stringify(byte)}`}`;
  if (kind === 'insert') return [label, text.slice(0, at) + byte + text.slice(at)];
  if (kind === 'delete') return [label, text.slice(0, at) + text.slice(at + 1)];
  return [label, text.slice(0, at) + byte + text.slice(at + 1)];
}

/** `length` pseudo-random bytes as a latin1 string (every byte value occurs). */
export function randomLatin1(random: SeededRandom, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(random.int(256));
  return s;
}

/** `payload` in chunked encoding (RFC 9112 7.1), in chunks of random sizes, hex in random case. */
export function encodeChunked(random: SeededRandom, payload: string): string {
  let out = '';
  for (let i = 0; i < payload.length; ) {
    const size = Math.min(payload.length - i, 1 + random.int(16));
    const hex = size.toString(16);
    out += `${random.chance(0.5) ? hex.toUpperCase() : hex}\r\n${payload.slice(i, i + size)}\r\n`;
    i += size;
  }
  return `${out}0\r\n\r\n`;
}
