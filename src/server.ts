// Composition root of the control plane (`slipway server`): reads settings, wires the store,
// secrets, git, drivers, edge, deploy engine, services and HTTP API, and starts them.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DriverKind } from './core/model.js';
import type { RouteReconcileReport } from './core/wire/status.js';
import type { EdgeControl } from './core/ports/edge-control.js';
import type { EdgeTls } from './core/ports/edge-tls.js';
import type { RuntimeDriver } from './core/ports/runtime-driver.js';
import { errorMessage, PreconditionError } from './core/errors.js';
import { Redactor } from './core/redactor.js';
import { Sensitive } from './core/sensitive.js';
import { LazyDriver } from './drivers/lazy-driver.js';
import { ProcessDriver } from './drivers/process/process-driver.js';
import { EdgeClient } from './edge/admin/edge-client.js';
import { EdgeKeeper } from './edge-keeper.js';
import { GitSource } from './git/index.js';
import { KeptEdge } from './kept-edge.js';
import { buildHttpApp } from './http/http-app.js';
import { backupRoutes } from './http/routes/backup-routes.js';
import { certificateRoutes } from './http/routes/certificate-routes.js';
import { gitRoutes } from './http/routes/git-routes.js';
import { logRoutes } from './http/routes/log-routes.js';
import { systemRoutes } from './http/routes/system-routes.js';
import { webhookRoutes } from './http/routes/webhook-routes.js';
import { findLocalRuntime, stopEdge, stopSupervisors } from './local-runtime.js';
import type { ShutdownView } from './core/wire/system.js';
import { DeployEngine } from './pipeline/deploy-engine.js';
import type { PipelineDeps } from './pipeline/pipeline-deps.js';
import { createPlanner } from './pipeline/planner.js';
import type { Settings } from './platform/env.js';
import { createLogger, type Logger } from './platform/logger.js';
import { SecretBox } from './secrets/secret-box.js';
import { AppService } from './services/app-service.js';
import { AuditTrail } from './services/audit-trail.js';
import { BackupScheduler } from './services/backup-scheduler.js';
import { BackupService } from './services/backup-service.js';
import type { SolverFactory } from './services/certificate-service.js';
import type { CertificateIssuer } from './core/ports/certificate-issuer.js';
import { wireCertificates } from './certificate-wiring.js';
import { scheduledBackupWork } from './services/scheduled-backup-work.js';
import { DatabaseRecoveryService } from './services/database-recovery-service.js';
import { DeploymentService } from './services/deployment-service.js';
import { LockService } from './services/lock-service.js';
import { LogService } from './services/log-service.js';
import { MaintenanceService } from './services/maintenance-service.js';
import { SecretService } from './services/secret-service.js';
import { StatusService } from './services/status-service.js';
import { CommitStatusService } from './services/commit-status-service.js';
import { DiffService } from './services/diff-service.js';
import { PromotionService } from './services/promotion-service.js';
import { RouteReconciler } from './services/route-reconciler.js';
import { reviveInBackground } from './services/release-revival.js';
import { StoreDeliveryRecorder } from './services/store-delivery-recorder.js';
import { WebhookSecretService } from './services/webhook-secret-service.js';
import { WebhookService } from './services/webhook-service.js';
import { TokenService } from './services/token-service.js';
import { WorkerSpecParser } from './spec-parser/worker-spec-parser.js';
import { WebhookTriggers } from './services/webhook-triggers.js';
import type { Services } from './services/services.js';
import { archiveTopDir, safeExtract } from './sources/safe-extract.js';
import { openDataDirToAppUsers, sharedUserWarning } from './startup/app-user-access.js';
import { openInstallation, type Installation } from './startup/open-installation.js';
import { currentUserDescription, runningAsRoot } from './platform/system-user.js';
import { makeDataDir } from './platform/default-data-dir.js';
import { VERSION } from './version.js';

export interface RunningServer {
  url: string;
  edgeUrl: string | null;
  /** The admin token, only on the very first start of a data dir. */
  firstToken: string | null;
  /**
   * Resolves once `POST /api/system/shutdown` (`slipway down`) has stopped the apps and the edge:
   * whoever runs the server then closes it.
   */
  shutdownRequested: Promise<void>;
  close(): Promise<void>;
}

/**
 * What certificates need (issue 13): the edge's TLS admin API, the ACME issuer and the challenge
 * solvers. Without them, routes with tls fail their deployments, saying so.
 */
export interface HttpsParts {
  edgeTls: EdgeTls;
  issuer: CertificateIssuer;
  solvers: SolverFactory;
}

export interface ServerOptions {
  output?: NodeJS.WritableStream;
  https?: HttpsParts;
}

