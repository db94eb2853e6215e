// The client request head parser (pure): framing facts, forwarded headers, and what it refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, parseRequestHead } from '../../src/edge/http1/http1-request-head.js';

const head = (...lines: string[]) => parseRequestHead(lines.join('\r\n'));

function refused(text: string, status: number, message?: RegExp): void {
  assert.throws(
    () => parseRequestHead(text),
    (err: unknown) => err instanceof BadRequestError && err.status === status && (message === undefined || message.test(err.message)),
    `${JSON.stringify(text)} should be refused with ${status}`,
  );
}

describe('request head parser', () => {
  it('reads the request line, Host and the headers to forward, in order and case as received', () => {
    const h = head('GET /a/b?q=1 HTTP/1.1', 'Host: Example.com:8080', 'Accept:  text/html \t', 'X-Custom: a, b');
    assert.equal(h.method, 'GET');
    assert.equal(h.target, '/a/b?q=1');
    assert.equal(h.minor, 1);
    assert.equal(h.inbound.host, 'Example.com:8080');
    assert.deepEqual(h.inbound.forward, ['Host', 'Example.com:8080', 'Accept', 'text/html', 'X-Custom', 'a, b']);
    assert.equal(h.keepAlive, true);
    assert.equal(h.inbound.hasBody, false);
    assert.equal(h.contentLength, -1);
  });

  it('drops hop-by-hop and X-Forwarded-* headers, keeps the request id and merges X-Forwarded-For', () => {
    const h = head(
      'POST /x HTTP/1.1',
      'Host: a',
      'Connection: keep-alive, X-Foo',
      'Keep-Alive: timeout=5',
      'TE: trailers',
      'Proxy-Authorization: Basic c2VjcmV0',
      'X-Forwarded-Host: evil',
      'X-Forwarded-Proto: https',
      'X-Forwarded-Prefix: /evil',
      'X-Forwarded-For: 10.0.0.1',
      'x-forwarded-for: 10.0.0.2',
      'X-Request-Id: abc',
      'Content-Length: 3',
    );
    assert.deepEqual(h.inbound.forward, ['Host', 'a', 'Content-Length', '3']);
    assert.equal(h.inbound.forwardedFor, '10.0.0.1, 10.0.0.2');
    assert.equal(h.inbound.requestId, 'abc');
    assert.equal(h.contentLength, 3);
    assert.equal(h.inbound.hasBody, true);
  });

  it('follows Connection for keep-alive in HTTP/1.1 and HTTP/1.0', () => {
    assert.equal(head('GET / HTTP/1.1', 'Host: a', 'Connection: Close').keepAlive, false);
    assert.equal(head('GET / HTTP/1.1', 'Host: a', 'Connection: keep-alive, close').keepAlive, false);
    assert.equal(head('GET / HTTP/1.1', 'Host: a', 'Connection: closed').keepAlive, true);
    assert.equal(head('GET / HTTP/1.0').keepAlive, false);
    assert.equal(head('GET / HTTP/1.0', 'Connection: Keep-Alive').keepAlive, true);
    assert.equal(head('GET / HTTP/1.0').inbound.host, undefined); // HTTP/1.0 needs no Host
  });

  it('reads chunked bodies, Expect: 100-continue and WebSocket upgrades', () => {
    const c = head('PUT /u HTTP/1.1', 'Host: a', 'Transfer-Encoding: Chunked', 'Expect: 100-Continue');
    assert.equal(c.chunked, true);
    assert.equal(c.inbound.hasBody, true);
    assert.equal(c.expectContinue, true);
    assert.deepEqual(c.inbound.forward, ['Host', 'a']);
    const u = head('GET /ws HTTP/1.1', 'Host: a', 'Connection: keep-alive, Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: k');
    assert.equal(u.upgrade, true);
    assert.equal(u.inbound.upgrade, 'websocket');
    assert.equal(head('GET / HTTP/1.1', 'Host: a', 'Upgrade: websocket').upgrade, false); // not asked for in Connection
    assert.equal(head('GET / HTTP/1.1', 'Host: a', 'Content-Length: 0').inbound.hasBody, false);
    assert.equal(head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 5').contentLength, 5);
  });

  it('refuses malformed request lines and versions', () => {
    refused('GET /', 400);
    refused('GET  / HTTP/1.1\r\nHost: a', 400);
    refused('G(T / HTTP/1.1\r\nHost: a', 400);
    refused('GET /a b HTTP/1.1\r\nHost: a', 400);
    refused('GET /\x01 HTTP/1.1\r\nHost: a', 400);
    refused('GET / HTTP/1.1x\r\nHost: a', 400);
    refused('GET / http/1.1\r\nHost: a', 400);
    refused('GET / HTTP/2.0\r\nHost: a', 505);
    refused('GET / HTTP/1.1\nHost: a', 400);
    refused('get / HTTP/1.1\r\nHost: a', 400, /capital letters/);
    refused('GET old/page HTTP/1.1\r\nHost: a', 400, /starts with/);
    refused('GET http://a/ HTTP/1.1\r\nHost: a', 400, /starts with/);
    refused('OPTIONS * HTTP/1.1\r\nHost: a', 400, /starts with/);
    refused('GET /caf\xe9 HTTP/1.1\r\nHost: a', 400, /percent-encode/);
    assert.equal(head('M-SEARCH / HTTP/1.1', 'Host: a').method, 'M-SEARCH');
  });

  it('refuses malformed header fields', () => {
    refused('GET / HTTP/1.1\r\nHost: a\r\nNo colon here', 400, /without a name|character/);
    refused('GET / HTTP/1.1\r\nHost: a\r\nX-A : b', 400);
    refused('GET / HTTP/1.1\r\nHost: a\r\n: b', 400, /without a name/);
    refused('GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c', 400, /obs-fold/);
    refused('GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x00c', 400, /control character/);
    refused('GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc', 400);
    refused('GET / HTTP/1.1\r\nHost: a\r\nX-A: b\nX-B: c', 400);
    refused('GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x7f', 400);
  });

  it('refuses what a proxy and its upstream could read differently (request smuggling)', () => {
    refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked', 400, /both/);
    refused('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4', 400, /both/);
    refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5', 400, /more than one/);
    refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 4', 400, /more than one/);
    refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4, 4', 400);
    refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +4', 400);
    refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10', 400);
    refused('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip', 501);
    refused('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip', 501);
    refused('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked', 501);
    refused('POST / HTTP/1.0\r\nTransfer-Encoding: chunked', 400, /HTTP\/1\.0/);
    refused('GET / HTTP/1.1', 400, /Host/);
    refused('GET / HTTP/1.1\r\nHost: a\r\nHost: b', 400, /more than one Host/);
  });

  it('answers 417 to an expectation it cannot meet', () => {
    refused('POST / HTTP/1.1\r\nHost: a\r\nExpect: something-else', 417);
  });
});
