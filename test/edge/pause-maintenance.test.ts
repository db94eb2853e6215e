import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEdge, route, waitForHealth, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';

describe('pause, resume and maintenance', () => {
  let edge: TestEdge;
  let up: FakeUpstream;
  before(async () => {
    up = await startUpstream('app');
    edge = await startTestEdge();
    await edge.client.putRoute(route('app/pause', [up.url], { hosts: ['pause.test'] }));
    await edge.client.putRoute(route('app/maint', [up.url], { hosts: ['maint.test'], pathPrefix: '/m', stripPrefix: true }));
  });
  after(async () => {
    await edge.close();
    await up.close();
  });

  it('holds requests while paused and releases them in order on resume', async () => {
    await edge.client.pause('app/pause');
    assert.equal((await edge.client.getRoute('app/pause'))?.paused, true);
    const order: number[] = [];
    const held: Array<Promise<number>> = [];
    for (const i of [0, 1, 2]) {
      held.push(
        edge.get(`/echo?i=${i}`, { host: 'pause.test' }).then((res) => {
          order.push(i);
          return res.status;
        }),
      );
      await waitForHealth(edge.client, 'app/pause', `${i + 1} requests held`, (h) => h.held === i + 1);
    }
    assert.deepEqual(order, []);
    const servedBefore = up.served;
    await edge.client.resume('app/pause');
    assert.deepEqual(await Promise.all(held), [200, 200, 200]);
    assert.equal(up.served - servedBefore, 3);
    assert.deepEqual(order, [0, 1, 2]);
    assert.equal((await edge.client.getRoute('app/pause'))?.paused, false);
  });

  it('answers 503 after the max hold', async () => {
    await edge.client.pause('app/pause', 200);
    const started = Date.now();
    const res = await edge.get('/', { host: 'pause.test' });
    assert.equal(res.status, 503);
    assert.ok(Date.now() - started >= 180);
    await edge.client.resume('app/pause');
    assert.equal((await edge.get('/', { host: 'pause.test' })).status, 200);
  });

  it('serves the maintenance page with Retry-After, escaped, except the health path', async () => {
    await edge.client.setMaintenance('app/maint', { enabled: true, message: 'Back at <b>5pm</b> & soon', retryAfterSeconds: 120 });
    const res = await edge.get('/m/page', { host: 'maint.test' });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '120');
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, /Back at &lt;b&gt;5pm&lt;\/b&gt; &amp; soon/);
    const health = await edge.get('/m/health', { host: 'maint.test' });
    assert.equal(health.status, 200);
    assert.equal(health.body, 'ok');
    const state = await edge.client.getRoute('app/maint');
    assert.deepEqual(state?.maintenance, { enabled: true, message: 'Back at <b>5pm</b> & soon', retryAfterSeconds: 120 });
    await edge.client.setMaintenance('app/maint', { enabled: false });
    const after = await edge.get('/m/page', { host: 'maint.test' });
    assert.equal(after.status, 200);
    assert.equal(after.body, 'app');
  });
});
