// One client request through the edge: route checks (maintenance, pause), forwarding over the
// target's keep-alive pool (the edge's own HTTP/1.1 client) with one retry when that is safe,
// error pages, in-flight accounting and the access log line.
import type http from 'node:http';
import type { AccessLog } from './access-log.js';
import { errorPage, maintenancePage, NOT_FOUND_TEXT, type ErrorStatus, type Page } from './error-pages.js';
import { addForwarded, readInbound, type InboundHeaders } from './forward-headers.js';
import type { ResponseHead } from './http1-response-head.js';
import type { LiveRoute } from './live-route.js';
import { nextRequestId } from './request-id.js';
import { normaliseHost, pathOnly, upstreamUrl } from './route-table.js';
import { isIdempotent, type UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-request.js';
import type { UpstreamTarget } from './upstream-target.js';

const SMALL_BODY_BYTES = 16 * 1024;

export interface ExchangeSettings {
  match(host: string, url: string): LiveRoute | undefined;
  accessLog: AccessLog | undefined;
  upstreamTimeoutMs: number;
}

export class ProxyExchange implements UpstreamHandler {
  private readonly start = performance.now();
  private readonly inbound: InboundHeaders;
  private readonly requestId: string;
  private readonly host: string;
  private live: LiveRoute | undefined;
  private target: UpstreamTarget | undefined;
  private call: UpstreamRequest | undefined;
  private waitingForDrain = false;
  private upstreamPath = '/';
  private retried = false;
  private ended = false;
  /** Some of the body was written before its last chunk. */
  private wroteBody = false;

  constructor(
    private readonly settings: ExchangeSettings,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
  ) {
    this.inbound = readInbound(req.rawHeaders);
    this.requestId = this.inbound.requestId || nextRequestId();
    this.host = normaliseHost(this.inbound.host);
  }

  run(): void {
    this.res.on('close', () => this.finished());
    const url = this.req.url ?? '/';
    if (url.charCodeAt(0) !== 47 /* / */) return this.reply(400, { body: 'Bad Request: expected a path\n', contentType: 'text/plain' });
    const live = this.settings.match(this.host, url);
    if (!live) return this.reply(404, { body: NOT_FOUND_TEXT, contentType: 'text/plain; charset=utf-8' });
    this.live = live;
    this.upstreamPath = upstreamUrl(live.route.pathPrefix, live.route.stripPrefix, url);
    addForwarded(this.inbound, this.req.socket.remoteAddress, live.route.pathPrefix, this.requestId);
    this.admit();
  }

  /** Maintenance and pause checks; runs again when a held request is released. */
  private admit(): void {
    const live = this.live as LiveRoute;
    const maintenance = live.route.maintenance;
    if (maintenance?.enabled && pathOnly(this.upstreamPath) !== live.route.healthCheck.path) {
      this.res.setHeader('Retry-After', String(maintenance.retryAfterSeconds));
      return this.reply(503, maintenancePage(maintenance.message));
    }
    if (live.gate.paused) {
      const cancel = live.gate.hold(
        () => this.admit(),
        () => this.fail(503),
      );
      this.res.once('close', cancel);
      return;
    }
    const target = live.pool.next();
    if (!target) return this.fail(503);
    this.forward(target);
  }

  private forward(target: UpstreamTarget, fresh = false): void {
    if (this.target) this.target.releaseOne();
    this.target = target;
    target.acquire();
    const inbound = this.inbound;
    const call: UpstreamRequest = {
      method: this.req.method ?? 'GET',
      path: this.upstreamPath,
      headers: inbound.forward,
      body: inbound.hasBody ? this.req : null,
      chunked: inbound.hasBody && !hasContentLength(inbound.forward),
      timeoutMs: this.settings.upstreamTimeoutMs,
      dropResponseHeaders: dropFor((this.live as LiveRoute).route.releaseHeader),
      handler: this,
      control: undefined,
    };
    this.call = call;
    target.upstream.dispatch(call, fresh);
  }

  // Upstream handler: the exchange itself, so no closures per request.
  onUpstreamHead(head: ResponseHead): void {
    const res = this.res;
    if (res.destroyed) return this.abortCall();
    const route = (this.live as LiveRoute).route;
    const release = this.target?.release ?? route.release;
    const headers = head.headers;
    headers.push('X-Request-Id', this.requestId);
    if (route.releaseHeader !== null && release) headers.push(route.releaseHeader, release);
    res.writeHead(head.statusCode, head.statusText || undefined, headers);
  }

  onUpstreamData(chunk: Buffer, last: boolean): boolean {
    const res = this.res;
    if (last) {
      // The last chunk of a sized or chunked body: one end() writes it and finishes the response.
      this.ended = true;
      // A small whole body goes as a latin1 string (byte for byte): Node then sends head and body
      // as one string write instead of a corked writev of two buffers (measurably less CPU).
      if (!this.wroteBody && chunk.length <= SMALL_BODY_BYTES) res.end(chunk.toString('latin1'), 'latin1');
      else res.end(chunk);
      return true;
    }
    this.wroteBody = true;
    if (res.write(chunk)) return true;
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      res.once('drain', () => {
        this.waitingForDrain = false;
        if (this.call) this.target?.upstream.resume(this.call);
      });
    }
    return false;
  }

  onUpstreamEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.res.end();
  }

  onUpstreamError(err: UpstreamError): void {
    const res = this.res;
    if (res.headersSent || res.destroyed) return void res.destroy();
    const target = this.target;
    if (!this.retried && target) {
      // connect: nothing was sent. stale: a kept-alive connection the upstream had just closed;
      // the upstream may have seen the request, so only an idempotent one without a body goes again.
      const again = err.retry === 'connect' || (err.retry === 'stale' && !this.inbound.hasBody && isIdempotent(this.req.method ?? ''));
      if (again) {
        const other = this.live?.pool.next(target) ?? (err.retry === 'stale' ? target : undefined);
        if (other) {
          this.retried = true;
          return this.forward(other, other === target);
        }
      }
    }
    this.fail(err.timedOut ? 504 : 502);
  }

  private abortCall(): void {
    if (this.call) this.target?.upstream.abort(this.call);
  }

  private fail(status: ErrorStatus): void {
    this.reply(status, errorPage(this.live?.route, status));
  }

  private reply(status: number, page: Page): void {
    const res = this.res;
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      'Content-Type': page.contentType,
      'Content-Length': Buffer.byteLength(page.body),
      'X-Request-Id': this.requestId,
      'Cache-Control': 'no-store',
    });
    res.end(this.req.method === 'HEAD' ? undefined : page.body);
  }

  private finished(): void {
    const res = this.res;
    const target = this.target;
    if (target) target.releaseOne();
    if (!res.writableFinished) this.abortCall();
    const log = this.settings.accessLog;
    if (!log) return;
    log.write({
      requestId: this.requestId,
      method: this.req.method ?? '',
      host: this.host,
      path: pathOnly(this.req.url ?? ''),
      status: res.writableFinished ? res.statusCode : 499,
      durationMs: performance.now() - this.start,
      upstream: target?.url ?? null,
      route: this.live?.id ?? null,
    });
  }
}

function hasContentLength(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') return true;
  }
  return false;
}

/** Response headers the edge sets itself; the last route's list is kept (routes rarely differ). */
let dropName: string | null = null;
let dropList: readonly string[] = ['x-request-id'];
function dropFor(releaseHeader: string | null): readonly string[] {
  if (releaseHeader !== dropName) {
    dropName = releaseHeader;
    dropList = releaseHeader === null ? ['x-request-id'] : ['x-request-id', releaseHeader.toLowerCase()];
  }
  return dropList;
}
