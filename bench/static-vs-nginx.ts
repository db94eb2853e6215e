// Benchmark: static files served by the Slipway edge (edge/static/) and by nginx (the Debian
// package, one worker, sendfile on as Debian ships it), the same 4 KiB and 1 MiB files, measured
// with wrk in one run. Prints JSON with requests/s, p99, the ratio per size and `pass` (issue 14's
// target: at least 0.8x nginx's requests/s).
// Run: npm run bench:static [-- --duration 8 --connections 50 --warmup 3]
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bufferedAccessLog, freePort, nginxConfig, startNginx } from './edge-bench-nginx.js';
import { putBenchRoute, startEdgeProcess } from './edge-bench-process.js';
import { runWrk, wrkAvailable, type WrkResult } from './edge-bench-wrk.js';

const TARGET_RATIO = 0.8;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '3' },
  },
});
const wrkOpts = { connections: Number(values.connections), threads: Number(values.threads), durationS: Number(values.duration) };

function nginxStaticConfig(prefix: string, port: number, root: string, userLine: string): string {
  return nginxConfig(
    prefix,
    userLine,
    `  sendfile on;
  tcp_nopush on;
${bufferedAccessLog(prefix)}  server {
    listen 127.0.0.1:${port};
    location /static/ { root ${root}; }
    location = / { return 200 "ok"; }
  }
`,
  );
}

async function main(): Promise<void> {
  if (!(await wrkAvailable())) {
    console.log(JSON.stringify({ error: 'wrk is not installed: apt-get install wrk nginx-light' }));
    process.exitCode = 1;
    return;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'static-bench-'));
  await chmod(tmp, 0o755);
  const stops: Array<() => Promise<void>> = [];
  try {
    const root = path.join(tmp, 'www');
    const files = path.join(root, 'static');
    await mkdir(files, { recursive: true, mode: 0o755 });
    await chmod(root, 0o755);
    const sizes = { '4KiB': 4 * 1024, '1MiB': 1024 * 1024 } as const;
    for (const [name, bytes] of Object.entries(sizes)) await writeFile(path.join(files, `${name}.bin`), randomBytes(bytes), { mode: 0o644 });

    const userLine = process.getuid?.() === 0 ? 'user root;\n' : '';
    const nginxPort = await freePort();
    const nginx = await startNginx(path.join(tmp, 'nginx'), nginxPort, nginxStaticConfig(path.join(tmp, 'nginx'), nginxPort, root, userLine));
    stops.push(nginx.stop);
    const edgePort = await freePort();
    const dataDir = path.join(tmp, 'edge-data');
    const edge = await startEdgeProcess(dataDir, edgePort, path.join(tmp, 'edge-access.log'));
    stops.push(edge.stop);
    // The route's target is nginx (it must pass a health check); static requests never reach it.
    await putBenchRoute(dataDir, nginxPort, { static: [{ path: '/static', dir: files }] });

    const out: Record<string, { nginx: WrkResult; edge: WrkResult; ratioRps: number; p99DiffMs: number; pass: boolean }> = {};
    for (const name of Object.keys(sizes)) {
      const urls = { nginx: `http://127.0.0.1:${nginxPort}/static/${name}.bin`, edge: `http://127.0.0.1:${edgePort}/static/${name}.bin` };
      for (const url of Object.values(urls)) await runWrk(url, { ...wrkOpts, durationS: Number(values.warmup) });
      const n = await runWrk(urls.nginx, wrkOpts);
      const e = await runWrk(urls.edge, wrkOpts);
      const ratio = Math.round((e.requestsPerSecond / n.requestsPerSecond) * 1000) / 1000;
      out[name] = { nginx: n, edge: e, ratioRps: ratio, p99DiffMs: Math.round((e.p99Ms - n.p99Ms) * 1000) / 1000, pass: ratio >= TARGET_RATIO && e.errors === 0 };
    }
    console.log(
      JSON.stringify(
        {
          setup: { ...wrkOpts, warmupS: Number(values.warmup), cpus: os.cpus().length, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
          results: out,
          target: { ratioRps: TARGET_RATIO },
          pass: Object.values(out).every((r) => r.pass),
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
