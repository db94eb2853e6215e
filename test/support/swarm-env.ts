// Where the Swarm test suite finds its engine and registry: the env file written by
// scripts/swarm-up.sh (SLIPWAY_SWARM_ENV, default /tmp/slipway-swarm/env), or DOCKER_HOST +
// SLIPWAY_TEST_REGISTRY in the environment. Under CI=true a missing engine FAILS the suite.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';

export interface SwarmTestEnv {
  /** unix:///path/docker.sock or tcp://host:port */
  dockerHost: string;
  socketPath: string | null;
  /** "127.0.0.1:5000" */
  registry: string;
}

export type SwarmEnvResult = { ok: true; env: SwarmTestEnv } | { ok: false; reason: string };

const DEFAULT_ENV_FILE = '/tmp/slipway-swarm/env';

function parseEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

function ping(socketPath: string, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export async function findSwarmEnv(): Promise<SwarmEnvResult> {
  const envFile = process.env['SLIPWAY_SWARM_ENV'] ?? DEFAULT_ENV_FILE;
  const fromFile = existsSync(envFile) ? parseEnvFile(envFile) : {};
  const dockerHost = process.env['DOCKER_HOST'] ?? fromFile['DOCKER_HOST'];
  const registry = process.env['SLIPWAY_TEST_REGISTRY'] ?? fromFile['SLIPWAY_TEST_REGISTRY'];
  const howTo = 'start one with `scripts/swarm-up.sh` (needs `apt-get install -y docker.io docker-registry`)';
  if (!dockerHost) return { ok: false, reason: `no Docker engine: ${envFile} is missing and DOCKER_HOST is not set; ${howTo}` };
  if (!registry) return { ok: false, reason: `no test registry: SLIPWAY_TEST_REGISTRY is not set and not in ${envFile}; ${howTo}` };
  const socketPath = dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : null;
  if (socketPath && !(await ping(socketPath))) {
    return { ok: false, reason: `the Docker engine at ${dockerHost} does not answer /_ping; ${howTo}` };
  }
  return { ok: true, env: { dockerHost, socketPath, registry } };
}

/**
 * For a test file's top level: returns the env, or a `skip` reason outside CI.
 * Under CI=true a missing engine throws, so the suite fails and never silently skips.
 */
export async function requireSwarmEnv(): Promise<{ env: SwarmTestEnv | null; skip: string | false }> {
  const found = await findSwarmEnv();
  if (found.ok) return { env: found.env, skip: false };
  if (process.env['CI'] === 'true') throw new Error(`Swarm suite: ${found.reason} (CI=true: the Swarm suite must run, not skip)`);
  return { env: null, skip: `Swarm suite skipped: ${found.reason}` };
}
