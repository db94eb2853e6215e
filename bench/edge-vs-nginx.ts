// Benchmark: the Slipway edge against nginx, both proxying with keep-alive to the same upstream
// (nginx serving a static file), measured with wrk, alternating a/b. Prints JSON.
// Run: node --import tsx bench/edge-vs-nginx.ts [--duration 10] [--connections 50] [--rounds 3] [--warmup 8]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EdgeClient } from '../src/edge/edge-client.js';
import { nodeArgvFor } from '../test/support/entry.js';
import { freePort, proxyConfig, startNginx, staticConfig, waitForPort, type NginxInstance } from './edge-bench-nginx.js';
import { childPids, cpuSeconds } from './edge-bench-cpu.js';
import { runWrk, wrkAvailable, type WrkResult } from './edge-bench-wrk.js';

interface Measured extends WrkResult {
  /** CPU time the proxy (nginx worker / edge process) used per request, microseconds. */
  cpuUsPerRequest: number;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '8' },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);

async function main(): Promise<void> {
  if (!(await wrkAvailable())) {
    console.log(JSON.stringify({ error: 'wrk is not installed: apt-get install wrk' }));
    process.exitCode = 1;
    return;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'edge-bench-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const www = path.join(tmp, 'www');
    await mkdir(www, { recursive: true, mode: 0o755 });
    await writeFile(path.join(www, 'index.html'), `${'<p>slipway edge benchmark</p>\n'.repeat(20)}`, { mode: 0o644 });
    const userLine = process.getuid?.() === 0 ? 'user root;\n' : '';
    const upPort = await freePort();
    const upstream = await startNginx(path.join(tmp, 'upstream'), upPort, staticConfig(path.join(tmp, 'upstream'), upPort, www, userLine));
    stops.push(upstream.stop);
    const pxPort = await freePort();
    const nginx: NginxInstance = await startNginx(path.join(tmp, 'proxy'), pxPort, proxyConfig(path.join(tmp, 'proxy'), pxPort, upPort, userLine));
    stops.push(nginx.stop);
    const edgePort = await freePort();
    const edge = await startEdgeProcess(path.join(tmp, 'edge-data'), edgePort, path.join(tmp, 'edge-access.log'));
    stops.push(edge.stop);
    const client = EdgeClient.forDataDir(path.join(tmp, 'edge-data'));
    await client.putRoute({
      id: 'bench/prod',
      hosts: [],
      pathPrefix: '/',
      stripPrefix: false,
      targets: [{ url: `http://127.0.0.1:${upPort}` }],
      healthCheck: { path: '/', intervalMs: 1000, timeoutMs: 1000, healthyThreshold: 1 },
      drainTimeoutMs: 1000,
      releaseHeader: 'X-Slipway-Release',
      release: 'bench',
      maintenance: null,
    });
    await client.close();

    const urls = { nginx: `http://127.0.0.1:${pxPort}/`, edge: `http://127.0.0.1:${edgePort}/` };
    const wrkOpts = { connections, threads, durationS };
    // Warm-up: the edge's JIT needs some thousands of requests, more on a busy machine.
    for (const url of Object.values(urls)) await runWrk(url, { ...wrkOpts, durationS: warmupS });
    const nginxWorkers = await childPids(nginx.pid);
    const measure = async (url: string, pids: number[]): Promise<Measured> => {
      const cpuBefore = await sumCpu(pids);
      const r = await runWrk(url, wrkOpts);
      const cpu = (await sumCpu(pids)) - cpuBefore;
      const requests = r.requestsPerSecond * durationS;
      return { ...r, cpuUsPerRequest: round((cpu * 1e6) / Math.max(1, requests), 1) };
    };
    const results: Array<{ nginx: Measured; edge: Measured }> = [];
    for (let i = 0; i < rounds; i++) {
      const n = await measure(urls.nginx, nginxWorkers);
      const e = await measure(urls.edge, [edge.pid]);
      results.push({ nginx: n, edge: e });
    }
    const nginxSummary = summarize(results.map((r) => r.nginx));
    const edgeSummary = summarize(results.map((r) => r.edge));
    console.log(
      JSON.stringify(
        {
          setup: { durationS, warmupS, connections, threads, rounds, cpus: os.cpus().length, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
          nginx: nginxSummary,
          edge: edgeSummary,
          ratioRps: round(edgeSummary.requestsPerSecond / nginxSummary.requestsPerSecond, 3),
          ratioCpuPerRequest: round(edgeSummary.cpuUsPerRequest / nginxSummary.cpuUsPerRequest, 2),
          p99DiffMs: round(edgeSummary.p99Ms - nginxSummary.p99Ms, 3),
          rounds: results,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}

async function sumCpu(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += await cpuSeconds(pid);
  return total;
}

/** Medians over the rounds. */
function summarize(rs: Measured[]): Measured {
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? 0;
  };
  return {
    requestsPerSecond: round(med(rs.map((r) => r.requestsPerSecond)), 0),
    p50Ms: round(med(rs.map((r) => r.p50Ms)), 3),
    p99Ms: round(med(rs.map((r) => r.p99Ms)), 3),
    errors: rs.reduce((a, r) => a + r.errors, 0),
    cpuUsPerRequest: round(med(rs.map((r) => r.cpuUsPerRequest)), 1),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function startEdgeProcess(dataDir: string, port: number, accessLogFile: string): Promise<{ pid: number; stop(): Promise<void> }> {
  const { openSync, closeSync } = await import('node:fs');
  const fd = openSync(accessLogFile, 'w');
  const child: ChildProcess = spawn(process.execPath, nodeArgvFor('src/edge/main.ts'), {
    env: { PATH: process.env.PATH ?? '', SLIPWAY_DATA_DIR: dataDir, SLIPWAY_EDGE_HOST: '127.0.0.1', SLIPWAY_EDGE_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', fd, 'inherit'],
  });
  closeSync(fd);
  await waitForPort(port, 15_000, () => (child.exitCode !== null ? `edge exited with ${child.exitCode}` : undefined));
  return {
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

await main();
