// The head of an HTTP/1.x response from an upstream (status line and header fields), parsed from
// the bytes before the blank line: framing facts (Content-Length, chunked, keep-alive) plus the
// end-to-end headers for the client, in one pass. Malformed heads throw; the caller answers 502.
import { isToken, parseLength } from './http1-syntax.js';

/** A response head may not be longer than this (status line, headers and the blank line). */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface ResponseHead {
  statusCode: number;
  statusText: string;
  /** [name, value, ...] as received, minus hop-by-hop headers and the names the caller dropped. */
  headers: string[];
  /** The announced body length; -1 when there is no (valid) Content-Length or chunked wins. */
  contentLength: number;
  chunked: boolean;
  /** The upstream lets the connection be reused after this response. */
  keepAlive: boolean;
  /** Keep-Alive: timeout=N, in ms; -1 when not given. */
  keepAliveHintMs: number;
  /** The response carries a Date header (a proxy adds one when it does not: RFC 9110 6.6.1). */
  hasDate: boolean;
}

export class MalformedHeadError extends Error {
  readonly code = 'SLIPWAY_UPSTREAM_MALFORMED';
  constructor(what: string) {
    super(`the upstream sent a malformed response head: ${what}`);
  }
}

const HOP_BY_HOP = new Set(['te', 'trailer', 'upgrade', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding']);
// What each byte of a head may be: one table lookup per byte instead of two regular expressions
// over the head's text (a measurable part of the edge's CPU per request).
const OK = 0;
const NUL = 1;
/** A control character other than HTAB, CR and LF (never valid in a status line or field). */
const CONTROL = 2;
const CR_BYTE = 3;
const LF_BYTE = 4;
const BYTE_CLASS = new Uint8Array(256);
for (let c = 1; c < 32; c++) BYTE_CLASS[c] = CONTROL;
BYTE_CLASS[0] = NUL;
BYTE_CLASS[9] = OK;
BYTE_CLASS[13] = CR_BYTE;
BYTE_CLASS[10] = LF_BYTE;
BYTE_CLASS[127] = CONTROL;
const DIGIT_0 = 48;

/**
 * Parses `buf[start, end)`, where `end` is the index of the blank line's "\r\n\r\n" (exclusive of
 * it). `drop` holds extra lower-case names left out of `headers` (compared only on equal length).
 */
export function parseResponseHead(buf: Buffer, start: number, end: number, drop: readonly string[]): ResponseHead {
  if (end - start < 12 || buf[start + 8] !== 32 /* SP */ || buf.toString('latin1', start, start + 7) !== 'HTTP/1.') {
    throw new MalformedHeadError('expected a status line "HTTP/1.x NNN reason"');
  }
  const minor = (buf[start + 7] as number) - DIGIT_0;
  const d0 = (buf[start + 9] as number) - DIGIT_0;
  const d1 = (buf[start + 10] as number) - DIGIT_0;
  const d2 = (buf[start + 11] as number) - DIGIT_0;
  if ((minor !== 0 && minor !== 1) || d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
    throw new MalformedHeadError('expected a status line "HTTP/1.x NNN reason"');
  }
  const bytes = badBytes(buf, start, end);
  if (bytes === NUL) throw new MalformedHeadError('a bare CR, LF or NUL');
  if (bytes === CONTROL) throw new MalformedHeadError('a control character');
  const text = buf.toString('latin1', start, end);
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd === -1) lineEnd = text.length;
  if (lineEnd > 12 && text.charCodeAt(12) !== 32) throw new MalformedHeadError('expected a space after the status code');
  const head: ResponseHead = {
    statusCode: d0 * 100 + d1 * 10 + d2,
    statusText: lineEnd > 13 ? text.slice(13, lineEnd) : '',
    headers: [],
    contentLength: -1,
    chunked: false,
    keepAlive: minor === 1,
    keepAliveHintMs: -1,
    hasDate: false,
  };
  let transferEncoding = false;
  let pos = lineEnd + 2;
  while (pos < text.length) {
    let next = text.indexOf('\r\n', pos);
    if (next === -1) next = text.length;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > next) throw new MalformedHeadError('a header line without a name and ":"');
    const first = text.charCodeAt(pos);
    const last = text.charCodeAt(colon - 1);
    if (first === 32 || first === 9 || last === 32 || last === 9) throw new MalformedHeadError('whitespace around a header name (or a folded line)');
    const name = text.slice(pos, colon);
    if (!isToken(name)) throw new MalformedHeadError(`a header name with a character names may not hold: ${JSON.stringify(name)}`);
    const value = trimOws(text, colon + 1, next);
    pos = next + 2;
    const len = name.length;
    if (len === 4 && name.toLowerCase() === 'date') head.hasDate = true;
    else if (len === 14 || len === 17 || len === 10 || len === 2 || len === 7 || len === 16) {
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        const n = parseLength(value);
        if (n < 0 || (head.contentLength !== -1 && head.contentLength !== n)) throw new MalformedHeadError(`Content-Length ${JSON.stringify(value)}`);
        head.contentLength = n;
      } else if (lower === 'transfer-encoding') {
        transferEncoding = true;
        head.chunked = /(?:^|,)[ \t]*chunked[ \t]*$/i.test(value);
      } else if (lower === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) head.keepAlive = false;
        else if (minor === 0 && v.includes('keep-alive')) head.keepAlive = true;
      } else if (lower === 'keep-alive') {
        const m = /timeout=\s*(\d+)/i.exec(value);
        if (m) head.keepAliveHintMs = Number(m[1]) * 1000;
      }
      if (HOP_BY_HOP.has(lower)) continue;
    }
    if (drop.length !== 0 && isDropped(name, drop)) continue;
    head.headers.push(name, value);
  }
  if (transferEncoding) {
    // RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and such a connection is not reused.
    if (head.contentLength !== -1) {
      head.keepAlive = false;
      head.headers = withoutContentLength(head.headers);
    }
    head.contentLength = -1;
    if (!head.chunked) head.keepAlive = false; // the body runs until the connection closes
  }
  return head;
}

/**
 * NUL for a NUL anywhere, a CR not followed by LF or an LF not preceded by CR (these win); else
 * CONTROL for another control character; else OK.
 */
function badBytes(buf: Buffer, start: number, end: number): number {
  let found = OK;
  for (let i = start; i < end; i++) {
    const k = BYTE_CLASS[buf[i] as number] as number;
    if (k === OK) continue;
    if (k === NUL) return NUL;
    if (k === CR_BYTE) {
      if (i + 1 >= end || buf[i + 1] !== 10) return NUL;
      i++; // its LF
    } else if (k === LF_BYTE) {
      return NUL; // every LF after a CR was stepped over with it
    } else {
      found = CONTROL;
    }
  }
  return found;
}

function withoutContentLength(headers: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') kept.push(name, headers[i + 1] as string);
  }
  return kept;
}

function isDropped(name: string, drop: readonly string[]): boolean {
  for (const d of drop) if (d.length === name.length && d === name.toLowerCase()) return true;
  return false;
}

function trimOws(text: string, from: number, to: number): string {
  while (from < to && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  return text.slice(from, to);
}

/** Whether a response to `method` with `status` has a body at all (RFC 9112 6.3). */
export function responseHasBody(method: string, status: number): boolean {
  return !(method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200));
}
