// Clients that misbehave in every way at once (gone mid-head, mid-body, mid-response, pipelined
// then gone, never reading) must leave the edge with no request counted in flight (a drain would
// otherwise wait for nothing until its timeout), still serving, and with no more access log lines
// than requests, the abandoned ones logged 499.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SeededRandom } from '../support/seeded-random.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';

const BIG = Buffer.alloc(4 * 1024 * 1024, 97);

describe('edge under a storm of aborting clients', () => {
  let edge: TestEdge;
  let upstream: http.Server;

  before(async () => {
    upstream = http.createServer((req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/slow')) {
        const t = setTimeout(() => res.end('slow'), 20 + Math.floor(Math.random() * 150));
        res.on('close', () => clearTimeout(t));
        return;
      }
      if (url === '/big') return void res.end(BIG);
      if (url === '/drip') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }); // chunked, a piece every 10 ms
        let n = 0;
        const t = setInterval(() => (++n === 20 ? (clearInterval(t), res.end('end')) : res.write('x'.repeat(1000))), 10);
        res.on('close', () => clearInterval(t));
        return;
      }
      if (url === '/upload') {
        let size = 0;
        req.on('data', (c: Buffer) => (size += c.length));
        req.on('end', () => res.end(String(size)));
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    edge = await startTestEdge({ clientSendTimeoutMs: 1000 });
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    await edge.client.putRoute(route('storm/app', [url], { healthCheck: { path: '/', intervalMs: 60_000, timeoutMs: 2000, healthyThreshold: 1 } }));
  });

  after(async () => {
    await edge.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('ends with nothing in flight, still serving, and abandoned requests logged 499', { timeout: 60_000 }, async () => {
    const rand = new SeededRandom(0x5eed); // the same storm every run
    const kinds = ['whole', 'gone-waiting', 'gone-mid-head', 'gone-mid-upload', 'pipelined-then-gone', 'never-reads', 'gone-mid-drip'] as const;
    const port = edge.edge.port;
    let requestsTaken = 0; // complete request heads the edge was sent (each gets an access log line)
    const logBefore = edge.accessLines.length;

    const one = async (kind: (typeof kinds)[number], delay: number): Promise<void> => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: storm.test\r\n\r\n`;
      switch (kind) {
        case 'whole': {
          requestsTaken++;
          socket.write(get('/'));
          await new Promise<void>((resolve) => socket.once('data', () => resolve()));
          break;
        }
        case 'gone-waiting':
          requestsTaken++;
          socket.write(get('/slow'));
          await sleep(delay);
          break;
        case 'gone-mid-head':
          socket.write('GET /slow HTTP/1.1\r\nHost: sto');
          await sleep(delay);
          break;
        case 'gone-mid-upload':
          requestsTaken++;
          socket.write('POST /upload HTTP/1.1\r\nHost: storm.test\r\nContent-Length: 100000\r\n\r\n' + 'u'.repeat(30_000));
          await sleep(delay);
          break;
        case 'pipelined-then-gone':
          requestsTaken += 3; // the edge takes them one after another until the client is gone
          socket.write(get('/slow') + get('/') + get('/slow'));
          await new Promise<void>((resolve) => socket.once('data', () => resolve()));
          break;
        case 'never-reads':
          requestsTaken++;
          socket.pause();
          socket.write(get('/big'));
          await sleep(delay);
          break;
        case 'gone-mid-drip':
          requestsTaken++;
          socket.write(get('/drip'));
          await sleep(delay);
          break;
      }
      socket.destroy();
      await closed;
    };

    for (let batch = 0; batch < 12; batch++) {
      await Promise.all(Array.from({ length: 25 }, () => one(rand.pick(kinds), rand.int(150))));
    }

    const deadline = Date.now() + 10_000;
    let inFlight: Record<string, number> | undefined;
    for (;;) {
      inFlight = (await edge.client.getRoute('storm/app'))?.inFlight;
      if (inFlight && Object.values(inFlight).every((n) => n === 0)) break;
      assert.ok(Date.now() < deadline, `still in flight after the storm: ${JSON.stringify(inFlight)}`);
      await sleep(50);
    }
    const res = await edge.get('/', { host: 'storm.test' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    // Pipelined requests behind one that was abandoned are never started, so they have no line.
    const lines = edge.accessLines.slice(logBefore, -1).map((l) => JSON.parse(l) as { status: number });
    assert.ok(lines.length > 0 && lines.length <= requestsTaken, `${lines.length} access log lines for ${requestsTaken} requests sent`);
    assert.ok(lines.some((l) => l.status === 499), 'no abandoned request was logged 499');
    assert.ok(lines.some((l) => l.status === 200), 'no request was logged 200');
  });
});
