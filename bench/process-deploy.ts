// Benchmark of the embedded default (issue 3): a real control plane, edge and supervisors on this
// machine, the test web app from git. Measures, in one run: deploy time without the build step,
// rollback time, failed requests through the edge during deploys and rollbacks. Prints JSON.
// Rollbacks are measured twice, side by side: warm (the default keep_warm: the previous release
// still runs, so a rollback is a health check and a route swap) and cold (a second app, the same
// but with keep_warm: false and its own host, whose rollbacks start the old release again); each
// from the rollback request to the deployment's end.
// `npm run bench:process` runs bench/edge-vs-nginx.ts right after it: the edge's throughput and
// latency against nginx, with its own targets and pass flags, as a second JSON document.
// Run: npm run bench:process   (or: node --import tsx bench/process-deploy.ts [--rounds 5])
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Deployment } from '../src/core/model.js';
import { apiClient, waitTerminal } from '../test/support/deploy-client.js';
import { createFixtureApp } from '../test/support/fixture-app.js';
import { startLoad } from '../test/support/load-generator.js';
import { startServerProcess } from '../test/support/server-process.js';
import { stopEverything } from '../test/support/cleanup.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-bench-process-'));
const app = await createFixtureApp();
const coldApp = await createFixtureApp({ editSpec: (t) => `${t.replace('host: web.test', 'host: cold.test')}\nkeep_warm: false\n` });
const server = await startServerProcess({ dataDir, env: { LOG_LEVEL: 'warn' } });
const client = apiClient(server.url, server.token);
try {
  await app.release(1);
  await coldApp.release(1);
  await client.createApp({ name: 'web', repo: app.repo.bare });
  await client.createApp({ name: 'cold', repo: coldApp.repo.bare });
  const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
  for (const name of ['web', 'cold']) {
    const first = await waitTerminal(client, (await client.deploy(name, 'staging')).deployment.id);
    if (first.status !== 'succeeded') throw new Error(`first deploy of ${name} ${first.status}: ${first.error}`);
  }

  const load = startLoad({ url: `http://127.0.0.1:${edge.port}/`, headers: { host: 'web.test' }, concurrency: 8, maxDurationMs: 600_000 });
  const deployMs: number[] = [];
  const deployNoBuildMs: number[] = [];
  const rollbackMs: number[] = [];
  const coldRollbackMs: number[] = [];
  const elapsed = (d: Deployment) => Date.parse(d.finishedAt!) - Date.parse(d.startedAt!);
  /** A rollback, from the request (client side, same clock) to the deployment's end. */
  const lastRollback: Record<string, Record<string, number>> = {};
  const rollback = async (name: string): Promise<number> => {
    const requested = Date.now();
    const r = await waitTerminal(client, (await client.rollback(name, 'staging')).deployment.id);
    if (r.status !== 'succeeded') throw new Error(`rollback of ${name} ${r.status}: ${r.error}`);
    // Where the time went, for the last rollback of each kind: the queue, then each step.
    const { deployment } = await client.getDeployment(r.id);
    const parts: Record<string, number> = { queued: Date.parse(r.startedAt!) - requested };
    for (const step of deployment.steps) if (step.finishedAt) parts[step.name] = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
    lastRollback[name] = parts;
    return Date.parse(r.finishedAt!) - requested;
  };
  for (let i = 0; i < rounds; i++) {
    await app.release(i + 2);
    const d = await waitTerminal(client, (await client.deploy('web', 'staging')).deployment.id);
    if (d.status !== 'succeeded') throw new Error(`deploy ${d.status}: ${d.error}`);
    const { deployment } = await client.getDeployment(d.id);
    const build = deployment.steps.find((s) => s.name === 'build');
    const buildMs = build?.finishedAt ? Date.parse(build.finishedAt) - Date.parse(build.startedAt) : 0;
    deployMs.push(elapsed(d));
    deployNoBuildMs.push(elapsed(d) - buildMs);
    rollbackMs.push(await rollback('web'));
  }
  const report = await load.stop();
  for (let i = 0; i < rounds; i++) {
    await coldApp.release(i + 2);
    const d = await waitTerminal(client, (await client.deploy('cold', 'staging')).deployment.id);
    if (d.status !== 'succeeded') throw new Error(`deploy of cold ${d.status}: ${d.error}`);
    coldRollbackMs.push(await rollback('cold'));
  }
  const result = {
    benchmark: 'process-deploy',
    rounds,
    app: 'test/fixtures/apps/web (2 web instances, 200 ms health interval, release phase)',
    deploy_ms_median: median(deployMs),
    deploy_excluding_build_ms_median: median(deployNoBuildMs),
    rollback_ms_median: median(rollbackMs),
    rollback_ms_max: Math.max(...rollbackMs),
    rollback_cold_ms_median: median(coldRollbackMs),
    rollback_cold_ms_max: Math.max(...coldRollbackMs),
    rollback_measured: 'from the rollback request to the deployment end; warm: keep_warm default, cold: keep_warm: false (no load during the cold rounds)',
    requests: report.total,
    failed_requests: report.failures,
    requests_per_second_during: Math.round(report.requestsPerSecond),
    targets: { rollback_warm_ms: 150, rollback_cold_ms: 2000, failed_requests: 0 },
    pass: {
      rollback_warm: median(rollbackMs) <= 150,
      rollback_cold: median(coldRollbackMs) <= 2000,
      failed_requests: report.failures === 0,
    },
    last_rollback_ms_by_step: { warm: lastRollback['web'], cold: lastRollback['cold'] },
    samples: { deployMs, deployNoBuildMs, rollbackMs, coldRollbackMs },
    server_argv: server.argv.join(' '),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  server.kill('SIGTERM');
  await server.exited;
  await stopEverything(dataDir);
  await app.repo.cleanup();
  await coldApp.repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
}
