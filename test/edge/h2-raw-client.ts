// A raw HTTP/2 client over TLS for what node:http2's client will not send: headers HTTP/2 forbids
// and a flood of streams reset at once (the rapid reset attack). It writes frames by hand (HPACK
// literals without indexing, so no dynamic table) and collects the frames the server sends.
import tls from 'node:tls';
import { waitUntil } from '../support/wait-until.js';

export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8 } as const;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const ACK = 0x1;

export interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

export interface RawH2 {
  frames: Frame[];
  closed: boolean;
  send(...frames: Buffer[]): void;
  waitFor(what: string, pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  close(): void;
}

export async function connectRawH2(port: number, ca: string): Promise<RawH2> {
  const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['h2'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  if (socket.alpnProtocol !== 'h2') throw new Error(`ALPN gave ${String(socket.alpnProtocol)}, not h2`);
  socket.on('error', () => undefined);
  const client: RawH2 = {
    frames: [],
    closed: false,
    send: (...frames) => {
      if (!socket.destroyed) socket.write(Buffer.concat(frames));
    },
    async waitFor(what, pred, timeoutMs = 5000) {
      await waitUntil(what, () => client.frames.some(pred) || client.closed, timeoutMs);
      const found = client.frames.find(pred);
      if (!found) throw new Error(`the connection closed before ${what}; frames: ${client.frames.map((f) => `${f.type}/${f.stream}`).join(' ')}`);
      return found;
    },
    close: () => socket.destroy(),
  };
  let buf = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 9) {
      const length = buf.readUIntBE(0, 3);
      if (buf.length < 9 + length) break;
      const frame = { type: buf[3] as number, flags: buf[4] as number, stream: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + length) };
      buf = buf.subarray(9 + length);
      client.frames.push(frame);
      if (frame.type === FRAME.SETTINGS && (frame.flags & ACK) === 0) client.send(frameBytes(FRAME.SETTINGS, ACK, 0, Buffer.alloc(0)));
    }
  });
  socket.on('close', () => (client.closed = true));
  client.send(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), frameBytes(FRAME.SETTINGS, 0, 0, Buffer.alloc(0)));
  return client;
}

export function frameBytes(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** A HEADERS frame (END_HEADERS, and END_STREAM when asked) with every field a literal without indexing. */
export function headersFrame(stream: number, fields: ReadonlyArray<readonly [string, string]>, endStream = true): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) parts.push(Buffer.from([0]), hpackString(name), hpackString(value));
  return frameBytes(FRAME.HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, Buffer.concat(parts));
}

export function rstFrame(stream: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frameBytes(FRAME.RST_STREAM, 0, stream, payload);
}

/** The error code of an RST_STREAM or GOAWAY frame. */
export function errorCode(f: Frame): number {
  return f.type === FRAME.GOAWAY ? f.payload.readUInt32BE(4) : f.payload.readUInt32BE(0);
}

function hpackString(s: string): Buffer {
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.concat([hpackInt(bytes.length, 7, 0), bytes]);
}

function hpackInt(n: number, prefixBits: number, high: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (n < max) return Buffer.from([high | n]);
  const out = [high | max];
  n -= max;
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
