// Issue 12 item 2: the edge heals and the routes are rebuilt from the store. A real `slipway
// server` process with its detached edge and supervisors: the edge is SIGKILLed and traffic comes
// back on every route; its route snapshot is damaged or deleted and the server restarted; and a
// deploy while the edge is down and cannot be restarted fails naming the edge.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../src/cli/api-client.js';
import type { App, Environment, Release } from '../../src/core/model.js';
import type { ServiceSpec } from '../../src/drivers/swarm/compose/swarm-types.js';
import { SwarmDriver } from '../../src/drivers/swarm/swarm-driver.js';
import { RouteReconciler } from '../../src/services/route-reconciler.js';
import { RecordingEdge } from '../drivers/process/recording-edge.js';
import { runCli } from '../cli/run-cli.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { waitUntil } from '../support/wait-until.js';

/** The two routes of the fixture app's environments: staging at web.test/, event1 at web.test/event1. */
const ROUTES = [
  { env: 'staging', path: '/' },
  { env: 'event1', path: '/event1' },
];

describe('the edge heals and its routes are rebuilt from the store', { timeout: 300_000 }, () => {
  let dataDir: string;
  let app: FixtureApp;
  let server: ServerProcess | undefined;
  let client: ApiClient;

  async function start(): Promise<void> {
    // Reconciled every second, so a lost route is back well within the waits below.
    server = await startServerProcess({ dataDir, env: { SLIPWAY_EDGE_RECONCILE_SECONDS: '1' } });
    client = apiClient(server.url, server.token);
  }
  async function stop(): Promise<void> {
    server?.kill('SIGTERM');
    await server?.exited;
    server = undefined;
  }
  async function edgeJson(dir = path.join(dataDir, 'edge')): Promise<{ pid: number; port: number }> {
    return JSON.parse(await readFile(path.join(dir, 'edge.json'), 'utf8')) as { pid: number; port: number };
  }
  /** Every route answers 200 through the edge on `port`. */
  async function allRoutesServe(port: number): Promise<boolean> {
    for (const r of ROUTES) if ((await get(port, r.path)) !== 200) return false;
    return true;
  }
  async function killEdge(pid: number): Promise<void> {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    await waitUntil(`edge ${pid} to be gone`, () => !alive(pid), 5000, 20);
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-heal-'));
    app = await createFixtureApp();
    await app.release(1);
    await start();
    await client.createApp({ name: 'web', repo: app.repo.bare });
    for (const r of ROUTES) {
      const { deployment } = await client.deploy('web', r.env);
      const done = await waitTerminal(client, deployment.id);
      assert.equal(done.status, 'succeeded', `${r.env}: ${done.error ?? ''}`);
    }
    assert.ok(await allRoutesServe((await edgeJson()).port), 'both routes serve before the edge is touched');
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await app?.repo.cleanup();
  });

  test('a SIGKILLed edge is restarted on its port and serves every route again', async () => {
    const { pid, port } = await edgeJson();
    await killEdge(pid);
    await waitUntil('traffic on every route through a restarted edge', () => allRoutesServe(port), 20_000, 100);
    const restarted = await edgeJson();
    assert.notEqual(restarted.pid, pid, 'a new edge process serves');
    assert.equal(restarted.port, port, 'on the same port');
    // The edge serves a moment before the control plane has seen it answer on its admin socket.
    await waitUntil('status to show the edge up again', async () => (await client.status()).edge?.state === 'up', 5000, 50);
    const { edge } = await client.status();
    assert.ok((edge?.restarts ?? 0) >= 1, `restarts counted: ${JSON.stringify(edge)}`);
  });

  for (const damage of ['damaged', 'deleted'] as const) {
    test(`a ${damage} route snapshot is rebuilt from the store and does not stop the server from starting`, async () => {
      await stop();
      await killEdge((await edgeJson()).pid);
      const snapshot = path.join(dataDir, 'edge', 'routes.json');
      if (damage === 'damaged') await writeFile(snapshot, '{"version": 1, "routes": [ {"route": tru');
      else await rm(snapshot);
      await start();
      // SLIPWAY_EDGE_PORT is 0 here: the new edge has a port of its own.
      const { port } = await edgeJson();
      await waitUntil('every route rebuilt from the store', () => allRoutesServe(port), 30_000, 100).catch((err: Error) => {
        throw new Error(`${err.message}; the server said:\n${server?.logs() ?? ''}`);
      });
      // The edge serves a moment before the control plane has seen it answer on its admin socket.
      await waitUntil('status to show the edge up', async () => (await client.status()).edge?.state === 'up', 5000, 50);
      if (damage === 'damaged') {
        const aside = (await readdir(path.join(dataDir, 'edge'))).filter((f) => f.startsWith('routes.json.damaged-'));
        assert.equal(aside.length, 1, 'the damaged snapshot is kept aside for inspection');
      }
      // The snapshot is written after the routes are applied: wait for it to name both.
      const savedIds = async () => {
        const text = await readFile(snapshot, 'utf8').catch(() => '');
        try {
          return (JSON.parse(text) as { routes: { route: { id: string } }[] }).routes.map((r) => r.route.id).sort();
        } catch {
          return [];
        }
      };
      await waitUntil('the rebuilt snapshot to hold both routes', async () => (await savedIds()).length === 2, 5000, 50);
      assert.deepEqual(await savedIds(), ['web/event1', 'web/staging']);
    });
  }

  test('a deploy while the edge is down and cannot be restarted fails naming the edge; it heals once it can start', async () => {
    const edgeDir = path.join(dataDir, 'edge');
    const moved = path.join(dataDir, 'edge.moved');
    const { pid, port } = await edgeJson();
    const { environments } = await client.status('web');
    const liveBefore = environments.find((e) => e.environment === 'staging')?.live?.release;
    // Unstartable: a file where the edge's directory should be. Then the running edge is killed.
    await rename(edgeDir, moved);
    await writeFile(edgeDir, 'not a directory\n');
    await killEdge(pid);
    await waitUntil('status to show the edge down', async () => (await client.status()).edge?.state === 'down', 20_000, 100);

    await app.release(2);
    const cli = await runCli(['deploy', 'web', 'staging'], { env: { SLIPWAY_URL: server!.url, SLIPWAY_TOKEN: server!.token }, timeoutMs: 120_000 });
    assert.equal(cli.code, 1, `the deploy must fail:\n${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stderr, /the edge is down and could not be restarted/);
    assert.doesNotMatch(cli.stderr, /still serving|serving again/);
    assert.match(cli.stderr, /nothing is being served until the edge runs again/);
    const { deployments } = await client.listDeployments({ app: 'web', env: 'staging', limit: 1 });
    const failed = deployments[0]!;
    assert.equal(failed.status, 'failed', failed.error ?? '');
    assert.match(failed.error ?? '', /switch-traffic: the edge is down and could not be restarted \(restart failed: .*edge/);

    const status = await runCli(['status'], { env: { SLIPWAY_URL: server!.url, SLIPWAY_TOKEN: server!.token } });
    assert.match(status.stdout, /edge: DOWN since .*nothing reaches the apps/);

    // Startable again: the control plane restarts it (backoff at most 15 s) with every route.
    await rm(edgeDir);
    await rename(moved, edgeDir);
    await waitUntil('traffic on every route once the edge can start', () => allRoutesServe(port), 40_000, 200);
    await waitUntil('status to show the edge up again', async () => (await client.status()).edge?.state === 'up', 5000, 50);
    const after = await client.status('web');
    assert.equal(after.environments.find((e) => e.environment === 'staging')?.live?.release, liveBefore, 'the live release is unchanged');
  });
});

describe('the Swarm edge is given every live route again after its service restarted', () => {
  test('a restarted, empty Swarm edge gets the live release\'s route from its recorded spec, once', async () => {
    const now = new Date().toISOString();
    const app: App = { id: 'a1', name: 'shop', repo: '/dev/null', driver: 'swarm', createdAt: now };
    const env: Environment = { id: 'e1', appId: 'a1', name: 'prod', branch: 'main', createdAt: now };
    const web: ServiceSpec = {
      Name: 'shop-prod_web',
      Labels: { 'slipway.route.port': '3000' },
      TaskTemplate: { ContainerSpec: { Image: 'img', Labels: {} } },
      Mode: { Replicated: { Replicas: 2 } },
    };
    const live: Release = {
      id: 'r7', appId: 'a1', environmentId: 'e1', deploymentId: 'd1', commitSha: null, commitSubject: null, artifact: 'img@sha256:1',
      status: 'live', notes: [], trigger: 'manual', deployedBy: 'admin', createdAt: now, deployedAt: now,
      spec: { file: 'slipway.yml', text: 'driver: swarm\nswarm: { registry: 127.0.0.1:5000 }\nenvironments:\n  prod:\n    route: { host: shop.test }\n' },
      driverState: { stack: 'shop-prod', image: 'img@sha256:1', imageServices: ['web'], compose: '', composeFile: 'compose.yml', services: [web] },
    };
    const edge = new RecordingEdge(); // the restarted service's edge: no routes
    const driver = new SwarmDriver({ engine: () => Promise.reject(new Error('the recorded specs need no engine')), edge: { control: edge } });
    const reconciler = new RouteReconciler({
      kind: 'swarm',
      driver: () => driver,
      edge,
      store: {
        listApps: async () => [app],
        listEnvironments: async () => [env],
        liveReleases: async () => new Map([['e1', { ...live, spec: {}, driverState: {} }]]),
        getRelease: async (id) => (id === live.id ? live : null),
        listLocks: async () => [],
        getLock: async () => null,
      },
    });
    const first = await reconciler.reconcile();
    assert.deepEqual(first.repaired, ['shop/prod -> r7'], JSON.stringify(first.failures));
    const route = edge.routes.get('shop/prod');
    assert.deepEqual(route?.hosts, ['shop.test']);
    assert.deepEqual(route?.targets, [{ url: 'http://tasks.shop-prod_web:3000', discover: 'dns', release: 'r7' }]);
    const second = await reconciler.reconcile();
    assert.deepEqual(second, { ...second, live: 1, repaired: [], failures: [] }, 'a route the edge has is left alone');
  });
});

/** Whether the process runs (a zombie, killed but not yet reaped by its parent, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The status of GET `url` through the edge for host web.test; 0 when the edge does not answer. */
function get(port: number, url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: url, headers: { host: 'web.test' }, timeout: 2000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}
