// Writes one response at a time onto a client connection, framed for that client: Content-Length
// as given, chunked for HTTP/1.1 when the length is unknown, or until close (HTTP/1.0). A head can
// be held back so that it goes out in one write with the first body bytes.
import { STATUS_CODES } from 'node:http';
import type net from 'node:net';

const enum Framing {
  None,
  Length,
  Chunked,
  Close,
}

/** Bodies up to this size go out as one string write together with a held head. */
const SMALL_WRITE_BYTES = 16 * 1024;

/** A response body longer than its Content-Length: the connection must be dropped, not written on. */
export const OVERFLOW = 'overflow';

export class ResponseWriter {
  /** The connection may carry another request after this response. */
  keepAlive = true;
  /** When a write last found the socket's buffer full (0: it is not). */
  blockedSince = 0;
  private framing = Framing.None;
  private remaining = 0;
  private heldHead: string | null = null;
  /** The last chunk ("0\r\n\r\n") of a chunked response was written. */
  private chunkedEnded = false;

  constructor(private readonly socket: net.Socket) {}

  /**
   * Writes the head (or holds it when `hold`: body bytes follow in this same turn). `contentLength`
   * -1: unknown; `headers` carry Content-Length when it is known. Returns true when the response is
   * already complete (it has no body: HEAD, 204, 304).
   */
  head(method: string, minor: number, keepAlive: boolean, status: number, reason: string, headers: readonly string[], contentLength: number, hold: boolean): boolean {
    this.heldHead = null;
    this.chunkedEnded = false;
    let text = `HTTP/1.1 ${status} ${reason || (STATUS_CODES[status] ?? '')}\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
    if (method === 'HEAD' || status === 204 || status === 304 || status < 200) {
      this.framing = Framing.None;
    } else if (contentLength >= 0) {
      this.framing = Framing.Length;
      this.remaining = contentLength;
    } else if (minor === 1) {
      this.framing = Framing.Chunked;
      text += 'Transfer-Encoding: chunked\r\n';
    } else {
      this.framing = Framing.Close;
      keepAlive = false;
    }
    this.keepAlive = keepAlive;
    if (!keepAlive) text += 'Connection: close\r\n\r\n';
    else text += minor === 0 ? 'Connection: keep-alive\r\n\r\n' : '\r\n';
    if (hold && this.framing !== Framing.None) {
      this.heldHead = text;
      return false;
    }
    this.socket.write(text, 'latin1');
    return this.framing === Framing.None;
  }

  /** Body bytes (an empty chunk sends a held head). false: wait for the socket's drain. */
  data(chunk: Buffer, last: boolean): boolean | typeof OVERFLOW {
    if (chunk.length === 0 && !last) return this.heldHead === null || this.writeText('');
    let ok = true;
    switch (this.framing) {
      case Framing.None:
        return true;
      case Framing.Length:
        if (chunk.length > this.remaining) return OVERFLOW;
        this.remaining -= chunk.length;
        ok = this.write(chunk, '');
        break;
      case Framing.Chunked:
        if (last) this.chunkedEnded = true;
        if (chunk.length > 0) ok = this.write(chunk, last ? '\r\n0\r\n\r\n' : '\r\n', `${chunk.length.toString(16)}\r\n`);
        else if (last) ok = this.writeText('0\r\n\r\n');
        break;
      case Framing.Close:
        ok = this.write(chunk, '');
        break;
    }
    if (!ok && this.blockedSince === 0) this.blockedSince = Date.now();
    return ok;
  }

  /** Completes the body; false when it cannot be (a sized body still short of its length). */
  end(): boolean {
    if (this.framing === Framing.Length && this.remaining > 0) return false;
    if (this.framing === Framing.Chunked && !this.chunkedEnded) {
      this.chunkedEnded = true;
      this.writeText('0\r\n\r\n');
    } else if (this.heldHead !== null) {
      this.writeText('');
    }
    return true;
  }

  /** Forgets a held head (the connection is being dropped). */
  drop(): void {
    this.heldHead = null;
  }

  private write(chunk: Buffer, suffix: string, prefix = ''): boolean {
    const socket = this.socket;
    const held = this.heldHead;
    this.heldHead = null;
    if (chunk.length <= SMALL_WRITE_BYTES) {
      // One string write instead of a corked writev of several buffers: measurably less CPU.
      return socket.write(`${held ?? ''}${prefix}${chunk.toString('latin1')}${suffix}`, 'latin1');
    }
    socket.cork();
    if (held !== null || prefix !== '') socket.write(`${held ?? ''}${prefix}`, 'latin1');
    let ok = socket.write(chunk);
    if (suffix !== '') ok = socket.write(suffix, 'latin1');
    socket.uncork();
    return ok;
  }

  private writeText(text: string): boolean {
    const held = this.heldHead;
    this.heldHead = null;
    return this.socket.write(held === null ? text : held + text, 'latin1');
  }
}
