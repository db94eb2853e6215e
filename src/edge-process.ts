// Part of the composition root: makes sure an edge process serves this data dir. The edge is
// started detached, so it keeps serving while the control plane restarts or is down.
import { mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchDetached } from './platform/detached-launch.js';
import { baseChildEnv } from './platform/env.js';
import { sleep } from './platform/clock.js';

export interface EdgeProcessOptions {
  dataDir: string;
  host: string;
  port: number;
  /** The HTTPS listener's port (0: a free one) or 'off' (SLIPWAY_EDGE_HTTPS_PORT); absent: the edge's default. */
  httpsPort?: number | 'off';
  logLevel: string;
  /** Peers whose forwarding headers the edge passes on (SLIPWAY_EDGE_TRUSTED_PROXIES). */
  trustedProxies?: readonly string[];
}

export interface EdgeInfo {
  pid: number;
  port: number;
  /** The HTTPS listener's port, null when it is off (absent in edge.json of an edge without HTTPS). */
  httpsPort?: number | null;
  host: string;
  adminSocket: string;
  startedHere: boolean;
}

function edgeMainArgs(): string[] {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  if (here.endsWith('.ts')) return ['--import', import.meta.resolve('tsx'), path.join(dir, 'edge', 'main.ts')];
  return [path.join(dir, 'edge', 'main.js')];
}

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'edge', 'admin.sock');
}

/** Resolves true when the edge's admin API answers on its socket. */
export function edgeAnswers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/healthz', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

type EdgeJson = { pid: number; port: number; httpsPort?: number | null; host: string };

async function readEdgeJson(dataDir: string): Promise<EdgeJson | null> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as EdgeJson;
  } catch {
    return null;
  }
}

/** Uses the running edge of this data dir, or starts one and waits until it answers. */
export async function ensureEdge(opts: EdgeProcessOptions, timeoutMs = 15_000): Promise<EdgeInfo> {
  const socket = adminSocketPath(opts.dataDir);
  if (await edgeAnswers(socket)) {
    const info = await readEdgeJson(opts.dataDir);
    if (info) return { ...info, adminSocket: socket, startedHere: false };
  }
  const dir = path.join(opts.dataDir, 'edge');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const edge = await launchDetached([process.execPath, ...edgeMainArgs()], {
    name: 'the edge',
    env: {
      ...baseChildEnv(),
      SLIPWAY_DATA_DIR: opts.dataDir,
      SLIPWAY_EDGE_HOST: opts.host,
      SLIPWAY_EDGE_PORT: String(opts.port),
      ...(opts.httpsPort !== undefined ? { SLIPWAY_EDGE_HTTPS_PORT: String(opts.httpsPort) } : {}),
      LOG_LEVEL: opts.logLevel,
      ...(opts.trustedProxies?.length ? { SLIPWAY_EDGE_TRUSTED_PROXIES: opts.trustedProxies.join(',') } : {}),
    },
    logFile: path.join(dir, 'edge.log'),
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exited = edge.ended();
    if (exited) {
      const log = await readFile(path.join(dir, 'edge.log'), 'utf8').catch(() => '');
      const last = log.trim().split('\n').slice(-1)[0] ?? '';
      const hint = /EADDRINUSE/.test(last) ? `; a port is taken (HTTP ${opts.port}, HTTPS ${opts.httpsPort ?? 'default'}): set SLIPWAY_EDGE_PORT or SLIPWAY_EDGE_HTTPS_PORT to a free port` : '';
      throw new Error(`the edge ${exited}: ${last.slice(0, 300)}${hint} (log: ${path.join(dir, 'edge.log')})`);
    }
    if (await edgeAnswers(socket, 500)) {
      const info = await readEdgeJson(opts.dataDir);
      if (info) return { ...info, adminSocket: socket, startedHere: true };
    }
    await sleep(100);
  }
  throw new Error(`the edge did not start within ${timeoutMs} ms; see ${path.join(dir, 'edge.log')}`);
}
