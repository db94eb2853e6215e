// Issue 3's acceptance, end to end: a real control plane process, the real edge and supervisors,
// a real git repository, and a load generator sending requests through the edge the whole time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import { startLoad, type LoadReport } from '../support/load-generator.js';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { stopControlPlane } from '../support/cleanup.js';
import { waitUntil } from '../support/wait-until.js';

const HOST = 'web.test';
const MIN_REQUESTS = 5000;
/** Requests sent after a mark() that must be answered before the load stops. */
const AFTER_MARK = 500;

describe('process driver behind the edge: zero-downtime deploys', { timeout: 600_000 }, () => {
  let dataDir: string;
  let app: FixtureApp;
  let server: ServerProcess;
  let client: ApiClient;
  let edgeUrl: string;
  /** Release id -> the version it serves, for every release this file deployed. */
  const versions = new Map<string, number>();

  async function restart(env: Record<string, string> = {}): Promise<void> {
    server = await startServerProcess({ dataDir, env });
    client = apiClient(server.url, server.token);
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-'));
    app = await createFixtureApp();
    await app.release(1);
    await restart();
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    edgeUrl = `http://127.0.0.1:${edge.port}`;
    await client.createApp({ name: 'web', repo: app.repo.bare });
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await app?.repo.cleanup();
  });

  /**
   * Runs `during` while the load generator sends requests; returns the report (>= MIN_REQUESTS,
   * and when `during` marked, >= AFTER_MARK answers to requests sent after the mark).
   */
  async function underLoad<T>(during: (mark: () => void) => Promise<T>): Promise<{ result: T; report: LoadReport }> {
    const load = startLoad({ url: `${edgeUrl}/`, headers: { host: HOST }, concurrency: 8, maxDurationMs: 240_000 });
    let marked = false;
    await waitUntil('500 requests before the change', () => load.completed >= 500, 60_000, 20);
    const result = await during(() => {
      marked = true;
      load.mark();
    });
    await waitUntil(`${MIN_REQUESTS} requests in all${marked ? `, ${AFTER_MARK} of them after the mark` : ''}`, () => load.completed >= MIN_REQUESTS && (!marked || load.answeredAfterMark >= AFTER_MARK), 240_000, 20);
    const report = await load.stop();
    return { result, report };
  }

  async function deploy(env = 'staging') {
    const { deployment } = await client.deploy('web', env);
    return waitTerminal(client, deployment.id);
  }

  /** The live release of staging, or null. */
  async function liveStaging(): Promise<string | null> {
    const { environments } = await client.status('web');
    return environments.find((e) => e.environment === 'staging')?.live?.release ?? null;
  }

  /**
   * Makes version `n` of the app live on staging (unless a release of it already is) and returns
   * its release id: each test sets up the state it starts from, so that it also passes alone.
   */
  async function serving(n: number): Promise<string> {
    const live = await liveStaging();
    if (live !== null && versions.get(live) === n) return live;
    await app.release(n);
    const d = await deploy();
    assert.equal(d.status, 'succeeded', d.error ?? '');
    versions.set(d.releaseId!, n);
    return d.releaseId!;
  }

  test('v1 deploys and answers through the edge', async () => {
    await app.release(1);
    const d = await deploy();
    assert.equal(d.status, 'succeeded', d.error ?? '');
    versions.set(d.releaseId!, 1);
    const res = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'v1');
    assert.equal(res.headers['x-slipway-release'], d.releaseId);
  });

  test('v1 -> v2 under load: zero failed requests, v2 answers every request after the cutover', async () => {
    await serving(1);
    await app.release(2);
    const { result: d, report } = await underLoad(async (mark) => {
      const done = await deploy();
      mark();
      return done;
    });
    assert.equal(d.status, 'succeeded', d.error ?? '');
    versions.set(d.releaseId!, 2);
    assert.ok(report.total >= MIN_REQUESTS, `only ${report.total} requests`);
    assert.equal(report.failures, 0, JSON.stringify(report.failureSamples));
    assert.deepEqual(Object.keys(report.bodiesAfterMark), ['v2'], JSON.stringify(report.bodiesAfterMark));
    assert.ok((report.bodies['v1'] ?? 0) > 0, 'v1 served before the cutover');
  });

  test('v3 with a failing health check: the deploy fails, v2 keeps serving, zero failed requests', async () => {
    const v2 = await serving(2);
    await app.release(3, { unhealthy: true });
    const { result: d, report } = await underLoad(() => deploy());
    assert.equal(d.status, 'failed');
    assert.match(d.error ?? '', /start/);
    assert.match(await logText(client, d.id), /health|healthy/i);
    assert.equal(report.failures, 0, JSON.stringify(report.failureSamples));
    assert.deepEqual(Object.keys(report.bodies), ['v2']);
    assert.equal(await liveStaging(), v2);
  });

  test('rollback to v1 under load: zero failed requests, then v1 answers', async () => {
    const v1 = [...versions].find(([, n]) => n === 1)?.[0] ?? (await serving(1));
    await serving(2);
    const { result: d, report } = await underLoad(async (mark) => {
      const { deployment } = await client.rollback('web', 'staging', { to: v1 });
      const done = await waitTerminal(client, deployment.id);
      mark();
      return done;
    });
    assert.equal(d.status, 'succeeded', d.error ?? '');
    versions.set(d.releaseId!, 1);
    assert.equal(report.failures, 0, JSON.stringify(report.failureSamples));
    assert.deepEqual(Object.keys(report.bodiesAfterMark), ['v1']);
    const log = await logText(client, d.id);
    assert.doesNotMatch(log, /==> build/, 'a rollback does not build');
    assert.doesNotMatch(log, /==> release-phase/, 'a rollback does not migrate');
  });

  test('a failed migration fails the deploy before traffic moves', async () => {
    await serving(1);
    await app.release(4, { failMigration: true });
    const d = await deploy();
    assert.equal(d.status, 'failed');
    assert.match(d.error ?? '', /release-phase/);
    const { deployment } = await client.getDeployment(d.id);
    const ran = deployment.steps.map((s) => s.name);
    assert.ok(!ran.includes('start') && !ran.includes('switch-traffic'), `steps run: ${ran.join(', ')}`);
    assert.match(await logText(client, d.id), /column "email" already exists/);
    const res = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(await res.body.text(), 'v1');
  });

  test('the control plane killed with SIGKILL during a deploy: the app keeps serving, the deploy ends terminal', async () => {
    await serving(1);
    await app.release(5);
    const { report } = await underLoad(async () => {
      server.kill('SIGTERM');
      await server.exited;
      await restart({ SLIPWAY_FAULT_CRASH_AT: 'after:start' });
      const { deployment } = await client.deploy('web', 'staging');
      await server.exited;
      await restart();
      const done = await waitTerminal(client, deployment.id);
      assert.equal(done.status, 'failed');
      assert.match(done.error ?? '', /interrupted/);
      const again = await deploy();
      assert.equal(again.status, 'succeeded', again.error ?? '');
      versions.set(again.releaseId!, 5);
      return again;
    });
    assert.equal(report.failures, 0, JSON.stringify(report.failureSamples));
    assert.ok((report.bodies['v1'] ?? 0) > 0 && (report.bodies['v5'] ?? 0) > 0, JSON.stringify(report.bodies));
  });

  test('maintenance mode answers 503 with the page and Retry-After; off serves the app again', async () => {
    await serving(5);
    await client.setMaintenance('web', 'staging', { enabled: true, message: 'Upgrading <the> database' });
    const res = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(res.statusCode, 503);
    assert.ok(res.headers['retry-after']);
    const page = await res.body.text();
    assert.match(page, /Upgrading &lt;the&gt; database/);
    const health = await request(`${edgeUrl}/healthz`, { headers: { host: HOST } });
    assert.equal(health.statusCode, 200, 'health probes still reach the app');
    await health.body.dump();
    const during = (await client.status()).environments.find((e) => e.app === 'web' && e.environment === 'staging');
    assert.deepEqual(during?.maintenance, { message: 'Upgrading <the> database' }, 'status says the environment is in maintenance');
    await client.setMaintenance('web', 'staging', { enabled: false });
    const afterOff = (await client.status()).environments.find((e) => e.app === 'web' && e.environment === 'staging');
    assert.equal(afterOff?.maintenance, null);
    const back = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(back.statusCode, 200);
    assert.equal(await back.body.text(), 'v5');
  });

  test('an environment mounted under /event1 sees X-Forwarded-Prefix and the stripped path', async () => {
    await serving(5);
    const d = await deploy('event1');
    assert.equal(d.status, 'succeeded', d.error ?? '');
    const res = await request(`${edgeUrl}/event1/headers`, { headers: { host: HOST } });
    assert.equal(res.statusCode, 200);
    const seen = (await res.body.json()) as { path: string; headers: Record<string, string> };
    assert.equal(seen.path, '/headers');
    assert.equal(seen.headers['x-forwarded-prefix'], '/event1');
    assert.equal(seen.headers['x-forwarded-host'], HOST);
    const root = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(await root.body.text(), 'v5', 'the staging route at / is untouched');
  });
});
