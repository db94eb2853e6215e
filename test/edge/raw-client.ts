// A raw HTTP/1.1 client over one net.Socket for protocol tests: writes bytes as given, reads
// responses framed by Content-Length, chunked encoding or connection close (several pipelined
// responses off one socket), and reports whether the server closed the connection.
// Every wait has a deadline; nothing here retries or repairs what the server sent.
import net from 'node:net';

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const DEFAULT_TIMEOUT_MS = 5000;

export interface RawResponse {
  version: string;
  status: number;
  reason: string;
  /** Header fields in order, names as sent. */
  rawHeaders: Array<[string, string]>;
  /** Body bytes after de-chunking; empty for HEAD, 1xx, 204 and 304. */
  body: Buffer;
  /** How the body was delimited. */
  framing: 'none' | 'length' | 'chunked' | 'close';
}

/** The value of a header (case-insensitive); several fields are joined with ", ". */
export function header(res: RawResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  const values = res.rawHeaders.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(', ');
}

export interface ReadOptions {
  /** The response answers a HEAD request: it has no body whatever its headers say. */
  head?: boolean;
  timeoutMs?: number;
}

export class RawClient {
  /** Bytes received and not yet consumed by readResponse. */
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  /** The server sent FIN (or the socket closed or failed). */
  ended = false;
  /** The socket is fully closed. */
  closed = false;
  error: Error | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.closed = true;
      this.notify();
    });
    socket.on('error', (err) => {
      this.error = err;
      this.notify();
    });
  }

  static connect(port: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      // allowHalfOpen: the client's end() must not also stop it reading the response.
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true, allowHalfOpen: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to 127.0.0.1:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawClient(socket));
      });
    });
  }

  /** Writes bytes and resolves once they were handed to the kernel (errors are recorded, not thrown). */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || !this.socket.writable) return resolve();
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, () => resolve());
    });
  }

  /** Half-closes the client side (sends FIN); the socket keeps reading. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Bytes received but not consumed by any response read so far. */
  get pending(): Buffer {
    return this.buf;
  }

  /** Reads one response (a 1xx is returned on its own; call again for the final one). */
  async readResponse(opts: ReadOptions = {}): Promise<RawResponse> {
    const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let end = this.buf.indexOf(HEAD_END);
    while (end === -1) {
      if (this.ended) throw new Error(`connection closed before a complete response head (got ${JSON.stringify(this.buf.toString('latin1'))})`);
      await this.waitForData(deadline, 'a response head');
      end = this.buf.indexOf(HEAD_END);
    }
    const headText = this.buf.subarray(0, end).toString('latin1');
    this.buf = this.buf.subarray(end + 4);
    const res = parseHead(headText);
    const te = header(res, 'transfer-encoding');
    const cl = header(res, 'content-length');
    if (opts.head || (res.status >= 100 && res.status < 200) || res.status === 204 || res.status === 304) return res;
    if (te !== undefined) {
      if (!/(^|,)\s*chunked\s*$/i.test(te)) throw new Error(`response has Transfer-Encoding "${te}" without chunked last`);
      res.framing = 'chunked';
      res.body = await this.readChunked(deadline);
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) throw new Error(`response has an invalid Content-Length "${cl}"`);
      res.framing = 'length';
      res.body = await this.take(Number(cl), deadline);
    } else {
      res.framing = 'close';
      res.body = await this.readToClose(deadline);
    }
    return res;
  }

  /** Resolves true once the server closed (FIN or reset) within `timeoutMs`, false otherwise. */
  async waitForClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      try {
        await this.waitForData(deadline, 'the close');
      } catch {
        return this.ended;
      }
    }
    return true;
  }

  private async readChunked(deadline: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const line = (await this.line(deadline)).toString('latin1');
      const sizeText = line.split(';')[0]?.trim() ?? '';
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size line ${JSON.stringify(line)}`);
      const size = parseInt(sizeText, 16);
      if (size === 0) break;
      parts.push(await this.take(size, deadline));
      const crlf = await this.take(2, deadline);
      if (!crlf.equals(CRLF)) throw new Error(`chunk data not followed by CRLF (got ${JSON.stringify(crlf.toString('latin1'))})`);
    }
    // Trailer fields, then the empty line.
    while ((await this.line(deadline)).length > 0);
    return Buffer.concat(parts);
  }

  private async readToClose(deadline: number): Promise<Buffer> {
    while (!this.ended) await this.waitForData(deadline, 'the close that ends a body without length');
    const body = this.buf;
    this.buf = Buffer.alloc(0);
    return body;
  }

  /** One CRLF-terminated line, without its CRLF. */
  private async line(deadline: number): Promise<Buffer> {
    let i = this.buf.indexOf(CRLF);
    while (i === -1) {
      if (this.ended) throw new Error('connection closed inside a chunked body');
      await this.waitForData(deadline, 'a chunk line');
      i = this.buf.indexOf(CRLF);
    }
    const line = this.buf.subarray(0, i);
    this.buf = this.buf.subarray(i + 2);
    return line;
  }

  private async take(n: number, deadline: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error(`connection closed after ${this.buf.length} of ${n} body bytes`);
      await this.waitForData(deadline, `${n} body bytes`);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private waitForData(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new Error(`timed out waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new Error(`timed out waiting for ${what} (have ${this.buf.length} unread bytes)`));
      }, left);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function parseHead(text: string): RawResponse {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const rawHeaders: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bad response header line ${JSON.stringify(line)}`);
    rawHeaders.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { version: m[1] ?? '', status: Number(m[2]), reason: m[3] ?? '', rawHeaders, body: Buffer.alloc(0), framing: 'none' };
}

/** A request head with CRLF line endings: `requestHead('GET / HTTP/1.1', ['Host: a'])`. */
export function requestHead(requestLine: string, headers: readonly string[]): string {
  return `${requestLine}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}
