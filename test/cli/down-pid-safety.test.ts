// `slipway down` without a server signals only what /proc says is Slipway's for this data dir: a
// recycled pid in edge.pid or supervisor.pid (another program, or an edge of another data dir)
// is left alone.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pidAlive } from '../../src/platform/process-alive.js';
import { runCli, tempDir } from './run-cli.js';

describe('slipway down and pids that are not ours', () => {
  const data = tempDir('slipway-down-pids-');
  const children: ChildProcess[] = [];
  before(async () => {
    await mkdir(path.join(data.dir, 'fake', 'edge'), { recursive: true });
    await writeFile(path.join(data.dir, 'fake', 'edge', 'main.js'), 'setTimeout(() => {}, 60_000);\n');
  });
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    data.remove();
  });

  it('leaves another program and an edge of another data dir running, and says nothing is running', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    // Looks like an edge (…/edge/main.js), but serves another data dir.
    const otherEdge = spawn(process.execPath, [path.join(data.dir, 'fake', 'edge', 'main.js')], { stdio: 'ignore', env: { SLIPWAY_DATA_DIR: '/somewhere/else' } });
    children.push(sleeper, otherEdge);
    const dataDir = path.join(data.dir, 'data');
    const runDir = path.join(dataDir, 'apps', 'web', 'staging', 'run', 'r1');
    await mkdir(runDir, { recursive: true });
    await mkdir(path.join(dataDir, 'edge'), { recursive: true });
    await writeFile(path.join(runDir, 'supervisor.pid'), JSON.stringify(sleeper.pid));
    await writeFile(path.join(dataDir, 'edge', 'edge.pid'), `${otherEdge.pid}\n`);

    const r = await runCli(['down'], { env: { SLIPWAY_DATA_DIR: dataDir } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `nothing is running (data dir ${dataDir})`);
    assert.equal(await pidAlive(sleeper.pid as number), true);
    assert.equal(await pidAlive(otherEdge.pid as number), true);

    // The same program with this data dir in its environment is this data dir's edge: stopped.
    const ownEdge = spawn(process.execPath, [path.join(data.dir, 'fake', 'edge', 'main.js')], { stdio: 'ignore', env: { SLIPWAY_DATA_DIR: dataDir } });
    children.push(ownEdge);
    await writeFile(path.join(dataDir, 'edge', 'edge.pid'), `${ownEdge.pid}\n`);
    const stopped = await runCli(['down'], { env: { SLIPWAY_DATA_DIR: dataDir } });
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, new RegExp(`stopped the edge \\(pid ${ownEdge.pid}\\)`));
    assert.equal(await pidAlive(ownEdge.pid as number), false);
    assert.equal(await pidAlive(sleeper.pid as number), true);
  });
});
