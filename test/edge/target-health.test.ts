import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'undici';
import type { TargetHealth } from '../../src/edge/admin/edge-client.js';
import { route, startTestEdge, waitForHealth, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';

const target = (targets: readonly TargetHealth[], url: string): TargetHealth | undefined => targets.find((t) => t.url === url);

describe('target health in the admin API', () => {
  let edge: TestEdge;
  const ups: FakeUpstream[] = [];
  const up = async (name: string) => {
    const u = await startUpstream(name);
    ups.push(u);
    return u;
  };
  before(async () => {
    edge = await startTestEdge();
  });
  after(async () => {
    await edge.close();
    await Promise.all(ups.map((u) => u.close()));
  });

  it('reports each serving target: healthy after the put checked it, in rotation, with its last check', async () => {
    const a = await up('ha');
    const startedAt = Date.now();
    await edge.client.putRoute(route('health/ok', [a.url], { hosts: ['ok.health.test'] }));
    const health = await edge.client.routeHealth('health/ok');
    assert.equal(health?.id, 'health/ok');
    assert.equal(health?.failingOpen, false);
    assert.equal(health?.held, 0);
    assert.equal(health?.targets.length, 1);
    const t = target(health?.targets ?? [], a.url);
    assert.equal(t?.role, 'serving');
    assert.equal(t?.state, 'healthy');
    assert.equal(t?.inRotation, true);
    assert.equal(t?.lastResult, '200');
    assert.equal(t?.consecutiveFailures, 0);
    assert.equal(t?.inFlight, 0);
    assert.ok(t?.lastCheckAt && Date.parse(t.lastCheckAt) >= startedAt - 1000, `lastCheckAt ${t?.lastCheckAt}`);
    const all = await edge.client.health();
    assert.deepEqual(
      all.find((h) => h.id === 'health/ok')?.targets.map((x) => x.url),
      [a.url],
    );
  });

  it('counts failed checks, takes the target out of rotation, and fails open when none is healthy', async () => {
    const a = await up('hb1');
    const b = await up('hb2');
    await edge.client.putRoute(route('health/flaky', [a.url, b.url], { hosts: ['flaky.health.test'] }));
    b.healthy = false;
    const sick = await waitForHealth(edge.client, 'health/flaky', 'hb2 failing twice', (h) => (target(h.targets, b.url)?.consecutiveFailures ?? 0) >= 2);
    assert.equal(target(sick.targets, b.url)?.state, 'unhealthy');
    assert.equal(target(sick.targets, b.url)?.inRotation, false);
    assert.equal(target(sick.targets, b.url)?.lastResult, '503');
    assert.equal(target(sick.targets, a.url)?.inRotation, true);
    assert.equal(sick.failingOpen, false);
    a.healthy = false;
    const open = await waitForHealth(edge.client, 'health/flaky', 'the route failing open', (h) => h.failingOpen);
    assert.deepEqual(open.targets.map((t) => [t.state, t.inRotation]), [
      ['unhealthy', true],
      ['unhealthy', true],
    ]);
    a.healthy = true;
    b.healthy = true;
    const back = await waitForHealth(edge.client, 'health/flaky', 'both healthy again', (h) => h.targets.every((t) => t.state === 'healthy'));
    assert.equal(back.failingOpen, false);
    assert.deepEqual(back.targets.map((t) => t.consecutiveFailures), [0, 0]);
  });

  it('shows the targets a put is still checking, and the old targets while they drain', async () => {
    const old = await up('hc1');
    const next = await up('hc2');
    await edge.client.putRoute(route('health/swap', [old.url], { hosts: ['swap.health.test'], drainTimeoutMs: 5000 }));
    next.healthy = false;
    const put = edge.client.putRoute(route('health/swap', [next.url], { hosts: ['swap.health.test'], drainTimeoutMs: 5000 }));
    const gated = await waitForHealth(edge.client, 'health/swap', 'hc2 under the health gate', (h) => (target(h.targets, next.url)?.consecutiveFailures ?? 0) >= 1);
    assert.deepEqual(
      gated.targets.map((t) => [t.url, t.role, t.state, t.inRotation]),
      [
        [old.url, 'serving', 'healthy', true],
        [next.url, 'admitting', 'unhealthy', false],
      ],
    );
    const slow = edge.get('/slow?ms=600', { host: 'swap.health.test' });
    await waitForHealth(edge.client, 'health/swap', 'the slow request in flight', (h) => target(h.targets, old.url)?.inFlight === 1);
    next.healthy = true;
    const draining = await waitForHealth(edge.client, 'health/swap', 'hc1 draining', (h) => target(h.targets, old.url)?.role === 'draining');
    assert.deepEqual(
      draining.targets.map((t) => [t.url, t.role, t.inRotation, t.inFlight]),
      [
        [next.url, 'serving', true, 0],
        [old.url, 'draining', false, 1],
      ],
    );
    assert.equal((await slow).body, 'hc1');
    assert.equal((await put).drain.drained, true);
    assert.deepEqual((await edge.client.routeHealth('health/swap'))?.targets.map((t) => t.url), [next.url]);
  });

  it('a new route shows only the targets being checked; a refused put leaves nothing behind', async () => {
    const bad = await up('hd');
    bad.healthy = false;
    const put = edge.client.putRoute(route('health/new', [bad.url], { hosts: ['new.health.test'] }));
    const gated = await waitForHealth(edge.client, 'health/new', 'the new route under the health gate', (h) => h.targets.length === 1);
    assert.equal(gated.targets[0]?.role, 'admitting');
    await assert.rejects(put, /did not pass its health check/);
    assert.equal(await edge.client.routeHealth('health/new'), null);
  });

  it('answers 404 for an unknown route, over the raw API too', async () => {
    assert.equal(await edge.client.routeHealth('health/none'), null);
    const raw = new Client('http://edge', { socketPath: edge.edge.adminSocket });
    try {
      const res = await raw.request({ method: 'GET', path: `/routes/${encodeURIComponent('health/none')}/health` });
      assert.equal(res.statusCode, 404);
      const body = (await res.body.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'not_found');
      const list = await raw.request({ method: 'GET', path: '/health' });
      assert.equal(list.statusCode, 200);
      assert.ok(Array.isArray(((await list.body.json()) as { routes: unknown[] }).routes));
    } finally {
      await raw.close();
    }
  });

  it('targets restored from the snapshot are in rotation with an unknown state until their first check', async () => {
    const a = await up('he');
    await edge.client.putRoute(
      route('health/restored', [a.url], { hosts: ['restored.health.test'], healthCheck: { path: '/health', intervalMs: 60_000, timeoutMs: 500, healthyThreshold: 1 } }),
    );
    const dataDir = edge.dataDir;
    await edge.close({ keepDir: true });
    edge = await startTestEdge({ dataDir });
    const t = (await edge.client.routeHealth('health/restored'))?.targets[0];
    assert.deepEqual(
      { state: t?.state, inRotation: t?.inRotation, lastCheckAt: t?.lastCheckAt, lastResult: t?.lastResult },
      { state: 'unknown', inRotation: true, lastCheckAt: null, lastResult: null },
    );
  });
});
