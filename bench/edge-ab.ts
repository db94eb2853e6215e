// A/B benchmark of two builds of the edge on the same upstream (nginx static), alternating rounds
// of wrk so both see the same machine load. Compares CPU per request (user and kernel, from /proc).
// Run: node --import tsx bench/edge-ab.ts --a OLD/dist/src/edge/main.js [--b NEW/.../main.js]
//      [--duration 8] [--connections 50] [--rounds 5] [--warmup 6] [--a-node-args "..."] [--b-node-args "..."]
// --b defaults to this tree's edge (compiled when run from dist, else through tsx).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSample } from './edge-bench-cpu.js';
import { freePort, startStaticUpstream } from './edge-bench-nginx.js';
import { putBenchRoute, startEdgeProcess, type EdgeProcess } from './edge-bench-process.js';
import { runWrk } from './edge-bench-wrk.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '6' },
    'a-node-args': { type: 'string', default: '' },
    'b-node-args': { type: 'string', default: '' },
  },
});
if (!values.a) throw new Error('--a PATH/TO/main.js is required (the build to compare against)');
const durationS = Number(values.duration);
const wrkOpts = { connections: Number(values.connections), threads: 1, durationS };

interface Round {
  rps: number;
  p99Ms: number;
  cpuUs: number;
  userUs: number;
  systemUs: number;
}

async function measure(url: string, pid: number): Promise<Round> {
  const before = await cpuSample(pid);
  const r = await runWrk(url, wrkOpts);
  const after = await cpuSample(pid);
  const n = Math.max(1, r.requestsPerSecond * durationS);
  const us = (x: number) => Math.round((x * 1e7) / n) / 10;
  return {
    rps: Math.round(r.requestsPerSecond),
    p99Ms: r.p99Ms,
    cpuUs: us(after.user + after.system - before.user - before.system),
    userUs: us(after.user - before.user),
    systemUs: us(after.system - before.system),
  };
}

function median(rs: Round[]): Round {
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  return {
    rps: med(rs.map((r) => r.rps)),
    p99Ms: med(rs.map((r) => r.p99Ms)),
    cpuUs: med(rs.map((r) => r.cpuUs)),
    userUs: med(rs.map((r) => r.userUs)),
    systemUs: med(rs.map((r) => r.systemUs)),
  };
}

function pairedMedian(a: Round[], b: Round[]): number {
  const ratios = a.map((r, i) => (b[i]?.cpuUs ?? 0) / r.cpuUs).sort((x, y) => x - y);
  return Math.round((ratios[Math.floor(ratios.length / 2)] ?? 0) * 1000) / 1000;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'edge-ab-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const upstream = await startStaticUpstream(tmp);
    stops.push(upstream.stop);
    const { port: upPort } = upstream;
    const edges: Array<{ name: string; url: string; proc: EdgeProcess }> = [];
    for (const [name, entry] of [['a', values.a], ['b', values.b]] as const) {
      const port = await freePort();
      const dataDir = path.join(tmp, `edge-${name}`);
      const nodeArgs = (name === 'a' ? values['a-node-args'] : values['b-node-args'])?.split(' ').filter(Boolean) ?? [];
      const proc = await startEdgeProcess(dataDir, port, path.join(tmp, `access-${name}.log`), { ...(entry ? { entry } : {}), nodeArgs });
      stops.push(proc.stop);
      await putBenchRoute(dataDir, upPort);
      edges.push({ name, url: `http://127.0.0.1:${port}/`, proc });
    }
    for (const e of edges) await runWrk(e.url, { ...wrkOpts, durationS: Number(values.warmup) });
    const rounds: Record<string, Round[]> = { a: [], b: [] };
    for (let i = 0; i < Number(values.rounds); i++) {
      const order = i % 2 === 0 ? edges : [...edges].reverse(); // neither always goes first
      for (const e of order) rounds[e.name]?.push(await measure(e.url, e.proc.pid));
    }
    const a = median(rounds.a ?? []);
    const b = median(rounds.b ?? []);
    console.log(
      JSON.stringify(
        {
          a: { entry: values.a, ...a },
          b: { entry: values.b ?? 'this tree', ...b },
          cpuRatioBtoA: Math.round((b.cpuUs / a.cpuUs) * 1000) / 1000,
          // Each round runs a and b back to back, so their ratio sees (nearly) the same machine load.
          pairedCpuRatioMedian: pairedMedian(rounds.a ?? [], rounds.b ?? []),
          loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
          rounds,
        },
        null,
        1,
      ),
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
