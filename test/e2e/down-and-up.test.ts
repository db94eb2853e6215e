// The first hour on one machine: an app created with `--repo ./` from its own directory (not the
// server's), deployed; `slipway down` stops the control plane, the edge and the app (their pids
// gone, their ports silent); `down` again says nothing runs; the next `slipway server` brings the
// app back; SIGTERM stops the control plane only, promptly; and `down` without a server stops
// what it left running.
import assert from 'node:assert/strict';
import { readFile, readdir, realpath } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { SupervisorState } from '../../src/drivers/process/supervisor-protocol.js';
import { pidAlive } from '../../src/platform/process-alive.js';
import { runCli } from '../cli/run-cli.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { waitUntil } from '../support/wait-until.js';

describe('slipway down, and back up', { timeout: 300_000 }, () => {
  let dataDir: string;
  let app: FixtureApp;
  let server: ServerProcess | undefined;

  const edgePort = async () => (JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number }).port;
  const answers = async (port: number): Promise<number | null> => {
    try {
      const res = await request(`http://127.0.0.1:${port}/`, { headers: { host: 'web.test' }, headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return null;
    }
  };
  const listening = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  /** The supervisors and instances of the staging environment's run dirs that say they run. */
  const appProcesses = async () => {
    const root = path.join(dataDir, 'apps', 'web', 'staging', 'run');
    const out: { supervisors: number[]; instances: Array<{ pid: number; port: number | null }> } = { supervisors: [], instances: [] };
    for (const id of await readdir(root).catch(() => [])) {
      const state = JSON.parse(await readFile(path.join(root, id, 'state.json'), 'utf8').catch(() => 'null')) as SupervisorState | null;
      if (!state || state.stopped) continue;
      out.supervisors.push(state.supervisorPid);
      for (const i of state.instances) if (i.pid) out.instances.push({ pid: i.pid, port: i.port });
    }
    return out;
  };
  const env = () => ({ SLIPWAY_DATA_DIR: dataDir });

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-down-'));
    app = await createFixtureApp();
    await app.release(1);
    server = await startServerProcess({ dataDir });
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await app?.repo.cleanup();
  });

  test('apps create --repo ./ from the repository, not the server, directory', async () => {
    const r = await runCli(['apps', 'create', 'web', '--repo', './', '--json'], { env: env(), cwd: app.repo.bare });
    assert.equal(r.code, 0, r.stderr);
    const created = JSON.parse(r.stdout) as { app: { repo: string } };
    assert.equal(await realpath(created.app.repo), await realpath(app.repo.bare));
    assert.ok(path.isAbsolute(created.app.repo));
  });

  test('down stops the control plane, the edge and the app; again, it says nothing runs', async () => {
    assert.ok(server);
    const client = apiClient(server.url, server.token);
    const { deployment } = await client.deploy('web', 'staging');
    const done = await waitTerminal(client, deployment.id, 120_000);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const port = await edgePort();
    assert.equal(await answers(port), 200);
    const edgePid = Number((await readFile(path.join(dataDir, 'edge', 'edge.pid'), 'utf8')).trim());
    const before = await appProcesses();
    assert.equal(before.supervisors.length, 1);
    assert.equal(before.instances.length, 2);

    const r = await runCli(['down'], { env: env(), timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /the control plane \(pid \d+\) is stopping the edge \(pid \d+\) and 1 app release\(s\) \(web\/staging\//);
    assert.match(r.stderr, /Swarm services are not touched/);
    assert.match(r.stdout, /^stopped: the control plane, the edge, 1 app release\(s\)/);
    const exit = await server.exited;
    assert.equal(exit.code, 0, server.logs());
    server = undefined;
    for (const pid of [edgePid, ...before.supervisors, ...before.instances.map((i) => i.pid)]) assert.equal(await pidAlive(pid), false, `pid ${pid} is gone`);
    assert.equal(await listening(port), false, 'the edge port is closed');
    for (const i of before.instances) if (i.port) assert.equal(await listening(i.port), false, `the app's port ${i.port} is closed`);

    const again = await runCli(['down'], { env: env() });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^nothing is running \(data dir /);
  });

  test('the next server start brings the app back', async () => {
    server = await startServerProcess({ dataDir });
    const port = await edgePort();
    await waitUntil('the app answers through the edge again', async () => (await answers(port)) === 200, 60_000, 250);
    const now = await appProcesses();
    assert.equal(now.supervisors.length, 1);
    assert.equal(now.instances.length, 2);
  });

  test('SIGTERM stops the control plane promptly, even with a follower connected; the edge and the app keep serving', async () => {
    assert.ok(server);
    const client = apiClient(server.url, server.token);
    const follow = new AbortController();
    const following = (async () => {
      for await (const _ of client.logs('web', 'staging', { follow: true, tail: 0 }, { signal: follow.signal })) void _;
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500)); // the follow stream is open
    const t0 = Date.now();
    server.kill('SIGTERM');
    const exit = await server.exited;
    const tookMs = Date.now() - t0;
    follow.abort();
    await following;
    server = undefined;
    assert.equal(exit.code, 0);
    assert.ok(tookMs < 6000, `the control plane took ${tookMs} ms to stop`);
    assert.equal(await answers(await edgePort()), 200, 'the app still serves through the edge');
  });

  test('down without a control plane stops what a stopped one left running', async () => {
    assert.equal(server, undefined);
    const left = await appProcesses();
    assert.equal(left.supervisors.length, 1);
    const edgePid = Number((await readFile(path.join(dataDir, 'edge', 'edge.pid'), 'utf8')).trim());
    assert.equal(await pidAlive(edgePid), true);
    const r = await runCli(['down'], { env: env(), timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no control plane runs; stopping the edge \(pid \d+\) and 1 app release\(s\)/);
    for (const pid of [edgePid, ...left.supervisors, ...left.instances.map((i) => i.pid)]) assert.equal(await pidAlive(pid), false, `pid ${pid} is gone`);
  });
});
