// The edge's client side spoken to in raw HTTP/1.1 over net.Socket: keep-alive, pipelining,
// split writes, HTTP/1.0, request bodies, 100-continue, malformed and smuggling requests, HEAD,
// bodiless statuses, client aborts, half-close, slow readers and request ids.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { waitUntil } from '../support/wait-until.js';
import { header, RawClient, requestHead, type RawResponse } from './raw-client.js';

const T = { timeout: 15_000 };
const APP = 'app.test'; // routed to the fake upstream
const OWN = 'own.test'; // routed to the scripted upstream below
const BIG = randomBytes(2 * 1024 * 1024);
const SCRIPTED = 'scripted';

interface ScriptedUpstream {
  url: string;
  /** Every request url it received, health checks excluded. */
  seen: string[];
  close(): Promise<void>;
}

/** 204 and 304 answers, a chunked body, 2 MiB bodies sized and chunked, else a sized "scripted". */
async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/health') return void res.end('ok');
    seen.push(url);
    if (url === '/status/204') return void res.writeHead(204).end();
    if (url === '/status/304') return void res.writeHead(304, { ETag: '"v1"' }).end();
    if (url === '/chunked') {
      res.write('one,');
      res.write('two,');
      return void res.end('three');
    }
    if (url === '/big-sized') return void res.writeHead(200, { 'Content-Length': BIG.length }).end(BIG);
    if (url === '/big-chunked') {
      for (let i = 0; i < BIG.length; i += 64 * 1024) res.write(BIG.subarray(i, i + 64 * 1024));
      return void res.end();
    }
    // Sized explicitly, so a HEAD answer carries the Content-Length a GET would have.
    res.writeHead(200, { 'Content-Length': SCRIPTED.length }).end(req.method === 'HEAD' ? undefined : SCRIPTED);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function get(path: string, host = APP, extra: readonly string[] = []): string {
  return requestHead(`GET ${path} HTTP/1.1`, [`Host: ${host}`, ...extra]);
}

