// An HTTP/2 edge in the test process: a certificate minted here (openssl through platform/exec),
// a tls.Server on port 0 with ALPN h2 and http/1.1 whose h2 sockets go to an Http2Front, and the
// edge's real routing and exchange (RouteRegistry, ProxyExchange, upstream pools) behind it; plus
// node:http2 client helpers. Everything started here is stopped by close().
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { EdgeRoute } from '../../src/core/ports/edge-control.js';
import { Http2Front, type Http2FrontOptions } from '../../src/edge/http2/http2-front.js';
import { AccessLog } from '../../src/edge/proxy/access-log.js';
import { ProxyExchange, type ExchangeSettings } from '../../src/edge/proxy/proxy-exchange.js';
import { TrustedProxies } from '../../src/edge/proxy/trusted-proxies.js';
import { UpstreamTarget } from '../../src/edge/proxy/upstream-target.js';
import { RouteRegistry } from '../../src/edge/routing/route-registry.js';
import { runChecked } from '../../src/platform/exec.js';
import { createLogger } from '../../src/platform/logger.js';

/** The names the test certificate is for. */
export const CERT_HOSTS = ['localhost', 'app.test', 'hash.test'];

export interface H2Edge {
  port: number;
  /** PEM of the self-signed certificate (clients trust it as their CA). */
  ca: string;
  caFile: string;
  front: Http2Front;
  registry: RouteRegistry;
  accessLines: string[];
  abuses: string[];
  put(route: EdgeRoute): Promise<void>;
  /** A node:http2 client session to the edge (SNI localhost). */
  connect(): ClientHttp2Session;
  close(): Promise<void>;
}

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startH2Edge(opts: { front?: Http2FrontOptions; upstreamTimeoutMs?: number; trustedProxies?: string[] } = {}): Promise<H2Edge> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edge-h2-'));
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  await runChecked([
    'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', `subjectAltName=${CERT_HOSTS.map((h) => `DNS:${h}`).join(',')},IP:127.0.0.1`,
    '-keyout', keyFile, '-out', caFile,
  ]);
  const [key, ca] = await Promise.all([readFile(keyFile, 'utf8'), readFile(caFile, 'utf8')]);
  const registry = new RouteRegistry({
    snapshotFile: path.join(dir, 'routes.json'),
    logger: createLogger({ level: 'silent' }),
    openTarget: (spec) => new UpstreamTarget(spec),
    healthDeadlineFloorMs: 2000,
  });
  const accessLines: string[] = [];
  const abuses: string[] = [];
  const settings: ExchangeSettings = {
    match: (host, url) => registry.table.match(host, url),
    accessLog: new AccessLog({ write: (line: string) => accessLines.push(line) }),
    upstreamTimeoutMs: opts.upstreamTimeoutMs ?? 10_000,
    trustedProxies: new TrustedProxies(opts.trustedProxies ?? []),
    httpsPort: null,
  };
  const front = new Http2Front(
    {
      request: (client, head, body) => new ProxyExchange(settings, client, head, body),
      abuse: (peer, what) => abuses.push(`${peer ?? '?'}: ${what}`),
    },
    opts.front,
  );
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ key, cert: ca, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (socket.alpnProtocol === 'h2') front.accept(socket);
    else socket.destroy(); // HTTP/1.1 over TLS is the HTTPS listener's (not these tests')
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const clients = new Set<ClientHttp2Session>();
  return {
    port,
    ca,
    caFile,
    front,
    registry,
    accessLines,
    abuses,
    async put(route) {
      await registry.put(route);
    },
    connect() {
      const session = http2.connect(`https://localhost:${port}`, { ca });
      session.on('error', () => undefined);
      clients.add(session);
      session.once('close', () => clients.delete(session));
      return session;
    },
    async close() {
      for (const c of clients) c.destroy();
      front.close();
      front.closeAll();
      registry.close();
      for (const live of registry.all()) {
        for (const t of live.pool.targets) t.destroy();
        for (const t of live.draining) t.destroy();
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One request on `session`; `body` is written whole (or streamed when it is an async iterable). */
export function h2Request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: Buffer | string | AsyncIterable<Buffer>,
): Promise<H2Response> {
  return new Promise<H2Response>((resolve, reject) => {
    const endStream = body === undefined;
    const req = session.request(headers, { endStream });
    const chunks: Buffer[] = [];
    let head: IncomingHttpHeaders = {};
    req.on('response', (h) => (head = h));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    if (body === undefined) return;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      for await (const chunk of body) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}

/** A route for `hosts` to `targets`, health-checked at /health. */
export function h2Route(id: string, hosts: string[], targets: string[], overrides: Partial<EdgeRoute> = {}): EdgeRoute {
  return {
    id,
    hosts,
    pathPrefix: '/',
    stripPrefix: false,
    targets: targets.map((url) => ({ url })),
    healthCheck: { path: '/health', intervalMs: 200, timeoutMs: 500, healthyThreshold: 1 },
    drainTimeoutMs: 1000,
    releaseHeader: null,
    release: null,
    maintenance: null,
    ...overrides,
  };
}
