// Routes with TLS through a real edge: plain HTTP redirected (308) to https except the ACME
// HTTP-01 path, the canonical host redirect (same scheme, one hop from http), HSTS on HTTPS
// responses, X-Forwarded-Proto https at the upstream (a trusted proxy's own header kept), and
// HTTP-01 answers for any host before routing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import net from 'node:net';
import tls from 'node:tls';
import { Sensitive } from '../../src/core/sensitive.js';
import { run } from '../../src/platform/exec.js';
import { TestCa } from '../support/test-ca.js';
import { waitUntil } from '../support/wait-until.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { httpsGet } from './tls-client.js';

describe('edge HTTPS: routes with TLS', () => {
  let ca: TestCa;
  let edge: TestEdge;
  let up: FakeUpstream;
  let https: number;
  let http: number;

  before(async () => {
    ca = await TestCa.create();
    up = await startUpstream('app');
    edge = await startTestEdge({ httpsPort: 0 });
    https = edge.edge.httpsPort as number;
    http = edge.edge.port;
    const pair = await ca.issue(['shop.test', 'www.shop.test']);
    await edge.client.putCertificate({ id: 'shop', hosts: ['shop.test', 'www.shop.test'], certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });
    const plain = await ca.issue(['plain.test']);
    await edge.client.putCertificate({ id: 'plain', hosts: ['plain.test'], certificatePem: plain.certificatePem, keyPem: new Sensitive(plain.keyPem) });
    await edge.client.putRoute(route('shop/prod', [up.url], { hosts: ['shop.test', 'www.shop.test'], tls: { hsts: true }, canonicalHost: 'shop.test' }));
    await edge.client.putRoute(route('plain/prod', [up.url], { hosts: ['plain.test'] }));
  });

  after(async () => {
    await edge?.close();
    await up?.close();
    await ca?.close();
  });

  it('redirects plain HTTP of a TLS route to https with 308, path and query kept', async () => {
    const res = await edge.get('/a/b?x=1&y=2', { host: `shop.test:${http}` });
    assert.equal(res.status, 308);
    assert.equal(res.headers.location, `https://shop.test:${https}/a/b?x=1&y=2`);
    assert.equal(up.last?.url === '/a/b?x=1&y=2', false, 'the request did not reach the upstream');
  });

  it('redirects a non-canonical host straight to https on the canonical host (one hop), and over https to the canonical host', async () => {
    const fromHttp = await edge.get('/p?q', { host: `www.shop.test:${http}` });
    assert.equal(fromHttp.status, 308);
    assert.equal(fromHttp.headers.location, `https://shop.test:${https}/p?q`);
    const fromHttps = await httpsGet(https, 'www.shop.test', '/p?q', { ca: ca.certificatePem });
    assert.equal(fromHttps.status, 308);
    assert.equal(fromHttps.headers.location, `https://shop.test:${https}/p?q`);
  });

  it('serves HTTPS with HSTS and X-Forwarded-Proto https at the upstream', async () => {
    const res = await httpsGet(https, 'shop.test', '/echo', { ca: ca.certificatePem });
    assert.equal(res.status, 200);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
    const seen = JSON.parse(res.body) as { headers: Record<string, string> };
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-host'], `shop.test:${https}`);
  });

  it('serves a route without tls over both, with no redirect, no HSTS, and the scheme it came by', async () => {
    const overHttp = await edge.get('/echo', { host: 'plain.test' });
    assert.equal(overHttp.status, 200);
    assert.equal(overHttp.headers['strict-transport-security'], undefined);
    assert.equal((JSON.parse(overHttp.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'http');
    const overHttps = await httpsGet(https, 'plain.test', '/echo', { ca: ca.certificatePem });
    assert.equal(overHttps.headers['strict-transport-security'], undefined);
    assert.equal((JSON.parse(overHttps.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'https');
  });

  it('answers a pending HTTP-01 token for any host before routing; other tokens fall through to routing unredirected', async () => {
    await edge.client.putChallenge({ type: 'http-01', token: 'tok_EN-1', keyAuthorization: 'tok_EN-1.thumbPRINT' });
    for (const host of ['shop.test', 'nobody.test']) {
      const res = await edge.get('/.well-known/acme-challenge/tok_EN-1', { host });
      assert.equal(res.status, 200, host);
      assert.equal(res.body, 'tok_EN-1.thumbPRINT');
      assert.match(String(res.headers['content-type']), /^text\/plain/);
    }
    const unknown = await edge.get('/.well-known/acme-challenge/other', { host: 'shop.test' });
    assert.equal(unknown.status, 200, 'reached the upstream, not a redirect');
    assert.equal(unknown.body, 'app');
    assert.equal(up.last?.url, '/.well-known/acme-challenge/other');
    await edge.client.removeChallenge('http-01', 'tok_EN-1');
    assert.equal((await edge.get('/.well-known/acme-challenge/tok_EN-1', { host: 'nobody.test' })).status, 404);
  });

  it('takes curl from http://www. to https:// on the canonical host, verified with --cacert', async () => {
    const r = await run(
      ['curl', '-sS', '-L', '--cacert', ca.caFile,
        '--resolve', `www.shop.test:${http}:127.0.0.1`, '--resolve', `shop.test:${https}:127.0.0.1`,
        '-w', '\n%{url_effective} %{http_code} %{num_redirects}', `http://www.shop.test:${http}/hello`],
      { timeoutMs: 10_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `app\nhttps://shop.test:${https}/hello 200 1`);
  });

  it('tunnels a WebSocket upgrade over TLS (wss)', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port: https, servername: 'shop.test', ca: ca.certificatePem, ALPNProtocols: ['http/1.1'] });
    try {
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      socket.write('GET /ws HTTP/1.1\r\nHost: shop.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      await waitUntil('the 101 through the TLS edge', () => got.includes('\r\n\r\n'), 5000);
      assert.match(got, /^HTTP\/1\.1 101 /);
      assert.match(got, /X-Upstream: app/i);
      socket.write('ping');
      await waitUntil('the echo through the tunnel', () => got.endsWith('app:ping'), 5000);
    } finally {
      socket.destroy();
    }
  });

  it('redirects a WebSocket upgrade over plain HTTP to https (308), never tunnelling it in the clear', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: http });
    try {
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.write('GET /ws?room=1 HTTP/1.1\r\nHost: shop.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      await waitUntil('the answer to the plain-HTTP upgrade', () => got.includes('\r\n\r\n'), 5000);
      assert.match(got, /^HTTP\/1\.1 308 /);
      assert.match(got, new RegExp(`\r\nLocation: https://shop\\.test:${https}/ws\\?room=1\r\n`));
      assert.doesNotMatch(got, /X-Upstream: app/i);
    } finally {
      socket.destroy();
    }
  });

  it("keeps HSTS on the edge's own pages over HTTPS (maintenance)", async () => {
    await edge.client.setMaintenance('shop/prod', { enabled: true, message: 'back soon', retryAfterSeconds: 60 });
    try {
      const res = await httpsGet(https, 'shop.test', '/page', { ca: ca.certificatePem });
      assert.equal(res.status, 503);
      assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
      const plain = await httpsGet(https, 'plain.test', '/page', { ca: ca.certificatePem });
      assert.equal(plain.headers['strict-transport-security'], undefined);
    } finally {
      await edge.client.setMaintenance('shop/prod', { enabled: false });
    }
  });

  it('refuses a canonical host that is not one of the route hosts, naming the field', async () => {
    await assert.rejects(edge.client.putRoute(route('bad/prod', [up.url], { hosts: ['a.test'], canonicalHost: 'b.test' })), /route\.canonicalHost: expected one of the route's hosts/);
  });
});

describe('edge HTTPS: forwarding headers from a trusted proxy', () => {
  it("keeps a trusted peer's X-Forwarded-Proto over TLS and sets https itself otherwise", async () => {
    const ca = await TestCa.create();
    const up = await startUpstream('app');
    const trusted = await startTestEdge({ httpsPort: 0, trustedProxies: ['127.0.0.1'] });
    const untrusted = await startTestEdge({ httpsPort: 0 });
    try {
      const pair = await ca.issue(['p.test']);
      for (const e of [trusted, untrusted]) {
        await e.client.putCertificate({ id: 'p', hosts: ['p.test'], certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });
        await e.client.putRoute(route('p/prod', [up.url], { hosts: ['p.test'] }));
      }
      const proto = async (e: TestEdge, headers?: Record<string, string>) =>
        (JSON.parse((await httpsGet(e.edge.httpsPort as number, 'p.test', '/echo', { ca: ca.certificatePem, headers })).body) as { headers: Record<string, string> }).headers['x-forwarded-proto'];
      assert.equal(await proto(trusted, { 'x-forwarded-proto': 'http' }), 'http', 'a trusted proxy says what its client used');
      assert.equal(await proto(trusted), 'https');
      assert.equal(await proto(untrusted, { 'x-forwarded-proto': 'http' }), 'https', 'an untrusted peer cannot claim a scheme');
    } finally {
      await trusted.close();
      await untrusted.close();
      await up.close();
      await ca.close();
    }
  });
});
