// HTTP/2 at the edge, proxied to HTTP/1.1 upstreams: real TLS with ALPN h2, node:http2 and
// curl --http2 clients, real upstream servers on port 0 (fake-upstream.ts and raw ones here).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/platform/exec.js';
import { waitUntil } from '../support/wait-until.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { h2Request, h2Route, startH2Edge, type H2Edge } from './http2-harness.js';

/** An upstream that answers /sha with the sha256 and length of the request body and its framing headers. */
async function startHashUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    if (req.url === '/status/204') return void res.writeHead(204).end();
    if (req.url === '/status/304') return void res.writeHead(304, { etag: '"v1"' }).end();
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      length += c.length;
    });
    req.on('end', () =>
      res.end(JSON.stringify({ sha: hash.digest('hex'), length, contentLength: req.headers['content-length'] ?? null, te: req.headers['transfer-encoding'] ?? null })),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())).then(() => undefined),
  };
}

/** An upstream whose response carries every hop-by-hop header HTTP/2 forbids (and a chunked body). */
async function startHopByHopUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        const end = buf.indexOf('\r\n\r\n');
        const isHealth = buf.startsWith('GET /health ');
        buf = buf.slice(end + 4);
        if (isHealth) {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
          continue;
        }
        socket.write(
          'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret-Hop\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n' +
            'Upgrade: h2c\r\nTransfer-Encoding: chunked\r\nX-Secret-Hop: 1\r\nX-End-To-End: yes\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n' +
            '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

describe('HTTP/2 at the edge', () => {
  let edge: H2Edge;
  let app: FakeUpstream;
  let hashes: Awaited<ReturnType<typeof startHashUpstream>>;
  let hops: Awaited<ReturnType<typeof startHopByHopUpstream>>;

  before(async () => {
    edge = await startH2Edge();
    app = await startUpstream('app-1');
    hashes = await startHashUpstream();
    hops = await startHopByHopUpstream();
    await edge.put(h2Route('app', ['app.test'], [app.url]));
    await edge.put(h2Route('hash', ['hash.test'], [hashes.url]));
    await edge.put(h2Route('hops', ['hops.test'], [hops.url]));
  });
  after(async () => {
    await edge.close();
    await app.close();
    await hashes.close();
    await hops.close();
  });

  it('proxies a GET over h2 and logs it as HTTP/2', async () => {
    const session = edge.connect();
    const res = await h2Request(session, { ':path': '/hello?x=1', ':authority': 'app.test' });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'app-1');
    assert.ok(res.headers['x-request-id']);
    assert.equal(session.alpnProtocol, 'h2');
    await waitUntil('the access log line', () => edge.accessLines.some((l) => l.includes('"path":"/hello"')));
    const entry = JSON.parse(edge.accessLines.find((l) => l.includes('"path":"/hello"')) ?? '{}') as Record<string, unknown>;
    assert.equal(entry.protocol, 'HTTP/2');
    assert.equal(entry.status, 200);
    assert.equal(entry.host, 'app.test');
    assert.equal(entry.route, 'app');
    session.close();
  });

  it('maps the request head: :authority to Host, cookies joined, X-Forwarded-Proto https, the client\'s forwarding headers dropped', async () => {
    const session = edge.connect();
    const res = await h2Request(session, {
      ':path': '/echo/a?b=c',
      ':authority': 'app.test:8443',
      ':method': 'PUT',
      cookie: ['a=1', 'b=2', 'c=3'],
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '6.6.6.6',
      'x-custom': 'kept',
    }, 'x');
    assert.equal(res.status, 200);
    const seen = JSON.parse(res.body.toString()) as { url: string; method: string; headers: Record<string, string> };
    assert.equal(seen.url, '/echo/a?b=c');
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.headers.host, 'app.test:8443');
    assert.equal(seen.headers.cookie, 'a=1; b=2; c=3');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-host'], 'app.test:8443');
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.ok(seen.headers['x-request-id']);
    session.close();
  });

  it('drops the upstream\'s hop-by-hop response headers and keeps each Set-Cookie', async () => {
    const session = edge.connect();
    const res = await h2Request(session, { ':path': '/', ':authority': 'hops.test' });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hello world');
    for (const name of ['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'transfer-encoding']) {
      assert.equal(res.headers[name], undefined, `${name} reached the client`);
    }
    assert.equal(res.headers['x-end-to-end'], 'yes');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    session.close();
  });

  it('ends bodyless responses (HEAD, 204, 304) with their head', async () => {
    const session = edge.connect();
    const head = await h2Request(session, { ':path': '/', ':method': 'HEAD', ':authority': 'app.test' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(head.headers['x-request-id']);
    const none = await h2Request(session, { ':path': '/status/204', ':authority': 'hash.test' });
    assert.equal(none.status, 204);
    const notModified = await h2Request(session, { ':path': '/status/304', ':authority': 'hash.test' });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.etag, '"v1"');
    const after = await h2Request(session, { ':path': '/', ':authority': 'app.test' });
    assert.equal(after.body.toString(), 'app-1');
    session.close();
  });

  it('answers Expect: 100-continue with a 100 before the body is sent', async () => {
    const session = edge.connect();
    const req = session.request({ ':path': '/sha', ':method': 'POST', ':authority': 'hash.test', expect: '100-continue' }, { endStream: false });
    req.once('continue', () => req.end('after continue'));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    await new Promise<void>((resolve, reject) => {
      req.once('end', resolve);
      req.once('error', reject);
    });
    const seen = JSON.parse(Buffer.concat(chunks).toString()) as { length: number };
    assert.equal(seen.length, 'after continue'.length);
    session.close();
  });

  it('streams a large POST body to the upstream, chunked without a length and sized with one', async () => {
    const session = edge.connect();
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
    const count = 160; // 10 MiB
    const expected = createHash('sha256');
    for (let i = 0; i < count; i++) expected.update(chunk);
    const sha = expected.digest('hex');
    async function* body(): AsyncIterable<Buffer> {
      for (let i = 0; i < count; i++) yield chunk;
    }
    const chunked = await h2Request(session, { ':path': '/sha', ':method': 'POST', ':authority': 'hash.test' }, body());
    assert.equal(chunked.status, 200);
    assert.deepEqual(JSON.parse(chunked.body.toString()), { sha, length: count * chunk.length, contentLength: null, te: 'chunked' });
    const sized = await h2Request(session, { ':path': '/sha', ':method': 'POST', ':authority': 'hash.test', 'content-length': String(count * chunk.length) }, body());
    assert.deepEqual(JSON.parse(sized.body.toString()), { sha, length: count * chunk.length, contentLength: String(count * chunk.length), te: null });
    session.close();
  });

  it('serves many concurrent streams on one connection, each its own answer', async () => {
    const session = edge.connect();
    const results = await Promise.all(
      Array.from({ length: 150 }, (_, i) => h2Request(session, { ':path': `/echo?i=${i}`, ':authority': 'app.test' })),
    );
    results.forEach((res, i) => {
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.body.toString()) as { url: string }).url, `/echo?i=${i}`);
    });
    session.close();
  });

  it('answers 404 for an unknown host, 502 (the route\'s page) for a dead upstream, 503 in maintenance', async () => {
    const up = await startUpstream('soon-dead');
    await edge.put(h2Route('dead', ['dead.test'], [up.url], { errorPages: { '502': '<h1>we are down</h1>' } }));
    await up.close();
    await edge.put(h2Route('maint', ['maint.test'], [app.url]));
    await edge.registry.setMaintenance('maint', { enabled: true, message: 'Back at <5>', retryAfterSeconds: 30 });
    const session = edge.connect();
    const missing = await h2Request(session, { ':path': '/', ':authority': 'nowhere.test' });
    assert.equal(missing.status, 404);
    assert.match(missing.body.toString(), /no application/);
    assert.equal(missing.headers['content-length'], String(missing.body.length));
    const bad = await h2Request(session, { ':path': '/', ':authority': 'dead.test' });
    assert.equal(bad.status, 502);
    assert.equal(bad.body.toString(), '<h1>we are down</h1>');
    assert.equal(bad.headers['content-type'], 'text/html; charset=utf-8');
    const maint = await h2Request(session, { ':path': '/', ':authority': 'maint.test' });
    assert.equal(maint.status, 503);
    assert.equal(maint.headers['retry-after'], '30');
    assert.match(maint.body.toString(), /Back at &lt;5&gt;/);
    session.close();
  });

  it('answers before the upload is done (404) and stops the upload with RST_STREAM(NO_ERROR); the connection goes on', async () => {
    const session = edge.connect();
    const chunk = Buffer.alloc(64 * 1024, 'q');
    async function* endless(): AsyncIterable<Buffer> {
      for (let i = 0; i < 10_000; i++) yield chunk; // 640 MiB: never sent whole
    }
    const req = session.request({ ':path': '/upload', ':method': 'POST', ':authority': 'nowhere.test' }, { endStream: false });
    req.on('error', () => undefined);
    const status = new Promise<number>((r) => req.once('response', (h) => r(Number(h[':status']))));
    const closed = new Promise<number>((r) => req.once('close', () => r(req.rstCode ?? -1)));
    void (async () => {
      for await (const c of endless()) {
        if (req.closed || req.destroyed) return;
        if (!req.write(c)) await new Promise((r) => req.once('drain', r).once('close', r));
      }
    })();
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    assert.equal(await status, 404);
    assert.equal(await closed, http2.constants.NGHTTP2_NO_ERROR);
    assert.match(Buffer.concat(body).toString(), /no application/, 'the whole 404 page came before the reset');
    const next = await h2Request(session, { ':path': '/', ':authority': 'app.test' });
    assert.equal(next.body.toString(), 'app-1');
    session.close();
  });

  it('serves curl --http2 (GET and a 3 MiB POST) with the certificate as CA', async () => {
    const file = path.join(os.tmpdir(), `h2-post-${process.pid}-${Date.now()}`);
    const data = Buffer.alloc(3 * 1024 * 1024, 'z');
    await writeFile(file, data);
    try {
      const resolve = [`--resolve`, `app.test:${edge.port}:127.0.0.1`, '--resolve', `hash.test:${edge.port}:127.0.0.1`];
      const get = await run(['curl', '-sS', '--http2', '--cacert', edge.caFile, ...resolve, '-w', '\n%{http_version} %{response_code}', `https://app.test:${edge.port}/`]);
      assert.equal(get.code, 0, get.stderr);
      assert.equal(get.stdout.trim(), 'app-1\n2 200');
      const post = await run(['curl', '-sS', '--http2', '--cacert', edge.caFile, ...resolve, '--data-binary', `@${file}`, '-w', '\n%{http_version}', `https://hash.test:${edge.port}/sha`]);
      assert.equal(post.code, 0, post.stderr);
      const [json, version] = post.stdout.trim().split('\n');
      assert.equal(version, '2');
      const seen = JSON.parse(json ?? '{}') as { sha: string; length: number };
      assert.equal(seen.length, data.length);
      assert.equal(seen.sha, createHash('sha256').update(data).digest('hex'));
    } finally {
      await rm(file, { force: true });
    }
  });
});

describe('HTTP/2 from a trusted proxy', () => {
  let edge: H2Edge;
  let app: FakeUpstream;

  before(async () => {
    edge = await startH2Edge({ trustedProxies: ['127.0.0.1'] });
    app = await startUpstream('app-1');
    await edge.put(h2Route('app', ['app.test'], [app.url]));
  });
  after(async () => {
    await edge.close();
    await app.close();
  });

  it('passes on what the proxy says about the client, and says https when it says nothing', async () => {
    const session = edge.connect();
    const relayed = await h2Request(session, { ':path': '/echo', ':authority': 'app.test', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'http', 'x-real-ip': '203.0.113.7' });
    const seen = (JSON.parse(relayed.body.toString()) as { headers: Record<string, string> }).headers;
    assert.equal(seen['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-real-ip'], '203.0.113.7');
    const direct = await h2Request(session, { ':path': '/echo', ':authority': 'app.test' });
    assert.equal((JSON.parse(direct.body.toString()) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'https');
    session.close();
  });
});
