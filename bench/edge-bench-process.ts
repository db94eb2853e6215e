// The edge as a separate process for the benchmarks: a route to one upstream, access log to a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { StaticMount } from '../src/core/ports/edge-control.js';
import { EdgeClient } from '../src/edge/admin/edge-client.js';
import { nodeArgvFor } from '../test/support/entry.js';
import { waitForPort } from './edge-bench-nginx.js';

export interface EdgeProcess {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node [nodeArgs] <entry>` (default: this tree's src/edge/main.ts, or its compiled file)
 * listening on 127.0.0.1:`port`, its stdout (access log) into `accessLogFile`.
 */
export async function startEdgeProcess(
  dataDir: string,
  port: number,
  accessLogFile: string,
  opts: { nodeArgs?: string[]; entry?: string; httpsPort?: number } = {},
): Promise<EdgeProcess> {
  const fd = openSync(accessLogFile, 'w');
  const entryArgv = opts.entry ? [opts.entry] : nodeArgvFor('src/edge/main.ts');
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entryArgv], {
    env: {
      PATH: process.env.PATH ?? '',
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_EDGE_HOST: '127.0.0.1',
      SLIPWAY_EDGE_PORT: String(port),
      SLIPWAY_EDGE_HTTPS_PORT: opts.httpsPort === undefined ? 'off' : String(opts.httpsPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', fd, 'inherit'],
  });
  closeSync(fd);
  await waitForPort(port, 15_000, () => (child.exitCode !== null ? `edge exited with ${child.exitCode}` : undefined));
  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid ?? 0,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      })),
  };
}

/** Points the edge's route (catch-all unless `hosts` are given) at `upstreamPort`, as the benchmarks use it. */
export async function putBenchRoute(dataDir: string, upstreamPort: number, opts: { hosts?: string[]; tls?: { hsts: boolean }; static?: StaticMount[] } = {}): Promise<void> {
  const client = EdgeClient.forDataDir(dataDir);
  try {
    await client.putRoute({
      id: 'bench/prod',
      hosts: opts.hosts ?? [],
      pathPrefix: '/',
      stripPrefix: false,
      targets: [{ url: `http://127.0.0.1:${upstreamPort}` }],
      healthCheck: { path: '/', intervalMs: 1000, timeoutMs: 1000, healthyThreshold: 1 },
      drainTimeoutMs: 1000,
      releaseHeader: 'X-Slipway-Release',
      release: 'bench',
      maintenance: null,
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.static ? { static: opts.static } : {}),
    });
  } finally {
    await client.close();
  }
}
