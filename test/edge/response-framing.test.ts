// Upstream responses of every framing arrive whole through the edge: a sized body in several
// chunks (the edge ends the response with the last one), chunked, empty, HEAD and 204.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';

const PART = Buffer.alloc(100_000, 'a');

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('response framing through the edge', () => {
  let edge: TestEdge;
  let upstream: http.Server;

  before(async () => {
    upstream = http.createServer((req, res) => {
      void (async () => {
        const url = req.url ?? '/';
        if (url === '/health') return void res.end('ok');
        if (url === '/sized') {
          res.writeHead(200, { 'content-length': String(PART.length * 3) });
          for (let i = 0; i < 3; i++) {
            res.write(PART);
            await delay(20);
          }
          return void res.end();
        }
        if (url === '/chunked') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          for (const part of ['one,', 'two,', 'three']) {
            res.write(part);
            await delay(20);
          }
          return void res.end();
        }
        if (url === '/empty') return void res.writeHead(200, { 'content-length': '0' }).end();
        if (url === '/no-content') return void res.writeHead(204).end();
        res.end('plain');
      })();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    edge = await startTestEdge();
    await edge.client.putRoute(route('frames/prod', [`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`]));
  });

  after(async () => {
    await edge.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('streams a sized body sent in several chunks and ends it', async () => {
    const res = await edge.get('/sized');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(PART.length * 3));
    assert.equal(res.body.length, PART.length * 3);
    assert.ok(/^a+$/.test(res.body));
  });

  it('passes a chunked body through', async () => {
    const res = await edge.get('/chunked');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'one,two,three');
  });

  it('answers empty bodies, 204 and HEAD without hanging', async () => {
    const empty = await edge.get('/empty');
    assert.deepEqual([empty.status, empty.body], [200, '']);
    const none = await edge.get('/no-content');
    assert.deepEqual([none.status, none.body], [204, '']);
    const head = await request(`${edge.base}/sized`, { method: 'HEAD', headersTimeout: 10_000, bodyTimeout: 10_000 });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(PART.length * 3));
    assert.equal(await head.body.text(), '');
  });

  it('logs every one of them as finished (200/204), not as abandoned (499)', () => {
    const statuses = edge.accessLines.map((l) => (JSON.parse(l) as { status: number }).status);
    assert.ok(statuses.length >= 5, `expected at least 5 access lines, got ${statuses.length}`);
    assert.ok(!statuses.includes(499), `unexpected 499 in ${statuses.join(',')}`);
  });
});
