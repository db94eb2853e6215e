// One client request through the edge: route checks (maintenance, pause), forwarding over the
// target's keep-alive pool (the edge's own HTTP/1.1 client) with one retry when that is safe,
// error pages, in-flight accounting and the access log line. The client side is a ClientSide: an
// HTTP/1.1 connection (our own server) or an HTTP/2 stream, which frames whatever this exchange sends it.
import type { Readable } from 'node:stream';
import type { ClientSide } from '../http1/client-side.js';
import { httpDate } from '../http1/http-date.js';
import type { ClientExchange, ClientOutcome } from '../http1/http1-client-connection.js';
import type { RequestHead } from '../http1/http1-request-head.js';
import type { ResponseHead } from '../http1/http1-response-head.js';
import type { AccessLog } from './access-log.js';
import { errorPage, maintenancePage, NOT_FOUND_TEXT, type ErrorStatus, type Page } from './error-pages.js';
import { addForwarded } from './forward-headers.js';
import { HSTS_VALUE, redirectFor, wantsHsts } from './https-policy.js';
import { redirectOf } from './redirect-rules.js';
import { nextRequestId } from './request-id.js';
import { normaliseHost, pathOnly, upstreamUrl } from './request-target.js';
import { readPage } from '../static/page-file.js';
import { StaticFileSender } from '../static/static-file-sender.js';
import { matchStatic, underPrefix } from '../static/static-path.js';
import type { ServedRoute } from './served-route.js';
import type { RedirectRule } from '../../core/ports/edge-control.js';
import type { TrustedProxies } from './trusted-proxies.js';
import { isIdempotent, type UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-request.js';
import type { UpstreamTarget } from './upstream-target.js';

export interface ExchangeSettings {
  match(host: string, url: string): ServedRoute | undefined;
  accessLog: AccessLog | undefined;
  upstreamTimeoutMs: number;
  /** Peers whose X-Forwarded-*, X-Real-IP and Forwarded headers are passed on. */
  trustedProxies: TrustedProxies;
  /** Port of the edge's HTTPS listener for redirects to https; null when it serves no HTTPS. */
  httpsPort: number | null;
}

export class ProxyExchange implements UpstreamHandler, ClientExchange {
  private readonly start = performance.now();
  private readonly requestId: string;
  private readonly host: string;
  private live: ServedRoute | undefined;
  private target: UpstreamTarget | undefined;
  private call: UpstreamRequest | undefined;
  private upstreamPath = '/';
  private retried = false;
  /** The client side is finished with this exchange (response sent, or the client gone). */
  private done = false;
  private status = 0;
  private cancelHold: (() => void) | undefined;
  /** The app's error answer is being replaced by the route's page (interceptErrors): its response is dropped. */
  private intercepting = false;
  /** Serving a static file of the route instead of proxying (static/). */
  private staticFile: StaticFileSender | undefined;

  constructor(
    private readonly settings: ExchangeSettings,
    private readonly client: ClientSide,
    private readonly head: RequestHead,
    private readonly body: Readable | null,
  ) {
    this.requestId = head.inbound.requestId || nextRequestId();
    this.host = normaliseHost(head.inbound.host);
  }

  run(): void {
    const url = this.head.target; // origin-form: the head parser refused anything else
    const live = this.settings.match(this.host, url);
    if (!live) return this.reply(404, { body: NOT_FOUND_TEXT, contentType: 'text/plain; charset=utf-8' });
    this.live = live;
    const secure = this.client.secure;
    // Redirect rules first: a redirected host (help.example -> https://example/help/) needs no
    // certificate of its own when the rule sends plain-HTTP clients straight to the target.
    if (live.route.redirects && this.redirected(live.route.redirects, url, live.route.pathPrefix)) return;
    if (live.route.tls || live.route.canonicalHost) {
      const location = redirectFor(live.route, { secure, host: this.host, hostHeader: this.head.inbound.host, target: url }, this.settings.httpsPort);
      if (location !== null) return this.reply(308, { body: `Permanent Redirect: ${location}\n`, contentType: 'text/plain; charset=utf-8' }, ['Location', location]);
    }
    // Static files are answered here, before maintenance and pause: a maintenance page may use
    // the release's stylesheet.
    if (live.route.static && this.servedStatic(live, url)) return;
    this.toApp();
  }

  private redirected(rules: readonly RedirectRule[], url: string, prefix: string): boolean {
    const redirect = redirectOf(rules, this.host, underPrefix(prefix, url));
    if (!redirect) return false;
    this.reply(redirect.status, { body: `Redirect: ${redirect.location}\n`, contentType: 'text/plain; charset=utf-8' }, ['Location', redirect.location]);
    return true;
  }

  /** A static file of the route answers the request (true), or it goes on to the app. */
  private servedStatic(live: ServedRoute, url: string): boolean {
    const route = live.route;
    const rel = underPrefix(route.pathPrefix, url);
    if (!route.static) return false;
    const hit = matchStatic(route.static, pathOnly(rel));
    if (hit === undefined) return false;
    if ('refused' in hit) {
      if (hit.mount.tryFiles) return false;
      this.replyPage(404, route.pages?.['404'], { body: 'Not Found\n', contentType: 'text/plain; charset=utf-8' });
      return true;
    }
    const extraHeaders = ['X-Request-Id', this.requestId];
    if (route.releaseHeader !== null && route.release) extraHeaders.push(route.releaseHeader, route.release);
    if (wantsHsts(route, this.client.secure)) extraHeaders.push('Strict-Transport-Security', HSTS_VALUE);
    this.staticFile = new StaticFileSender(this.client, this.head, hit, {
      extraHeaders,
      passToApp: () => {
        this.staticFile = undefined;
        if (!this.done) this.toApp();
      },
      replyPage: (status, body, extra) => {
        const fallback = { body, contentType: 'text/plain; charset=utf-8' };
        if (status === 404) this.replyPage(404, route.pages?.['404'], fallback, extra);
        else this.reply(status, fallback, extra);
      },
    });
    this.staticFile.start();
    return true;
  }

  private toApp(): void {
    const live = this.live as ServedRoute;
    const secure = this.client.secure;
    this.upstreamPath = upstreamUrl(live.route.pathPrefix, live.route.stripPrefix, this.head.target);
    const peer = this.client.remoteAddress;
    addForwarded(this.head.inbound, peer, this.settings.trustedProxies.trusts(peer), live.route.pathPrefix, this.requestId, secure ? 'https' : 'http');
    if (live.route.scriptName && live.route.pathPrefix !== '/') this.head.inbound.forward.push('X-Script-Name', live.route.pathPrefix);
    this.admit();
  }

  /** Maintenance and pause checks; runs again when a held request is released. */
  private admit(): void {
    this.cancelHold = undefined;
    if (this.done) return;
    const live = this.live as ServedRoute;
    const maintenance = live.route.maintenance;
    if (maintenance?.enabled && pathOnly(this.upstreamPath) !== live.route.healthCheck.path) {
      const pages = live.route.pages;
      const file = maintenance.page === 'long' ? (pages?.long_maintenance ?? pages?.maintenance) : pages?.maintenance;
      return this.replyPage(503, file, maintenancePage(maintenance.message), ['Retry-After', String(maintenance.retryAfterSeconds)]);
    }
    if (live.gate.paused) {
      this.cancelHold = live.gate.hold(
        () => this.admit(),
        () => this.fail(503),
      );
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
    const inbound = this.head.inbound;
    const call: UpstreamRequest = {
      method: this.head.method,
      path: this.upstreamPath,
      headers: inbound.forward,
      body: this.body,
      chunked: this.body !== null && this.head.chunked,
      timeoutMs: this.settings.upstreamTimeoutMs,
      dropResponseHeaders: dropFor((this.live as ServedRoute).route.releaseHeader),
      handler: this,
      control: undefined,
    };
    this.call = call;
    if (this.body !== null) this.client.continueBody();
    target.upstream.dispatch(call, fresh);
  }

  // Upstream handler: the exchange itself, so no closures per request.
  onUpstreamHead(head: ResponseHead, more: boolean): void {
    if (this.done) return this.abortCall();
    const route = (this.live as ServedRoute).route;
    if (route.interceptErrors && (head.statusCode === 404 || head.statusCode >= 500)) {
      const file = route.pages?.[String(head.statusCode) as '404'];
      if (file !== undefined) {
        this.intercepting = true;
        this.abortCall();
        return this.replyPage(head.statusCode, file, { body: `${head.statusCode} ${head.statusText}\n`, contentType: 'text/plain; charset=utf-8' });
      }
    }
    const release = this.target?.release ?? route.release;
    const headers = head.headers;
    headers.push('X-Request-Id', this.requestId);
    if (!head.hasDate) headers.push('Date', httpDate());
    if (route.releaseHeader !== null && release) headers.push(route.releaseHeader, release);
    if (wantsHsts(route, this.client.secure)) headers.push('Strict-Transport-Security', HSTS_VALUE);
    this.status = head.statusCode;
    this.client.sendHead(head.statusCode, head.statusText, headers, head.chunked ? -1 : head.contentLength, more);
  }

  onUpstreamData(chunk: Buffer, last: boolean): boolean {
    if (this.done || this.intercepting) return true;
    return this.client.sendData(chunk, last);
  }

  onUpstreamEnd(): void {
    if (!this.done && !this.intercepting) this.client.sendEnd();
  }

  onClientDrain(): void {
    if (this.staticFile) return this.staticFile.resume();
    if (this.call) this.target?.upstream.resume(this.call);
  }

  onUpstreamError(err: UpstreamError): void {
    if (this.done || this.intercepting) return;
    if (this.client.headSent) return this.client.abort();
    const target = this.target;
    if (!this.retried && target) {
      // connect: nothing was sent. stale: a kept-alive connection the upstream had just closed;
      // the upstream may have seen the request, so only an idempotent request without a body goes again.
      const again = err.retry === 'connect' || (err.retry === 'stale' && this.body === null && isIdempotent(this.head.method));
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
    this.replyPage(status, this.live?.route.pages?.[String(status) as '502'], errorPage(this.live?.route, status));
  }

  /** The release's page `file` (slipway.yml pages) when it has one that can be read, else `fallback`. */
  private replyPage(status: number, file: string | undefined, fallback: Page, extra?: string[]): void {
    if (file === undefined) return this.reply(status, fallback, extra);
    this.status = status;
    readPage(file, (body) => this.reply(status, body === null ? fallback : { body, contentType: 'text/html; charset=utf-8' }, extra));
  }

  private reply(status: number, page: Page, extra?: string[]): void {
    if (this.done || this.client.headSent) return;
    this.status = status;
    const headers = ['Content-Type', page.contentType, 'X-Request-Id', this.requestId, 'Cache-Control', 'no-store'];
    if (extra) headers.push(...extra);
    // The edge's own pages (maintenance, 502-504) of an HSTS route keep the policy too.
    if (this.live && wantsHsts(this.live.route, this.client.secure)) headers.push('Strict-Transport-Security', HSTS_VALUE);
    this.client.sendWhole(status, headers, page.body);
  }

  onClientDone(outcome: ClientOutcome): void {
    if (this.done) return;
    this.done = true;
    this.cancelHold?.();
    if (this.staticFile) {
      this.staticFile.cancel();
      if (this.staticFile.status !== 0 && this.status === 0) this.status = this.staticFile.status;
    }
    const target = this.target;
    if (target) target.releaseOne();
    if (outcome !== 'completed') this.abortCall();
    const log = this.settings.accessLog;
    if (!log) return;
    log.write({
      requestId: this.requestId,
      method: this.head.method,
      protocol: this.client.protocol,
      host: this.host,
      path: pathOnly(this.head.target),
      status: outcome === 'completed' ? this.status : outcome === 'gone' ? 499 : 400,
      durationMs: performance.now() - this.start,
      upstream: target?.url ?? null,
      route: this.live?.id ?? null,
    });
  }
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
