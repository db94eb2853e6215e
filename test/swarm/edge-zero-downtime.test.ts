// Zero failed requests through the Swarm edge while Slipway deploys: a load generator sends GETs
// to 127.0.0.1:<edge host port> the whole time while v1 (2 replicas) -> v2 (start-first), v3
// with a failing health check (Swarm rolls back, the deployment fails with the task error, v2
// serves) and a rollback to v1 by digest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReleaseRef } from '../../src/core/ports/runtime-driver.js';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { ConvergenceError } from '../../src/drivers/swarm/stack/convergence.js';
import { removeStack } from '../../src/drivers/swarm/stack/remove-stack.js';
import { SwarmDriver } from '../../src/drivers/swarm/swarm-driver.js';
import { startLoad, type LoadReport, type RunningLoad } from '../support/load-generator.js';
import { startSwarmEdge, type SwarmEdge } from '../support/swarm-edge.js';
import { buildTestImage, busyboxSkip, webFiles } from '../support/swarm-images.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { EDGE_TEST_COMPOSE } from '../support/swarm-edge-compose.js';
import { driverContext } from './driver-context.js';

const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();

describe('zero-downtime deploys through the Swarm edge', { skip: skip || missingBusybox || false, timeout: 600_000 }, () => {
  let engine: EngineClient;
  let api: SwarmApi;
  let edge: SwarmEdge;
  let driver: SwarmDriver;
  const appName = `zd${(Date.now() % 1_000_000).toString(36)}`;
  const envName = 'prod';
  const stack = `${appName}-${envName}`;
  const host = `${envName}.${appName}.localhost`;
  const ctx = () => driverContext({ app: appName, env: envName, registry: env!.registry });
  const images: Record<string, string> = {};
  const releases = new Map<string, ReleaseRef>();
  let live: ReleaseRef | null = null;

  const ref = (version: string): ReleaseRef => ({
    releaseId: `rel-${version}`,
    artifact: images[version] as string,
    driverState: { stack, image: images[version], imageServices: ['web'], compose: EDGE_TEST_COMPOSE, composeFile: 'docker-compose.yml', configFiles: {} },
  });

  /** What the deploy pipeline does: start (rollout), then activate; abandon when start failed. */
  async function deploy(release: ReleaseRef): Promise<ReleaseRef> {
    const c = ctx();
    try {
      const state = await driver.start(c, release, live);
      const started = { ...release, driverState: { ...release.driverState, ...state } };
      await driver.activate(c, started);
      releases.set(release.releaseId, started);
      live = started;
      return started;
    } catch (err) {
      await driver.abandon(c, release, live);
      throw Object.assign(err as Error, { log: c.log.text() });
    }
  }

  function load(): RunningLoad {
    return startLoad({ url: `${edge.base}/`, headers: { host }, concurrency: 4, maxDurationMs: 240_000 });
  }

  function summary(r: LoadReport): string {
    return JSON.stringify({ total: r.total, failures: r.failures, rps: r.requestsPerSecond, bodies: r.bodies, bodiesAfterMark: r.bodiesAfterMark, samples: r.failureSamples.slice(0, 5) });
  }

  before(async () => {
    engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    api = new SwarmApi(engine);
    await removeStack(api, stack);
    edge = await startSwarmEdge(engine, env!.registry);
    driver = new SwarmDriver({ engine, convergenceTimeoutMs: 120_000, pollMs: 200, edge: { control: edge.client, network: edge.network } });
    images['v1'] = await buildTestImage(engine, env!.registry, appName, 'v1', webFiles('v1'));
    images['v2'] = await buildTestImage(engine, env!.registry, appName, 'v2', webFiles('v2'));
    // v3 has no /health: its tasks never become healthy.
    images['v3'] = await buildTestImage(engine, env!.registry, appName, 'v3', { 'www/index.html': 'v3\n' });
  });

  after(async () => {
    await removeStack(api, stack).catch((e: Error) => console.log(`# cleanup: ${e.message}`));
    await edge?.close();
    await driver?.close();
  });

  it('v1 (2 replicas) is routed through the edge', async () => {
    await deploy(ref('v1'));
    const state = await edge.client.getRoute(`${appName}/${envName}`);
    assert.deepEqual(state?.hosts, [host]);
    assert.equal(state?.targets[0]?.discover, 'dns');
    assert.equal(state?.targets[0]?.url, `http://tasks.${stack}_web:8080`);
    assert.equal(Object.keys(state?.inFlight ?? {}).length, 2, JSON.stringify(state?.inFlight));
    const l = load();
    await new Promise((r) => setTimeout(r, 1000));
    const report = await l.stop();
    assert.equal(report.failures, 0, summary(report));
    assert.deepEqual(Object.keys(report.bodies), ['v1\n']);
  });

  it('v1 -> v2 under load: zero failed requests, responses switch to v2', async () => {
    const l = load();
    await new Promise((r) => setTimeout(r, 500));
    const t = performance.now();
    await deploy(ref('v2'));
    console.log(`# v1 -> v2 deploy took ${Math.round(performance.now() - t)} ms`);
    l.mark();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await l.stop();
    console.log(`# v1 -> v2: ${summary(report)}`);
    assert.equal(report.failures, 0, summary(report));
    assert.ok((report.bodies['v1\n'] ?? 0) > 0 && (report.bodies['v2\n'] ?? 0) > 0, summary(report));
    assert.deepEqual(Object.keys(report.bodiesAfterMark), ['v2\n'], summary(report));
  });

  it('v3 with a failing health check: Swarm rolls back, the deploy fails with the task error, v2 serves, zero failed requests', async () => {
    const l = load();
    await new Promise((r) => setTimeout(r, 500));
    await assert.rejects(deploy(ref('v3')), (err: unknown) => {
      assert.ok(err instanceof ConvergenceError, String(err));
      assert.equal(err.reason, 'rolled_back');
      assert.match(err.message, /unhealthy|health/i);
      return true;
    });
    l.mark();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await l.stop();
    console.log(`# v3 (rolled back): ${summary(report)}`);
    assert.equal(report.failures, 0, summary(report));
    assert.deepEqual(Object.keys(report.bodies), ['v2\n'], summary(report));
    const svc = (await api.listServices({ name: [`${stack}_web`] })).find((s) => s.Spec.Name === `${stack}_web`);
    assert.equal(svc?.Spec.TaskTemplate.ContainerSpec.Image, images['v2']);
  });

  it('rollback to v1 by digest under load: zero failed requests', async () => {
    const v1 = releases.get('rel-v1');
    assert.ok(v1);
    const l = load();
    await new Promise((r) => setTimeout(r, 500));
    await deploy(v1);
    l.mark();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await l.stop();
    console.log(`# rollback to v1: ${summary(report)}`);
    assert.equal(report.failures, 0, summary(report));
    assert.deepEqual(Object.keys(report.bodiesAfterMark), ['v1\n'], summary(report));
    const svc = (await api.listServices({ name: [`${stack}_web`] })).find((s) => s.Spec.Name === `${stack}_web`);
    assert.equal(svc?.Spec.TaskTemplate.ContainerSpec.Image, images['v1']);
    assert.match(images['v1'] ?? '', /@sha256:/);
  });
});
