// Scale check of the status queries (not part of `npm test`): 1,000 apps x 3 environments
// x 100 deployments (300,000) and 10 releases per environment, then the reads GET /api/status
// makes. Run: node --import tsx test/store/perf/status-scale.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { newId } from '../../../src/store/ids.js';
import { openSqliteStore } from '../../../src/store/open-sqlite-store.js';

const APPS = 1000;
const ENVS = ['test', 'staging', 'production'];
const DEPLOYMENTS_PER_ENV = 100;
const RELEASES_PER_ENV = 10;

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-status-scale-'));
const file = path.join(dir, 'state.db');

try {
  await (await openSqliteStore(file)).close();
  const cpu = process.cpuUsage();
  const seedMs = seed(file);
  const seedCpu = process.cpuUsage(cpu);
  console.log(`seed: ${APPS} apps, ${APPS * ENVS.length} environments, ${APPS * ENVS.length * DEPLOYMENTS_PER_ENV} deployments, ` +
    `${APPS * ENVS.length * RELEASES_PER_ENV} releases in one transaction: ${seedMs.toFixed(0)} ms wall, ${((seedCpu.user + seedCpu.system) / 1000).toFixed(0)} ms CPU`);

  const store = await openSqliteStore(file);
  console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine`);
  for (let run = 1; run <= 3; run++) {
    const perEnv = await measure(async () => {
      let found = 0;
      const envs = await store.listEnvironments();
      for (const env of envs) {
        if (await store.liveRelease(env.id)) found++;
        if ((await store.listDeployments({ environmentId: env.id, limit: 1 })).length === 1) found++;
      }
      return `${envs.length} environments, ${found} rows`;
    });
    console.log(`run ${run}: listEnvironments + per-environment liveRelease + listDeployments(limit 1): ${perEnv}`);
    const batch = await measure(async () => {
      const envs = await store.listEnvironments();
      const lives = await store.liveReleases();
      const latests = await store.latestDeploymentsByEnvironment();
      return `${envs.length} environments, ${lives.size} live, ${latests.size} latest`;
    });
    console.log(`run ${run}: listEnvironments + liveReleases + latestDeploymentsByEnvironment: ${batch}`);
  }

  // The write path through the port, for comparison: one transaction per call.
  const envs = (await store.listEnvironments()).slice(0, 1000);
  let t = performance.now();
  for (const env of envs) {
    await store.enqueueDeployment({ appId: env.appId, environmentId: env.id, kind: 'deploy', trigger: 'webhook', ref: 'main', requestedBy: 'perf' });
  }
  console.log(`enqueueDeployment x ${envs.length} (each its own transaction, file db): ${(performance.now() - t).toFixed(0)} ms`);
  const d = (await store.listDeployments({ environmentId: envs[0]!.id, limit: 1 }))[0]!;
  t = performance.now();
  for (let i = 0; i < 2000; i++) await store.appendLog(d.id, 'stdout', 'build', `line ${i}`);
  console.log(`appendLog x 2000 (file db): ${(performance.now() - t).toFixed(0)} ms`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Wall time and this process's CPU time (the machine may be shared and busy). */
async function measure(fn: () => Promise<string>): Promise<string> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const what = await fn();
  const used = process.cpuUsage(cpu);
  return `${what}: ${(performance.now() - t).toFixed(1)} ms wall, ${((used.user + used.system) / 1000).toFixed(1)} ms CPU`;
}

function seed(dbFile: string): number {
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insApp = db.prepare('INSERT INTO apps (id, name, repo, driver, created_at) VALUES (?, ?, ?, ?, ?)');
  const insEnv = db.prepare('INSERT INTO environments (id, app_id, name, branch, created_at) VALUES (?, ?, ?, ?, ?)');
  const insDep = db.prepare(
    `INSERT INTO deployments (id, app_id, environment_id, number, kind, trigger, status, ref, commit_sha, release_id,
       requested_by, error, cancel_requested, superseded_by, created_at, started_at, finished_at, params)
     VALUES (?, ?, ?, ?, 'deploy', 'webhook', ?, 'main', ?, NULL, 'ci', NULL, 0, NULL, ?, ?, ?, '{}')`,
  );
  const insRel = db.prepare(
    `INSERT INTO releases (id, app_id, environment_id, deployment_id, commit_sha, commit_subject, artifact, status,
       driver_state, spec, notes, trigger, deployed_by, created_at, deployed_at)
     VALUES (?, ?, ?, ?, ?, 'Subject', 'sha256:abc', ?, '{"port":4000}', '{"name":"app","processes":{"web":{}}}', '[]', 'webhook', 'ci', ?, ?)`,
  );
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const t = performance.now();
  db.transaction(() => {
    for (let a = 0; a < APPS; a++) {
      const appId = newId('app');
      insApp.run(appId, `app-${a}`, `/srv/git/app-${a}.git`, 'process', new Date(base).toISOString());
      let number = 0;
      ENVS.forEach((name) => {
        const envId = newId('env');
        insEnv.run(envId, appId, name, name === 'production' ? 'release' : 'main', new Date(base).toISOString());
        for (let i = 0; i < DEPLOYMENTS_PER_ENV; i++) {
          number++;
          const at = new Date(base + number * 60_000).toISOString();
          const depId = newId('dep');
          const status = i === DEPLOYMENTS_PER_ENV - 1 ? 'running' : 'succeeded';
          insDep.run(depId, appId, envId, number, status, `sha${number}`, at, at, status === 'running' ? null : at);
          const r = i - (DEPLOYMENTS_PER_ENV - 1 - RELEASES_PER_ENV);
          if (r >= 0 && r < RELEASES_PER_ENV) {
            const relStatus = r === RELEASES_PER_ENV - 1 ? 'live' : r === RELEASES_PER_ENV - 2 ? 'previous' : 'retired';
            insRel.run(newId('rel'), appId, envId, depId, `sha${number}`, relStatus, at, at);
          }
        }
      });
    }
  })();
  const ms = performance.now() - t;
  db.close();
  return ms;
}
