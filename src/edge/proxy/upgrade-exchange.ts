// An HTTP Upgrade (WebSocket, or a protocol the route allows: upgrade-policy.ts) through the edge:
// the same route checks as a request, then the two sockets are piped together. The connection counts as in flight on its target until it closes.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHead } from '../http1/http1-request-head.js';
import type { AccessLog } from './access-log.js';
import { errorPage, maintenancePage, NOT_FOUND_TEXT, type Page } from './error-pages.js';
import { addForwarded } from './forward-headers.js';
import { HSTS_VALUE, redirectFor, wantsHsts } from './https-policy.js';
import type { ExchangeSettings } from './proxy-exchange.js';
import { nextRequestId } from './request-id.js';
import { normaliseHost, pathOnly, upstreamUrl } from './request-target.js';
import type { ServedRoute } from './served-route.js';

export function proxyUpgrade(settings: ExchangeSettings, req: RequestHead, socket: Duplex, head: Buffer, remoteAddress: string | undefined): void {
  const start = performance.now();
  const inbound = req.inbound;
  const requestId = inbound.requestId || nextRequestId();
  const host = normaliseHost(inbound.host);
  const url = req.target;
  socket.on('error', () => socket.destroy());
  const live = settings.match(host, url); // origin-form: the head parser refused anything else
  const log = (status: number, upstream: string | null) =>
    logUpgrade(settings.accessLog, { requestId, method: req.method, host, path: pathOnly(url), status, start, upstream, route: live?.id ?? null });
  if (!live) {
    writeRaw(socket, 404, { body: NOT_FOUND_TEXT, contentType: 'text/plain; charset=utf-8' }, requestId);
    return log(404, null);
  }
  const secure = (socket as Duplex & { encrypted?: boolean }).encrypted === true;
  // A WebSocket to a TLS route over plain HTTP is sent to https like any request (browsers follow
  // it for the page; a ws:// client learns where to go instead of talking in the clear).
  if (live.route.tls || live.route.canonicalHost) {
    const location = redirectFor(live.route, { secure, host, hostHeader: inbound.host, target: url }, settings.httpsPort);
    if (location !== null) {
      writeRaw(socket, 308, { body: `Permanent Redirect: ${location}\n`, contentType: 'text/plain; charset=utf-8' }, requestId, `Location: ${location}\r\n`);
      return log(308, null);
    }
  }
  const hsts = wantsHsts(live.route, secure) ? `Strict-Transport-Security: ${HSTS_VALUE}\r\n` : '';
  const path = upstreamUrl(live.route.pathPrefix, live.route.stripPrefix, url);
  const maintenance = live.route.maintenance;
  if (maintenance?.enabled && pathOnly(path) !== live.route.healthCheck.path) {
    writeRaw(socket, 503, maintenancePage(maintenance.message), requestId, `Retry-After: ${maintenance.retryAfterSeconds}\r\n${hsts}`);
    return log(503, null);
  }
  const proto = secure ? 'https' : 'http';
  const headers = addForwarded(inbound, remoteAddress, settings.trustedProxies.trusts(remoteAddress), live.route.pathPrefix, requestId, proto);
  headers.push('Connection', 'Upgrade', 'Upgrade', inbound.upgrade ?? 'websocket');
  const go = () => connect(settings, live, path, req.method, headers, socket, head, requestId, log, hsts);
  if (live.gate.paused) {
    const cancel = live.gate.hold(go, () => {
      writeRaw(socket, 503, errorPage(live.route, 503), requestId, hsts);
      log(503, null);
    });
    socket.once('close', cancel);
    return;
  }
  go();
}

function connect(
  settings: ExchangeSettings,
  live: ServedRoute,
  path: string,
  method: string,
  headers: string[],
  socket: Duplex,
  head: Buffer,
  requestId: string,
  log: (status: number, upstream: string | null) => void,
  hsts: string,
): void {
  const target = live.pool.next();
  if (!target) {
    writeRaw(socket, 503, errorPage(live.route, 503), requestId, hsts);
    return log(503, null);
  }
  target.acquire();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    target.releaseOne();
  };
  const upReq = http.request({ agent: false, hostname: target.hostname, port: target.port, method, path, headers });
  let timedOut = false;
  upReq.setTimeout(settings.upstreamTimeoutMs, () => {
    timedOut = true;
    upReq.destroy();
  });
  let upgraded = false;
  socket.once('close', () => {
    if (upgraded) return;
    upReq.destroy();
    release();
  });
  upReq.on('upgrade', (upRes, upSocket, upHead) => {
    upgraded = true;
    upSocket.setTimeout(0);
    if (socket.destroyed) {
      upSocket.destroy();
      return release();
    }
    socket.write(statusBlock(101, upRes.statusMessage ?? 'Switching Protocols', upRes.rawHeaders, requestId));
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      socket.destroy();
      upSocket.destroy();
      release();
      log(101, target.url);
    };
    // Either side ending ends the other once its pending data is flushed, then closes both
    // (the sockets allow half-open, which would otherwise linger and keep the drain waiting).
    upSocket.on('error', close).on('close', close).on('end', () => socket.end(close));
    socket.on('error', close).on('close', close).on('end', () => upSocket.end(close));
    socket.pipe(upSocket).pipe(socket);
  });
  upReq.on('response', (upRes) => {
    socket.write(statusBlock(upRes.statusCode ?? 502, upRes.statusMessage ?? '', upRes.rawHeaders, requestId));
    upRes.pipe(socket);
    upRes.on('end', () => {
      release();
      log(upRes.statusCode ?? 502, target.url);
    });
  });
  upReq.on('error', () => {
    release();
    const status = timedOut ? 504 : 502;
    writeRaw(socket, status, errorPage(live.route, status), requestId, hsts);
    log(status, target.url);
  });
  upReq.end();
}

function statusBlock(status: number, message: string, raw: readonly string[], requestId: string): string {
  let out = `HTTP/1.1 ${status} ${message}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'x-request-id') continue;
    out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return `${out}X-Request-Id: ${requestId}\r\n\r\n`;
}

function writeRaw(socket: Duplex, status: number, page: Page, requestId: string, extra = ''): void {
  if (socket.destroyed) return;
  const reason = http.STATUS_CODES[status] ?? '';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${page.contentType}\r\nContent-Length: ${Buffer.byteLength(page.body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n${extra}\r\n${page.body}`,
    () => socket.destroy(), // nothing more is read from this socket, so close it once flushed
  );
}

interface UpgradeLogEntry {
  requestId: string;
  method: string;
  host: string;
  path: string;
  status: number;
  start: number;
  upstream: string | null;
  route: string | null;
}

function logUpgrade(accessLog: AccessLog | undefined, e: UpgradeLogEntry): void {
  accessLog?.write({
    requestId: e.requestId,
    method: e.method,
    protocol: 'HTTP/1.1', // upgrades are HTTP/1.1 only (HTTP/2 has no Upgrade)
    host: e.host,
    path: e.path,
    status: e.status,
    durationMs: performance.now() - e.start,
    upstream: e.upstream,
    route: e.route,
  });
}
