// Issue 2's crash-safety acceptance with a real server process: for every step boundary of the
// deploy plan, the control plane kills itself with SIGKILL there (SLIPWAY_FAULT_CRASH_AT) and is
// started again. Every interrupted deployment must reach a terminal state, release its lock, leave
// the right release live, and the next deploy of the environment must run. The app is requested
// through the edge the whole time and must never fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ApiClient } from '../../src/cli/api-client.js';
import type { Deployment } from '../../src/core/model.js';
import { startLoad, type RunningLoad } from '../support/load-generator.js';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { stopControlPlane } from '../support/cleanup.js';

const STEPS = [
  'resolve-source',
  'fetch-source',
  'register-release',
  'build',
  'test',
  'certificates',
  'stage',
  'backup',
  'release-phase',
  'start',
  'switch-traffic',
  'record-release',
  'after-deploy',
  'retire-previous',
  'prune',
];
const POINTS = STEPS.flatMap((s) => [`before:${s}`, `after:${s}`]);
const COMMITTED_FROM = POINTS.indexOf('after:record-release');

describe('crash safety at every step boundary', { timeout: 900_000 }, () => {
  let dataDir: string;
  let app: FixtureApp;
  let server: ServerProcess;
  let client: ApiClient;
  let load: RunningLoad;

  async function restart(env: Record<string, string> = {}) {
    server = await startServerProcess({ dataDir, env });
    client = apiClient(server.url, server.token);
  }

  async function live(): Promise<string | null> {
    const { environments } = await client.status('web');
    return environments.find((e) => e.environment === 'staging')?.live?.release ?? null;
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-crash-'));
    app = await createFixtureApp();
    await app.release(1);
    await restart();
    await client.createApp({ name: 'web', repo: app.repo.bare });
    const { deployment } = await client.deploy('web', 'staging');
    assert.equal((await waitTerminal(client, deployment.id)).status, 'succeeded');
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    load = startLoad({ url: `http://127.0.0.1:${edge.port}/`, headers: { host: 'web.test' }, concurrency: 2, maxDurationMs: 800_000 });
    server.kill('SIGTERM');
    await server.exited;
  });

  after(async () => {
    await load?.stop();
    await stopControlPlane(server, dataDir);
    await app?.repo.cleanup();
  });

  test('every boundary: killed, restarted, terminal, unlocked, and the next deploy runs', async () => {
    const outcomes: string[] = [];
    for (const [i, point] of POINTS.entries()) {
      await restart({ SLIPWAY_FAULT_CRASH_AT: point });
      const liveBefore = await live();
      // The crash can come before the 202 is even sent (the engine starts at once), so the
      // deployment is looked up after the restart rather than taken from the response.
      const queued = await client.deploy('web', 'staging').catch(() => null);
      const exit = await Promise.race([server.exited, new Promise((r) => setTimeout(r, 60_000, { timeout: true }))]);
      assert.equal((exit as { signal?: string }).signal, 'SIGKILL', `${point}: the server should have died there, got ${JSON.stringify(exit)}`);

      await restart();
      const { deployments } = await client.listDeployments({ app: 'web', env: 'staging', limit: 1 });
      const deployment = deployments[0]!;
      if (queued) assert.equal(deployment.id, queued.deployment.id);
      const done = await waitTerminal(client, deployment.id, 60_000);
      outcomes.push(`${point}=${done.status}`);
      const committed = i >= COMMITTED_FROM;
      assert.equal(done.status, committed ? 'succeeded' : 'failed', `${point}: ${done.error ?? ''}`);
      if (!committed) assert.match(done.error ?? '', /interrupted/);
      const { locks } = await client.listLocks();
      assert.deepEqual(locks, [], `${point}: the lock was released`);
      assert.equal(await live(), committed ? done.releaseId : liveBefore, `${point}: live release`);
      server.kill('SIGTERM');
      await server.exited;
    }
    await restart();
    const { deployment } = await client.deploy('web', 'staging');
    const done = await waitTerminal(client, deployment.id);
    assert.equal(done.status, 'succeeded', `the deploy after the last crash: ${done.error ?? ''}`);
    assert.equal(await live(), done.releaseId);
    const report = await load.stop();
    assert.equal(report.failures, 0, `requests failed while the control plane crashed: ${JSON.stringify(report.failureSamples)}`);
    assert.ok(report.total > 100, `only ${report.total} requests were made`);
    assert.equal(outcomes.length, POINTS.length, outcomes.join(' '));
  });
});
