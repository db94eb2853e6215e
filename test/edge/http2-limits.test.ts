// HTTP/2 limits and shutdown at the edge: graceful close (GOAWAY, streams in progress finish),
// the concurrent stream limit, headers HTTP/2 forbids, the header list size, the rapid reset
// attack (CVE-2023-44487) answered with GOAWAY, and flow control that keeps a slow peer on either
// side from making the edge buffer without bound.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requestHeadFromHttp2 } from '../../src/edge/http2/http2-request-head.js';
import { waitUntil } from '../support/wait-until.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { connectRawH2, errorCode, FRAME, frameBytes, headersFrame, rstFrame } from './h2-raw-client.js';
import { h2Request, h2Route, startH2Edge, type H2Edge } from './http2-harness.js';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_PROTOCOL_ERROR, NGHTTP2_CANCEL } = http2.constants;

/** An upstream counting the requests it holds at once; /slow answers after 150 ms. */
async function startCountingUpstream(): Promise<{ url: string; now: number; max: number; close(): Promise<void> }> {
  const state = { url: '', now: 0, max: 0, close: async (): Promise<void> => undefined };
  const server = http.createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    state.now++;
    state.max = Math.max(state.max, state.now);
    setTimeout(() => {
      state.now--;
      res.end('done');
    }, 150);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((r) => server.close(() => r()));
  return state;
}

describe('HTTP/2 request head mapping (pure)', () => {
  const base = [':method', 'GET', ':scheme', 'https', ':authority', 'app.test', ':path', '/a?b'];
  it('maps pseudo-headers, joins cookies, keeps forwarding headers apart, drops hop-by-hop ones', () => {
    const head = requestHeadFromHttp2([...base, 'cookie', 'a=1', 'accept', 'x', 'cookie', 'b=2', 'te', 'trailers', 'x-forwarded-for', '1.2.3.4', 'x-request-id', 'r1'], true);
    assert.equal(head.method, 'GET');
    assert.equal(head.target, '/a?b');
    assert.equal(head.inbound.host, 'app.test');
    assert.equal(head.inbound.requestId, 'r1');
    assert.equal(head.inbound.forwardedFor, '1.2.3.4');
    assert.deepEqual(head.inbound.forward, ['accept', 'x', 'host', 'app.test', 'cookie', 'a=1; b=2']);
    assert.equal(head.inbound.hasBody, false);
  });
  it('frames a body by Content-Length or as chunked', () => {
    const sized = requestHeadFromHttp2([...base, 'content-length', '5'], false);
    assert.equal(sized.chunked, false);
    assert.equal(sized.contentLength, 5);
    assert.deepEqual(sized.inbound.forward.slice(0, 2), ['content-length', '5']);
    const unsized = requestHeadFromHttp2(base, false);
    assert.equal(unsized.chunked, true);
    assert.equal(unsized.inbound.hasBody, true);
  });
  it('refuses what would bend the HTTP/1.1 request it becomes', () => {
    const swap = (name: string, value: string) => base.map((v, i) => (i > 0 && base[i - 1] === name ? value : v));
    assert.throws(() => requestHeadFromHttp2(swap(':path', '/a b HTTP/1.1\r\nX: y'), true), /CR, LF or NUL/);
    assert.throws(() => requestHeadFromHttp2(swap(':path', '/a b'), true), /visible ASCII/);
    assert.throws(() => requestHeadFromHttp2(swap(':path', 'http://evil/'), true), /start with "\/"/);
    assert.throws(() => requestHeadFromHttp2(swap(':method', 'CONNECT'), true), /CONNECT/);
    assert.throws(() => requestHeadFromHttp2([...base, 'host', 'other.test'], true), /differs from :authority/);
    assert.throws(() => requestHeadFromHttp2([...base, 'x-a', 'b\nc'], true), /"x-a"/);
    assert.throws(() => requestHeadFromHttp2([...base, ':protocol', 'websocket'], true), /:protocol/);
  });
});

