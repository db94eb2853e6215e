// One client request through the edge: route checks (maintenance, pause), forwarding with one
// retry for idempotent requests, error pages, in-flight accounting and the access log line.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AccessLog } from './access-log.js';
import { errorPage, maintenancePage, NOT_FOUND_TEXT, type ErrorStatus, type Page } from './error-pages.js';
import { addForwarded, readInbound, responseHeaders, type InboundHeaders } from './forward-headers.js';
import type { LiveRoute } from './live-route.js';
import { normaliseHost, pathOnly, upstreamUrl } from './route-table.js';
import type { UpstreamTarget } from './upstream-target.js';

export interface ExchangeSettings {
  match(host: string, url: string): LiveRoute | undefined;
  accessLog: AccessLog | undefined;
  upstreamTimeoutMs: number;
}

export class ProxyExchange {
  private readonly start = performance.now();
  private readonly inbound: InboundHeaders;
  private readonly requestId: string;
  private readonly host: string;
  private live: LiveRoute | undefined;
  private target: UpstreamTarget | undefined;
  private upReq: http.ClientRequest | undefined;
  private upstreamPath = '/';
  private retried = false;
  private timedOut = false;

  constructor(
    private readonly settings: ExchangeSettings,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
  ) {
    this.inbound = readInbound(req.rawHeaders);
    this.requestId = this.inbound.requestId || randomUUID();
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
    const req = this.req;
    const upReq = http.request({
      agent: target.agent,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: this.upstreamPath,
      headers: this.inbound.forward,
    });
    this.upReq = upReq;
    upReq.setTimeout(this.settings.upstreamTimeoutMs, () => {
      this.timedOut = true;
      upReq.destroy();
    });
    upReq.on('response', (upRes) => this.respond(upRes));
    upReq.on('error', (err: NodeJS.ErrnoException) => this.upstreamError(err, upReq, target));
    if (this.inbound.hasBody) req.pipe(upReq);
    else upReq.end();
  }

  private respond(upRes: http.IncomingMessage): void {
    const res = this.res;
    if (res.destroyed) return void upRes.destroy();
    const live = this.live as LiveRoute;
    const release = this.target?.release ?? live.route.release;
    res.writeHead(
      upRes.statusCode ?? 502,
      upRes.statusMessage,
      responseHeaders(upRes.rawHeaders, this.requestId, live.route.releaseHeader, release),
    );
    upRes.on('error', () => res.destroy());
    upRes.pipe(res);
  }

  private upstreamError(err: NodeJS.ErrnoException, upReq: http.ClientRequest, target: UpstreamTarget): void {
    if (this.res.headersSent || this.res.destroyed) return void this.res.destroy();
    const method = this.req.method;
    if (!this.retried && !this.inbound.hasBody && (method === 'GET' || method === 'HEAD')) {
      const refused = err.code === 'ECONNREFUSED';
      const staleSocket = upReq.reusedSocket && err.code === 'ECONNRESET' && !this.timedOut;
      if (refused || staleSocket) {
        const other = this.live?.pool.next(target) ?? (staleSocket ? target : undefined);
        if (other) {
          this.retried = true;
          return this.forward(other);
        }
      }
    }
    this.fail(this.timedOut ? 504 : 502);
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
    if (!res.writableFinished) this.upReq?.destroy();
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
