import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EdgeClient } from '../../src/edge/admin/edge-client.js';
import { nodeArgvFor } from '../support/entry.js';
import { httpGet, route, startTestEdge } from './edge-harness.js';
import { deadPortUrl, startUpstream, type FakeUpstream } from './fake-upstream.js';

describe('snapshot and restart', () => {
  const ups: FakeUpstream[] = [];
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(ups.map((u) => u.close()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('an edge started again from the same data dir serves the same routes', async () => {
    const up = await startUpstream('persisted');
    ups.push(up);
    const first = await startTestEdge();
    dirs.push(first.dataDir);
    await first.client.putRoute(route('keep/prod', [up.url], { hosts: ['keep.test'], release: 'r7', releaseHeader: 'X-Release' }));
    await first.client.pause('keep/prod', 1234);
    await first.client.resume('keep/prod');
    const snapshot = JSON.parse(await readFile(path.join(first.dataDir, 'edge', 'routes.json'), 'utf8')) as { routes: unknown[] };
    assert.equal(snapshot.routes.length, 1);
    await first.close({ keepDir: true });

    const second = await startTestEdge({ dataDir: first.dataDir });
    const res = await second.get('/', { host: 'keep.test' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'persisted');
    assert.equal(res.headers['x-release'], 'r7');
    assert.equal((await second.client.listRoutes()).length, 1);
    await second.close({ keepDir: true });
  });

  it('the edge process killed with SIGKILL and restarted serves the same routes', async () => {
    const up = await startUpstream('survivor');
    ups.push(up);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'edge-proc-'));
    dirs.push(dataDir);
    const port = Number(new URL(await deadPortUrl()).port);
    const start = async () => {
      const child = spawn(process.execPath, nodeArgvFor('src/edge/main.ts'), {
        env: { PATH: process.env.PATH ?? '', SLIPWAY_DATA_DIR: dataDir, SLIPWAY_EDGE_HOST: '127.0.0.1', SLIPWAY_EDGE_PORT: String(port), SLIPWAY_EDGE_HTTPS_PORT: '0', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const client = new EdgeClient(path.join(dataDir, 'edge', 'admin.sock'));
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await client.healthz();
          break;
        } catch (err) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`edge did not start: ${String(err)} ${stderr}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return { child, client };
    };
    const first = await start();
    const state = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { pid: number; port: number };
    assert.equal(state.pid, first.child.pid);
    assert.equal(state.port, port);
    await first.client.putRoute(route('proc/prod', [up.url], { hosts: ['proc.test'] }));
    assert.equal((await httpGet(`http://127.0.0.1:${port}/`, { host: 'proc.test' })).body, 'survivor');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await first.client.close();

    const second = await start();
    const res = await httpGet(`http://127.0.0.1:${port}/`, { host: 'proc.test' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'survivor');

    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.child.once('exit', (c) => r(c)));
    assert.equal(code, 0);
    await second.client.close();
  });
});
