import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitUntil } from '../support/wait-until.js';
import { startTestEdge, route, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';

/** Opens an HTTP Upgrade through the edge; resolves with the upgraded socket and response. */
function upgrade(base: string, host: string, path: string): Promise<{ socket: Socket; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, {
      headers: { host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      timeout: 5000,
    });
    req.on('upgrade', (res, socket) => resolve({ socket, res }));
    req.on('response', (res) => reject(new Error(`expected 101, got ${res.statusCode}`)));
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('upgrade timed out')));
    req.end();
  });
}

function nextData(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no data within 5 s')), 5000);
    socket.once('data', (d: Buffer) => {
      clearTimeout(t);
      resolve(d.toString());
    });
  });
}

describe('WebSocket (HTTP Upgrade) through the edge', () => {
  let edge: TestEdge;
  let v1: FakeUpstream;
  let v2: FakeUpstream;
  before(async () => {
    [v1, v2] = await Promise.all([startUpstream('ws1'), startUpstream('ws2')]);
    edge = await startTestEdge();
    await edge.client.putRoute(route('chat/prod', [v1.url], { hosts: ['chat.test'], pathPrefix: '/ws', stripPrefix: true, drainTimeoutMs: 5000 }));
  });
  after(async () => {
    await edge.close();
    await Promise.all([v1.close(), v2.close()]);
  });

  it('echoes through the edge and counts the connection as in flight', async () => {
    const { socket, res } = await upgrade(edge.base, 'chat.test', '/ws/socket');
    assert.equal(res.statusCode, 101);
    assert.equal(res.headers['x-upstream'], 'ws1');
    assert.ok(res.headers['x-request-id']);
    socket.write('hello');
    assert.equal(await nextData(socket), 'ws1:hello');
    assert.deepEqual((await edge.client.getRoute('chat/prod'))?.inFlight, { [v1.url]: 1 });
    socket.destroy();
    await waitUntil('the closed WebSocket out of the in-flight count', async () => (await edge.client.getRoute('chat/prod'))?.inFlight[v1.url] === 0);
    assert.deepEqual((await edge.client.getRoute('chat/prod'))?.inFlight, { [v1.url]: 0 });
  });

  it('a swap waits for an open WebSocket to close (drain)', async () => {
    const { socket } = await upgrade(edge.base, 'chat.test', '/ws/socket');
    socket.write('ping');
    assert.equal(await nextData(socket), 'ws1:ping');
    setTimeout(() => socket.end(), 500);
    const started = Date.now();
    const result = await edge.client.putRoute(route('chat/prod', [v2.url], { hosts: ['chat.test'], pathPrefix: '/ws', stripPrefix: true, drainTimeoutMs: 5000 }));
    assert.equal(result.drain.drained, true);
    assert.ok(Date.now() - started >= 400, 'put returned before the WebSocket closed');
    const next = await upgrade(edge.base, 'chat.test', '/ws/socket');
    next.socket.write('again');
    assert.equal(await nextData(next.socket), 'ws2:again');
    next.socket.destroy();
  });
});
