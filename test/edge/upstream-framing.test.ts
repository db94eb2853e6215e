// The upstream client's response framing, fed byte sequences directly (no sockets): chunked bodies
// split at every boundary, trailers, extensions, sized bodies, interim 1xx, bodiless responses
// and malformed heads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResponseHead } from '../../src/edge/http1/http1-response-head.js';
import { parseResponseHead } from '../../src/edge/http1/http1-response-head.js';
import type { UpstreamError, UpstreamHandler } from '../../src/edge/proxy/upstream-request.js';
import { ResponseReader } from '../../src/edge/proxy/upstream-response-reader.js';

class Collector implements UpstreamHandler {
  head: ResponseHead | undefined;
  chunks: Buffer[] = [];
  lastFlags: boolean[] = [];
  onUpstreamHead(head: ResponseHead): void {
    assert.equal(this.head, undefined, 'one head only');
    this.head = head;
  }
  onUpstreamData(chunk: Buffer, last: boolean): boolean {
    this.chunks.push(Buffer.from(chunk));
    this.lastFlags.push(last);
    return true;
  }
  onUpstreamEnd(): void {}
  onUpstreamError(err: UpstreamError): void {
    throw err;
  }
  get body(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

/** Feeds `parts` in order; returns the collector and the index of the part that completed the response (-1: never). */
function feed(method: string, parts: Buffer[]): { c: Collector; reader: ResponseReader; doneAt: number } {
  const c = new Collector();
  const reader = new ResponseReader(method, c, ['x-request-id']);
  let doneAt = -1;
  parts.forEach((p, i) => {
    if (doneAt !== -1) return;
    if (reader.feed(p)) doneAt = i;
  });
  return { c, reader, doneAt };
}

function splitAt(bytes: Buffer, ...points: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out.filter((b) => b.length > 0);
}

const CHUNKED = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nX-Request-Id: upstream-id\r\n\r\n' +
    '5;name=value\r\nhello\r\n' +
    'A \r\n, chunked!\r\n' +
    '0\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n',
  'latin1',
);

describe('upstream response framing', () => {
  it('reads a chunked body with extensions and trailers split at every byte boundary', () => {
    for (let i = 1; i < CHUNKED.length; i++) {
      const { c, reader, doneAt } = feed('GET', splitAt(CHUNKED, i));
      assert.equal(doneAt, 1, `split at ${i}: complete on the last part`);
      assert.equal(c.body, 'hello, chunked!', `split at ${i}`);
      assert.equal(reader.extraBytes, false);
      assert.equal(reader.keepAlive, true);
      assert.deepEqual(c.head?.headers, ['Content-Type', 'text/plain'], 'hop-by-hop and dropped names left out');
    }
  });

  it('reads a chunked body split at every pair of boundaries and byte by byte', () => {
    for (let i = 1; i < CHUNKED.length - 1; i++) {
      for (let j = i + 1; j < CHUNKED.length; j += 7) {
        const { c, doneAt } = feed('GET', splitAt(CHUNKED, i, j));
        assert.equal(doneAt, 2, `split at ${i},${j}`);
        assert.equal(c.body, 'hello, chunked!');
      }
    }
    const bytes = [...CHUNKED].map((b) => Buffer.from([b]));
    const { c, doneAt } = feed('GET', bytes);
    assert.equal(doneAt, bytes.length - 1);
    assert.equal(c.body, 'hello, chunked!');
  });

  it('marks the data that completes a chunked body as last when the terminator comes with it', () => {
    const { c } = feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')]);
    assert.deepEqual(c.lastFlags, [true]);
  });

  it('notices bytes after the end of a response (the connection is not reused)', () => {
    const { reader, c } = feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef')]);
    assert.equal(c.body, 'abc');
    assert.equal(reader.extraBytes, true);
    const chunked = feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nHTTP/1.1')]);
    assert.equal(chunked.reader.extraBytes, true);
  });

  it('reads a sized body over several packets and flags only the final bytes as last', () => {
    const { c, doneAt } = feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123'), Buffer.from('456'), Buffer.from('789')]);
    assert.equal(doneAt, 2);
    assert.equal(c.body, '0123456789');
    assert.deepEqual(c.lastFlags, [false, false, true]);
  });

  it('has no body for HEAD, 204 and 304 whatever the headers say, and skips 1xx interim responses', () => {
    assert.equal(feed('HEAD', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n')]).doneAt, 0);
    assert.equal(feed('GET', [Buffer.from('HTTP/1.1 204 No Content\r\nContent-Length: 50\r\n\r\n')]).doneAt, 0);
    assert.equal(feed('GET', [Buffer.from('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n')]).doneAt, 0);
    const interim = feed('GET', [Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')]);
    assert.equal(interim.c.head?.statusCode, 201);
    assert.equal(interim.c.body, 'ok');
  });

  it('reads a body without length until the connection closes, and never reuses that connection', () => {
    const { c, reader, doneAt } = feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome'), Buffer.from(' more')]);
    assert.equal(doneAt, -1);
    assert.equal(reader.eof(), true);
    assert.equal(c.body, 'some more');
    assert.equal(reader.keepAlive, false);
  });

  it('an EOF in the middle of a sized or chunked body does not complete it', () => {
    assert.equal(feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')]).reader.eof(), false);
    assert.equal(feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n')]).reader.eof(), false);
  });

  it('follows Connection: close, HTTP/1.0 keep-alive and the Keep-Alive timeout hint', () => {
    assert.equal(feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')]).reader.keepAlive, false);
    assert.equal(feed('GET', [Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')]).reader.keepAlive, false);
    const ka = feed('GET', [Buffer.from('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n')]).reader;
    assert.equal(ka.keepAlive, true);
    assert.equal(ka.keepAliveHintMs, 5000);
  });

  it('rejects malformed heads and chunk framing', () => {
    const bad = [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n',
      'HTTP/1.1 200 OK\r\n Folded: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nName : x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nA: b\nC: d\r\n\r\n',
      'HTTP/1.1 200 OK\r\nA: b\rC: d\r\n\r\n',
      'HTTP/1.1 200 OK\r\nA: b\u0000c\r\n\r\n',
      'HTTP/1.1 200 OK\nA: b\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n',
    ];
    for (const text of bad) assert.throws(() => feed('GET', [Buffer.from(text, 'latin1')]), /malformed/, JSON.stringify(text));
    assert.throws(() => feed('GET', [Buffer.from(`HTTP/1.1 200 OK\r\nBig: ${'x'.repeat(70_000)}`)]), /longer than/);
  });

  it('lets Transfer-Encoding override Content-Length and then closes the connection', () => {
    const { c, reader } = feed('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n')]);
    assert.equal(c.body, 'ok');
    assert.equal(reader.keepAlive, false);
  });

  it('keeps the status text, header case and an empty reason phrase', () => {
    const head = parseResponseHead(Buffer.from('HTTP/1.1 404 \r\nX-Thing:  spaced value \t\r\n'), 0, 'HTTP/1.1 404 \r\nX-Thing:  spaced value \t'.length, []);
    assert.equal(head.statusCode, 404);
    assert.equal(head.statusText, '');
    assert.deepEqual(head.headers, ['X-Thing', 'spaced value']);
  });
});