function echoUrl(res: RawResponse): string {
  return (JSON.parse(res.body.toString()) as { url: string }).url;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Nothing closed the socket within a short grace period. */
async function assertOpen(c: RawClient): Promise<void> {
  assert.equal(await c.waitForClose(100), false, 'the server closed a connection that should stay open');
}


describe('edge client side, raw HTTP/1.1', () => {
  let edge: TestEdge;
  let up: FakeUpstream;
  let own: ScriptedUpstream;
  const clients: RawClient[] = [];
  const connect = async (): Promise<RawClient> => {
    const c = await RawClient.connect(edge.edge.port);
    clients.push(c);
    return c;
  };

  before(async () => {
    [up, own] = await Promise.all([startUpstream('hello-app'), startScriptedUpstream()]);
    edge = await startTestEdge();
    await edge.client.putRoute(route('proto/app', [up.url], { hosts: [APP] }));
    await edge.client.putRoute(route('proto/own', [own.url], { hosts: [OWN] }));
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await edge.close();
    await Promise.all([up.close(), own.close()]);
  });

  it('1. keeps the connection alive across three sequential requests', T, async () => {
    const c = await connect();
    for (let i = 0; i < 3; i++) {
      await c.write(get('/'));
      const res = await c.readResponse();
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'hello-app');
    }
    await assertOpen(c);
  });

  it('2. answers three pipelined GETs sent in one write, in order', T, async () => {
    const c = await connect();
    await c.write(get('/echo?n=1') + get('/echo?n=2') + get('/echo?n=3'));
    for (let n = 1; n <= 3; n++) {
      const res = await c.readResponse();
      assert.equal(res.status, 200);
      assert.equal(echoUrl(res), `/echo?n=${n}`);
    }
    await assertOpen(c);
  });

  it('3. answers a request written one byte at a time', T, async () => {
    const c = await connect();
    const bytes = Buffer.from(get('/echo?split=1'), 'latin1');
    for (let i = 0; i < bytes.length; i++) {
      await c.write(bytes.subarray(i, i + 1));
      if (i % 4 === 0) await new Promise((r) => setImmediate(r));
    }
    const res = await c.readResponse();
    assert.equal(res.status, 200);
    assert.equal(echoUrl(res), '/echo?split=1');
  });

  it('4a. HTTP/1.0 without Connection: answered, then the server closes', T, async () => {
    const c = await connect();
    await c.write(requestHead('GET / HTTP/1.0', [`Host: ${APP}`]));
    const res = await c.readResponse();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hello-app');
    assert.equal(await c.waitForClose(3000), true, 'the server kept an HTTP/1.0 connection open');
  });

  it('4b. HTTP/1.0 with Connection: keep-alive: answered with keep-alive, the socket stays usable', T, async () => {
    const c = await connect();
    const req = requestHead('GET /echo?v=10 HTTP/1.0', [`Host: ${APP}`, 'Connection: keep-alive']);
    await c.write(req);
    const first = await c.readResponse();
    assert.equal(first.status, 200);
    assert.match(header(first, 'connection') ?? '', /keep-alive/i);
    assert.equal(first.framing, 'length');
    await assertOpen(c);
    await c.write(req);
    const second = await c.readResponse();
    assert.equal(second.status, 200);
    assert.equal(echoUrl(second), '/echo?v=10');
  });

  it('4d. the access log names the protocol version of each request', T, async () => {
    const c = await connect();
    await c.write(requestHead('GET /proto-11 HTTP/1.1', [`Host: ${APP}`]));
    assert.equal((await c.readResponse()).status, 200);
    await c.write(requestHead('GET /proto-10 HTTP/1.0', [`Host: ${APP}`]));
    assert.equal((await c.readResponse()).status, 200);
    const protocolOf = (p: string) => (JSON.parse(edge.accessLines.find((l) => l.includes(`"path":"${p}"`)) ?? '{}') as { protocol?: string }).protocol;
    await waitUntil('both access log lines', () => protocolOf('/proto-11') !== undefined && protocolOf('/proto-10') !== undefined);
    assert.equal(protocolOf('/proto-11'), 'HTTP/1.1');
    assert.equal(protocolOf('/proto-10'), 'HTTP/1.0');
  });

  it('4c. HTTP/1.0 never gets a chunked response (a chunked upstream body goes unframed or sized)', T, async () => {
    const c = await connect();
    await c.write(requestHead('GET /chunked HTTP/1.0', [`Host: ${OWN}`]));
    const res = await c.readResponse();
    assert.equal(res.status, 200);
    assert.equal(header(res, 'transfer-encoding'), undefined, 'an HTTP/1.0 client got Transfer-Encoding');
    assert.equal(res.body.toString(), 'one,two,three');
    if (res.framing === 'close') assert.equal(c.ended, true);
  });

  it('5. Connection: close from an HTTP/1.1 client: echoed, then the server closes', T, async () => {
    const c = await connect();
    await c.write(get('/', APP, ['Connection: close']));
    const res = await c.readResponse();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hello-app');
    assert.match(header(res, 'connection') ?? '', /close/i);
    assert.equal(await c.waitForClose(3000), true, 'the server did not close after Connection: close');
  });

  it('6. POST bodies, sized and chunked (split across writes), reach the upstream intact', T, async () => {
    const c = await connect();
    await c.write(requestHead('POST /body HTTP/1.1', [`Host: ${APP}`, 'Content-Length: 11']) + 'hello world');
    const sized = await c.readResponse();
    assert.equal(sized.status, 200);
    assert.equal(sized.body.toString(), 'POST 11 hello world');

    await c.write(requestHead('POST /body HTTP/1.1', [`Host: ${APP}`, 'Transfer-Encoding: chunked']) + '5\r\nhel');
    await sleep(20);
    await c.write('lo\r\n6\r\n wor');
    await sleep(20);
    await c.write('ld\r\n0\r\n\r\n');
    const chunked = await c.readResponse();
    assert.equal(chunked.status, 200);
    assert.equal(chunked.body.toString(), 'POST chunked hello world');

    await c.write(get('/echo?after=body'));
    const next = await c.readResponse();
    assert.equal(next.status, 200);
    assert.equal(echoUrl(next), '/echo?after=body');
  });

  it('7. Expect: 100-continue gets 100 Continue before the body, then the final answer', T, async () => {
    const c = await connect();
    await c.write(requestHead('POST /body HTTP/1.1', [`Host: ${APP}`, 'Content-Length: 5', 'Expect: 100-continue']));
    const interim = await c.readResponse({ timeoutMs: 3000 });
    assert.equal(interim.status, 100);
    assert.equal(interim.version, 'HTTP/1.1');
    await c.write('hello');
    const res = await c.readResponse();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'POST 5 hello');
  });

  describe('8. bad requests: 4xx, the connection closes, nothing reaches the upstream', () => {
    const bad: Array<{ name: string; bytes: () => string; status?: readonly number[] }> = [
      { name: 'garbage request line', bytes: () => 'HELLO THERE\r\n\r\n' },
      { name: 'header without colon', bytes: () => get('/', APP, ['NoColonHere']) },
      { name: 'space before the colon', bytes: () => get('/', APP, ['X-Bad : 1']) },
      { name: 'obs-fold continuation line', bytes: () => get('/', APP, ['X-Folded: a', ' b']) },
      {
        name: 'Content-Length and Transfer-Encoding',
        bytes: () => requestHead('POST /body HTTP/1.1', [`Host: ${APP}`, 'Content-Length: 5', 'Transfer-Encoding: chunked']) + '0\r\n\r\n',
        status: [400],
      },
      {
        name: 'two different Content-Length values',
        bytes: () => requestHead('POST /body HTTP/1.1', [`Host: ${APP}`, 'Content-Length: 3', 'Content-Length: 4']) + 'abcd',
        status: [400],
      },
      { name: 'Content-Length "abc"', bytes: () => requestHead('POST /body HTTP/1.1', [`Host: ${APP}`, 'Content-Length: abc']), status: [400] },
      {
        name: 'Transfer-Encoding gzip (not chunked)',
        bytes: () => requestHead('POST /body HTTP/1.1', [`Host: ${APP}`, 'Transfer-Encoding: gzip']) + 'abc',
        status: [400, 501],
      },
      { name: 'HTTP/1.1 without Host', bytes: () => requestHead('GET / HTTP/1.1', ['Accept: */*']), status: [400] },
      { name: 'bare LF line ending in the head', bytes: () => `GET / HTTP/1.1\r\nHost: ${APP}\nX-A: 1\r\n\r\n`, status: [400] },
      { name: 'head larger than 64 KiB', bytes: () => get('/', APP, [`X-Big: ${'a'.repeat(70 * 1024)}`]), status: [431, 400] },
      { name: 'HTTP/2.0 in the request line', bytes: () => requestHead('GET / HTTP/2.0', [`Host: ${APP}`]), status: [505, 400] },
    ];
    for (const b of bad) {
      it(b.name, T, async () => {
        const served = up.served;
        const c = await connect();
        await c.write(b.bytes());
        const res = await c.readResponse({ timeoutMs: 3000 });
        if (b.status) assert.ok(b.status.includes(res.status), `expected ${b.status.join(' or ')}, got ${res.status}`);
        else assert.ok(res.status >= 400 && res.status < 600, `expected an error status, got ${res.status}`);
        assert.equal(await c.waitForClose(3000), true, 'the connection stayed open after a bad request');
        await sleep(50);
        assert.equal(up.served, served, `the bad request reached the upstream: ${JSON.stringify(up.last)}`);
      });
    }
  });

  it('9. a request hidden in a CL+TE body never reaches the upstream', T, async () => {
    const c = await connect();
    const hidden = `GET /smuggled HTTP/1.1\r\nHost: ${OWN}\r\n\r\n`;
    await c.write(requestHead('POST / HTTP/1.1', [`Host: ${OWN}`, 'Content-Length: 4', 'Transfer-Encoding: chunked']) + '0\r\n\r\n' + hidden);
    const res = await c.readResponse({ timeoutMs: 3000 });
    assert.ok(res.status >= 200 && res.status < 600);
    // Whatever the first answer, the connection must end without the hidden request being served.
    assert.equal(await c.waitForClose(3000), true, 'the connection stayed open after an ambiguous body');
    await sleep(100);
    assert.ok(!own.seen.includes('/smuggled'), `the hidden request reached the upstream (seen: ${own.seen.join(', ')})`);
  });

  it('10. a 404 with an unread body on keep-alive: the body is skipped, the next request is answered', T, async () => {
    const c = await connect();
    const served = up.served;
    const trap = `GET /echo?n=trap HTTP/1.1\r\nHost: ${APP}\r\n\r\n`;
    await c.write(requestHead('POST /x HTTP/1.1', ['Host: nowhere.test', `Content-Length: ${trap.length}`]) + trap);
    const notFound = await c.readResponse();
    assert.equal(notFound.status, 404);
    await c.write(get('/echo?n=after'));
    const next = await c.readResponse();
    assert.equal(next.status, 200);
    assert.equal(echoUrl(next), '/echo?n=after');
    assert.equal(up.served, served + 1, `the upstream got more than the one request: last ${up.last?.url}`);
  });

  it("11. HEAD: the upstream's Content-Length, no body bytes, the next request works", T, async () => {
    const c = await connect();
    await c.write(requestHead('HEAD /sized HTTP/1.1', [`Host: ${OWN}`]));
    const res = await c.readResponse({ head: true });
    assert.equal(res.status, 200);
    assert.equal(header(res, 'content-length'), String(SCRIPTED.length));
    await sleep(50);
    assert.equal(c.pending.length, 0, `body bytes after a HEAD response: ${JSON.stringify(c.pending.toString())}`);
    await c.write(get('/sized', OWN));
    const next = await c.readResponse();
    assert.equal(next.status, 200);
    assert.equal(next.body.toString(), SCRIPTED);
  });

  it('12. 204 and 304 from the upstream carry no body and the connection stays usable', T, async () => {
    const c = await connect();
    for (const status of [204, 304]) {
      await c.write(get(`/status/${status}`, OWN));
      const res = await c.readResponse();
      assert.equal(res.status, status);
      assert.equal(header(res, 'transfer-encoding'), undefined);
      if (status === 204) assert.ok([undefined, '0'].includes(header(res, 'content-length')), 'a 204 with a Content-Length');
    }
    await sleep(50);
    assert.equal(c.pending.length, 0, `bytes after bodiless responses: ${JSON.stringify(c.pending.toString())}`);
    await c.write(get('/plain', OWN));
    const next = await c.readResponse();
    assert.equal(next.status, 200);
    assert.equal(next.body.toString(), SCRIPTED);
  });

  it('13. a client gone mid-response: the edge stays healthy and logs 499', T, async () => {
    const c = await connect();
    const served = up.served;
    await c.write(get('/slow?ms=500', APP, ['X-Request-Id: abandoned-13']));
    await waitUntil('the slow request to reach the upstream', () => up.served > served);
    c.destroy();
    const fresh = await connect();
    await fresh.write(get('/'));
    assert.equal((await fresh.readResponse()).body.toString(), 'hello-app');
    await waitUntil('the access log line', () => edge.accessLines.some((l) => l.includes('"abandoned-13"')));
    const line = JSON.parse(edge.accessLines.find((l) => l.includes('"abandoned-13"')) ?? '{}') as { status: number };
    assert.equal(line.status, 499);
  });

  it('15. a client that shuts down its side mid-request is taken as gone (like nginx): no response, logged 499', T, async () => {
    const c = await connect();
    const served = up.served;
    await c.write(get('/slow?ms=300', APP, ['X-Request-Id: half-closed-15']));
    await waitUntil('the slow request to reach the upstream', () => up.served > served);
    c.end();
    assert.equal(await c.waitForClose(5000), true);
    await waitUntil('the access log line', () => edge.accessLines.some((l) => l.includes('"half-closed-15"')));
    const line = JSON.parse(edge.accessLines.find((l) => l.includes('"half-closed-15"')) ?? '{}') as { status: number };
    assert.equal(line.status, 499);
  });

  for (const kind of ['sized', 'chunked'] as const) {
    it(`16. a 2 MiB ${kind} body reaches a slowly reading client intact`, T, async () => {
      const c = await connect();
      await c.write(get(`/big-${kind}`, OWN));
      const reading = c.readResponse({ timeoutMs: 10_000 });
      for (let i = 0; i < 3; i++) {
        c.socket.pause();
        await sleep(200);
        c.socket.resume();
        await sleep(20);
      }
      const res = await reading;
      assert.equal(res.status, 200);
      assert.equal(res.body.length, BIG.length);
      assert.equal(sha256(res.body), sha256(BIG));
    });
  }

  it('17. responses carry X-Request-Id; a client-sent one comes back unchanged', T, async () => {
    const c = await connect();
    await c.write(get('/'));
    const generated = header(await c.readResponse(), 'x-request-id');
    assert.ok(generated && generated.length > 0, 'no X-Request-Id on the response');
    await c.write(get('/echo', APP, ['X-Request-Id: abc']));
    const res = await c.readResponse();
    assert.equal(header(res, 'x-request-id'), 'abc');
    assert.equal((JSON.parse(res.body.toString()) as { headers: Record<string, string> }).headers['x-request-id'], 'abc');
  });
});

