import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'undici';
import { ConflictError, InvalidInputError, SlipwayError } from '../../src/core/errors.js';
import { EdgeClient } from '../../src/edge/admin/edge-client.js';
import { startTestEdge, route, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';

describe('edge admin API', () => {
  let edge: TestEdge;
  let up: FakeUpstream;
  let raw: Client;
  const call = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', p: string, body?: unknown) => {
    const res = await raw.request({
      method,
      path: p,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  };
  before(async () => {
    up = await startUpstream('api');
    edge = await startTestEdge();
    raw = new Client('http://edge', { socketPath: edge.edge.adminSocket });
    await edge.client.putRoute(route('shop/prod', [up.url], { hosts: ['shop.test'] }));
  });
  after(async () => {
    await raw.close();
    await edge.close();
    await up.close();
  });

  it('listens on a 0600 unix socket in the data dir and answers healthz', async () => {
    assert.equal(edge.edge.adminSocket, path.join(edge.dataDir, 'edge', 'admin.sock'));
    const st = await stat(edge.edge.adminSocket);
    assert.equal(st.mode & 0o777, 0o600);
    assert.deepEqual(await edge.client.healthz(), { ok: true, routes: 1 });
  });

  it('lists and gets routes by URL-encoded id, with state', async () => {
    const list = await edge.client.listRoutes();
    assert.deepEqual(list.map((r) => r.id), ['shop/prod']);
    const one = await edge.client.getRoute('shop/prod');
    assert.equal(one?.paused, false);
    assert.deepEqual(one?.inFlight, { [up.url]: 0 });
    assert.equal(await edge.client.getRoute('shop/none'), null);
    const res = await call('GET', '/routes/shop%2Fprod');
    assert.equal(res.status, 200);
    assert.equal(res.json?.id, 'shop/prod');
  });

  it('rejects bad input with 400 naming the field and changes nothing', async () => {
    const before = await edge.client.getRoute('shop/prod');
    const bad = { ...route('shop/prod', ['ftp://x'], { hosts: ['shop.test'] }) };
    const res = await call('PUT', '/routes/shop%2Fprod', bad);
    assert.equal(res.status, 400);
    assert.equal(res.json?.error.code, 'invalid_input');
    assert.match(res.json?.error.message, /^route\.targets\.0\.url: expected an origin/);
    assert.equal(res.json?.error.details.issues[0].path, 'targets.0.url');
    const noInterval = { ...route('shop/prod', [up.url]), healthCheck: { path: '/health', timeoutMs: 100, healthyThreshold: 1 } };
    const res2 = await call('PUT', '/routes/shop%2Fprod', noInterval);
    assert.equal(res2.status, 400);
    assert.match(res2.json?.error.message, /route\.healthCheck\.intervalMs/);
    const res3 = await call('PUT', '/routes/shop%2Fprod', '{not json');
    assert.equal(res3.status, 400);
    assert.match(res3.json?.error.message, /not valid JSON/);
    const res4 = await call('PUT', '/routes/shop%2Fprod', { ...route('other/id', [up.url]) });
    assert.equal(res4.status, 400);
    assert.match(res4.json?.error.message, /does not match the id in the URL/);
    const res5 = await call('POST', '/routes/shop%2Fprod/pause', { maxHoldMs: -1 });
    assert.equal(res5.status, 400);
    assert.match(res5.json?.error.message, /body\.maxHoldMs/);
    await assert.rejects(edge.client.putRoute({ ...route('shop/prod', [up.url]), pathPrefix: 'nope' }), InvalidInputError);
    assert.deepEqual(await edge.client.getRoute('shop/prod'), before);
    assert.deepEqual(await edge.client.listRoutes().then((l) => l.length), 1);
  });

  it('answers 404 for unknown routes and endpoints', async () => {
    assert.equal((await call('POST', '/routes/shop%2Fnone/pause', {})).status, 404);
    assert.equal((await call('DELETE', '/routes/shop%2Fnone')).status, 404);
    const res = await call('GET', '/routes/shop/prod');
    assert.equal(res.status, 404);
    assert.match(res.json?.error.message, /URL-encoded/);
  });

  it('refuses a route that would serve the same requests as another', async () => {
    await assert.rejects(edge.client.putRoute(route('shop/copy', [up.url], { hosts: ['SHOP.test'] })), ConflictError);
  });

  it('deletes routes', async () => {
    await edge.client.putRoute(route('tmp/x', [up.url], { hosts: ['tmp.test'] }));
    assert.equal((await edge.get('/', { host: 'tmp.test' })).status, 200);
    await edge.client.removeRoute('tmp/x');
    assert.equal((await edge.get('/', { host: 'tmp.test' })).status, 404);
    assert.equal(await edge.client.getRoute('tmp/x'), null);
  });

  it('refuses to start a second edge on the same data dir', async () => {
    await assert.rejects(startTestEdge({ dataDir: edge.dataDir }), (err: unknown) => {
      assert.ok(err instanceof ConflictError);
      assert.match(err.message, /another edge is already running/);
      return true;
    });
    assert.deepEqual(await edge.client.healthz(), { ok: true, routes: 1 });
  });

  it('client says clearly when the edge is not running', async () => {
    const client = new EdgeClient(path.join(edge.dataDir, 'nowhere.sock'));
    await assert.rejects(client.listRoutes(), (err: unknown) => {
      assert.ok(err instanceof SlipwayError);
      assert.equal(err.code, 'unavailable');
      assert.match(err.message, /the edge is not running: no admin socket at .*nowhere\.sock; start it with "slipway edge"/);
      return true;
    });
    await client.close();
  });
});
