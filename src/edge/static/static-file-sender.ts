// Serves one static file to a client side: resolves it inside its mount (realpath, so no link leads
// out of the directory), picks a precompressed sibling by Accept-Encoding, answers 304/206/416 by
// file-validators.ts, and sends the file: a file up to CONTENT_MAX_BYTES is read whole once and
// sent from the bytes kept with its descriptor (open-file-cache.ts); a larger one is streamed from
// its descriptor with backpressure (sendData false -> wait for resume()), one chunk in memory.
import { read, readSync, realpath, stat, type Stats } from 'node:fs';
import path from 'node:path';
import type { StaticMount } from '../../core/ports/edge-control.js';
import type { ClientSide } from '../http1/client-side.js';
import { httpDate } from '../http1/http-date.js';
import type { RequestHead } from '../http1/http1-request-head.js';
import { contentTypeOf } from './content-types.js';
import { acquire, CONTENT_MAX_BYTES, keepContent, release, type OpenFile } from './open-file-cache.js';
import { cacheControlOf, etagOf, notModified, rangeOf } from './file-validators.js';
import type { StaticHit } from './static-path.js';

const CHUNK_BYTES = 256 * 1024;
/** Up to this much left to send, the file is read synchronously (see pump). */
const SYNC_READ_BYTES = 64 * 1024;
const RESOLUTION_VALID_MS = 1000;
const MAX_RESOLUTIONS = 10_000;

type Resolved =
  | { kind: 'file'; real: string; name: string; encoding: string | null; expires: number }
  | { kind: 'dir'; expires: number }
  | { kind: 'missing'; expires: number };
const MISSING: Resolved = { kind: 'missing', expires: 0 };

/** Per mount (a route change brings new objects): request paths resolved in the last second. */
const resolutions = new WeakMap<StaticMount, Map<string, Resolved>>();

export interface StaticOutcome {
  /** Headers the edge adds to every response it sends for the route (X-Request-Id, release header). */
  readonly extraHeaders: readonly string[];
  /** The file is not there (or the method is not GET/HEAD) and the mount says try_files: the app answers. */
  passToApp(): void;
  /** The edge answers itself with a small page (404, 405, 301). */
  replyPage(status: number, body: string, extra?: string[]): void;
}

interface Request {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  range?: string;
  ifRange?: string;
  acceptEncoding?: string;
}

/** Real paths of mount directories, per mount object (a route change brings new objects); a missing one is looked for again after a second. */
const roots = new WeakMap<StaticMount, { real: Promise<string | null>; expires: number }>();

export class StaticFileSender {
  status = 0;
  private file: OpenFile | null = null;
  private position = 0;
  private remaining = 0;
  private reading = false;
  private cancelled = false;

  constructor(
    private readonly client: ClientSide,
    private readonly head: RequestHead,
    private readonly hit: StaticHit,
    private readonly outcome: StaticOutcome,
  ) {}

  start(): void {
    this.serve().catch(() => this.missing());
  }

  /** The client took what it was behind on. */
  resume(): void {
    if (!this.reading && this.remaining > 0) this.pump();
  }

  /** The client is gone or the exchange is over. */
  cancel(): void {
    this.cancelled = true;
    if (!this.reading) this.closeFd();
  }

  private async serve(): Promise<void> {
    const { mount } = this.hit;
    const method = this.head.method;
    if (method !== 'GET' && method !== 'HEAD') {
      if (mount.tryFiles) return this.outcome.passToApp();
      return this.outcome.replyPage(405, 'Method Not Allowed: static files answer GET and HEAD only.\n', ['Allow', 'GET, HEAD']);
    }
    const req = this.requestHeaders();
    const encodings = preferredEncodings(req.acceptEncoding);
    const found = await this.resolveCached(encodings);
    if (this.cancelled) return;
    if (found.kind === 'missing') return this.missing();
    if (found.kind === 'dir') {
      const q = this.head.target.indexOf('?');
      const location = q < 0 ? `${this.head.target}/` : `${this.head.target.slice(0, q)}/${this.head.target.slice(q)}`;
      return this.outcome.replyPage(301, `Moved Permanently: ${location}\n`, ['Location', location]);
    }
    acquire(found.real, (err, file) => {
      if (err || file === null) return this.missing();
      this.file = file;
      if (this.cancelled) return this.closeFd();
      this.respond(found.name, file.stats, found.encoding, req);
    });
  }

