import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEdge, route, waitForHealth, type TestEdge } from './edge-harness.js';
import { deadPortUrl, startUpstream, type FakeUpstream } from './fake-upstream.js';

describe('upstream failures', () => {
  let edge: TestEdge;
  const ups: FakeUpstream[] = [];
  before(async () => {
    edge = await startTestEdge({ upstreamTimeoutMs: 300 });
  });
  after(async () => {
    await edge.close();
    await Promise.all(ups.map((u) => u.close()));
  });
  const up = async (name: string) => {
    const u = await startUpstream(name);
    ups.push(u);
    return u;
  };
  const pages = { '502': '<h1>custom 502</h1>', '503': '<h1>custom 503</h1>', '504': '<h1>custom 504</h1>' };

  it('answers 502 when the only target refuses connections, with the custom page', async () => {
    const u = await up('gone');
    await edge.client.putRoute(route('err/502', [u.url], { hosts: ['e502.test'], errorPages: pages }));
    await u.close();
    const res = await edge.get('/', { host: 'e502.test' });
    assert.equal(res.status, 502);
    assert.equal(res.body, pages['502']);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.ok(res.headers['x-request-id']);
  });

  it('answers 502 with a plain default page when no custom page is given', async () => {
    const u = await up('gone2');
    await edge.client.putRoute(route('err/502plain', [u.url], { hosts: ['p502.test'] }));
    await u.close();
    const res = await edge.get('/', { host: 'p502.test' });
    assert.equal(res.status, 502);
    assert.match(res.body, /Bad Gateway/);
    assert.match(String(res.headers['content-type']), /text\/plain/);
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const u = await up('hang');
    await edge.client.putRoute(route('err/504', [u.url], { hosts: ['e504.test'], errorPages: pages }));
    const started = Date.now();
    const res = await edge.get('/hang', { host: 'e504.test' });
    assert.equal(res.status, 504);
    assert.equal(res.body, pages['504']);
    assert.ok(Date.now() - started < 3000);
  });

  it('answers 503 when the route has no targets', async () => {
    await edge.client.putRoute(route('err/503', [], { hosts: ['e503.test'], errorPages: pages }));
    const res = await edge.get('/', { host: 'e503.test' });
    assert.equal(res.status, 503);
    assert.equal(res.body, pages['503']);
  });

  it('retries a GET once on another target when the connection is refused', async () => {
    const a = await up('alive');
    const b = await up('dies');
    await edge.client.putRoute(route('err/retry', [a.url, b.url], { hosts: ['retry.test'], healthCheck: { path: '/health', intervalMs: 60_000, timeoutMs: 500, healthyThreshold: 1 } }));
    await b.close();
    for (let i = 0; i < 6; i++) {
      const res = await edge.get('/', { host: 'retry.test' });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'alive');
    }
  });

  it('takes an unhealthy target out of rotation and puts it back when healthy', async () => {
    const a = await up('steady');
    const b = await up('flaky');
    await edge.client.putRoute(route('err/health', [a.url, b.url], { hosts: ['health.test'] }));
    b.healthy = false;
    await waitForHealth(edge.client, 'err/health', 'flaky out of rotation', (h) => h.targets.some((t) => t.url === b.url && t.state === 'unhealthy' && !t.inRotation));
    for (let i = 0; i < 4; i++) assert.equal((await edge.get('/', { host: 'health.test' })).body, 'steady');
    b.healthy = true;
    await waitForHealth(edge.client, 'err/health', 'flaky back in rotation', (h) => h.targets.some((t) => t.url === b.url && t.state === 'healthy' && t.inRotation));
    const bodies = new Set<string>();
    for (let i = 0; i < 4; i++) bodies.add((await edge.get('/', { host: 'health.test' })).body);
    assert.deepEqual([...bodies].sort(), ['flaky', 'steady']);
  });

  it('fails open when every target is unhealthy', async () => {
    const a = await up('sick');
    await edge.client.putRoute(route('err/open', [a.url], { hosts: ['open.test'] }));
    a.healthy = false;
    await waitForHealth(edge.client, 'err/open', 'the route failing open', (h) => h.failingOpen);
    const res = await edge.get('/', { host: 'open.test' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'sick');
  });

  it('a target that refuses connections at put time fails the put', async () => {
    const dead = await deadPortUrl();
    await assert.rejects(edge.client.putRoute(route('err/dead', [dead], { hosts: ['dead.test'] })), /ECONNREFUSED/);
    assert.equal(await edge.client.getRoute('err/dead'), null);
  });
});
