// Runs `slipway server` as a real child process on a data dir (for crash, restart and benchmark
// tests), and kills what such a server leaves running detached (the edge, release supervisors and
// their app processes) by the pids recorded under the data dir.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { baseChildEnv } from '../../src/platform/env.js';
import { nodeArgvFor, projectRoot } from './entry.js';

export interface ServerProcessOptions {
  dataDir: string;
  /** Extra environment (wins over the defaults, e.g. SLIPWAY_EDGE=off, SLIPWAY_FAULT_CRASH_AT). */
  env?: Record<string, string>;
  /** How long to wait for server.json and /healthz (default 30 s). */
  timeoutMs?: number;
  /** `node` arguments that run the CLI (default: `nodeArgvFor('src/cli/main.ts')`); "server" is appended. */
  cliArgv?: string[];
  /** Run the server as this user (the test runs as root). */
  user?: { uid: number; gid: number };
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  url: string;
  /** The admin token of the data dir (`<dataDir>/admin.token`, written on its first start). */
  token: string;
  pid: number;
  /** The argv the server was started with (after `node`), to see whether it ran compiled or under tsx. */
  argv: string[];
  /** Milliseconds from spawn until /healthz first answered 200. */
  startupMs: number;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the child has exited (never rejects). */
  exited: Promise<ServerExit>;
  /** Everything the child wrote to stdout and stderr so far. */
  logs(): string;
}

/** `--import tsx` resolves from the working directory; make it absolute so any cwd works. */
export function cliNodeArgv(): string[] {
  return nodeArgvFor('src/cli/main.ts').map((a) => (a === 'tsx' ? import.meta.resolve('tsx') : a));
}

/**
 * Spawns `slipway server` with SLIPWAY_DATA_DIR, SLIPWAY_PORT=0 and SLIPWAY_EDGE_PORT=0, and
 * resolves once `<dataDir>/server.json` names the child's pid and its /healthz answers 200.
 * Rejects (after SIGKILLing the child) if it exits first or the timeout passes.
 */
export async function startServerProcess(opts: ServerProcessOptions): Promise<ServerProcess> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const argv = [...(opts.cliArgv ?? cliNodeArgv()), 'server'];
  const started = performance.now();
  const child = spawn(process.execPath, argv, {
    cwd: projectRoot,
    env: {
      ...baseChildEnv(),
      SLIPWAY_DATA_DIR: opts.dataDir,
      SLIPWAY_PORT: '0',
      SLIPWAY_EDGE_PORT: '0',
      SLIPWAY_EDGE_HTTPS_PORT: '0',
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  let exit: ServerExit | null = null;
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('error', (err) => {
      output += `\n[spawn error] ${err.message}\n`;
      exit ??= { code: null, signal: null };
      resolve(exit);
    });
    child.once('close', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  const pid = child.pid;
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (exit === null) child.kill(signal);
  };

  const deadline = Date.now() + timeoutMs;
  let url: string | null = null;
  while (Date.now() < deadline && exit === null && pid !== undefined) {
    url ??= await serverUrlFor(opts.dataDir, pid);
    if (url !== null && (await healthy(url))) {
      const startupMs = performance.now() - started;
      const token = (await readFile(path.join(opts.dataDir, 'admin.token'), 'utf8')).trim();
      return { url, token, pid, argv, startupMs, kill, exited, logs: () => output };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const why = exit !== null ? `exited (${describeExit(exit)})` : `did not answer /healthz within ${timeoutMs} ms`;
  kill('SIGKILL');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  throw new Error(`slipway server ${why}; its output:\n${output}`);
}

function describeExit(e: ServerExit): string {
  return e.signal ? `signal ${e.signal}` : `code ${String(e.code)}`;
}

/** The url of server.json when it names this pid (a stale file of an earlier run does not count). */
async function serverUrlFor(dataDir: string, pid: number): Promise<string | null> {
  try {
    const info = JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as { url?: unknown; pid?: unknown };
    return info.pid === pid && typeof info.url === 'string' ? info.url : null;
  } catch {
    return null; // not written yet, or half-written
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs what a control plane left running detached on `dataDir`: the edge (`edge/edge.json`),
 * every release supervisor and its app instances (`apps/<app>/<env>/run/<release>/state.json`
 * and `supervisor.pid`). Each of those runs in its own process group, so the group is killed.
 * Returns the pids it signalled.
 */
export async function killDetached(dataDir: string): Promise<number[]> {
  const pids = await detachedPids(dataDir);
  const signalled: number[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
        signalled.push(pid);
        break;
      } catch {
        // no such group / process: try the next form, or it is gone already
      }
    }
  }
  return signalled;
}

/** The pids a control plane's detached processes on `dataDir` wrote down: the edge, each release supervisor and its app instances. */
export async function detachedPids(dataDir: string): Promise<Set<number>> {
  const pids = new Set<number>();
  const edge = await readJson(path.join(dataDir, 'edge', 'edge.json'));
  if (isRecord(edge) && isPid(edge['pid'])) pids.add(edge['pid']);
  const edgePid = await readJson(path.join(dataDir, 'edge', 'edge.pid'));
  if (isPid(edgePid)) pids.add(edgePid);
  for (const runDir of await runDirs(dataDir)) {
    const state = await readJson(path.join(runDir, 'state.json'));
    if (isRecord(state)) {
      if (isPid(state['supervisorPid'])) pids.add(state['supervisorPid']);
      const instances = Array.isArray(state['instances']) ? (state['instances'] as unknown[]) : [];
      for (const inst of instances) if (isRecord(inst) && isPid(inst['pid'])) pids.add(inst['pid']);
    }
    const supervisorPid = await readJson(path.join(runDir, 'supervisor.pid'));
    if (isPid(supervisorPid)) pids.add(supervisorPid);
  }
  return pids;
}

async function runDirs(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const apps = path.join(dataDir, 'apps');
  for (const app of await list(apps)) {
    for (const env of await list(path.join(apps, app))) {
      const runRoot = path.join(apps, app, env, 'run');
      for (const release of await list(runRoot)) out.push(path.join(runRoot, release));
    }
  }
  return out;
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPid(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 1;
}
