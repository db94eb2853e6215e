// The head of an HTTP/1.x request from a client (request line and header fields), parsed strictly
// (RFC 9112) from the bytes before the blank line, in one pass: the framing facts (Content-Length,
// chunked, keep-alive, Expect, Upgrade) and the headers to forward upstream (see inbound-headers.ts).
// Anything a proxy could read differently from its upstream (request smuggling) is refused.
import { parseLength, TOKEN_CHAR } from './http1-syntax.js';
import { HOP_BY_HOP_REQUEST, type InboundHeaders } from './inbound-headers.js';

/** A request head may not be longer than this (request line, headers and the blank line). */
export const MAX_REQUEST_HEAD_BYTES = 16 * 1024;

export interface RequestHead {
  method: string;
  /** The request target as received (latin1), e.g. "/a/b?q". */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  inbound: InboundHeaders;
  /** -1 when the request has no Content-Length (or is chunked). */
  contentLength: number;
  chunked: boolean;
  /** The client lets the connection carry another request after this one. */
  keepAlive: boolean;
  expectContinue: boolean;
  /** Connection: upgrade with an Upgrade header (a WebSocket handshake). */
  upgrade: boolean;
}

/** A request the edge refuses before routing it; `status` is the answer (400, 417, 431, 501, 505). */
export class BadRequestError extends Error {
  constructor(
    readonly status: 400 | 417 | 431 | 501 | 505,
    message: string,
  ) {
    super(message);
  }
}

// Methods as nginx takes them: capital letters, "-" and "_" (every registered method is one).
const METHOD = new Uint8Array(256);
for (let c = 65; c <= 90; c++) METHOD[c] = 1;
METHOD[45] = 1;
METHOD[95] = 1;
// Field value bytes: HTAB, SP, visible ASCII and obs-text; no other control byte.
const VALUE = new Uint8Array(256);
VALUE[9] = 1;
for (let c = 32; c < 256; c++) VALUE[c] = c === 127 ? 0 : 1;