export async function startServer(settings: Settings, opts: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = settings.dataDir;
  await makeDataDir(dataDir, runningAsRoot());
  const redactor = new Redactor();
  const redact = (text: string) => redactor.redact(text);
  const logger = createLogger({ level: settings.logLevel, redact: (line) => redactor.redact(line), ...(opts.output ? { destination: opts.output } : {}) });
  const installation = await openInstallation({ dataDir, ...(settings.masterKey ? { masterKeyFromEnv: settings.masterKey } : {}) });
  for (const notice of installation.notices) logger.warn({ dataDir }, notice);
  const appUsers = runningAsRoot();
  try {
    if (appUsers) {
      for (const notice of await openDataDirToAppUsers(dataDir)) logger.warn({ dataDir }, notice);
      logger.info('running as root: build, test and release commands and app processes run as a system user per app (slipway-app-<name>-<hash>)');
    } else {
      logger.warn({ user: currentUserDescription() }, sharedUserWarning(currentUserDescription()));
    }
  } catch (err) {
    await installation.close();
    throw err;
  }
  try {
    return await serve(settings, installation, { redactor, redact, logger, appUsers, https: opts.https });
  } catch (err) {
    await installation.close();
    throw err;
  }
}

async function serve(
  settings: Settings,
  installation: Installation,
  { redactor, redact, logger, appUsers, https }: { redactor: Redactor; redact: (text: string) => string; logger: Logger; appUsers: boolean; https: HttpsParts | undefined },
): Promise<RunningServer> {
  const dataDir = settings.dataDir;
  const instanceId = randomUUID();
  const { store, masterKey } = installation;
  const box = SecretBox.fromKey(masterKey);
  const source = new GitSource({ cacheDir: path.join(dataDir, 'git') });

  const edgeClient = EdgeClient.forDataDir(dataDir);
  // slipway.yml is parsed in a worker thread: a hostile one cannot stall the API (see spec-parser/).
  const specParser = new WorkerSpecParser();
  const parseSpec = (text: string, where: string) => specParser.parse(text, where);
  // Certificates go to the local edge and, once the Swarm driver is in use, to the Swarm edge
  // service too (it is given one below when the driver is configured).
  let swarmEdgeTls: () => EdgeTls | null = () => null;
  const tls = await wireCertificates({ settings, store, cipher: box, localEdge: edgeClient, swarmEdgeTls: () => swarmEdgeTls(), parseSpec, https, logger });
  const { certificates, syncCertificates } = tls;
  // The edge is kept running (restarted with backoff, routes given again from the store) unless
  // SLIPWAY_EDGE=off, where whoever runs it does that.
  let onEdgeChange = (): void => undefined;
  const keeper: EdgeKeeper | null =
    settings.edgeMode === 'auto'
      ? new EdgeKeeper({
          edge: { dataDir, host: settings.edgeHost, port: settings.edgePort, httpsPort: settings.edgeHttpsPort, logLevel: settings.logLevel, trustedProxies: settings.edgeTrustedProxies },
          reconcile: async (): Promise<RouteReconcileReport> => {
            await syncCertificates();
            return routes.reconcile();
          },
          reconcileIntervalMs: settings.edgeReconcileMs,
          logger,
          onChange: () => onEdgeChange(),
        })
      : null;
  const edge: EdgeControl = keeper ? new KeptEdge(edgeClient, keeper) : edgeClient;
  const processDriver: ProcessDriver = new ProcessDriver({ dataDir, edge, logger, appUsers });
  const routes: RouteReconciler = new RouteReconciler({ store, kind: 'process', driver: (): RuntimeDriver => processDriver, edge: edgeClient });
  const timers: NodeJS.Timeout[] = [];
  let edgeUrl: string | null = null;
  if (keeper) {
    const info = await keeper.start();
    edgeUrl = `http://${info.host}:${info.port}`;
    logger.info({ pid: info.pid, url: edgeUrl, startedHere: info.startedHere }, 'edge ready');
  }
  const drivers = new Map<DriverKind, RuntimeDriver>([['process', processDriver]]);
  if (settings.dockerHost) {
    const edgeDataDir = path.join(dataDir, 'swarm-edge');
    const swarmEdge = EdgeClient.forDataDir(edgeDataDir, { putTimeoutMs: 120_000 });
    const swarm = new LazyDriver('swarm', async () =>
      (await import('./drivers/swarm-runtime.js')).createSwarmRuntime(settings, {
        edgeControl: swarmEdge,
        edgeDataDir,
        log: (line) => logger.info({ driver: 'swarm' }, line),
      }),
    );
    drivers.set('swarm', swarm);
    swarmEdgeTls = () => (swarm.loaded ? swarmEdge : null);
    // The Swarm restarts its edge service by itself; once the driver is in use, the edge is given
    // every live route it lacks (after such a restart, or a lost snapshot) every so often.
    const swarmRoutes = new RouteReconciler({ store, kind: 'swarm', driver: () => swarm, edge: swarmEdge });
    const reconcileSwarmEdge = () =>
      swarmRoutes.reconcile().then(
        (report) => {
          if (report.repaired.length) logger.warn({ repaired: report.repaired }, 'Swarm edge routes given again from the store');
          if (report.failures.length) logger.error({ failures: report.failures }, 'Swarm edge routes could not be given again');
        },
        (err: unknown) => logger.error({ err: errorMessage(err) }, 'Swarm edge route reconcile failed'),
      );
    timers.push(setInterval(() => void (swarm.loaded ? reconcileSwarmEdge() : undefined), settings.edgeReconcileMs).unref());
  }
  const driver = (kind: DriverKind): RuntimeDriver => {
    const d = drivers.get(kind);
    if (!d) {
      const how = kind === 'swarm' ? ': start the server with SLIPWAY_DOCKER_HOST set to the Swarm manager (unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST)' : '';
      throw new PreconditionError(`the ${kind} driver is not enabled on this control plane${how}`);
    }
    return d;
  };

  const audit = new AuditTrail(store, (t) => redactor.redact(t));
  const apps = new AppService(store, source, audit, specParser);
  const secrets = new SecretService(store, box, redactor, apps, audit);
  await secrets.loadRedactions();
  const backups = new BackupService({
    store,
    apps,
    audit,
    access: { dataDir, secrets: (appId, envId) => secrets.resolve(appId, envId) },
    redactor,
    logger,
    masterKey: new Sensitive(masterKey.toString('base64')),
  });
  const recovery = new DatabaseRecoveryService(backups, apps, audit, store);
  const backupScheduler = new BackupScheduler({ store, logger, work: scheduledBackupWork(backups, store) });
  const workRoot = path.join(dataDir, 'work');
  await mkdir(workRoot, { recursive: true, mode: 0o700 });
  const deps: PipelineDeps = {
    store,
    source,
    driver,
    secrets: (appId, envId) => secrets.resolve(appId, envId),
    redact,
    extractUpload: async (tarball, dir) => {
      try {
        const top = await archiveTopDir(tarball, { displayName: 'the uploaded archive' });
        const out = await safeExtract(tarball, { parentDir: path.dirname(dir), displayName: 'the uploaded archive' });
        await rm(dir, { recursive: true, force: true });
        if (top === null) await rename(out.dir, dir);
        else {
          await rename(path.join(out.dir, top), dir);
          await rm(out.dir, { recursive: true, force: true });
        }
      } finally {
        await rm(tarball, { force: true });
      }
    },
    uploadVersion: (tarball) => archiveTopDir(tarball, { displayName: 'the uploaded archive' }),
    workDir: (id) => path.join(workRoot, id),
    backups,
    parseSpec,
    certificates,
  };
  const engine = new DeployEngine({
    store,
    planner: createPlanner(deps),
    logger,
    instanceId,
    ...(settings.faultCrashAt ? { onBoundary: crashAt(settings.faultCrashAt, logger) } : {}),
  });
  const tokens = new TokenService(store);
  const services: Services = {
    apps,
    deployments: new DeploymentService(store, engine, apps, audit, async (file) => {
      // Refused here, before anything is queued: traversal, absolute paths, escaping links,
      // devices, too many entries or bytes. The trial extraction lives in a temp dir.
      const trial = await safeExtract(file, { parentDir: workRoot, displayName: 'the uploaded archive' });
      await rm(trial.dir, { recursive: true, force: true });
    }),
    secrets,
    locks: new LockService(store, engine, apps, audit),
    status: new StatusService(store, apps, driver, (t) => redactor.redact(t), () => keeper?.health() ?? null, keeper ? () => edge.listRoutes() : undefined),
    audit,
    maintenance: new MaintenanceService(edge, apps, audit),
    tokens,
    uploadDir: path.join(dataDir, 'uploads'),
  };

  const webhookSecrets = new WebhookSecretService(store, box, apps, audit);
  const webhooks = new WebhookService(apps, services.deployments, source, webhookSecrets, new StoreDeliveryRecorder(store), undefined, specParser, undefined, new WebhookTriggers(store));
  const promotions = new PromotionService(store, engine, apps, source, audit);
  const diffs = new DiffService(store, apps, source);
  const commitStatuses = new CommitStatusService(store, apps, audit);

  engine.onChange(() => services.status.invalidate());
  onEdgeChange = () => services.status.invalidate();
  audit.onMutation(() => services.status.invalidate());

  let firstToken: string | null = null;
  if (await tokens.isEmpty()) {
    const { token } = await tokens.create('admin');
    firstToken = token.reveal();
    await writeFile(path.join(dataDir, 'admin.token'), firstToken + '\n', { mode: 0o600 });
  }

  for (const d of drivers.values()) await d.recover?.();
  processDriver.startBackground();
  let requestShutdown = (): void => undefined;
  const shutdownRequested = new Promise<void>((resolve) => (requestShutdown = resolve));
  let shuttingDown: ShutdownView | null = null;
  // `slipway down`: answer with the pids first (the caller waits for them), then stop the
  // supervisors (their instances with their grace) and the edge, then let the server be closed.
  const shutdown = async (): Promise<ShutdownView> => {
    if (shuttingDown) return shuttingDown;
    const runtime = await findLocalRuntime(dataDir);
    const edgePid = keeper ? runtime.edgePid : null;
    const untouched: string[] = [];
    if (!keeper && runtime.edgePid !== null) untouched.push(`the edge (pid ${runtime.edgePid}): SLIPWAY_EDGE=off, whoever started it stops it`);
    if (settings.dockerHost) untouched.push('Swarm services (the swarm driver\'s apps and the slipway-edge service) keep running: remove their stacks with docker stack rm');
    shuttingDown = { serverPid: process.pid, edgePid, supervisors: runtime.supervisors.map(({ release, pid }) => ({ release, pid })), untouched };
    logger.warn({ edgePid, supervisors: shuttingDown.supervisors.length }, 'shutdown requested: stopping the apps, the edge and the control plane');
    setImmediate(() => {
      void (async () => {
        await keeper?.stop(); // no restart of the edge from here on
        await stopSupervisors(runtime.supervisors);
        if (edgePid !== null) await stopEdge(edgePid);
      })()
        .catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'shutdown: stopping the apps or the edge failed'))
        .finally(() => requestShutdown());
    });
    return shuttingDown;
  };
  const http = await buildHttpApp({
    services,
    logger,
    redact: (t) => redactor.redact(t),
    version: VERSION,
    extraRoutes: [
      ...webhookRoutes({ webhooks, webhookSecrets }),
      ...systemRoutes({ shutdown, audit }),
      ...gitRoutes({ promotions, diffs, commitStatuses }),
      ...logRoutes({ logs: new LogService(store, apps, driver, redact), redact }),
      ...certificateRoutes(certificates, audit),
      ...backupRoutes({
        backups,
        recovery,
        progress: { redact, onInternalError: (err) => logger.error({ err: redact(String((err as Error)?.stack ?? err)) }, 'backup operation failed') },
      }),
    ],
  });
  await http.listen({ host: settings.host, port: settings.port });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  await writeFile(path.join(dataDir, 'server.json'), JSON.stringify({ url, pid: process.pid, edgeUrl }) + '\n', { mode: 0o600 });
  logger.info({ url, dataDir, version: VERSION }, 'control plane listening');
  backupScheduler.start();
  tls.start();
  // Without a kept edge (SLIPWAY_EDGE=off), the stored certificates are given to the edge once here.
  if (!keeper) void syncCertificates();
  void engine.start().catch((err: unknown) => logger.error({ err: String(err) }, 'deploy engine failed to start'));
  // Live releases stopped by `slipway down` (or a reboot) serve again.
  reviveInBackground({ store, driver, secrets: (appId, envId) => secrets.resolve(appId, envId), redact, logger });

  return {
    url,
    edgeUrl,
    firstToken,
    shutdownRequested,
    async close() {
      // Followers (deployment logs, `logs --follow`) hold their connections open; after a short
      // grace they are cut (the CLI reconnects to the next server), so that a stop is prompt.
      const cut = setTimeout(() => http.server.closeAllConnections(), 2000).unref();
      await http.close();
      clearTimeout(cut);
      await keeper?.stop();
      for (const t of timers) clearInterval(t);
      await backupScheduler.stop();
      await tls.stop();
      await engine.stop();
      for (const d of drivers.values()) await d.close?.();
      await specParser.close();
      await installation.close();
    },
  };
}

/** Fault injection for the crash tests: SIGKILL ourselves at one step boundary. */
function crashAt(point: string, logger: { warn(obj: object, msg: string): void }) {
  return async (phase: 'before' | 'after', step: string) => {
    if (`${phase}:${step}` !== point) return;
    logger.warn({ point }, 'SLIPWAY_FAULT_CRASH_AT reached: killing the control plane');
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => undefined);
  };
}
