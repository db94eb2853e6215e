// An in-process control plane core for engine tests: a real SQLite store in a temp dir, a real
// git repository with a slipway.yml, the real deploy engine and services, and a test driver.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redactor } from '../../src/core/redactor.js';
import { TERMINAL_STATUSES, type Deployment } from '../../src/core/model.js';
import { GitSource } from '../../src/git/index.js';
import { DeployEngine } from '../../src/pipeline/deploy-engine.js';
import { createPlanner } from '../../src/pipeline/planner.js';
import type { RouteCertificates } from '../../src/pipeline/route-certificates.js';
import { createLogger } from '../../src/platform/logger.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { AppService } from '../../src/services/app-service.js';
import { AuditTrail } from '../../src/services/audit-trail.js';
import { DeploymentService } from '../../src/services/deployment-service.js';
import { SecretService } from '../../src/services/secret-service.js';
import { SYSTEM } from '../../src/services/actor.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { GatedDriver } from './gated-driver.js';
import { createTestRepo, type TestRepo } from './git-repo.js';

export const SPEC = `
processes:
  web:
    command: ["node", "server.js"]
    http: true
environments:
  staging:
    branch: main
  production:
    branch: release
`;

export interface Harness {
  store: SqliteStore;
  engine: DeployEngine;
  driver: GatedDriver;
  repo: TestRepo;
  apps: AppService;
  deployments: DeploymentService;
  secrets: SecretService;
  waitFor(id: string, statuses?: Deployment['status'][], timeoutMs?: number): Promise<Deployment>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Certificates for routes with TLS (PipelineDeps.certificates). */
  certificates?: RouteCertificates;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-engine-'));
  const repo = await createTestRepo();
  await repo.commit({ 'slipway.yml': SPEC, 'server.js': '// v1\n' }, 'first');
  await repo.push('main');
  const store = await openSqliteStore(path.join(dir, 'slipway.db'));
  const driver = new GatedDriver();
  const source = new GitSource({ cacheDir: path.join(dir, 'git') });
  const audit = new AuditTrail(store);
  const apps = new AppService(store, source, audit);
  const redactor = new Redactor();
  const secrets = new SecretService(store, SecretBox.fromKey(Buffer.alloc(32, 7)), redactor, apps, audit);
  const logger = createLogger({ level: 'silent' });
  const engine = new DeployEngine({
    store,
    logger,
    instanceId: 'test',
    pollMs: 50,
    heartbeatMs: 100,
    planner: createPlanner({
      store,
      source,
      driver: () => driver,
      secrets: (a, e) => secrets.resolve(a, e),
      extractUpload: async () => {
        throw new Error('no uploads in engine tests');
      },
      workDir: (id) => path.join(dir, 'work', id),
      ...(opts.certificates ? { certificates: opts.certificates } : {}),
    }),
  });
  const deployments = new DeploymentService(store, engine, apps, audit);
  await apps.create(SYSTEM, { name: 'shop', repo: repo.bare });
  await engine.start();

  async function waitFor(id: string, statuses: Deployment['status'][] = [...TERMINAL_STATUSES], timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await store.getDeployment(id);
      if (d && statuses.includes(d.status)) return d;
      if (Date.now() > deadline) throw new Error(`deployment ${id} did not reach ${statuses.join('/')} (is ${d?.status})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  return {
    store,
    engine,
    driver,
    repo,
    apps,
    deployments,
    secrets,
    waitFor,
    async close() {
      await engine.stop(2000);
      await store.close();
      await repo.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
