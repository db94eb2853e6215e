// Benchmark: the Slipway edge against nginx, both proxying with keep-alive to the same upstream
// (nginx serving a static file), measured with wrk, alternating a/b. Prints JSON.
// Run: node --import tsx bench/edge-vs-nginx.ts [--duration 10] [--connections 50] [--rounds 3] [--warmup 8]
//      [--edge-entry OTHER/dist/src/edge/main.js] (another build of the edge, e.g. to compare before/after)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, proxyConfig, startNginx, startStaticUpstream, type NginxInstance } from './edge-bench-nginx.js';
import { childPids, cpuSample, type CpuSample } from './edge-bench-cpu.js';
import { putBenchRoute, startEdgeProcess } from './edge-bench-process.js';
import { countSyscalls, straceAvailable } from './edge-bench-strace.js';
import { runWrk, wrkAvailable, type WrkResult } from './edge-bench-wrk.js';

interface Measured extends WrkResult {
  /** CPU time the proxy (nginx worker / edge process) used per request, microseconds. */
  cpuUsPerRequest: number;
  /** The kernel's part of cpuUsPerRequest (loopback TCP, system calls). */
  systemUsPerRequest: number;
  /**
   * read(2)/write(2)-family calls per request (/proc/PID/io's syscr + syscw). Not all system calls:
   * nginx's recvfrom is not counted there (see edge-bench-strace.ts); compare syscallsPerRequest.
   */
  readWriteCallsPerRequest: number;
  /** CPU the proxy used during the run, in cores (1.0: one core busy all the time; the edge cannot exceed 1). */
  coresUsed: number;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '8' },
    'edge-entry': { type: 'string' },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);
/** Length of the strace pass per proxy (the traced process runs slower; the count is per request). */
const STRACE_S = 3;
/** The targets: requests/s at least 0.9x nginx's, p99 within 1 ms of nginx's, CPU per request at most 1.3x nginx's. */
const TARGETS = { ratioRps: 0.9, p99DiffMs: 1, ratioCpuPerRequest: 1.3 };

interface SyscallsMeasured {
  /** Every system call of the proxy (all threads) per request, counted by strace -c. */
  perRequest: number;
  requests: number;
  /** The most frequent calls, per request. */
  top: Record<string, number>;
}

