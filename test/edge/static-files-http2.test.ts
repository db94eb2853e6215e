// Static files over HTTP/2: the same file server answers an HTTP/2 stream (whole, range, 304, HEAD)
// with flow control doing the backpressure for a file larger than the stream window.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { h2Request, h2Route, startH2Edge, type H2Edge } from './http2-harness.js';

describe('edge static files over HTTP/2', () => {
  let edge: H2Edge;
  let app: FakeUpstream;
  let dir: string;
  const big = randomBytes(1024 * 1024 + 123);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'static-h2-'));
    await writeFile(path.join(dir, 'big.bin'), big);
    app = await startUpstream('h2-app');
    edge = await startH2Edge();
    await edge.put(h2Route('h2/static', ['app.test'], [app.url], { static: [{ path: '/files', dir }] }));
  });

  after(async () => {
    await edge.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('whole file, a range, 304 and HEAD on one connection; the app sees none', async () => {
    const session = edge.connect();
    try {
      const whole = await h2Request(session, { ':path': '/files/big.bin', ':authority': 'app.test' });
      assert.equal(whole.status, 200);
      assert.equal(whole.body.length, big.length);
      assert.ok(whole.body.equals(big));
      const part = await h2Request(session, { ':path': '/files/big.bin', ':authority': 'app.test', range: 'bytes=10-19' });
      assert.equal(part.status, 206);
      assert.ok(part.body.equals(big.subarray(10, 20)));
      const cached = await h2Request(session, { ':path': '/files/big.bin', ':authority': 'app.test', 'if-none-match': String(whole.headers['etag']) });
      assert.equal(cached.status, 304);
      const head = await h2Request(session, { ':path': '/files/big.bin', ':authority': 'app.test', ':method': 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers['content-length'], String(big.length));
      assert.equal(head.body.length, 0);
      assert.equal(app.served, 0);
    } finally {
      session.close();
    }
  });
});
