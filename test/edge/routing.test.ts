import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normaliseHost, upstreamUrl } from '../../src/edge/proxy/request-target.js';
import { prefixMatches, RouteTable } from '../../src/edge/routing/route-table.js';
import { startTestEdge, route, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';

describe('route table (pure)', () => {
  it('matches prefixes on segment boundaries', () => {
    assert.equal(prefixMatches('/event1', '/event1'), true);
    assert.equal(prefixMatches('/event1', '/event1/x'), true);
    assert.equal(prefixMatches('/event1', '/event1?a=b'), true);
    assert.equal(prefixMatches('/event1', '/event10'), false);
    assert.equal(prefixMatches('/', '/anything'), true);
  });
  it('strips prefixes without leaving an empty path', () => {
    assert.equal(upstreamUrl('/event1', true, '/event1'), '/');
    assert.equal(upstreamUrl('/event1', true, '/event1?x=1'), '/?x=1');
    assert.equal(upstreamUrl('/event1', true, '/event1/a/b'), '/a/b');
    assert.equal(upstreamUrl('/event1', false, '/event1/a'), '/event1/a');
  });
  it('normalises hosts', () => {
    assert.equal(normaliseHost('Example.COM:8080'), 'example.com');
    assert.equal(normaliseHost('[::1]:80'), '[::1]');
    assert.equal(normaliseHost(undefined), '');
  });
  it('prefers an exact host, then the longest prefix', () => {
    const t = new RouteTable([
      { id: 'any-root', hosts: [], pathPrefix: '/' },
      { id: 'any-api', hosts: [], pathPrefix: '/api' },
      { id: 'a-root', hosts: ['a.test'], pathPrefix: '/' },
      { id: 'a-deep', hosts: ['a.test'], pathPrefix: '/api/v2' },
    ]);
    assert.equal(t.match('a.test', '/api/v2/x')?.id, 'a-deep');
    assert.equal(t.match('a.test', '/api/v1')?.id, 'a-root');
    assert.equal(t.match('b.test', '/api/v1')?.id, 'any-api');
    assert.equal(t.match('b.test', '/apix')?.id, 'any-root');
  });
});

describe('edge routing through real servers', () => {
  let edge: TestEdge;
  let a: FakeUpstream;
  let b: FakeUpstream;
  let c: FakeUpstream;
  before(async () => {
    [a, b, c] = await Promise.all([startUpstream('A'), startUpstream('B'), startUpstream('C')]);
    // The test client is the trusted proxy here (its X-Forwarded-For is kept and extended); what an
    // untrusted client sends is dropped: test/security/edge-forwarded-headers.test.ts.
    edge = await startTestEdge({ trustedProxies: ['127.0.0.1'] });
    await edge.client.putRoute(route('site/prod', [a.url], { hosts: ['Site.Test'], releaseHeader: 'X-Slipway-Release', release: 'r1' }));
    await edge.client.putRoute(route('event/one', [b.url], { pathPrefix: '/event1', stripPrefix: true }));
    await edge.client.putRoute(route('event/ten', [c.url], { pathPrefix: '/event10', stripPrefix: false }));
  });
  after(async () => {
    await edge.close();
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('routes by host, case-insensitive and ignoring the port, with the release header', async () => {
    const res = await edge.get('/x', { host: 'SITE.test:1234' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'A');
    assert.equal(res.headers['x-slipway-release'], 'r1');
  });

  it('routes by longest prefix on a segment boundary and strips it', async () => {
    const one = await edge.get('/event1/echo?q=1', { host: 'other.test' });
    const echo = JSON.parse(one.body) as { name: string; url: string; headers: Record<string, string> };
    assert.equal(echo.name, 'B');
    assert.equal(echo.url, '/echo?q=1');
    assert.equal(echo.headers['x-forwarded-prefix'], '/event1');
    const root = await edge.get('/event1', { host: 'other.test' });
    assert.equal(root.body, 'B');
    assert.equal(b.last?.url, '/');
    const ten = await edge.get('/event10/echo', { host: 'other.test' });
    const tenEcho = JSON.parse(ten.body) as { name: string; url: string };
    assert.equal(tenEcho.name, 'C');
    assert.equal(tenEcho.url, '/event10/echo');
  });

  it('sets X-Forwarded-* and keeps or generates X-Request-Id', async () => {
    const res = await edge.get('/echo', { host: 'site.test', 'x-forwarded-for': '10.0.0.1', 'x-request-id': 'abc-123' });
    const echo = JSON.parse(res.body) as { headers: Record<string, string> };
    assert.equal(echo.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(echo.headers['x-forwarded-proto'], 'http');
    assert.equal(echo.headers['x-forwarded-host'], 'site.test');
    assert.equal(echo.headers['x-forwarded-prefix'], undefined);
    assert.equal(echo.headers['x-request-id'], 'abc-123');
    assert.equal(res.headers['x-request-id'], 'abc-123');
    const gen = await edge.get('/echo', { host: 'site.test' });
    const genId = gen.headers['x-request-id'];
    assert.match(String(genId), /^[0-9a-f-]{36}$/);
    assert.equal((JSON.parse(gen.body) as { headers: Record<string, string> }).headers['x-request-id'], genId);
  });

  it('forwards request bodies (sized and chunked) and HEAD requests', async () => {
    const { request } = await import('undici');
    const sized = await request(`${edge.base}/body`, { method: 'POST', headers: { host: 'site.test', 'content-type': 'text/plain' }, body: 'hello edge' });
    assert.equal(await sized.body.text(), 'POST 10 hello edge');
    const { Readable } = await import('node:stream');
    const chunked = await request(`${edge.base}/body`, {
      method: 'PUT',
      headers: { host: 'site.test' },
      body: Readable.from([Buffer.from('part1-'), Buffer.from('part2')]),
    });
    assert.match(await chunked.body.text(), /^PUT (chunked|11) part1-part2$/);
    const head = await request(`${edge.base}/x`, { method: 'HEAD', headers: { host: 'site.test' } });
    assert.equal(head.statusCode, 200);
    assert.ok(head.headers['x-request-id']);
    assert.equal(await head.body.text(), '');
  });

  it('answers 404 when no route matches', async () => {
    const miss = await edge.get('/nothing', { host: 'other.test' });
    assert.equal(miss.status, 404);
    assert.match(miss.body, /no application/);
  });

  it('writes one access log line per request without query values or secrets', async () => {
    const before = edge.accessLines.length;
    await edge.get('/event1/echo?token=s3cret', { host: 'other.test', authorization: 'Bearer hunter2', cookie: 'sid=xyz' });
    const lines = edge.accessLines.slice(before);
    assert.equal(lines.length, 1);
    const line = lines[0] ?? '';
    assert.doesNotMatch(line, /s3cret|hunter2|xyz/);
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.path, '/event1/echo');
    assert.equal(entry.status, 200);
    assert.equal(entry.route, 'event/one');
    assert.equal(entry.upstream, b.url);
    assert.equal(entry.method, 'GET');
    assert.equal(entry.protocol, 'HTTP/1.1');
    assert.equal(typeof entry.durationMs, 'number');
    assert.equal(typeof entry.requestId, 'string');
  });
});
