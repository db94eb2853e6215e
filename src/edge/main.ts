// Composition root of the edge process (`slipway edge`): proxy server (our own HTTP/1.1 server,
// http1/http1-server.ts), HTTPS listener (tls/tls-listener.ts, whose sockets the same HTTP/1.1
// server adopts), certificates and ACME challenge answers, admin socket (node:http), snapshot.
import { realpathSync } from 'node:fs';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { ConfigError } from '../core/errors.js';
import { readSettings, type Settings } from '../platform/env.js';
import { writeJsonAtomic } from '../platform/json-file.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { createAdminHandler } from './admin/admin-api.js';
import { assertNoLiveEdge, listenAdminSocket } from './admin/admin-socket.js';
import { edgePaths } from './admin/edge-paths.js';
import { Http1Server } from './http1/http1-server.js';
import { AcmeHttp01Exchange, http01Token } from './proxy/acme-http01-exchange.js';
import { AccessLog, type AccessLogSink } from './proxy/access-log.js';
import { BatchedSink } from './proxy/batched-sink.js';
import { ProxyExchange, type ExchangeSettings } from './proxy/proxy-exchange.js';
import { TrustedProxies } from './proxy/trusted-proxies.js';
import { proxyUpgrade } from './proxy/upgrade-exchange.js';
import { tunnelsUpgrade } from './proxy/upgrade-policy.js';
import { UpstreamTarget } from './proxy/upstream-target.js';
import type { ResolveAddresses } from './routing/dns-discovery.js';
import { RouteRegistry } from './routing/route-registry.js';
import { setAsideSnapshot } from './routing/route-snapshot.js';
import { CertificateSet } from './tls/certificate-set.js';
import { CertificateStore } from './tls/certificate-store.js';
import { ChallengeAnswers } from './tls/challenge-answers.js';
import { OnDemandCertificates } from './tls/on-demand-certificates.js';
import { TlsListener } from './tls/tls-listener.js';
import { Http2Front } from './http2/http2-front.js';

export interface EdgeOptions {
  dataDir: string;
  host: string;
  /** 0 picks a free port; the running edge reports the real one. */
  port: number;
  /** The HTTPS listener's port (0 picks a free one); absent or null: no HTTPS listener. */
  httpsPort?: number | null;
  logger?: Logger;
  /** Receives one JSON line per request; no access log when absent. */
  accessLog?: AccessLogSink;
  /** Upstream idle time before a request fails with 504 (default 60 s). */
  upstreamTimeoutMs?: number;
  /** Minimum time a new target gets to pass its health check before a put fails (default 30 s). */
  healthDeadlineMs?: number;
  /** How long close() waits for in-flight requests (default 30 s). */
  shutdownTimeoutMs?: number;
  /** How long a client's kept-alive connection may sit idle between requests (default 60 s). */
  clientKeepAliveTimeoutMs?: number;
  /** How long a client may leave a response unread before the edge drops it (default 60 s). */
  clientSendTimeoutMs?: number;
  /** Peers (IPs and CIDRs) whose X-Forwarded-*, X-Real-IP and Forwarded headers are passed on (default none). */
  trustedProxies?: readonly string[];
  /** How long a handshake waits for an on-demand certificate (default 20 s). */
  onDemandWaitMs?: number;
  /** Resolver of `discover: 'dns'` targets (default: DNS A records); tests inject one. */
  resolve?: ResolveAddresses;
  /** How often discovered targets are resolved again (default 1 s). */
  discoveryIntervalMs?: number;
  /**
   * Called once the proxy listens and before the admin socket does, so whoever sees the admin
   * socket answer can rely on what this wrote (the program's pid and state files).
   */
  announce?: (port: number, httpsPort: number | null) => Promise<void>;
}

export interface RunningEdge {
  port: number;
  /** null when the edge serves no HTTPS. */
  httpsPort: number | null;
  adminSocket: string;
  close(): Promise<void>;
}

