// The upstream client on real sockets, through the edge, against a scripted raw TCP upstream:
// keep-alive reuse, an upstream that closes idle or reused connections, short bodies (the client
// must see a broken response, not a complete one), malformed heads, client aborts.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { waitUntil } from '../support/wait-until.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';

interface Seen {
  conn: number;
  /** Index of the request on its connection (0 for the first). */
  nth: number;
  method: string;
  path: string;
}

type Script = (socket: net.Socket, seen: Seen) => void;

/** A raw upstream: answers /health itself, everything else with `script` (set per test). */
async function rawUpstream(): Promise<{ port: number; seen: Seen[]; connections: () => number; closedConns: Set<number>; setScript(s: Script): void; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const closedConns = new Set<number>();
  let script: Script = (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  let conns = 0;
  const server = net.createServer((socket) => {
    const conn = ++conns;
    let nth = 0;
    let buf = '';
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closedConns.add(conn);
    });
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.slice(end + 4 + length);
        const [method = '', path = ''] = head.split(' ');
        if (path === '/health') {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
          continue;
        }
        const s: Seen = { conn, nth: nth++, method, path };
        seen.push(s);
        script(socket, s);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    connections: () => conns,
    closedConns,
    setScript: (s) => (script = s),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}


describe('upstream connections through the edge', () => {
  let edge: TestEdge;
  let up: Awaited<ReturnType<typeof rawUpstream>>;

  before(async () => {
    up = await rawUpstream();
    edge = await startTestEdge({ upstreamTimeoutMs: 1000 });
    await edge.client.putRoute(route('raw/prod', [`http://127.0.0.1:${up.port}`], { healthCheck: { path: '/health', intervalMs: 60_000, timeoutMs: 500, healthyThreshold: 1 } }));
  });

  after(async () => {
    await edge.close();
    await up.close();
  });

  it('reuses one kept-alive connection for sequential requests', async () => {
    up.setScript((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const before = up.seen.length;
    for (let i = 0; i < 5; i++) assert.equal((await edge.get(`/seq${i}`)).body, 'ok');
    const mine = up.seen.slice(before);
    assert.equal(new Set(mine.map((s) => s.conn)).size, 1, 'one connection');
  });

  it('opens a new connection when the upstream closed an idle one', async () => {
    up.setScript((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => s.end(), 20); // closes the idle connection without saying so
    });
    assert.equal((await edge.get('/idle1')).body, 'ok');
    const first = up.seen.at(-1) as Seen;
    await waitUntil('the upstream to close', () => up.closedConns.has(first.conn));
    await delay(20);
    assert.equal((await edge.get('/idle2')).body, 'ok');
    assert.notEqual((up.seen.at(-1) as Seen).conn, first.conn);
  });

  it('sends a GET again on a new connection when a reused one closes before answering; never a POST', async () => {
    // Every second request on a connection: the upstream closes it without answering.
    up.setScript((s, seen) => {
      if (seen.nth === 1) return void s.destroy();
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const a = await edge.get('/stale1');
    const b = await edge.get('/stale2'); // goes on the reused connection, which closes: retried
    assert.deepEqual([a.status, a.body, b.status, b.body], [200, 'ok', 200, 'ok']);
    const stale2 = up.seen.filter((s) => s.path === '/stale2');
    assert.equal(stale2.length, 2, 'seen twice: the dropped attempt and the retry');
    assert.equal((stale2[1] as Seen).nth, 0, 'the retry went on a fresh connection');

    await edge.get('/stale3'); // a fresh connection's first request
    const post = await request(`${edge.base}/stale-post`, { method: 'POST', body: 'x', headersTimeout: 5000, bodyTimeout: 5000 });
    await post.body.text();
    assert.equal(post.statusCode, 502);
    assert.equal(up.seen.filter((s) => s.path === '/stale-post').length, 1, 'a POST is not sent twice');
  });

  it('closes the client connection when a sized body ends short (no truncated "complete" response)', async () => {
    up.setScript((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
      setTimeout(() => s.destroy(), 20);
    });
    const res = await request(`${edge.base}/short`, { headersTimeout: 5000, bodyTimeout: 5000 });
    assert.equal(res.statusCode, 200);
    await assert.rejects(res.body.text());
  });

  it('closes the client connection when a chunked body ends before its last chunk', async () => {
    up.setScript((s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
      setTimeout(() => s.end(), 20);
    });
    const res = await request(`${edge.base}/short-chunked`, { headersTimeout: 5000, bodyTimeout: 5000 });
    await assert.rejects(res.body.text());
  });

  it('answers 502 to a malformed response head and 504 to a silent upstream', async () => {
    up.setScript((s) => s.write('HTTP/1.1 200 OK\r\nBad Header\r\n\r\n'));
    assert.equal((await edge.get('/malformed')).status, 502);
    up.setScript(() => undefined);
    const started = Date.now();
    assert.equal((await edge.get('/silent')).status, 504);
    assert.ok(Date.now() - started < 3000);
  });

  it('answers 502 when the upstream sends a header Node would not send on (control character, bad name)', async () => {
    up.setScript((s) => s.write('HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\nok', 'latin1'));
    const a = await edge.get('/bad-value');
    up.setScript((s) => s.write('HTTP/1.1 200 OK\r\nBad{Name: x\r\nContent-Length: 2\r\n\r\nok'));
    const b = await edge.get('/bad-name');
    assert.deepEqual([a.status, b.status], [502, 502]);
    assert.match(a.body, /Bad Gateway/);
  });

  it('passes a chunked body with trailers through and reuses the connection after it', async () => {
    up.setScript((s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3;x=y\r\ndef\r\n0\r\nX-Sum: 1\r\n\r\n'));
    const a = await edge.get('/trailers1');
    const b = await edge.get('/trailers2');
    assert.deepEqual([a.body, b.body], ['abcdef', 'abcdef']);
    const [sa, sb] = up.seen.slice(-2) as [Seen, Seen];
    assert.equal(sa.conn, sb.conn);
  });

  it('sends the response head on when the first packet holds only half a chunk-size line', async () => {
    up.setScript((s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r');
      setTimeout(() => s.write('\nhello\r\n0\r\n\r\n'), 1000);
    });
    const started = Date.now();
    const res = await request(`${edge.base}/half-size-line`, { headersTimeout: 5000, bodyTimeout: 5000 });
    const headAfter = Date.now() - started;
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'hello');
    assert.ok(headAfter < 800, `the head came after ${headAfter} ms, with the body`);
  });

  it('adds a Date header to a response that has none, and keeps the one the upstream sent', async () => {
    up.setScript((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const without = await edge.get('/no-date');
    up.setScript((s) => s.write('HTTP/1.1 200 OK\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\nContent-Length: 2\r\n\r\nok'));
    const withDate = await edge.get('/with-date');
    assert.ok(Math.abs(Date.parse(String(without.headers.date)) - Date.now()) < 5000, `Date ${String(without.headers.date)}`);
    assert.equal(withDate.headers.date, 'Tue, 01 Jan 2030 00:00:00 GMT');
  });

  it('carries a large body to a slow client intact (backpressure both ways), sized and chunked', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    for (const chunked of [false, true]) {
      up.setScript((s) => {
        if (!chunked) {
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`);
          s.write(big);
          return;
        }
        s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (let off = 0; off < big.length; off += 1_000_000) {
          const part = big.subarray(off, off + 1_000_000);
          s.write(`${part.length.toString(16)}\r\n`);
          s.write(part);
          s.write('\r\n');
        }
        s.write('0\r\n\r\n');
      });
      const res = await request(`${edge.base}/big`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
      const parts: Buffer[] = [];
      let slept = false;
      for await (const part of res.body) {
        parts.push(part as Buffer);
        if (!slept) {
          slept = true;
          await delay(300); // the client stalls: the edge must hold the upstream, not fail or drop bytes
        }
      }
      assert.ok(Buffer.concat(parts).equals(big), `body intact (chunked: ${chunked})`);
    }
  });

  it('closes the upstream connection when the client goes away mid-response', async () => {
    let conn = 0;
    up.setScript((s, seen) => {
      conn = seen.conn;
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nstart');
    });
    const client = net.connect(edge.edge.port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.write('GET /abandoned HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => client.once('data', () => resolve()));
    client.destroy();
    await waitUntil('the upstream connection to close', () => conn !== 0 && up.closedConns.has(conn));
  });
});
