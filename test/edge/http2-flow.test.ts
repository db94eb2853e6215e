// HTTP/2 flow control through the edge: a slow upstream (not reading a request body) and a slow
// client (not reading a response) each stop the other side within bounded buffers, and the
// transfer completes intact once they read again.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil } from '../support/wait-until.js';
import { h2Request, h2Route, startH2Edge, type H2Edge } from './http2-harness.js';

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
/** Loopback socket buffers (edge → upstream, both ends) plus HTTP/2 windows: a few MiB; far below TOTAL. */
const BOUND = 16 * MiB;

interface SlowUpstream {
  url: string;
  /** Request body bytes the upstream read (/sink). */
  received: number;
  /** Response body bytes the upstream managed to write (/big). */
  written: number;
  /** Lets the upstream read the held request body, or write the rest of the response. */
  release(): void;
  close(): Promise<void>;
}

/** /sink holds its request body unread until released, then answers sha256 and length; /big writes TOTAL bytes honouring backpressure. */
async function startSlowUpstream(): Promise<SlowUpstream> {
  let released = false;
  const waiting: Array<() => void> = [];
  const up: SlowUpstream = {
    url: '',
    received: 0,
    written: 0,
    release: () => {
      released = true;
      for (const w of waiting.splice(0)) w();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const whenReleased = (fn: () => void) => (released ? fn() : waiting.push(fn));
  const server = http.createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    if (req.url === '/sink') {
      req.pause();
      const hash = createHash('sha256');
      whenReleased(() => {
        req.on('data', (c: Buffer) => {
          hash.update(c);
          up.received += c.length;
        });
        req.on('end', () => res.end(JSON.stringify({ sha: hash.digest('hex'), length: up.received })));
        req.resume();
      });
      return;
    }
    const chunk = Buffer.alloc(256 * 1024, 'b');
    res.writeHead(200, { 'content-length': String(TOTAL) });
    const pump = () => {
      while (up.written < TOTAL) {
        up.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return up;
}

/** Polls `value` until it stops growing (the same over `quietMs`), within `timeoutMs`; returns it. */
async function settled(what: string, value: () => number, quietMs = 400, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
    if (Date.now() > deadline) throw new Error(`${what} kept growing for ${timeoutMs} ms (now ${now})`);
    await sleep(50);
  }
}

describe('HTTP/2 flow control through the edge', () => {
  let edge: H2Edge;
  let up: SlowUpstream;

  before(async () => {
    edge = await startH2Edge();
    up = await startSlowUpstream();
    await edge.put(h2Route('slow', ['app.test'], [up.url]));
  });
  after(async () => {
    await edge.close();
    await up.close();
  });

  it('a slow upstream holds back a client\'s upload (the edge does not take it all in)', async () => {
    const session = edge.connect();
    const chunk = Buffer.alloc(256 * 1024, 'u');
    let sent = 0;
    const hash = createHash('sha256');
    async function* body(): AsyncIterable<Buffer> {
      while (sent < TOTAL) {
        sent += chunk.length;
        hash.update(chunk);
        yield chunk;
      }
    }
    const res = h2Request(session, { ':path': '/sink', ':method': 'POST', ':authority': 'app.test' }, body());
    const stalledAt = await settled('the bytes the client could send', () => sent);
    assert.ok(stalledAt < BOUND, `the client sent ${stalledAt / MiB} MiB while the upstream read nothing`);
    assert.equal(up.received, 0);
    up.release();
    const done = await res;
    assert.equal(done.status, 200);
    assert.deepEqual(JSON.parse(done.body.toString()), { sha: hash.digest('hex'), length: TOTAL });
    session.close();
  });

  it('a slow client holds back the upstream\'s response (the edge does not take it all in)', async () => {
    const session = edge.connect();
    const req = session.request({ ':path': '/big', ':authority': 'app.test' });
    req.pause();
    const status = await new Promise<number>((r) => req.once('response', (h) => r(Number(h[':status']))));
    assert.equal(status, 200);
    const stalledAt = await settled('the bytes the upstream could write', () => up.written);
    assert.ok(stalledAt < BOUND, `the upstream wrote ${stalledAt / MiB} MiB while the client read nothing`);
    let got = 0;
    req.on('data', (c: Buffer) => (got += c.length));
    await new Promise<void>((resolve, reject) => {
      req.once('end', resolve);
      req.once('error', reject);
      req.resume();
    });
    assert.equal(got, TOTAL);
    session.close();
  });
});

describe('HTTP/2 timeouts at the edge', () => {
  let edge: H2Edge;
  let up: SlowUpstream;

  before(async () => {
    edge = await startH2Edge({ front: { sendTimeoutMs: 600, idleTimeoutMs: 800 } });
    up = await startSlowUpstream();
    await edge.put(h2Route('slow', ['app.test'], [up.url]));
  });
  after(async () => {
    await edge.close();
    await up.close();
  });

  it('resets a stream whose client leaves the response unread past the send timeout (logged 499)', async () => {
    const session = edge.connect();
    const req = session.request({ ':path': '/big', ':authority': 'app.test' });
    req.pause();
    const closed = new Promise<number>((r) => req.once('close', () => r(req.rstCode ?? -1)));
    req.on('error', () => undefined);
    assert.equal(await closed, http2.constants.NGHTTP2_CANCEL);
    await waitUntil('the access log line', () => edge.accessLines.some((l) => l.includes('"path":"/big"')));
    const entry = JSON.parse(edge.accessLines.find((l) => l.includes('"path":"/big"')) ?? '{}') as { status: number; protocol: string };
    assert.equal(entry.status, 499);
    assert.equal(entry.protocol, 'HTTP/2');
    assert.equal(session.closed, false, 'the connection itself stays up');
    session.destroy();
  });

  it('sends GOAWAY to a connection idle past the idle timeout', async () => {
    const session = edge.connect();
    const started = Date.now();
    const code = await new Promise<number>((r) => session.once('goaway', (c: number) => r(c)));
    assert.equal(code, http2.constants.NGHTTP2_NO_ERROR);
    assert.ok(Date.now() - started >= 700, 'GOAWAY came before the idle timeout');
    await waitUntil('the connection to close', () => session.closed || session.destroyed, 3000);
  });
});
