// Profiles the edge under the benchmark's load: an nginx static upstream, the edge process run
// with --cpu-prof, wrk against it; then prints where the edge's CPU went (self time grouped by
// area: the edge's own code, Node's http server, undici, the logger, GC, native) as JSON.
// Run: node --import tsx bench/edge-profile.ts [--duration 15] [--connections 50] [--warmup 8] [--keep DIR]
import { mkdir, mkdtemp, readdir, readFile, rm, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startStaticUpstream } from './edge-bench-nginx.js';
import { cpuSeconds } from './edge-bench-cpu.js';
import { putBenchRoute, startEdgeProcess } from './edge-bench-process.js';
import { runWrk } from './edge-bench-wrk.js';
import { summariseProfile, type CpuProfile } from './edge-profile-summary.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '8' },
    keep: { type: 'string' },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
const warmupS = Number(values.warmup);

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'edge-profile-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const upstream = await startStaticUpstream(tmp);
    stops.push(upstream.stop);
    const { port: upPort } = upstream;
    const profDir = path.join(tmp, 'prof');
    const edgePort = await freePort();
    const edge = await startEdgeProcess(path.join(tmp, 'edge-data'), edgePort, path.join(tmp, 'access.log'), {
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir],
    });
    stops.push(edge.stop);
    await putBenchRoute(path.join(tmp, 'edge-data'), upPort);
    const url = `http://127.0.0.1:${edgePort}/`;
    await runWrk(url, { connections, threads: 1, durationS: warmupS });
    const before = await cpuSeconds(edge.pid);
    const r = await runWrk(url, { connections, threads: 1, durationS });
    const cpu = (await cpuSeconds(edge.pid)) - before;
    const requests = r.requestsPerSecond * durationS;
    await edge.stop();
    const files = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
    const file = files[0];
    if (!file) throw new Error(`the edge wrote no .cpuprofile into ${profDir}`);
    const profile = JSON.parse(await readFile(path.join(profDir, file), 'utf8')) as CpuProfile;
    if (values.keep) {
      await mkdir(values.keep, { recursive: true });
      await cp(path.join(profDir, file), path.join(values.keep, 'edge.cpuprofile'));
    }
    const summary = summariseProfile(profile);
    console.log(
      JSON.stringify(
        {
          wrk: r,
          cpuUsPerRequestMeasured: Math.round((cpu * 1e6 * 10) / Math.max(1, requests)) / 10,
          note: 'profile covers warm-up and measured run; shares are of sampled time',
          ...summary,
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

await main();