describe('HTTP/2 limits and shutdown', () => {
  let edge: H2Edge;
  let app: FakeUpstream;
  let counting: Awaited<ReturnType<typeof startCountingUpstream>>;

  before(async () => {
    edge = await startH2Edge({ front: { maxConcurrentStreams: 10, rapidReset: { burst: 50, perSecond: 5 } } });
    app = await startUpstream('app-1');
    counting = await startCountingUpstream();
    await edge.put(h2Route('app', ['app.test'], [app.url]));
    await edge.put(h2Route('count', ['count.test'], [counting.url]));
  });
  after(async () => {
    await edge.close();
    await app.close();
    await counting.close();
  });

  it('holds a connection to its concurrent stream limit (10 here): 40 requests, at most 10 at the upstream at once', async () => {
    const session = edge.connect();
    await new Promise<void>((r) => session.once('remoteSettings', () => r()));
    assert.equal(session.remoteSettings.maxConcurrentStreams, 10);
    const results = await Promise.all(Array.from({ length: 40 }, () => h2Request(session, { ':path': '/slow', ':authority': 'count.test' })));
    assert.ok(results.every((r) => r.status === 200));
    assert.ok(counting.max <= 10 && counting.max >= 5, `the upstream held ${counting.max} requests at once`);
    session.close();
  });

  it('refuses connection-specific headers (RFC 9113 8.2.2) without reaching the upstream', async () => {
    const raw = await connectRawH2(edge.port, edge.ca);
    const before = app.served;
    const pseudo: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'app.test'], [':path', '/']];
    raw.send(headersFrame(1, [...pseudo, ['connection', 'close']]), headersFrame(3, [...pseudo, ['transfer-encoding', 'chunked']]), headersFrame(5, [...pseudo, ['te', 'gzip']]));
    for (const id of [1, 3, 5]) {
      const rst = await raw.waitFor(`RST_STREAM on stream ${id}`, (f) => f.type === FRAME.RST_STREAM && f.stream === id);
      assert.equal(errorCode(rst), NGHTTP2_PROTOCOL_ERROR);
    }
    raw.send(headersFrame(7, pseudo));
    await raw.waitFor('the response to a well-formed stream', (f) => f.type === FRAME.HEADERS && f.stream === 7);
    assert.equal(app.served, before + 1);
    raw.close();
  });

  it('refuses a header list over its advertised size', async () => {
    const session = edge.connect();
    const before = app.served;
    const res = await h2Request(session, { ':path': '/', ':authority': 'app.test', 'x-big': 'a'.repeat(40 * 1024) }).then(
      (r) => r.status,
      (err: Error) => err.message,
    );
    assert.notEqual(res, 200);
    assert.equal(app.served, before);
    session.destroy();
  });

  it('answers a rapid reset flood with GOAWAY (ENHANCE_YOUR_CALM) and closes the connection', async () => {
    const raw = await connectRawH2(edge.port, edge.ca);
    const servedBefore = app.served;
    const frames: Buffer[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = 1 + 2 * i;
      frames.push(headersFrame(id, [[':method', 'GET'], [':scheme', 'https'], [':authority', 'app.test'], [':path', `/flood/${i}`]]), rstFrame(id, NGHTTP2_CANCEL));
    }
    raw.send(...frames);
    const goaway = await raw.waitFor('GOAWAY', (f) => f.type === FRAME.GOAWAY);
    assert.equal(errorCode(goaway), NGHTTP2_ENHANCE_YOUR_CALM);
    await waitUntil('the connection to close', () => raw.closed);
    assert.equal(edge.abuses.length, 1);
    assert.match(edge.abuses[0] ?? '', /rapid reset/);
    assert.ok(app.served - servedBefore <= 60, `${app.served - servedBefore} of the reset requests reached the upstream`);
    // Well within the burst, a browser's occasional cancel is fine.
    const session = edge.connect();
    for (let i = 0; i < 5; i++) {
      const req = session.request({ ':path': '/slow?ms=200', ':authority': 'app.test' });
      req.on('error', () => undefined);
      req.close(NGHTTP2_CANCEL);
    }
    const ok = await h2Request(session, { ':path': '/', ':authority': 'app.test' });
    assert.equal(ok.status, 200);
    session.close();
  });

  it('counts streams the server had to reset for a client\'s protocol error too (MadeYouReset, CVE-2025-8671)', async () => {
    const raw = await connectRawH2(edge.port, edge.ca);
    const abusesBefore = edge.abuses.length;
    // One stream at a time (this edge allows 10 at once; streams past that are refused before any work starts).
    for (let i = 0; i < 200 && !raw.frames.some((f) => f.type === FRAME.GOAWAY); i++) {
      const id = 1 + 2 * i;
      // More DATA than the Content-Length is a stream error: the server resets the stream it just started.
      const head = headersFrame(id, [[':method', 'POST'], [':scheme', 'https'], [':authority', 'app.test'], [':path', `/made/${i}`], ['content-length', '1']], false);
      raw.send(head, frameBytes(FRAME.DATA, 0x1, id, Buffer.from('ab')));
      await raw.waitFor(`the reset of stream ${id}`, (f) => (f.type === FRAME.RST_STREAM && f.stream === id) || f.type === FRAME.GOAWAY);
    }
    const goaway = await raw.waitFor('GOAWAY', (f) => f.type === FRAME.GOAWAY);
    assert.equal(errorCode(goaway), NGHTTP2_ENHANCE_YOUR_CALM);
    await waitUntil('the connection to close', () => raw.closed);
    assert.equal(edge.abuses.length, abusesBefore + 1);
    assert.ok(raw.frames.some((f) => f.type === FRAME.RST_STREAM && errorCode(f) === NGHTTP2_PROTOCOL_ERROR), 'the server reset the malformed streams');
  });

  it('closes gracefully: GOAWAY, the stream in progress finishes, no new stream starts', async () => {
    const session = edge.connect();
    await h2Request(session, { ':path': '/', ':authority': 'app.test' });
    const slow = h2Request(session, { ':path': '/slow?ms=400', ':authority': 'app.test' });
    await waitUntil('the slow request at the upstream', () => app.last?.url === '/slow?ms=400');
    const goaway = new Promise<number>((r) => session.once('goaway', (code: number) => r(code)));
    edge.front.close();
    assert.equal(await goaway, 0);
    const res = await slow;
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'app-1');
    await assert.rejects(h2Request(session, { ':path': '/', ':authority': 'app.test' }));
    await waitUntil('the connection to close', () => session.closed || session.destroyed);
    await waitUntil('the front to forget it', () => edge.front.connections === 0);
  });
});
