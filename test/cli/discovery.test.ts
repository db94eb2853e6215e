import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeControlPlane } from './fake-control-plane.js';
import { deployment, finished, helloApp, logLine } from './fixtures.js';
import { runCli, tempDir } from './run-cli.js';

describe('finding the server', () => {
  let server: FakeControlPlane;
  const data = tempDir();
  before(async () => {
    server = await FakeControlPlane.start('token-from-file');
    server.reply('GET', '/api/apps', 200, { apps: [helloApp] });
    writeFileSync(path.join(data.dir, 'server.json'), JSON.stringify({ url: server.url, pid: process.pid }));
    writeFileSync(path.join(data.dir, 'admin.token'), 'token-from-file\n');
  });
  after(async () => {
    await server.close();
    data.remove();
  });

  it("uses the data directory's server.json and admin.token", async () => {
    const r = await runCli(['apps', 'list', '--json'], { env: { SLIPWAY_DATA_DIR: data.dir } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { apps: [helloApp] });
    assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer token-from-file');
  });

  it('prefers SLIPWAY_URL and SLIPWAY_TOKEN', async () => {
    const r = await runCli(['apps', 'list'], { env: { SLIPWAY_DATA_DIR: data.dir, SLIPWAY_URL: server.url, SLIPWAY_TOKEN: 'wrong' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: a valid bearer token is required .*\(check SLIPWAY_TOKEN/);
    assert.ok(!r.stderr.includes('wrong'), 'the token is not printed');
  });

  it('takes the token from admin.token when only SLIPWAY_URL is set', async () => {
    const r = await runCli(['apps', 'list', '--json'], { env: { SLIPWAY_DATA_DIR: data.dir, SLIPWAY_URL: `${server.url}/` } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer token-from-file');
    assert.equal(server.received.at(-1)?.path, '/api/apps');
  });

  it('says how to start a server when there is none', async () => {
    const empty = tempDir();
    try {
      const r = await runCli(['apps', 'list'], { env: { SLIPWAY_DATA_DIR: empty.dir } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: no Slipway server found: start one with `slipway server` or set SLIPWAY_URL and SLIPWAY_TOKEN/);
    } finally {
      empty.remove();
    }
  });

  it('reports a stale server.json whose pid is gone', async () => {
    const stale = tempDir();
    try {
      const child = spawn(process.execPath, ['-e', '']);
      const pid = child.pid;
      await new Promise((resolve) => child.on('close', resolve));
      writeFileSync(path.join(stale.dir, 'server.json'), JSON.stringify({ url: server.url, pid }));
      writeFileSync(path.join(stale.dir, 'admin.token'), 'token-from-file');
      const r = await runCli(['status'], { env: { SLIPWAY_DATA_DIR: stale.dir } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`no Slipway server found: .*server\\.json names pid ${pid}, which is not running`));
    } finally {
      stale.remove();
    }
  });

  it('exits 1 with a clear message when the server does not answer', async () => {
    const gone = await FakeControlPlane.start();
    const url = gone.url;
    await gone.close();
    const r = await runCli(['status'], { env: { SLIPWAY_URL: url, SLIPWAY_TOKEN: 't' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: cannot reach the Slipway server at ${url} \\(connection refused\\)`));
  });

  it('follows a deploy across a server restart on a new address, found again through server.json', async () => {
    const dir = tempDir();
    const a = await FakeControlPlane.start('token-from-file');
    const b = await FakeControlPlane.start('token-from-file');
    try {
      writeFileSync(path.join(dir.dir, 'admin.token'), 'token-from-file');
      writeFileSync(path.join(dir.dir, 'server.json'), JSON.stringify({ url: a.url, pid: process.pid }));
      a.reply('POST', '/api/apps/hello/environments/staging/deployments', 202, { deployment: deployment() });
      a.on('GET', '/api/deployments/dep_1/log', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        // Once the first line is on its way, the server goes away; its successor writes its own address.
        res.write(`${JSON.stringify({ type: 'log', line: logLine(1, 'step', '==> build', 'build') })}\n`, () => {
          writeFileSync(path.join(dir.dir, 'server.json'), JSON.stringify({ url: b.url, pid: process.pid }));
          void a.close();
        });
      });
      b.reply('GET', '/api/deployments/dep_1', 200, { deployment: { ...deployment({ status: 'running' }), app: 'hello', environment: 'staging', steps: [] } });
      b.on('GET', '/api/deployments/dep_1/log', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end([{ type: 'log', line: logLine(2, 'info', '<== build done in 900 ms', 'build') }, { type: 'status', deployment: finished('succeeded') }].map((e) => `${JSON.stringify(e)}\n`).join(''));
      });
      const r = await runCli(['deploy', 'hello', 'staging'], { env: { SLIPWAY_DATA_DIR: dir.dir } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(b.requestsTo('GET', '/api/deployments/dep_1/log')[0]?.query.get('after'), '1');
      assert.match(r.stderr, /==> build\n[\s\S]*<== build done in 900ms/);
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
      dir.remove();
    }
  });
});
