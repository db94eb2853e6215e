// The release's pages served by the edge: maintenance (short and long, with Retry-After), its own
// 502 and the static 404, and the app's own 404/5xx replaced only with interceptErrors.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestEdge, route, type TestEdge } from './edge-harness.js';

describe('edge release pages', () => {
  let edge: TestEdge;
  let app: http.Server;
  let appUrl: string;
  let dir: string;
  let seen = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pages-'));
    await mkdir(path.join(dir, 'static'));
    for (const [name, text] of Object.entries({ 'maint.html': 'short maintenance page', 'long.html': 'long maintenance page', 'error.html': 'our error page', '404.html': 'our 404 page', '500.html': 'our 500 page' })) {
      await writeFile(path.join(dir, name), `<p>${text}</p>`);
    }
    app = http.createServer((req, res) => {
      if (req.url === '/health') return void res.end('ok');
      seen++;
      const status = /^\/status\/(\d{3})$/.exec(req.url ?? '')?.[1];
      if (status) return void res.writeHead(Number(status)).end(`app says ${status}`);
      if (req.url === '/cut') return void req.socket.destroy();
      res.end('app page');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    edge = await startTestEdge();
    const pages = { maintenance: path.join(dir, 'maint.html'), long_maintenance: path.join(dir, 'long.html'), '502': path.join(dir, 'error.html'), '404': path.join(dir, '404.html'), '500': path.join(dir, '500.html') };
    await edge.client.putRoute(route('pages/plain', [appUrl], { hosts: ['plain.test'], pages, static: [{ path: '/static', dir: path.join(dir, 'static') }] }));
    await edge.client.putRoute(route('pages/intercept', [appUrl], { hosts: ['intercept.test'], pages, interceptErrors: true }));
  });

  after(async () => {
    await edge.close();
    await new Promise<void>((resolve) => app.close(() => resolve()));
    app.closeAllConnections();
    await rm(dir, { recursive: true, force: true });
  });

  it('maintenance serves the short page, --page long the long one, with Retry-After; off serves the app', async () => {
    await edge.client.setMaintenance('pages/plain', { enabled: true });
    const short = await edge.get('/', { host: 'plain.test' });
    assert.equal(short.status, 503);
    assert.equal(short.body, '<p>short maintenance page</p>');
    assert.match(String(short.headers['content-type']), /text\/html/);
    await edge.client.setMaintenance('pages/plain', { enabled: true, page: 'long', retryAfterSeconds: 3600 });
    const long = await edge.get('/', { host: 'plain.test' });
    assert.equal(long.status, 503);
    assert.equal(long.body, '<p>long maintenance page</p>');
    assert.equal(long.headers['retry-after'], '3600');
    assert.equal((await edge.client.getRoute('pages/plain'))?.maintenance?.page, 'long');
    await edge.client.setMaintenance('pages/plain', { enabled: false });
    const back = await edge.get('/', { host: 'plain.test' });
    assert.equal(back.status, 200);
    assert.equal(back.body, 'app page');
    await edge.client.setMaintenance('pages/plain', { enabled: true });
    assert.equal((await edge.get('/', { host: 'plain.test' })).body, '<p>short maintenance page</p>', 'on again without --page: the short page');
    await edge.client.setMaintenance('pages/plain', { enabled: false });
  });

  it("the edge's own 502 and static 404 use the release's pages", async () => {
    const cut = await edge.get('/cut', { host: 'plain.test' });
    assert.equal(cut.status, 502);
    assert.equal(cut.body, '<p>our error page</p>');
    const missing = await edge.get('/static/nothing.css', { host: 'plain.test' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body, '<p>our 404 page</p>');
  });

  it("the app's own 404 and 500 pass unless interceptErrors; a status without a page always passes", async () => {
    const plain = await edge.get('/status/404', { host: 'plain.test' });
    assert.equal(plain.body, 'app says 404');
    const before = seen;
    const caught = await edge.get('/status/404', { host: 'intercept.test' });
    assert.equal(caught.status, 404);
    assert.equal(caught.body, '<p>our 404 page</p>');
    assert.equal(seen, before + 1, 'the app did answer');
    const five = await edge.get('/status/500', { host: 'intercept.test' });
    assert.equal(five.status, 500);
    assert.equal(five.body, '<p>our 500 page</p>');
    const other = await edge.get('/status/501', { host: 'intercept.test' });
    assert.equal(other.body, 'app says 501');
    const ok = await edge.get('/', { host: 'intercept.test' });
    assert.equal(ok.body, 'app page');
  });
});
