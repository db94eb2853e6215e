// Issue 12 item 3: start-up never silently resets an installation. Real `slipway server`
// processes on one data dir: an emptied database, a lost master key, loose permissions, a second
// server, and a lost admin token replaced offline.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Sensitive } from '../../src/core/sensitive.js';
import { runCli } from '../cli/run-cli.js';
import { createAppRepo } from '../http/app-repo.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient } from '../support/deploy-client.js';
import type { TestRepo } from '../support/git-repo.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

describe('start-up never silently resets an installation', { timeout: 120_000 }, () => {
  let dataDir: string;
  let repo: TestRepo;
  let server: ServerProcess | undefined;
  const env = () => ({ SLIPWAY_DATA_DIR: dataDir, SLIPWAY_PORT: '0', SLIPWAY_EDGE: 'off' });

  async function start(): Promise<ServerProcess> {
    server = await startServerProcess({ dataDir, env: { SLIPWAY_EDGE: 'off' } });
    return server;
  }
  async function stop(): Promise<void> {
    server?.kill('SIGTERM');
    await server?.exited;
    server = undefined;
  }
  /** `slipway server` that must refuse: its exit status and what it said. */
  async function refused(): Promise<string> {
    const r = await runCli(['server'], { env: env(), timeoutMs: 20_000 });
    assert.notEqual(r.code, 0, `the server should have refused to start:\n${r.stderr}`);
    return r.stderr;
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-startup-'));
    repo = await createAppRepo();
    const s = await start();
    const client = apiClient(s.url, s.token);
    await client.createApp({ name: 'shop', repo: repo.bare });
    await client.setSecret('shop', 'API_KEY', new Sensitive('startup-canary-value'));
    await stop();
  });
  after(async () => {
    await stopControlPlane(server, dataDir);
    await repo?.cleanup();
  });

  test('an emptied database in a used data dir is refused with the way back, and nothing is rewritten', async () => {
    const db = path.join(dataDir, 'slipway.db');
    const saved = await readFile(db);
    const token = await readFile(path.join(dataDir, 'admin.token'), 'utf8');
    for (const damage of ['empty', 'missing'] as const) {
      if (damage === 'empty') await truncate(db, 0);
      else await rm(db);
      const said = await refused();
      assert.match(said, /holds a previous installation \(admin\.token, master\.key/);
      assert.match(said, new RegExp(`slipway\\.db is ${damage}`));
      assert.match(said, /Restore slipway\.db from a copy/);
      assert.equal(await readFile(path.join(dataDir, 'admin.token'), 'utf8'), token, 'the admin token was not replaced');
      await rm(`${db}-wal`, { force: true });
      await rm(`${db}-shm`, { force: true });
    }
    await writeFile(db, saved);
    const s = await start();
    assert.deepEqual((await apiClient(s.url, s.token).listApps()).apps.map((a) => a.name), ['shop']);
    await stop();
  });

  test('a lost master key is refused while sealed secrets exist, and no new key is written', async () => {
    const keyFile = path.join(dataDir, 'master.key');
    const key = await readFile(keyFile);
    await rm(keyFile);
    const said = await refused();
    assert.match(said, /master key .* is missing, and the database holds 1 app\(s\)/);
    assert.match(said, /Restore master\.key from your backup .* or set SLIPWAY_MASTER_KEY/);
    await assert.rejects(stat(keyFile), /ENOENT/, 'no new key was made');
    await writeFile(keyFile, key, { mode: 0o600 });
  });

  test('a data dir open to other users is tightened to 0700', async () => {
    // As root it is 0711: app processes run as their own users and pass through to their dirs (issue 12 item 1).
    const tight = process.getuid?.() === 0 ? 0o711 : 0o700;
    await chmod(dataDir, 0o755);
    await start();
    assert.equal((await stat(dataDir)).mode & 0o777, tight);
    assert.match(server!.logs(), new RegExp(`was open to other users \\(mode 755\\); tightened to ${tight.toString(8)}`));
    await stop();
  });

  test('a second control plane on the same data dir is refused while the first runs', async () => {
    const first = await start();
    const said = await refused();
    assert.match(said, new RegExp(`another control plane \\(pid ${first.pid}\\) is running on the data dir`));
    const res = await fetch(`${first.url}/healthz`);
    assert.equal(res.status, 200, 'the first one still serves');
    await stop();
  });

  test('a control plane killed with SIGKILL leaves a lock that the next start takes over', async () => {
    const s = await start();
    s.kill('SIGKILL');
    await s.exited;
    server = undefined;
    await start();
    await stop();
  });

  test('a lost admin token is replaced offline; refused while the server runs', async () => {
    const tokenFile = path.join(dataDir, 'admin.token');
    const s = await start();
    const whileRunning = await runCli(['tokens', 'create-admin'], { env: env() });
    assert.notEqual(whileRunning.code, 0);
    assert.match(whileRunning.stderr, /another control plane \(pid \d+\) is running/);
    await stop();
    await rm(tokenFile);
    const made = await runCli(['tokens', 'create-admin', '--name', 'recovered'], { env: env() });
    assert.equal(made.code, 0, made.stderr);
    const token = made.stdout.trim();
    assert.equal((await readFile(tokenFile, 'utf8')).trim(), token);
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
    const again = await start();
    assert.equal(again.token, token);
    const listed = await runCli(['apps', 'list'], { env: env() });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /shop/);
    assert.ok(s.pid !== again.pid);
    await stop();
  });
});
