import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PreconditionError } from '../../src/core/errors.js';
import { startLoad } from '../support/load-generator.js';
import { waitUntil } from '../support/wait-until.js';
import { startTestEdge, route, waitForHealth, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';

describe('health-gated atomic swap', () => {
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

  it('refuses a target that never becomes healthy and keeps the old one serving', async () => {
    const v1 = await up('v1');
    const bad = await up('bad');
    bad.healthy = false;
    await edge.client.putRoute(route('app/gate', [v1.url], { hosts: ['gate.test'], release: 'r1' }));
    const started = Date.now();
    await assert.rejects(
      edge.client.putRoute(route('app/gate', [bad.url], { hosts: ['gate.test'], release: 'r2' })),
      (err: unknown) => {
        assert.ok(err instanceof PreconditionError, String(err));
        assert.match(err.message, new RegExp(`target ${bad.url} did not pass its health check`));
        assert.match(err.message, /last result 503/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 10_000);
    const res = await edge.get('/', { host: 'gate.test' });
    assert.equal(res.body, 'v1');
    const state = await edge.client.getRoute('app/gate');
    assert.equal(state?.release, 'r1');
    assert.deepEqual(state?.targets, [{ url: v1.url }]);
  });

  it('other admin calls are answered while a put waits for its health gate', async () => {
    const v1 = await up('c1');
    const slow = await up('c2');
    slow.healthy = false;
    await edge.client.putRoute(route('app/concurrent', [v1.url], { hosts: ['concurrent.test'] }));
    const put = edge.client.putRoute(route('app/concurrent', [v1.url, slow.url], { hosts: ['concurrent.test'] }));
    await waitForHealth(edge.client, 'app/concurrent', 'c2 failing under the health gate', (h) =>
      h.targets.some((t) => t.url === slow.url && t.role === 'admitting' && t.consecutiveFailures >= 1),
    );
    const started = Date.now();
    assert.equal((await edge.client.getRoute('app/concurrent'))?.targets.length, 1);
    await edge.client.pause('app/concurrent');
    await edge.client.resume('app/concurrent');
    assert.ok(Date.now() - started < 1000, `admin calls took ${Date.now() - started} ms`);
    slow.healthy = true;
    const state = await put;
    assert.equal(state.targets.length, 2);
  });

  it('round-robins across targets', async () => {
    const [x, y] = [await up('x'), await up('y')];
    await edge.client.putRoute(route('app/rr', [x.url, y.url], { hosts: ['rr.test'] }));
    const bodies = [];
    for (let i = 0; i < 6; i++) bodies.push((await edge.get('/', { host: 'rr.test' })).body);
    assert.equal(bodies.filter((b) => b === 'x').length, 3);
    assert.equal(bodies.filter((b) => b === 'y').length, 3);
  });

  it('swaps under continuous load with zero failures, new upstream only afterwards', async () => {
    const v1 = await up('blue');
    const v2 = await up('green');
    await edge.client.putRoute(route('app/load', [v1.url], { hosts: ['load.test'], release: 'blue' }));
    const load = startLoad({ url: `${edge.base}/`, headers: { host: 'load.test' }, concurrency: 16, maxDurationMs: 60_000 });
    await waitUntil('2500 requests before the swap', () => load.completed >= 2500, 60_000, 20);
    const result = await edge.client.putRoute(route('app/load', [v2.url], { hosts: ['load.test'], release: 'green' }));
    load.mark();
    const atSwap = load.completed;
    await waitUntil('2600 requests after the swap', () => load.completed >= atSwap + 2600, 60_000, 20);
    const report = await load.stop();
    assert.equal(result.drain.drained, true);
    assert.deepEqual(result.drain.targets.map((t) => t.url), [v1.url]);
    assert.ok(report.total >= 5000, `only ${report.total} requests`);
    assert.equal(report.failures, 0, JSON.stringify(report.failureSamples));
    assert.deepEqual(Object.keys(report.bodiesAfterMark), ['green'], JSON.stringify(report.bodiesAfterMark));
    assert.ok((report.bodies.blue ?? 0) > 0 && (report.bodies.green ?? 0) > 0);
  });

  it('drains: a slow in-flight request on the old target completes after the swap', async () => {
    const old = await up('old');
    const next = await up('next');
    await edge.client.putRoute(route('app/drain', [old.url], { hosts: ['drain.test'], drainTimeoutMs: 5000 }));
    const slow = edge.get('/slow?ms=800', { host: 'drain.test' });
    await waitForHealth(edge.client, 'app/drain', 'the slow request in flight', (h) => h.targets.some((t) => t.url === old.url && t.inFlight === 1));
    const started = Date.now();
    const result = await edge.client.putRoute(route('app/drain', [next.url], { hosts: ['drain.test'], drainTimeoutMs: 5000 }));
    const waited = Date.now() - started;
    assert.equal(result.drain.drained, true);
    assert.ok(waited >= 500, `put returned after ${waited} ms, before the drain`);
    const res = await slow;
    assert.equal(res.status, 200);
    assert.equal(res.body, 'old');
    assert.equal((await edge.get('/', { host: 'drain.test' })).body, 'next');
  });

  it('reports a drain that timed out', async () => {
    const old = await up('old2');
    const next = await up('next2');
    await edge.client.putRoute(route('app/drain2', [old.url], { hosts: ['drain2.test'], drainTimeoutMs: 200 }));
    const slow = edge.get('/slow?ms=1000', { host: 'drain2.test' });
    await waitForHealth(edge.client, 'app/drain2', 'the slow request in flight', (h) => h.targets.some((t) => t.url === old.url && t.inFlight === 1));
    const result = await edge.client.putRoute(route('app/drain2', [next.url], { hosts: ['drain2.test'], drainTimeoutMs: 200 }));
    assert.equal(result.drain.drained, false);
    assert.deepEqual(result.drain.targets, [{ url: old.url, drained: false, inFlight: 1 }]);
    assert.equal((await slow).body, 'old2');
  });

  it('does not re-probe kept targets and needs no probe for metadata', async () => {
    const keep = await up('keep');
    await edge.client.putRoute(route('app/meta', [keep.url], { hosts: ['meta.test'] }));
    keep.healthy = false; // a re-probe would now fail the put
    const res = await edge.client.putRoute(
      route('app/meta', [keep.url], { hosts: ['meta.test', 'meta2.test'], releaseHeader: 'X-Rel', release: 'r9' }),
    );
    assert.equal(res.release, 'r9');
    keep.healthy = true;
    const served = await edge.get('/', { host: 'meta2.test' });
    assert.equal(served.body, 'keep');
    assert.equal(served.headers['x-rel'], 'r9');
  });
});