// Lengths of the hop-by-hop names, so most headers skip the lower-casing.
const HOP_BY_HOP_LENGTHS = new Uint8Array(32);
for (const name of HOP_BY_HOP_REQUEST) HOP_BY_HOP_LENGTHS[name.length] = 1;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** Parses `text` (the head as latin1, without the blank line's "\r\n\r\n"). Throws BadRequestError. */
export function parseRequestHead(text: string): RequestHead {
  const n = text.length;
  let i = 0;
  while (i < n && METHOD[text.charCodeAt(i)] === 1) i++;
  if (i === 0 || text.charCodeAt(i) !== SP) throw bad('expected a request line "METHOD /path HTTP/1.1" (a method is capital letters, "-" and "_")');
  const method = text.slice(0, i);
  const targetStart = ++i;
  if (text.charCodeAt(i) !== 47 /* / */) throw bad('expected a request target that starts with "/" (the edge is not a forward proxy)');
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= SP || c >= 127) break;
  }
  if (text.charCodeAt(i) !== SP) throw bad('expected a request line "METHOD /path HTTP/1.1" (a target is visible ASCII: percent-encode the rest)');
  const target = text.slice(targetStart, i);
  const minor = httpMinor(text, i + 1);
  i += 9;
  if (i < n && (text.charCodeAt(i) !== CR || text.charCodeAt(i + 1) !== LF)) throw bad('expected CRLF after the request line');
  i += 2;

  const forward: string[] = [];
  const head: RequestHead = {
    method,
    target,
    minor,
    inbound: {
      forward,
      host: undefined,
      requestId: undefined,
      forwardedFor: undefined,
      forwardedProto: undefined,
      forwardedHost: undefined,
      relayed: undefined,
      hasBody: false,
      upgrade: undefined,
    },
    contentLength: -1,
    chunked: false,
    keepAlive: minor === 1,
    expectContinue: false,
    upgrade: false,
  };
  const inbound = head.inbound;
  let hosts = 0;
  let transferEncoding: string | undefined;
  let connectionUpgrade = false;
  while (i < n) {
    const nameStart = i;
    while (i < n && TOKEN_CHAR[text.charCodeAt(i)] === 1) i++;
    if (text.charCodeAt(i) !== 58 /* : */) {
      const c = text.charCodeAt(nameStart);
      throw bad(c === SP || c === HTAB ? 'a folded header line (obs-fold)' : i === nameStart ? 'a header line without a name' : 'a header name with a character a name may not hold');
    }
    if (i === nameStart) throw bad('a header line without a name');
    const name = text.slice(nameStart, i);
    i++;
    while (i < n && (text.charCodeAt(i) === SP || text.charCodeAt(i) === HTAB)) i++;
    const valueStart = i;
    while (i < n && VALUE[text.charCodeAt(i)] === 1) i++;
    let valueEnd = i;
    if (i < n) {
      if (text.charCodeAt(i) !== CR || text.charCodeAt(i + 1) !== LF) throw bad(`a control character or bare CR/LF in header ${JSON.stringify(name)}`);
      i += 2;
    }
    while (valueEnd > valueStart && (text.charCodeAt(valueEnd - 1) === SP || text.charCodeAt(valueEnd - 1) === HTAB)) valueEnd--;
    const value = text.slice(valueStart, valueEnd);

    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          hosts++;
          inbound.host = value;
        }
        break;
      case 6:
        if (name.toLowerCase() === 'expect') {
          if (value.toLowerCase() !== '100-continue') throw new BadRequestError(417, `Expect ${JSON.stringify(value)} is not supported (only 100-continue)`);
          head.expectContinue = true;
          continue;
        }
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') {
          inbound.upgrade = value;
          continue;
        }
        break;
      case 9: {
        const lower = name.toLowerCase();
        if (lower === 'x-real-ip' || lower === 'forwarded') {
          (inbound.relayed ??= []).push(name, value);
          continue;
        }
        break;
      }
      case 10:
        if (name.toLowerCase() === 'connection') {
          readConnection(head, value);
          if (hasToken(value, 'upgrade')) connectionUpgrade = true;
          continue;
        }
        break;
      case 12:
        if (name.toLowerCase() === 'x-request-id') {
          inbound.requestId = value;
          continue;
        }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const length = parseLength(value);
          if (length < 0) throw bad(`Content-Length ${JSON.stringify(value)} is not a length`);
          // Even the same length twice, as llhttp (node's parser) refuses it too.
          if (head.contentLength !== -1) throw bad('more than one Content-Length');
          head.contentLength = length;
        }
        break;
      case 15:
        if (name.toLowerCase() === 'x-forwarded-for') {
          inbound.forwardedFor = inbound.forwardedFor === undefined ? value : `${inbound.forwardedFor}, ${value}`;
          continue;
        }
        break;
      case 16:
        if (name.toLowerCase() === 'x-forwarded-host') {
          inbound.forwardedHost = inbound.forwardedHost === undefined ? value : `${inbound.forwardedHost}, ${value}`;
          continue;
        }
        break;
      case 17: {
        const lower = name.toLowerCase();
        if (lower === 'transfer-encoding') {
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
          continue;
        }
        if (lower === 'x-forwarded-proto') {
          inbound.forwardedProto = inbound.forwardedProto === undefined ? value : `${inbound.forwardedProto}, ${value}`;
          continue;
        }
        break;
      }
    }
    if (HOP_BY_HOP_LENGTHS[name.length] === 1 && HOP_BY_HOP_REQUEST.has(name.toLowerCase())) continue;
    forward.push(name, value);
  }

  if (minor === 1) {
    if (hosts === 0) throw bad('HTTP/1.1 requests need a Host header');
  }
  if (hosts > 1) throw bad('more than one Host header');
  if (transferEncoding !== undefined) {
    // RFC 9112 6.1: a sender must not send both; a proxy that forwarded such a request could be
    // read differently by its upstream (request smuggling), so it is refused.
    if (head.contentLength !== -1) throw bad('both Content-Length and Transfer-Encoding');
    if (minor === 0) throw bad('Transfer-Encoding in an HTTP/1.0 request');
    if (transferEncoding.trim().toLowerCase() !== 'chunked') {
      throw new BadRequestError(501, `Transfer-Encoding ${JSON.stringify(transferEncoding)} is not supported (only chunked)`);
    }
    head.chunked = true;
  }
  inbound.hasBody = head.chunked || head.contentLength > 0;
  head.upgrade = connectionUpgrade && inbound.upgrade !== undefined;
  return head;
}

/** Reads "HTTP/1.x" at `i`; other versions are 505, anything else 400. */
function httpMinor(text: string, i: number): number {
  if (text.startsWith('HTTP/1.', i) && (text.length === i + 8 || text.charCodeAt(i + 8) === CR)) {
    const c = text.charCodeAt(i + 7);
    if (c === 49) return 1;
    if (c === 48) return 0;
  }
  if (/^HTTP\/\d\.\d(?:\r|$)/.test(text.slice(i, i + 9))) throw new BadRequestError(505, 'only HTTP/1.0 and HTTP/1.1 are supported');
  throw bad('expected "HTTP/1.1" at the end of the request line');
}

function readConnection(head: RequestHead, value: string): void {
  if (hasToken(value, 'close')) head.keepAlive = false;
  else if (head.minor === 0 && hasToken(value, 'keep-alive')) head.keepAlive = true;
}

/** Whether a comma-separated list holds `token` (case-insensitive). */
function hasToken(list: string, token: string): boolean {
  const lower = list.toLowerCase();
  if (lower === token) return true;
  let from = 0;
  for (;;) {
    const at = lower.indexOf(token, from);
    if (at < 0) return false;
    const before = at === 0 ? 44 : lower.charCodeAt(at - 1);
    const end = at + token.length;
    const after = end === lower.length ? 44 : lower.charCodeAt(end);
    if ((before === 44 || before === SP || before === HTAB) && (after === 44 || after === SP || after === HTAB)) return true;
    from = end;
  }
}

function bad(what: string): BadRequestError {
  return new BadRequestError(400, `Bad Request: ${what}`);
}