describe('edge client side, idle keep-alive', () => {
  it('14. an idle keep-alive connection is closed by the server', T, async () => {
    const up = await startUpstream('idle');
    const edge = await startTestEdge({ clientKeepAliveTimeoutMs: 300 });
    const c = await RawClient.connect(edge.edge.port);
    try {
      await edge.client.putRoute(route('proto/idle', [up.url]));
      await c.write(get('/'));
      assert.equal((await c.readResponse()).status, 200);
      assert.equal(await c.waitForClose(3000), true, 'the idle connection was not closed within 3 s');
    } finally {
      c.destroy();
      await edge.close();
      await up.close();
    }
  });
});

describe('edge client side, a client that stops reading', () => {
  it('18. is dropped after the send timeout, its request logged 499 and its upstream connection freed', T, async () => {
    const huge = Buffer.alloc(64 * 1024 * 1024, 120); // far more than the loopback socket buffers hold
    const upstream = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(huge.length) });
      res.end(huge);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const edge = await startTestEdge({ clientSendTimeoutMs: 400 });
    const c = await RawClient.connect(edge.edge.port);
    try {
      await edge.client.putRoute(route('proto/stall', [upUrl], { healthCheck: { path: '/', intervalMs: 60_000, timeoutMs: 2000, healthyThreshold: 1 } }));
      c.socket.pause(); // never reads the response
      await c.write(get('/huge', 'stall.test', ['X-Request-Id: stalled-18']));
      await waitUntil('the access log line of the stalled request', () => edge.accessLines.some((l) => l.includes('"stalled-18"')), 8000);
      const line = JSON.parse(edge.accessLines.find((l) => l.includes('"stalled-18"')) ?? '{}') as { status: number };
      assert.equal(line.status, 499);
    } finally {
      c.destroy();
      await edge.close();
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });
});
