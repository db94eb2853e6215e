// One client request through the edge: route checks (maintenance, pause), forwarding over the
// target's keep-alive pool with one retry for idempotent requests, error pages, in-flight
// accounting and the access log line.
import type http from 'node:http';
import type { Dispatcher } from 'undici';
import type { AccessLog } from './access-log.js';
import { errorPage, maintenancePage, NOT_FOUND_TEXT, type ErrorStatus, type Page } from './error-pages.js';
import { addForwarded, readInbound, responseHeaders, type InboundHeaders, type ResponseFraming } from './forward-headers.js';
import type { LiveRoute } from './live-route.js';
import { nextRequestId } from './request-id.js';
import { normaliseHost, pathOnly, upstreamUrl } from './route-table.js';
import type { UpstreamTarget } from './upstream-target.js';

export interface ExchangeSettings {
  match(host: string, url: string): LiveRoute | undefined;
  accessLog: AccessLog | undefined;
  upstreamTimeoutMs: number;
}

export class ProxyExchange implements Dispatcher.DispatchHandler, ResponseFraming {
  private readonly start = performance.now();
  private readonly inbound: InboundHeaders;
  private readonly requestId: string;
  private readonly host: string;
  private live: LiveRoute | undefined;
  private target: UpstreamTarget | undefined;
  private abortUpstream: ((err?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  private waitingForDrain = false;
  private upstreamPath = '/';
  private retried = false;
  /** Body bytes the upstream announced (Content-Length), counted down; -1 when not known. */
  contentLength = -1;
  private ended = false;

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

  private forward(target: UpstreamTarget): void {
    if (this.target) this.target.releaseOne();
    this.target = target;
    target.acquire();
    const timeout = this.settings.upstreamTimeoutMs;
    target.pool.dispatch(
      {
        method: this.req.method as Dispatcher.HttpMethod,
        path: this.upstreamPath,
        headers: this.inbound.forward,
        body: this.inbound.hasBody ? this.req : null,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      },
      this,
    );
  }

  // undici dispatch handler: the exchange itself, so no closures per request.
  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.res.destroyed) abort(new Error('the client went away'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    const res = this.res;
    if (res.destroyed) return false;
    const live = this.live as LiveRoute;
    const release = this.target?.release ?? live.route.release;
    this.resume = resume;
    res.writeHead(statusCode, statusText, responseHeaders(rawHeaders, this.requestId, live.route.releaseHeader, release, this));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.contentLength > 0) {
      this.contentLength -= chunk.length;
      if (this.contentLength === 0) {
        // The last chunk: one end() writes it and finishes the response (one write to the client).
        this.ended = true;
        this.res.end(chunk);
        return true;
      }
    }
    if (this.res.write(chunk)) return true;
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      this.res.once('drain', () => {
        this.waitingForDrain = false;
        this.resume?.();
      });
    }
    return false;
  }

  onComplete(): void {
    if (!this.ended) this.res.end();
  }

  onError(err: Error): void {
    const res = this.res;
    if (res.headersSent || res.destroyed) return void res.destroy();
    const code = (err as NodeJS.ErrnoException).code;
    const method = this.req.method;
    const target = this.target;
    if (!this.retried && target && !this.inbound.hasBody && (method === 'GET' || method === 'HEAD')) {
      // Refused: nothing was sent. UND_ERR_SOCKET before any header: a kept-alive connection the
      // upstream had just closed. Both are safe to send again for an idempotent request.
      const refused = code === 'ECONNREFUSED';
      const stale = code === 'UND_ERR_SOCKET';
      if (refused || stale) {
        const other = this.live?.pool.next(target) ?? (stale ? target : undefined);
        if (other) {
          this.retried = true;
          return this.forward(other);
        }
      }
    }
    this.fail(code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 504 : 502);
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
    if (!res.writableFinished) this.abortUpstream?.(new Error('the client went away'));
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
