// Control-plane benchmark (issue 2 acceptance). Prints one JSON object:
//   idle_rss_mb       VmRSS of a real `slipway server` child (SLIPWAY_EDGE=off) ~3 s after /healthz first answers
//   edge_idle_rss_mb  VmRSS of an edge process started on its own (the same build as the CLI), ~3 s after it answers
//   startup_ms        spawn -> first 200 from /healthz, median of 5 starts on an existing data dir
//   startup_cpu_ms    the child's CPU time (user + system) when /healthz first answered, median
//                     (less sensitive than startup_ms to other load on the machine)
//   status_p50_ms / status_p99_ms  GET /api/status, sequential, with 1,000 apps x 3 environments x
//                     100 deployments seeded through the store API before the server starts; the
//                     body read as text (what a client that parses it does); the pass/fail figure
//   status_server_cpu_ms_per_request  the server's CPU time per request of that series
//   status_bytes_p50_ms / status_bytes_p99_ms  a second series reading the body as bytes only
// Run: node --import tsx bench/control-plane.ts [--apps N] [--deployments N] [--requests N] [--cli bundle|compiled|tsx]
// (`npm run bench:control-plane` builds and runs the compiled one). Runs the server from the bundle
// (dist/bundle/slipway.mjs) when it exists, else the tsc output, else the source under tsx; the
// output says which.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { baseChildEnv } from '../src/platform/env.js';
import { newId } from '../src/store/ids.js';
import { openSqliteStore } from '../src/store/index.js';
import { nodeArgvFor, projectRoot } from '../test/support/entry.js';
import { cliNodeArgv, killDetached, startServerProcess, type ServerProcess } from '../test/support/server-process.js';

const TARGETS = { idle_rss_mb: 80, startup_ms: 1000, status_p99_ms: 50 };
const ENVIRONMENTS = ['test', 'staging', 'production'];
const RELEASES_PER_ENV = 10;
const IDLE_SETTLE_MS = 3000;

