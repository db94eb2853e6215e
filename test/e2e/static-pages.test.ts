// Issue 14 end to end on the process driver: a Django-shaped app (a small Node server that counts
// the requests it sees) mounted twice on one host as /event1 and /event2 (two environments), each
// with the release's static files under its prefix served by the edge; X-Script-Name; a rollback
// serves the previous release's asset; maintenance with the long page, then off; a redirect rule.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const HOST = 'events.test';

const SERVER_JS = `import http from 'node:http';
let seen = [];
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  if (req.url === '/seen') return res.end(JSON.stringify(seen));
  seen.push(req.url);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ app: process.env.SLIPWAY_ENV, url: req.url, scriptName: req.headers['x-script-name'] ?? null }));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const SPEC = `processes:
  web: { command: [node, server.mjs], http: true, health: { path: /health, interval: 200ms } }
static:
  - { path: /static, dir: assets }
pages:
  maintenance: pages/maintenance.html
  long_maintenance: pages/long.html
environments:
  event1:
    branch: main
    route: { host: ${HOST}, path: /event1, script_name: true }
    redirects:
      - { from_path: /old, to: /event1/new, status: 308, keep_path: true }
  event2:
    branch: main
    route: { host: ${HOST}, path: /event2, script_name: true }
`;

describe('static files, pages and redirects end to end (process driver)', { timeout: 300_000 }, () => {
  let dataDir: string;
  let repo: TestRepo;
  let server: ServerProcess;
  let client: ApiClient;
  let edgeUrl: string;

  const get = async (p: string, headers: Record<string, string> = {}) => {
    const res = await request(`${edgeUrl}${p}`, { headers: { host: HOST, ...headers } });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };
  const deploy = async (env: string) => {
    const { deployment } = await client.deploy('events', env);
    const done = await waitTerminal(client, deployment.id, 120_000);
    assert.equal(done.status, 'succeeded', done.error ?? '');
  };
  const release = async (v: string) => {
    await repo.commit(
      {
        'slipway.yml': SPEC,
        'server.mjs': SERVER_JS,
        'assets/app.css': `/* ${v} */ body { color: red }\n`,
        'assets/app.3f9a1c2b.js': `console.log(${JSON.stringify(v)});\n`,
        'pages/maintenance.html': `<p>short ${v}</p>`,
        'pages/long.html': `<p>long ${v}</p>`,
      },
      `version ${v}`,
    );
    await repo.push('main');
  };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-static-'));
    repo = await createTestRepo();
    await release('v1');
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: 'events', repo: repo.bare });
    await deploy('event1');
    await deploy('event2');
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    edgeUrl = `http://127.0.0.1:${edge.port}`;
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await repo?.cleanup();
  });

  test('each mount serves its static files under its prefix; the apps see no static request', async () => {
    for (const prefix of ['/event1', '/event2']) {
      const css = await get(`${prefix}/static/app.css`);
      assert.equal(css.status, 200, css.body);
      assert.equal(css.body, '/* v1 */ body { color: red }\n');
      assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
      const js = await get(`${prefix}/static/app.3f9a1c2b.js`);
      assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
      const again = await get(`${prefix}/static/app.css`, { 'if-none-match': String(css.headers['etag']) });
      assert.equal(again.status, 304);
      const part = await get(`${prefix}/static/app.css`, { range: 'bytes=3-4' });
      assert.equal(part.status, 206);
      assert.equal(part.body, 'v1');
      assert.equal((await get(`${prefix}/static/.env`)).status, 404, 'dotfiles are not served (traversal: test/edge/static-files.test.ts, on a raw socket)');
      const page = JSON.parse((await get(`${prefix}/page`)).body);
      assert.deepEqual(page, { app: prefix.slice(1), url: '/page', scriptName: prefix });
      const seen = JSON.parse((await get(`${prefix}/seen`)).body) as string[];
      assert.deepEqual(seen, ['/page'], `the ${prefix} app saw only its page`);
    }
  });

  test('a redirect rule answers before the app', async () => {
    const res = await get('/event1/old/thing?x=1');
    assert.equal(res.status, 308);
    assert.equal(res.headers['location'], '/event1/new/thing?x=1');
  });

  test('a rollback serves the previous release\'s asset', async () => {
    await release('v2');
    await deploy('event1');
    assert.equal((await get('/event1/static/app.css')).body, '/* v2 */ body { color: red }\n');
    assert.equal((await get('/event2/static/app.css')).body, '/* v1 */ body { color: red }\n', 'event2 was not deployed');
    const { deployment } = await client.rollback('events', 'event1');
    const done = await waitTerminal(client, deployment.id, 120_000);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal((await get('/event1/static/app.css')).body, '/* v1 */ body { color: red }\n');
  });

  test('maintenance with the long page, then off', async () => {
    await client.setMaintenance('events', 'event1', { enabled: true, page: 'long', retryAfterSeconds: 3600 });
    const down = await get('/event1/page');
    assert.equal(down.status, 503);
    assert.equal(down.body, '<p>long v1</p>');
    assert.equal(down.headers['retry-after'], '3600');
    assert.equal((await get('/event1/static/app.css')).status, 200, 'static files stay served during maintenance');
    assert.equal((await get('/event2/page')).status, 200, 'the other mount is not in maintenance');
    await client.setMaintenance('events', 'event1', { enabled: false });
    assert.equal((await get('/event1/page')).status, 200);
  });
});