export async function startEdge(opts: EdgeOptions): Promise<RunningEdge> {
  const paths = edgePaths(opts.dataDir);
  const logger = opts.logger ?? createLogger({ level: 'silent' });
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await assertNoLiveEdge(paths.adminSocket);
  const registry = new RouteRegistry({
    snapshotFile: paths.snapshot,
    logger,
    openTarget: (spec) => new UpstreamTarget(spec),
    healthDeadlineFloorMs: opts.healthDeadlineMs,
    resolve: opts.resolve,
    discoveryIntervalMs: opts.discoveryIntervalMs,
  });
  const restored = await restoreRoutes(registry, paths.snapshot, logger);
  const certificates = new CertificateStore(paths.certsDir, new CertificateSet(), logger);
  const certificatesLoaded = await certificates.restore();
  const challenges = new ChallengeAnswers();
  const onDemand = new OnDemandCertificates({
    contextFor: (host) => certificates.set.contextFor(host),
    route: () => registry.table.fallback?.id,
    claimedByOther: (host) => registry.table.claimedByOther(host),
    ...(opts.onDemandWaitMs !== undefined ? { waitMs: opts.onDemandWaitMs } : {}),
  });

  const settings: ExchangeSettings = {
    match: (host, url) => registry.table.match(host, url),
    accessLog: opts.accessLog ? new AccessLog(opts.accessLog) : undefined,
    upstreamTimeoutMs: opts.upstreamTimeoutMs ?? 60_000,
    trustedProxies: new TrustedProxies(opts.trustedProxies ?? []),
    httpsPort: null, // set once the HTTPS listener listens
  };
  const acmeAnswer = (head: Parameters<typeof http01Token>[0]): string | undefined => {
    const token = http01Token(head);
    return token === undefined ? undefined : challenges.http01Answer(token);
  };
  const upgraded = new Set<Duplex>();
  const proxy = new Http1Server(
    {
      request: (conn, head, body) => {
        const answer = acmeAnswer(head); // ACME HTTP-01 first, for any host; else the routes
        return answer === undefined ? new ProxyExchange(settings, conn, head, body) : new AcmeHttp01Exchange(conn, answer);
      },
      tunnels: (head) => tunnelsUpgrade(settings, head),
      upgrade: (head, socket, rest, remoteAddress) => {
        upgraded.add(socket);
        socket.once('close', () => upgraded.delete(socket));
        proxyUpgrade(settings, head, socket, rest, remoteAddress);
      },
    },
    { keepAliveTimeoutMs: opts.clientKeepAliveTimeoutMs, sendTimeoutMs: opts.clientSendTimeoutMs },
  );
  // HTTP/2 streams are served by the same exchange as HTTP/1 requests (proxied to HTTP/1.1 upstreams).
  const h2 = new Http2Front(
    {
      request: (client, head, body) => new ProxyExchange(settings, client, head, body),
      abuse: (peer, what) => logger.warn({ peer }, what),
    },
    { idleTimeoutMs: opts.clientKeepAliveTimeoutMs, sendTimeoutMs: opts.clientSendTimeoutMs },
  );
  const https =
    opts.httpsPort == null
      ? null
      : new TlsListener({
          certificates: certificates.set,
          challenges,
          protocols: { http1: (socket) => proxy.adopt(socket), http2: (socket) => h2.accept(socket) },
          onDemand,
          // A handshake may wait for an on-demand certificate: the timeout must outlast that wait.
          handshakeTimeoutMs: Math.max(10_000, (opts.onDemandWaitMs ?? 20_000) + 5_000),
        });
  const admin = http.createServer(createAdminHandler(registry, logger, { certificates, challenges, onDemand }));

  let port: number;
  let httpsPort: number | null = null;
  let adminListening = false;
  try {
    port = await proxy.listen(opts.port, opts.host);
    if (https && opts.httpsPort != null) httpsPort = settings.httpsPort = await https.listen(opts.httpsPort, opts.host);
    await opts.announce?.(port, httpsPort);
    await listenAdminSocket(admin, paths.adminSocket);
    adminListening = true;
  } catch (err) {
    h2.closeAll();
    onDemand.close();
    https?.close();
    proxy.close(); // stop listening too: a failed start leaves nothing open
    proxy.closeAll();
    registry.close();
    // Only a socket this edge made is removed: a refused start must not cut off a running edge.
    if (adminListening) await closeAdmin(admin, paths.adminSocket);
    throw err;
  }
  logger.info({ host: opts.host, port, httpsPort, adminSocket: paths.adminSocket, routes: restored, certificates: certificatesLoaded }, 'edge listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      onDemand.close();
      https?.close();
      h2.close();
      proxy.close();
      registry.close();
      const deadline = Date.now() + (opts.shutdownTimeoutMs ?? 30_000);
      while (inFlight(registry) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      proxy.closeAll();
      https?.closeAll();
      h2.closeAll();
      for (const socket of upgraded) socket.destroy();
      for (const live of registry.all()) {
        for (const t of live.pool.targets) t.destroy();
        for (const t of live.draining) t.destroy();
      }
      await closeAdmin(admin, paths.adminSocket);
      logger.info({}, 'edge stopped');
    })());
  return { port, httpsPort, adminSocket: paths.adminSocket, close };
}

