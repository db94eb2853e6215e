// Starts an edge in-process on port 0 with a temp data dir, plus its client and a route builder.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import type { EdgeRoute } from '../../src/core/ports/edge-control.js';
import { EdgeClient, type RouteHealth } from '../../src/edge/admin/edge-client.js';
import { startEdge, type EdgeOptions, type RunningEdge } from '../../src/edge/main.js';
import { waitUntil } from '../support/wait-until.js';

export interface TestEdge {
  edge: RunningEdge;
  client: EdgeClient;
  dataDir: string;
  base: string;
  accessLines: string[];
  get(pathname: string, headers?: Record<string, string>): Promise<TestResponse>;
  close(opts?: { keepDir?: boolean }): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const dispatcher = new Agent({ keepAliveTimeout: 1000 });

export async function startTestEdge(opts: Partial<EdgeOptions> = {}): Promise<TestEdge> {
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'edge-')));
  const accessLines: string[] = [];
  const edge = await startEdge({
    host: '127.0.0.1',
    port: 0,
    healthDeadlineMs: 2000,
    shutdownTimeoutMs: 2000,
    accessLog: { write: (line: string) => accessLines.push(line) },
    ...opts,
    dataDir,
  });
  const client = new EdgeClient(edge.adminSocket);
  const base = `http://127.0.0.1:${edge.port}`;
  return {
    edge,
    client,
    dataDir,
    base,
    accessLines,
    get: (pathname, headers) => httpGet(`${base}${pathname}`, headers),
    async close(closeOpts) {
      await client.close();
      await edge.close();
      if (!closeOpts?.keepDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function httpGet(url: string, headers: Record<string, string> = {}): Promise<TestResponse> {
  const res = await request(url, { headers, dispatcher, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

export function route(id: string, targets: string[], overrides: Partial<EdgeRoute> = {}): EdgeRoute {
  return {
    id,
    hosts: [],
    pathPrefix: '/',
    stripPrefix: false,
    targets: targets.map((url) => ({ url })),
    healthCheck: { path: '/health', intervalMs: 100, timeoutMs: 500, healthyThreshold: 1 },
    drainTimeoutMs: 2000,
    releaseHeader: null,
    release: null,
    maintenance: null,
    ...overrides,
  };
}

/**
 * Polls the route's health report (GET /routes/:id/health) until `cond` holds and returns that
 * report; fails naming `what` after `timeoutMs`.
 */
export async function waitForHealth(
  client: EdgeClient,
  routeId: string,
  what: string,
  cond: (health: RouteHealth) => boolean,
  timeoutMs = 5000,
): Promise<RouteHealth> {
  let seen: RouteHealth | null = null;
  try {
    await waitUntil(
      what,
      async () => {
        seen = await client.routeHealth(routeId);
        return seen !== null && cond(seen);
      },
      timeoutMs,
      20,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last health of ${routeId}: ${JSON.stringify(seen)}`);
  }
  return seen as unknown as RouteHealth;
}