const { values: args } = parseArgs({
  options: {
    apps: { type: 'string', default: '1000' },
    deployments: { type: 'string', default: '100' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    starts: { type: 'string', default: '5' },
    seed: { type: 'string', default: 'sql' },
    cli: { type: 'string' },
  },
});
if (args.seed !== 'sql' && args.seed !== 'api') throw new Error('--seed must be "api" (every row through the store API) or "sql" (apps through the API, the rest in one transaction)');
const APPS = Number(args.apps);
const DEPLOYMENTS_PER_ENV = Number(args.deployments);
const REQUESTS = Number(args.requests);
const WARMUP = Number(args.warmup);
const STARTS = Number(args.starts);

type CliKind = 'bundle' | 'compiled' | 'tsx';

/**
 * Which build of the CLI runs the server: `--cli bundle` (dist/bundle/slipway.mjs, what `npm start`
 * and the `slipway` bin run), `compiled` (tsc output, dist/src/cli/main.js) or `tsx` (the source).
 * Default: the first of those that exists.
 */
function cliRuntime(wanted: string | undefined): { kind: CliKind; argv: string[]; builtAt: string | null } {
  const files: Record<Exclude<CliKind, 'tsx'>, string> = {
    bundle: path.join(projectRoot, 'dist', 'bundle', 'slipway.mjs'),
    compiled: path.join(projectRoot, 'dist', 'src', 'cli', 'main.js'),
  };
  if (wanted !== undefined && wanted !== 'bundle' && wanted !== 'compiled' && wanted !== 'tsx') throw new Error('--cli must be "bundle", "compiled" or "tsx"');
  const order: CliKind[] = wanted ? [wanted] : ['bundle', 'compiled', 'tsx'];
  for (const kind of order) {
    if (kind === 'tsx') return { kind, argv: cliNodeArgv(), builtAt: null };
    const file = files[kind];
    if (existsSync(file)) return { kind, argv: [file], builtAt: statSync(file).mtime.toISOString() };
    if (wanted) throw new Error(`--cli ${kind}: ${file} does not exist (run \`npm run build\`)`);
  }
  throw new Error('unreachable');
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Math.round((Number(m[1]) / 1024) * 10) / 10;
}

/** User + system CPU time the process has used so far (/proc/PID/stat, clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stop(server: ServerProcess): Promise<void> {
  server.kill('SIGTERM');
  const exited = await Promise.race([server.exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!exited) {
    server.kill('SIGKILL');
    await server.exited;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

const round = (n: number) => Math.round(n * 100) / 100;

interface SeedResult {
  ms: number;
  apps: number;
  environments: number;
  deployments: number;
  releases: number;
  dbMb: number;
  via: string;
}

/**
 * The fast path (the store offers no bulk API): apps and environments through the store API, then
 * deployments and releases in one transaction with the rows the store itself writes (the shape of
 * test/store/perf/status-scale.ts), checked afterwards through the store API.
 */
async function seedSql(dataDir: string): Promise<SeedResult> {
  const file = path.join(dataDir, 'slipway.db');
  const t = performance.now();
  let store = await openSqliteStore(file);
  const envs: { id: string; appId: string; app: string; name: string; branch: string | null }[] = [];
  try {
    for (let a = 0; a < APPS; a++) {
      const app = await store.createApp(
        { name: `app-${a}`, repo: `/srv/git/app-${a}.git`, driver: 'process' },
        ENVIRONMENTS.map((name) => ({ name, branch: name === 'production' ? 'release' : 'main' })),
      );
      for (const e of await store.listEnvironments(app.id)) envs.push({ id: e.id, appId: app.id, app: app.name, name: e.name, branch: e.branch });
    }
  } finally {
    await store.close();
  }
  const db = new Database(file);
  let deployments = 0;
  let releases = 0;
  try {
    const insDep = db.prepare(
      `INSERT INTO deployments (id, app_id, environment_id, number, kind, trigger, status, ref, commit_sha, release_id,
         requested_by, error, cancel_requested, superseded_by, created_at, started_at, finished_at, params)
       VALUES (?, ?, ?, ?, 'deploy', 'webhook', 'succeeded', ?, ?, ?, 'bench', NULL, 0, NULL, ?, ?, ?, '{}')`,
    );
    const insRel = db.prepare(
      `INSERT INTO releases (id, app_id, environment_id, deployment_id, commit_sha, commit_subject, artifact, status,
         driver_state, spec, notes, trigger, deployed_by, created_at, deployed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 'webhook', 'bench', ?, ?)`,
    );
    const numbers = new Map<string, number>();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    db.transaction(() => {
      for (const env of envs) {
        for (let i = 0; i < DEPLOYMENTS_PER_ENV; i++) {
          const number = (numbers.get(env.appId) ?? 0) + 1;
          numbers.set(env.appId, number);
          const sha = shaFor(env.app, env.name, i);
          const at = new Date(base + deployments * 1000).toISOString();
          const depId = newId('dep');
          const r = i - (DEPLOYMENTS_PER_ENV - RELEASES_PER_ENV);
          const relId = r >= 0 ? newId('rel') : null;
          insDep.run(depId, env.appId, env.id, number, env.branch ?? 'main', sha, relId, at, at, at);
          deployments++;
          if (relId) {
            const status = r === RELEASES_PER_ENV - 1 ? 'live' : r === RELEASES_PER_ENV - 2 ? 'previous' : 'retired';
            insRel.run(relId, env.appId, env.id, depId, sha, `Change ${i} of ${env.app}`, `sha256:${sha.padEnd(64, '0')}`, status,
              JSON.stringify({ ports: [4000 + i] }), JSON.stringify(releaseSpec(env.app)), at, at);
            releases++;
          }
        }
      }
    })();
  } finally {
    db.close();
  }
  const ms = Math.round(performance.now() - t);
  store = await openSqliteStore(file);
  try {
    const [live, latest] = await Promise.all([store.liveReleases(), store.latestDeploymentsByEnvironment()]);
    if (live.size !== envs.length || latest.size !== envs.length) {
      throw new Error(`seed check: ${live.size} live releases and ${latest.size} latest deployments for ${envs.length} environments`);
    }
  } finally {
    await store.close();
  }
  return { ms, apps: APPS, environments: envs.length, deployments, releases, dbMb: Math.round(statSync(file).size / 1024 / 102.4) / 10, via: 'sql' };
}

function shaFor(app: string, env: string, i: number): string {
  return `${Buffer.from(`${app}/${env}`).toString('hex').slice(0, 16).padEnd(16, '0')}${i.toString(16).padStart(24, '0')}`;
}

function releaseSpec(app: string): Record<string, unknown> {
  return { name: app, processes: { web: { command: ['node', 'server.js'], http: true } } };
}

/** 1,000 apps x 3 environments x 100 deployments (the last 10 of each with a release, the newest live). */
async function seedApi(dataDir: string): Promise<SeedResult> {
  const file = path.join(dataDir, 'slipway.db');
  const store = await openSqliteStore(file);
  const t = performance.now();
  let deployments = 0;
  let releases = 0;
  let environments = 0;
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  try {
    for (let a = 0; a < APPS; a++) {
      const app = await store.createApp(
        { name: `app-${a}`, repo: `/srv/git/app-${a}.git`, driver: 'process' },
        ENVIRONMENTS.map((name) => ({ name, branch: name === 'production' ? 'release' : 'main' })),
      );
      for (const env of await store.listEnvironments(app.id)) {
        environments++;
        for (let i = 0; i < DEPLOYMENTS_PER_ENV; i++) {
          const sha = shaFor(app.name, env.name, i);
          const at = new Date(base + deployments * 1000).toISOString();
          const { deployment } = await store.enqueueDeployment({
            appId: app.id,
            environmentId: env.id,
            kind: 'deploy',
            trigger: 'webhook',
            ref: env.branch ?? 'main',
            commitSha: sha,
            requestedBy: 'bench',
          });
          deployments++;
          const withRelease = i >= DEPLOYMENTS_PER_ENV - RELEASES_PER_ENV;
          let releaseId: string | null = null;
          if (withRelease) {
            releaseId = newId('rel');
            await store.createRelease({
              id: releaseId,
              appId: app.id,
              environmentId: env.id,
              deploymentId: deployment.id,
              commitSha: sha,
              commitSubject: `Change ${i} of ${app.name}`,
              artifact: `sha256:${sha.padEnd(64, '0')}`,
              status: 'pending',
              driverState: { ports: [4000 + i] },
              spec: releaseSpec(app.name),
              notes: [],
              trigger: 'webhook',
              deployedBy: 'bench',
            });
            releases++;
            await store.markLive(env.id, releaseId, at);
          }
          await store.transitionDeployment(deployment.id, ['queued'], 'succeeded', { startedAt: at, finishedAt: at, ...(releaseId ? { releaseId } : {}) });
        }
      }
    }
  } finally {
    await store.close();
  }
  const ms = performance.now() - t;
  return { ms: Math.round(ms), apps: APPS, environments, deployments, releases, dbMb: Math.round(statSync(file).size / 1024 / 102.4) / 10, via: 'api' };
}

/**
 * Starts an edge on its own and measures its resident memory once it is idle: the build the server
 * under test would spawn (the edge bundle for the bundled CLI).
 */
async function edgeIdleRss(dataDir: string, cli: CliKind): Promise<number> {
  const entries = { bundle: path.join(projectRoot, 'dist', 'bundle', 'edge.mjs'), compiled: path.join(projectRoot, 'dist', 'src', 'edge', 'main.js') };
  const entry = cli === 'tsx' ? null : [entries[cli], entries.compiled].find((e) => existsSync(e));
  const argv = entry ? [entry] : nodeArgvFor('src/edge/main.ts').map((a) => (a === 'tsx' ? import.meta.resolve('tsx') : a));
  const child = spawn(process.execPath, argv, {
    cwd: projectRoot,
    env: { ...baseChildEnv(), SLIPWAY_DATA_DIR: dataDir, SLIPWAY_EDGE_PORT: '0', SLIPWAY_EDGE_HTTPS_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const info = await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8').then((t) => JSON.parse(t) as { pid?: number }, () => null);
      if (info?.pid === child.pid) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('the edge did not start (see edge/edge.log)');
      await sleep(20);
    }
    await sleep(IDLE_SETTLE_MS);
    return await rssMb(child.pid ?? 0);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

interface StatusLatency {
  p50: number;
  p99: number;
  mean: number;
  max: number;
  bytes: number;
  environments: number;
  /** The server's CPU time per request (load on the machine inflates latency, much less this). */
  serverCpuMs: number;
  /** The same requests with the body read as bytes, not decoded into a string (the client's share). */
  bytesP50: number;
  bytesP99: number;
}

async function statusLatency(server: ServerProcess): Promise<StatusLatency> {
  const get = async (as: 'text' | 'bytes') => {
    const res = await request(`${server.url}/api/status`, { headers: { authorization: `Bearer ${server.token}` } });
    const body = as === 'text' ? await res.body.text() : Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`GET /api/status answered ${res.statusCode}: ${body.toString().slice(0, 300)}`);
    return body;
  };
  const series = async (as: 'text' | 'bytes') => {
    for (let i = 0; i < WARMUP; i++) await get(as);
    const times: number[] = [];
    const cpu = await cpuMs(server.pid);
    let last: string | Buffer = '';
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      last = await get(as);
      times.push(performance.now() - t);
    }
    return { times, last, serverCpuMs: ((await cpuMs(server.pid)) - cpu) / REQUESTS };
  };
  const text = await series('text');
  const bytes = await series('bytes');
  const parsed = JSON.parse(text.last.toString()) as { environments: unknown[] };
  return {
    p50: round(percentile(text.times, 50)),
    p99: round(percentile(text.times, 99)),
    mean: round(text.times.reduce((a, b) => a + b, 0) / text.times.length),
    max: round(Math.max(...text.times)),
    bytes: Buffer.byteLength(text.last),
    environments: parsed.environments.length,
    serverCpuMs: round(text.serverCpuMs),
    bytesP50: round(percentile(bytes.times, 50)),
    bytesP99: round(percentile(bytes.times, 99)),
  };
}

async function main(): Promise<void> {
  const runtime = cliRuntime(args.cli);
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-bench-'));
  const idleDir = path.join(root, 'idle');
  const seededDir = path.join(root, 'seeded');
  const edgeDir = path.join(root, 'edge');
  const env = { SLIPWAY_EDGE: 'off', LOG_LEVEL: 'warn' };
  // An interrupted benchmark must not leave a server behind.
  const live = new Set<ServerProcess>();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const s of live) s.kill('SIGKILL');
      process.exit(130);
    });
  }
  const start = async (dataDir: string) => {
    const s = await startServerProcess({ dataDir, env, cliArgv: runtime.argv, timeoutMs: 60_000 });
    live.add(s);
    void s.exited.then(() => live.delete(s));
    return s;
  };
  try {
    // Idle memory and start-up time on a small data dir.
    const first = await start(idleDir);
    await sleep(IDLE_SETTLE_MS);
    const idleRss = await rssMb(first.pid);
    await stop(first);
    const starts: number[] = [];
    const startCpus: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const s = await start(idleDir);
      starts.push(Math.round(s.startupMs));
      startCpus.push(await cpuMs(s.pid));
      await stop(s);
    }
    const edgeRss = await edgeIdleRss(edgeDir, runtime.kind);

    // GET /api/status on a large store.
    const seeded = args.seed === 'api' ? await seedApi(seededDir) : await seedSql(seededDir);
    const big = await start(seededDir);
    const seededStartup = Math.round(big.startupMs);
    let latency;
    let seededRss;
    try {
      latency = await statusLatency(big);
      seededRss = await rssMb(big.pid);
    } finally {
      await stop(big);
    }

    const startupMs = median(starts);
    const out = {
      runtime: runtime.kind,
      cli: runtime.argv.join(' '),
      compiled_at: runtime.builtAt,
      node: process.version,
      cpus: os.cpus().length,
      load_average: os.loadavg().map((l) => round(l)),
      idle_rss_mb: idleRss,
      edge_idle_rss_mb: edgeRss,
      startup_ms: startupMs,
      startup_cpu_ms: median(startCpus),
      startup_runs_ms: starts,
      startup_seeded_ms: seededStartup,
      status_p50_ms: latency.p50,
      status_p99_ms: latency.p99,
      status_mean_ms: latency.mean,
      status_max_ms: latency.max,
      status_requests: REQUESTS,
      status_warmup: WARMUP,
      status_server_cpu_ms_per_request: latency.serverCpuMs,
      status_bytes_p50_ms: latency.bytesP50,
      status_bytes_p99_ms: latency.bytesP99,
      status_response_bytes: latency.bytes,
      status_environments: latency.environments,
      rss_after_status_mb: seededRss,
      seed: seeded,
      targets: TARGETS,
      pass: {
        idle_rss_mb: idleRss <= TARGETS.idle_rss_mb,
        startup_ms: startupMs <= TARGETS.startup_ms,
        status_p99_ms: latency.p99 <= TARGETS.status_p99_ms,
      },
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    for (const d of [idleDir, seededDir, edgeDir]) await killDetached(d);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
