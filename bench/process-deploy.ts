// Benchmark of the embedded default (issue 3): a real control plane, edge and supervisors on this
// machine, the test web app from git. Measures, in one run: deploy time without the build step,
// rollback time, failed requests through the edge during deploys and rollbacks. Prints JSON.
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
const server = await startServerProcess({ dataDir, env: { LOG_LEVEL: 'warn' } });
const client = apiClient(server.url, server.token);
try {
  await app.release(1);
  await client.createApp({ name: 'web', repo: app.repo.bare });
  const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
  const first = await waitTerminal(client, (await client.deploy('web', 'staging')).deployment.id);
  if (first.status !== 'succeeded') throw new Error(`first deploy ${first.status}: ${first.error}`);

  const load = startLoad({ url: `http://127.0.0.1:${edge.port}/`, headers: { host: 'web.test' }, concurrency: 8, maxDurationMs: 600_000 });
  const deployMs: number[] = [];
  const deployNoBuildMs: number[] = [];
  const rollbackMs: number[] = [];
  const elapsed = (d: Deployment) => Date.parse(d.finishedAt!) - Date.parse(d.startedAt!);
  for (let i = 0; i < rounds; i++) {
    await app.release(i + 2);
    const d = await waitTerminal(client, (await client.deploy('web', 'staging')).deployment.id);
    if (d.status !== 'succeeded') throw new Error(`deploy ${d.status}: ${d.error}`);
    const { deployment } = await client.getDeployment(d.id);
    const build = deployment.steps.find((s) => s.name === 'build');
    const buildMs = build?.finishedAt ? Date.parse(build.finishedAt) - Date.parse(build.startedAt) : 0;
    deployMs.push(elapsed(d));
    deployNoBuildMs.push(elapsed(d) - buildMs);
    const r = await waitTerminal(client, (await client.rollback('web', 'staging')).deployment.id);
    if (r.status !== 'succeeded') throw new Error(`rollback ${r.status}: ${r.error}`);
    rollbackMs.push(elapsed(r));
  }
  const report = await load.stop();
  const result = {
    benchmark: 'process-deploy',
    rounds,
    app: 'test/fixtures/apps/web (2 web instances, 200 ms health interval, release phase)',
    deploy_ms_median: median(deployMs),
    deploy_excluding_build_ms_median: median(deployNoBuildMs),
    rollback_ms_median: median(rollbackMs),
    rollback_ms_max: Math.max(...rollbackMs),
    requests: report.total,
    failed_requests: report.failures,
    requests_per_second_during: Math.round(report.requestsPerSecond),
    targets: { rollback_ms: 2000, failed_requests: 0 },
    pass: { rollback: median(rollbackMs) <= 2000, failed_requests: report.failures === 0 },
    samples: { deployMs, deployNoBuildMs, rollbackMs },
    server_argv: server.argv.join(' '),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  server.kill('SIGTERM');
  await server.exited;
  await stopEverything(dataDir);
  await app.repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
}