  /** What this request's path names, remembered per mount for a second (resolving costs several system calls). */
  private async resolveCached(encodings: readonly string[]): Promise<Resolved> {
    const { mount, segments, trailingSlash } = this.hit;
    let cache = resolutions.get(mount);
    if (cache === undefined) {
      cache = new Map();
      resolutions.set(mount, cache);
    }
    const key = `${segments.join('/')}|${trailingSlash ? '/' : ''}|${encodings.join(',')}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.expires > now) return hit;
    const fresh = await this.resolve(encodings);
    if (cache.size >= MAX_RESOLUTIONS) cache.clear();
    cache.set(key, { ...fresh, expires: now + RESOLUTION_VALID_MS } as Resolved);
    return fresh;
  }

  private async resolve(encodings: readonly string[]): Promise<Resolved> {
    let file = await this.locate();
    if (file === null) return MISSING;
    if (file.stats.isDirectory()) {
      if (!this.hit.trailingSlash) return { kind: 'dir', expires: 0 };
      const index = await this.resolveInside(path.join(file.real, 'index.html'), file.root);
      if (index === null) return MISSING;
      file = index;
    }
    if (!file.stats.isFile()) return MISSING;
    for (const enc of encodings) {
      const sibling = await this.resolveInside(`${file.real}.${enc === 'br' ? 'br' : 'gz'}`, file.root);
      if (sibling !== null && sibling.stats.isFile()) return { kind: 'file', real: sibling.real, name: file.real, encoding: enc, expires: 0 };
    }
    return { kind: 'file', real: file.real, name: file.real, encoding: null, expires: 0 };
  }

  private respond(name: string, stats: Stats, encoding: string | null, req: Request): void {
    const size = stats.size;
    const etag = etagOf(size, stats.mtimeMs, encoding);
    const lastModified = stats.mtime.toUTCString();
    const headers = [...this.outcome.extraHeaders, 'Date', httpDate(), 'ETag', etag, 'Last-Modified', lastModified, 'Cache-Control', cacheControlOf(path.basename(name)), 'Vary', 'Accept-Encoding'];
    if (notModified(req.ifNoneMatch, req.ifModifiedSince, etag, stats.mtimeMs)) {
      this.status = 304;
      this.closeFd();
      this.client.sendHead(304, '', headers, 0, false);
      return;
    }
    headers.push('Content-Type', contentTypeOf(name), 'Accept-Ranges', 'bytes');
    if (encoding !== null) headers.push('Content-Encoding', encoding);
    const range = this.head.method === 'GET' ? rangeOf(req.range, size, req.ifRange, etag, lastModified) : { kind: 'whole' as const };
    if (range.kind === 'unsatisfiable') {
      this.closeFd();
      this.status = 416;
      return this.outcome.replyPage(416, 'Range Not Satisfiable\n', ['Content-Range', `bytes */${size}`]);
    }
    let start = 0;
    let length = size;
    this.status = 200;
    if (range.kind === 'part') {
      start = range.start;
      length = range.end - range.start + 1;
      this.status = 206;
      headers.push('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    }
    headers.push('Content-Length', String(length));
    const body = this.head.method === 'GET' && length > 0;
    this.client.sendHead(this.status, '', headers, length, body);
    if (!body) return this.closeFd();
    this.position = start;
    this.remaining = length;
    if (size <= CONTENT_MAX_BYTES) return this.sendWhole(start, length);
    this.pump();
  }

  /** Sends [start, start+length) of a small file from its kept bytes, reading them first if need be. */
  private sendWhole(start: number, length: number): void {
    const file = this.file as OpenFile;
    const send = (content: Buffer) => {
      this.closeFd();
      if (this.cancelled) return;
      this.client.sendData(start === 0 && length === content.length ? content : content.subarray(start, start + length), true);
    };
    if (file.content !== null) return send(file.content);
    const size = file.stats.size;
    const buffer = Buffer.allocUnsafe(size);
    const took = (got: number) => {
      if (got !== size) {
        // The file shrank or failed under us: the announced length cannot be met.
        this.closeFd();
        return this.client.abort();
      }
      keepContent(file, buffer);
      send(buffer);
    };
    if (size <= SYNC_READ_BYTES) {
      let got = 0;
      try {
        got = readSync(file.fd, buffer, 0, size, 0);
      } catch {
        got = 0;
      }
      return took(got);
    }
    this.reading = true;
    readFull(file.fd, buffer, (got) => {
      this.reading = false;
      if (this.cancelled) return this.closeFd();
      took(got);
    });
  }

  private pump(): void {
    if (this.cancelled) return this.closeFd();
    const n = Math.min(this.remaining, CHUNK_BYTES);
    const buffer = Buffer.allocUnsafe(n);
    if (this.remaining <= SYNC_READ_BYTES) {
      // A small file (or the tail of one) from a kept descriptor is one page-cache copy: cheaper
      // read at once than through a thread-pool round trip (nginx reads blocking too).
      let got: number;
      try {
        got = readSync((this.file as OpenFile).fd, buffer, 0, n, this.position);
      } catch {
        got = 0;
      }
      return this.took(buffer, n, got);
    }
    this.reading = true;
    read((this.file as OpenFile).fd, buffer, 0, n, this.position, (err, got) => {
      this.reading = false;
      if (this.cancelled) return this.closeFd();
      this.took(buffer, n, err ? 0 : got);
    });
  }

  private took(buffer: Buffer, n: number, got: number): void {
    if (got === 0) {
      // The file shrank or failed under us: the announced length cannot be met.
      this.closeFd();
      return this.client.abort();
    }
    this.position += got;
    this.remaining -= got;
    const last = this.remaining === 0;
    if (last) this.closeFd();
    const more = this.client.sendData(got === n ? buffer : buffer.subarray(0, got), last);
    if (!last && more) this.pump();
  }

  private missing(): void {
    this.closeFd();
    if (this.cancelled) return;
    if (this.hit.mount.tryFiles) return this.outcome.passToApp();
    this.status = 404;
    this.outcome.replyPage(404, 'Not Found\n');
  }

  private closeFd(): void {
    this.remaining = 0;
    if (this.file === null) return;
    const file = this.file;
    this.file = null;
    release(file);
  }

  /** The mount's file or directory entry for this request, inside its root, or null. */
  private async locate(): Promise<{ real: string; root: string; stats: Stats } | null> {
    const { mount, segments } = this.hit;
    if (mount.file !== undefined) {
      const root = await rootOf(mount, path.dirname(mount.file));
      return root === null ? null : this.resolveInside(mount.file, root);
    }
    const dir = mount.dir as string;
    const root = await rootOf(mount, dir);
    if (root === null) return null;
    return this.resolveInside(segments.length === 0 ? dir : path.join(dir, ...segments), root);
  }

  /** realpath of `candidate` when it stays inside `root` (links pointing out are refused), with its stats. */
  private async resolveInside(candidate: string, root: string): Promise<{ real: string; root: string; stats: Stats } | null> {
    const real = await realpathOrNull(candidate);
    if (real === null || (real !== root && !real.startsWith(root.endsWith('/') ? root : `${root}/`))) return null;
    const stats = await new Promise<Stats | null>((resolve) => fstatPath(real, resolve));
    return stats === null ? null : { real, root, stats };
  }

  private requestHeaders(): Request {
    const out: Request = {};
    const h = this.head.inbound.forward;
    for (let i = 0; i < h.length; i += 2) {
      const name = (h[i] as string).toLowerCase();
      const value = h[i + 1] as string;
      if (name === 'if-none-match') out.ifNoneMatch = value;
      else if (name === 'if-modified-since') out.ifModifiedSince = value;
      else if (name === 'range') out.range = value;
      else if (name === 'if-range') out.ifRange = value;
      else if (name === 'accept-encoding') out.acceptEncoding = out.acceptEncoding === undefined ? value : `${out.acceptEncoding}, ${value}`;
    }
    return out;
  }
}

function rootOf(mount: StaticMount, dir: string): Promise<string | null> {
  const now = Date.now();
  let root = roots.get(mount);
  if (root === undefined || root.expires < now) {
    const real = realpathOrNull(dir);
    const entry = { real, expires: Infinity };
    void real.then((r) => {
      if (r === null) entry.expires = Date.now() + RESOLUTION_VALID_MS;
    });
    root = entry;
    roots.set(mount, root);
  }
  return root.real;
}

function realpathOrNull(p: string): Promise<string | null> {
  return new Promise((resolve) => realpath(p, (err, real) => resolve(err ? null : real)));
}

function fstatPath(p: string, done: (s: Stats | null) => void): void {
  stat(p, (err, s) => done(err ? null : s));
}

/** "br" and "gzip" in the order the edge prefers them, when the client accepts them (q > 0). */
export function preferredEncodings(header: string | undefined): Array<'br' | 'gzip'> {
  if (header === undefined) return [];
  const accepted = new Set<string>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    accepted.add(name);
  }
  const out: Array<'br' | 'gzip'> = [];
  if (accepted.has('br')) out.push('br');
  if (accepted.has('gzip') || accepted.has('x-gzip')) out.push('gzip');
  return out;
}

/** Reads the whole buffer's length from position 0 (a read may return less); calls back with the bytes read. */
function readFull(fd: number, buffer: Buffer, done: (got: number) => void, offset = 0): void {
  read(fd, buffer, offset, buffer.length - offset, offset, (err, got) => {
    if (err || got === 0) return done(offset);
    const total = offset + got;
    if (total === buffer.length) return done(total);
    readFull(fd, buffer, done, total);
  });
}
