// startServerProcess: a real `slipway server` child, restarted on the same data dir.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { killDetached, startServerProcess } from '../support/server-process.js';

test('startServerProcess starts, answers with its token, stops on SIGTERM and restarts on the same data dir', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-srvproc-'));
  t.after(async () => {
    await killDetached(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });

  const first = await startServerProcess({ dataDir, env: { SLIPWAY_EDGE: 'off' } });
  t.after(() => first.kill('SIGKILL'));
  const info = JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as { pid: number; url: string };
  assert.equal(info.pid, first.pid);
  assert.equal(info.url, first.url);
  const unauth = await fetch(`${first.url}/api/apps`);
  assert.equal(unauth.status, 401);
  await unauth.arrayBuffer();
  const apps = await fetch(`${first.url}/api/apps`, { headers: { authorization: `Bearer ${first.token}` } });
  assert.equal(apps.status, 200);
  await apps.arrayBuffer();
  first.kill('SIGTERM');
  const exit = await first.exited;
  assert.equal(exit.code, 0, first.logs());
  assert.match(first.logs(), /control plane listening/);

  // A stale server.json of the first run must not be taken for the second one.
  const second = await startServerProcess({ dataDir, env: { SLIPWAY_EDGE: 'off' } });
  t.after(() => second.kill('SIGKILL'));
  assert.notEqual(second.pid, first.pid);
  assert.equal(second.token, first.token);
  second.kill('SIGKILL');
  assert.equal((await second.exited).signal, 'SIGKILL');
});

test('startServerProcess with the edge on: killDetached stops the edge it started', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-srvproc-'));
  t.after(async () => {
    await killDetached(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });
  const server = await startServerProcess({ dataDir });
  t.after(() => server.kill('SIGKILL'));
  const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { pid: number };
  assert.doesNotThrow(() => process.kill(edge.pid, 0));
  server.kill('SIGTERM');
  await server.exited;
  const killed = await killDetached(dataDir);
  assert.ok(killed.includes(edge.pid), `killDetached signalled ${killed.join(',')}, not the edge ${edge.pid}`);
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && alive(edge.pid)) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(edge.pid), false, 'the edge is still running');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