async function main(): Promise<void> {
  if (!(await wrkAvailable())) {
    console.log(JSON.stringify({ error: 'wrk is not installed: apt-get install wrk' }));
    process.exitCode = 1;
    return;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'edge-bench-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const upstream = await startStaticUpstream(tmp);
    stops.push(upstream.stop);
    const { userLine, port: upPort } = upstream;
    const pxPort = await freePort();
    const nginx: NginxInstance = await startNginx(path.join(tmp, 'proxy'), pxPort, proxyConfig(path.join(tmp, 'proxy'), pxPort, upPort, userLine));
    stops.push(nginx.stop);
    const edgePort = await freePort();
    const edgeEntry = values['edge-entry'];
    const edge = await startEdgeProcess(path.join(tmp, 'edge-data'), edgePort, path.join(tmp, 'edge-access.log'), edgeEntry ? { entry: edgeEntry } : {});
    stops.push(edge.stop);
    await putBenchRoute(path.join(tmp, 'edge-data'), upPort);

    const urls = { nginx: `http://127.0.0.1:${pxPort}/`, edge: `http://127.0.0.1:${edgePort}/` };
    const wrkOpts = { connections, threads, durationS };
    // Warm-up: the edge's JIT needs some thousands of requests, more on a busy machine.
    for (const url of Object.values(urls)) await runWrk(url, { ...wrkOpts, durationS: warmupS });
    const nginxWorkers = await childPids(nginx.pid);
    const measure = async (url: string, pids: number[]): Promise<Measured> => {
      const before = await sumCpu(pids);
      const r = await runWrk(url, wrkOpts);
      const after = await sumCpu(pids);
      const requests = Math.max(1, r.requestsPerSecond * durationS);
      const perRequest = (x: number) => round((x * 1e6) / requests, 1);
      return {
        ...r,
        cpuUsPerRequest: perRequest(after.user + after.system - before.user - before.system),
        systemUsPerRequest: perRequest(after.system - before.system),
        readWriteCallsPerRequest: round((after.syscr + after.syscw - before.syscr - before.syscw) / requests, 2),
        coresUsed: round((after.user + after.system - before.user - before.system) / durationS, 2),
      };
    };
    const results: Array<{ nginx: Measured; edge: Measured }> = [];
    for (let i = 0; i < rounds; i++) {
      const n = await measure(urls.nginx, nginxWorkers);
      const e = await measure(urls.edge, [edge.pid]);
      results.push({ nginx: n, edge: e });
    }
    // System calls: a separate, short pass under strace (optional: only when strace is installed and may attach).
    const syscalls = (await straceAvailable()) ? await measureSyscalls({ nginx: [urls.nginx, nginxWorkers], edge: [urls.edge, [edge.pid]] }, wrkOpts) : undefined;
    const nginxSummary = summarize(results.map((r) => r.nginx));
    const edgeSummary = summarize(results.map((r) => r.edge));
    console.log(
      JSON.stringify(
        {
          setup: { edge: values['edge-entry'] ?? 'this tree', durationS, warmupS, connections, threads, rounds, cpus: os.cpus().length, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
          nginx: nginxSummary,
          edge: edgeSummary,
          ratioRps: round(edgeSummary.requestsPerSecond / nginxSummary.requestsPerSecond, 3),
          ratioCpuPerRequest: round(edgeSummary.cpuUsPerRequest / nginxSummary.cpuUsPerRequest, 2),
          p99DiffMs: round(edgeSummary.p99Ms - nginxSummary.p99Ms, 3),
          // Absent when strace is not installed (or may not attach): { error } then says why.
          syscallsPerRequest: syscalls,
          targets: TARGETS,
          pass: {
            throughput: edgeSummary.requestsPerSecond >= TARGETS.ratioRps * nginxSummary.requestsPerSecond,
            p99: edgeSummary.p99Ms - nginxSummary.p99Ms <= TARGETS.p99DiffMs,
            cpu: edgeSummary.cpuUsPerRequest <= TARGETS.ratioCpuPerRequest * nginxSummary.cpuUsPerRequest,
          },
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

async function measureSyscalls(
  proxies: Record<'nginx' | 'edge', [string, number[]]>,
  wrkOpts: { connections: number; threads: number },
): Promise<Record<'nginx' | 'edge', SyscallsMeasured> | { error: string }> {
  try {
    const out: Partial<Record<'nginx' | 'edge', SyscallsMeasured>> = {};
    for (const [name, [url, pids]] of Object.entries(proxies) as Array<['nginx' | 'edge', [string, number[]]]>) {
      let requests = 0;
      const count = await countSyscalls(pids, async () => {
        requests = (await runWrk(url, { ...wrkOpts, durationS: STRACE_S })).requests;
      });
      const per = (n: number) => round(n / Math.max(1, requests), 2);
      out[name] = { perRequest: per(count.total), requests, top: Object.fromEntries(count.byName.slice(0, 6).map((c) => [c.name, per(c.calls)])) };
    }
    return out as Record<'nginx' | 'edge', SyscallsMeasured>;
  } catch (err) {
    return { error: `strace: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function sumCpu(pids: number[]): Promise<CpuSample> {
  const total: CpuSample = { user: 0, system: 0, syscr: 0, syscw: 0 };
  for (const pid of pids) {
    const s = await cpuSample(pid);
    total.user += s.user;
    total.system += s.system;
    total.syscr += s.syscr;
    total.syscw += s.syscw;
  }
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
    systemUsPerRequest: round(med(rs.map((r) => r.systemUsPerRequest)), 1),
    readWriteCallsPerRequest: round(med(rs.map((r) => r.readWriteCallsPerRequest)), 2),
    requests: rs.reduce((a, r) => a + r.requests, 0),
    coresUsed: round(med(rs.map((r) => r.coresUsed)), 2),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

await main();
