// The edge's static file server (edge/static/) against a real edge on port 0: validators and 304,
// single ranges, precompressed siblings, traversal in every encoding and through links, content
// types, index files, HEAD, methods, cache policy by name, try_files, and that the app sees none of it.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { startTestEdge, route, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { RawClient, header, type RawResponse } from './raw-client.js';

const HOST = 'static.test';

describe('edge static files', () => {
  let edge: TestEdge;
  let app: FakeUpstream;
  let root: string;
  let big: Buffer;
  let huge: Buffer;
  const clients: RawClient[] = [];

  const send = async (target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> => {
    const c = await RawClient.connect(edge.edge.port);
    clients.push(c);
    const lines = [`${method} ${target} HTTP/1.1`, `Host: ${HOST}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
    await c.write(lines.join('\r\n'));
    return c.readResponse({ head: method === 'HEAD' });
  };

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'static-'));
    const assets = path.join(root, 'release', 'static');
    await mkdir(path.join(assets, 'css'), { recursive: true });
    await mkdir(path.join(assets, 'docs'), { recursive: true });
    await writeFile(path.join(root, 'release', 'secret.txt'), 'outside the mount');
    await writeFile(path.join(root, 'release', 'robots.txt'), 'User-agent: *\n');
    await writeFile(path.join(assets, 'css', 'site.css'), 'body { color: red }\n');
    await writeFile(path.join(assets, 'app.3f9a1c2b.js'), 'console.log("fingerprinted");\n');
    await writeFile(path.join(assets, 'docs', 'index.html'), '<h1>docs</h1>\n');
    await writeFile(path.join(assets, 'logo.svg'), '<svg/>');
    await writeFile(path.join(assets, 'data.bin'), 'x');
    await writeFile(path.join(assets, '.env'), 'SECRET=1');
    big = randomBytes(300_000);
    await writeFile(path.join(assets, 'big.bin'), big);
    // Over the size whose bytes are kept in memory (open-file-cache.ts): streamed in chunks.
    huge = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(path.join(assets, 'huge.bin'), huge);
    await writeFile(path.join(assets, 'changing.txt'), 'first version\n');
    const text = 'hello precompressed world\n'.repeat(200);
    await writeFile(path.join(assets, 'text.txt'), text);
    await writeFile(path.join(assets, 'text.txt.gz'), gzipSync(text));
    await writeFile(path.join(assets, 'text.txt.br'), brotliCompressSync(text));
    await symlink(path.join(root, 'release', 'secret.txt'), path.join(assets, 'escape.txt'));
    await symlink(path.join(root, 'release'), path.join(assets, 'up'));
    await symlink(path.join(assets, 'css', 'site.css'), path.join(assets, 'inside.css'));

    app = await startUpstream('the-app');
    edge = await startTestEdge();
    await edge.client.putRoute(
      route('site/prod', [app.url], {
        hosts: [HOST],
        pathPrefix: '/event1',
        stripPrefix: true,
        releaseHeader: 'X-Slipway-Release',
        release: 'r1',
        static: [
          { path: '/static', dir: assets },
          { path: '/robots.txt', file: path.join(root, 'release', 'robots.txt') },
          { path: '/media', dir: path.join(root, 'release', 'missing'), tryFiles: true },
        ],
      }),
    );
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await edge.close();
    await app.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves a file with its type, length, validators and short cache policy', async () => {
    const res = await send('/event1/static/css/site.css');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'body { color: red }\n');
    assert.equal(header(res, 'content-type'), 'text/css; charset=utf-8');
    assert.equal(header(res, 'content-length'), '20');
    assert.match(header(res, 'etag') ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(header(res, 'last-modified'));
    assert.equal(header(res, 'cache-control'), 'public, max-age=60, must-revalidate');
    assert.equal(header(res, 'x-slipway-release'), 'r1');
    assert.equal(header(res, 'accept-ranges'), 'bytes');
  });

  it('gives fingerprinted names a year, immutable', async () => {
    const res = await send('/event1/static/app.3f9a1c2b.js');
    assert.equal(res.status, 200);
    assert.equal(header(res, 'cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(header(res, 'content-type'), 'text/javascript; charset=utf-8');
  });

  it('content types from the table, octet-stream otherwise', async () => {
    assert.equal(header(await send('/event1/static/logo.svg'), 'content-type'), 'image/svg+xml');
    assert.equal(header(await send('/event1/static/data.bin'), 'content-type'), 'application/octet-stream');
    assert.equal(header(await send('/event1/robots.txt'), 'content-type'), 'text/plain; charset=utf-8');
  });

  it('answers 304 to a matching If-None-Match or a later If-Modified-Since, 200 otherwise', async () => {
    const first = await send('/event1/static/css/site.css');
    const etag = header(first, 'etag') ?? '';
    const again = await send('/event1/static/css/site.css', { 'If-None-Match': `"nope", ${etag}` });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(header(again, 'etag'), etag);
    assert.equal((await send('/event1/static/css/site.css', { 'If-None-Match': '"other"' })).status, 200);
    const lm = header(first, 'last-modified') ?? '';
    assert.equal((await send('/event1/static/css/site.css', { 'If-Modified-Since': lm })).status, 304);
    assert.equal((await send('/event1/static/css/site.css', { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status, 200);
  });

  it('answers one range with 206, a range past the end with 416, several ranges with the whole file', async () => {
    const part = await send('/event1/static/big.bin', { Range: 'bytes=1000-1999' });
    assert.equal(part.status, 206);
    assert.equal(header(part, 'content-range'), `bytes 1000-1999/${big.length}`);
    assert.deepEqual(part.body, big.subarray(1000, 2000));
    const suffix = await send('/event1/static/big.bin', { Range: 'bytes=-10' });
    assert.equal(suffix.status, 206);
    assert.deepEqual(suffix.body, big.subarray(big.length - 10));
    const open = await send('/event1/static/big.bin', { Range: `bytes=${big.length - 5}-` });
    assert.deepEqual(open.body, big.subarray(big.length - 5));
    const past = await send('/event1/static/big.bin', { Range: `bytes=${big.length}-` });
    assert.equal(past.status, 416);
    assert.equal(header(past, 'content-range'), `bytes */${big.length}`);
    const multi = await send('/event1/static/big.bin', { Range: 'bytes=0-1,5-6' });
    assert.equal(multi.status, 200);
    assert.deepEqual(multi.body, big);
    const stale = await send('/event1/static/big.bin', { Range: 'bytes=0-9', 'If-Range': '"old"' });
    assert.equal(stale.status, 200);
  });

  it('streams a large file whole', async () => {
    const res = await send('/event1/static/big.bin');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, big);
  });

  it('streams a file larger than the in-memory limit, whole and by range', async () => {
    const res = await send('/event1/static/huge.bin');
    assert.equal(res.status, 200);
    assert.equal(header(res, 'content-length'), String(huge.length));
    assert.ok(res.body.equals(huge));
    const part = await send('/event1/static/huge.bin', { Range: 'bytes=1048570-2200000' });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(huge.subarray(1048570, 2200001)));
  });

  it('a file rewritten in place is served anew within about a second (kept bytes are not served forever)', async () => {
    const file = path.join(root, 'release', 'static', 'changing.txt');
    assert.equal((await send('/event1/static/changing.txt')).body.toString(), 'first version\n');
    await writeFile(file, 'second version\n');
    await new Promise((r) => setTimeout(r, 2100));
    assert.equal((await send('/event1/static/changing.txt')).body.toString(), 'second version\n');
  });

  it('chooses br, then gzip, by Accept-Encoding, with Vary; ranges apply to the encoded bytes', async () => {
    const br = await send('/event1/static/text.txt', { 'Accept-Encoding': 'gzip, br' });
    assert.equal(header(br, 'content-encoding'), 'br');
    assert.equal(header(br, 'vary'), 'Accept-Encoding');
    assert.equal(header(br, 'content-type'), 'text/plain; charset=utf-8');
    const gz = await send('/event1/static/text.txt', { 'Accept-Encoding': 'gzip, br;q=0' });
    assert.equal(header(gz, 'content-encoding'), 'gzip');
    const plain = await send('/event1/static/text.txt');
    assert.equal(header(plain, 'content-encoding'), undefined);
    assert.equal(plain.body.toString(), 'hello precompressed world\n'.repeat(200));
    assert.notEqual(header(plain, 'etag'), header(gz, 'etag'));
    const gzPart = await send('/event1/static/text.txt', { 'Accept-Encoding': 'gzip', Range: 'bytes=0-9' });
    assert.equal(gzPart.status, 206);
    assert.equal(header(gzPart, 'content-encoding'), 'gzip');
    assert.deepEqual(gzPart.body, gzipSync('hello precompressed world\n'.repeat(200)).subarray(0, 10));
  });

  it('serves index.html for a directory and redirects the directory without its slash', async () => {
    const index = await send('/event1/static/docs/');
    assert.equal(index.status, 200);
    assert.equal(index.body.toString(), '<h1>docs</h1>\n');
    const bare = await send('/event1/static/docs?x=1');
    assert.equal(bare.status, 301);
    assert.equal(header(bare, 'location'), '/event1/static/docs/?x=1');
  });

  it('HEAD sends the head only; other methods get 405', async () => {
    const head = await send('/event1/static/big.bin', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(header(head, 'content-length'), String(big.length));
    assert.equal(head.body.length, 0);
    const post = await send('/event1/static/css/site.css', { 'Content-Length': '0' }, 'POST');
    assert.equal(post.status, 405);
    assert.equal(header(post, 'allow'), 'GET, HEAD');
  });

  it('refuses traversal whatever the encoding, dotfiles and links leading out', async () => {
    const attempts = [
      '/event1/static/../secret.txt',
      '/event1/static/%2e%2e/secret.txt',
      '/event1/static/%2E%2E%2Fsecret.txt',
      '/event1/static/css%2f..%2f..%2fsecret.txt',
      '/event1/static/..%5csecret.txt',
      '/event1/static/%5c..%5csecret.txt',
      '/event1/static/css/site.css%00.txt',
      '/event1/static/%252e%252e/secret.txt',
      '/event1/static/%c0%ae%c0%ae/secret.txt',
      '/event1/static/escape.txt',
      '/event1/static/up/secret.txt',
      '/event1/static/.env',
      '/event1/static/%2eenv',
    ];
    for (const target of attempts) {
      const res = await send(target);
      assert.equal(res.status, 404, `${target} answered ${res.status}: ${res.body.toString()}`);
      assert.doesNotMatch(res.body.toString(), /outside the mount|SECRET/, target);
    }
    const inside = await send('/event1/static/inside.css');
    assert.equal(inside.status, 200, 'a link that stays inside the mount is served');
  });

  it('the app sees no static request; try_files passes a missing file on; everything else is proxied', async () => {
    const before = app.served;
    await send('/event1/static/css/site.css');
    await send('/event1/static/missing.css');
    await send('/event1/robots.txt');
    assert.equal(app.served, before, 'static requests never reach the app');
    const passed = await send('/event1/media/upload.png');
    assert.equal(passed.body.toString(), 'the-app');
    assert.equal(app.last?.url, '/media/upload.png');
    const other = await send('/event1/echo');
    assert.equal(JSON.parse(other.body.toString()).url, '/echo');
    assert.ok(edge.accessLines.some((l) => l.includes('"path":"/event1/static/css/site.css"') && l.includes('"status":200') && l.includes('"upstream":null')));
  });

  it('refuses a static mount with a relative dir or both dir and file', async () => {
    await assert.rejects(edge.client.putRoute(route('bad/one', [app.url], { hosts: ['bad.test'], static: [{ path: '/s', dir: 'app/static' }] })), /static\.0\.dir/);
    await assert.rejects(edge.client.putRoute(route('bad/two', [app.url], { hosts: ['bad.test'], static: [{ path: '/s', dir: '/a', file: '/b' }] })), /exactly one of dir or file/);
  });
});