/**
 * The snapshot's routes. A damaged snapshot never keeps the edge down: it is set aside and the
 * edge starts with no routes, which the control plane gives again from its store.
 */
async function restoreRoutes(registry: RouteRegistry, snapshot: string, logger: Logger): Promise<number> {
  try {
    return await registry.restore();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const aside = await setAsideSnapshot(snapshot);
    logger.error({ err: err.message, setAside: aside }, 'the route snapshot is damaged: set aside, starting with no routes until the control plane gives them again');
    return 0;
  }
}

function inFlight(registry: RouteRegistry): number {
  let n = 0;
  for (const live of registry.all()) n += live.inFlightTotal();
  return n;
}

/** Closes the admin server; removes the socket file only when this edge listened on it (never another edge's). */
async function closeAdmin(admin: http.Server, socketPath: string): Promise<void> {
  const listened = admin.listening;
  await new Promise<void>((resolve) => {
    admin.close(() => resolve());
    admin.closeAllConnections();
  });
  if (listened) await unlink(socketPath).catch(() => undefined);
}

/**
 * Runs the edge as a program (`slipway edge`, or this file run directly): settings from the
 * environment, access and edge logs as JSON lines on stdout, `<dataDir>/edge/edge.pid` and
 * `edge.json` ({pid, port, httpsPort, host}) written once listening and before the admin socket answers. Resolves after SIGTERM/SIGINT once
 * in-flight requests drained (up to 30 s) and the files are removed; the caller then exits 0.
 */
export async function runEdgeProgram(settings: Settings = readSettings()): Promise<void> {
  // One buffered stdout stream for the access log and the edge's own log, so lines never interleave.
  // Access lines are batched before they reach it (at most 500 ms late, like the stream itself).
  const out = pino.destination({ dest: 1, minLength: 4096, sync: false });
  const accessLog = new BatchedSink(out);
  const flushTimer = setInterval(() => {
    accessLog.flush();
    out.flush();
  }, 500);
  flushTimer.unref();
  const logger = createLogger({ level: settings.logLevel, destination: out as unknown as NodeJS.WritableStream });
  const paths = edgePaths(settings.dataDir);
  let announced = false;
  const removeStateFiles = async () => {
    await unlink(paths.pidFile).catch(() => undefined);
    await unlink(paths.stateFile).catch(() => undefined);
  };
  const edge = await startEdge({
    dataDir: settings.dataDir,
    host: settings.edgeHost,
    port: settings.edgePort,
    httpsPort: settings.edgeHttpsPort === 'off' ? null : settings.edgeHttpsPort,
    logger,
    accessLog,
    trustedProxies: settings.edgeTrustedProxies,
    announce: async (port, httpsPort) => {
      announced = true;
      await writeFile(paths.pidFile, `${process.pid}\n`);
      await writeJsonAtomic(paths.stateFile, { pid: process.pid, port, httpsPort, host: settings.edgeHost }, 0o644);
    },
  }).catch(async (err: unknown) => {
    // The files are this edge's only once it announced itself (a refused start leaves another edge's).
    if (announced) await removeStateFiles();
    throw err;
  });
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'edge shutting down, draining');
  try {
    await edge.close();
  } finally {
    await removeStateFiles();
    clearInterval(flushTimer);
    accessLog.flush();
    out.flushSync();
  }
}

function isProgram(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isProgram()) {
  runEdgeProgram().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`slipway edge: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
