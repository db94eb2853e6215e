// Supervision: a crashed instance is restarted on its port; the apps survive a SIGKILL of the
// control plane, and a new driver re-adopts them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { after, test } from 'node:test';
import { ProcessDriver } from '../../../src/drivers/process/process-driver.js';
import { readState } from '../../../src/drivers/process/supervisor-control.js';
import { nodeArgvFor } from '../../support/entry.js';
import {
  cleanup,
  exampleSource,
  exampleSpec,
  httpGet,
  isAlive,
  makeContext,
  processesIn,
  ref,
  specOf,
  stopOnRetire,
  tempDir,
  waitFor,
  writeApp,
} from './harness.js';
import { RecordingEdge } from './recording-edge.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await cleanup(d);
});

test('a crashed web instance is restarted by the supervisor on the same port', async () => {
  const dataDir = await tempDir('data');
  const source = await exampleSource();
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge(), backoff: { initialMs: 100 } });
  const { ctx } = makeContext(stopOnRetire(await exampleSpec()));
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const release = ref('r1', built.artifact);
  await driver.stage(ctx, release);
  const started = await driver.start(ctx, release, null);
  const web0 = started.processes['web']?.[0];
  assert.ok(web0?.pid && web0.port);
  process.kill(web0.pid, 'SIGKILL');
  const runDir = path.join(dataDir, 'apps/hello/staging/run/r1');
  const restarted = await waitFor('web.0 restarted', async () => {
    const inst = (await readState(runDir))?.instances.find((i) => i.process === 'web' && i.index === 0);
    return inst && inst.restarts === 1 && inst.state === 'running' && inst.pid !== web0.pid ? inst : null;
  });
  assert.equal(restarted.port, web0.port);
  assert.equal(restarted.lastExit?.signal, 'SIGKILL');
  const res = await waitFor('web.0 answering again', () => httpGet(web0.port as number, '/healthz').then((r) => r.status === 200 && r));
  assert.equal(res.status, 200);
  const status = await driver.status(ctx.app, ctx.environment, { id: 'r1' } as never);
  assert.equal(status.instances.find((i) => i.process === 'web' && i.instance === '0')?.restarts, 1);
  await driver.retire(ctx, release);
  assert.equal(isAlive(restarted.pid as number), false);
});

test('retire stops the instances of a supervisor that was SIGKILLed (orphans, verified by cwd)', async () => {
  const dataDir = await tempDir('data');
  const source = await exampleSource();
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const { ctx } = makeContext(stopOnRetire(await exampleSpec()));
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const release = ref('r1', built.artifact);
  await driver.stage(ctx, release);
  const started = await driver.start(ctx, release, null);
  const runDir = path.join(dataDir, 'apps/hello/staging/run/r1');
  const supervisorPid = (await readState(runDir))?.supervisorPid as number;
  process.kill(supervisorPid, 'SIGKILL');
  await waitFor('the supervisor to die', async () => !isAlive(supervisorPid) || (await processesIn(runDir)).length === 0);
  const pids = Object.values(started.processes).flat().map((i) => i.pid as number);
  assert.ok(pids.every(isAlive), 'its instances outlive it');
  const status = await driver.status(ctx.app, ctx.environment, { id: 'r1' } as never);
  assert.equal(status.healthy, false, 'an unsupervised release is not healthy');
  await driver.retire(ctx, release);
  assert.deepEqual(await processesIn(path.join(dataDir, 'apps/hello/staging/releases/r1')), []);
  assert.ok(pids.every((p) => !isAlive(p)));
});

test('instance logs are rotated past their size limit while the process keeps logging', async () => {
  const dataDir = await tempDir('data');
  const source = await writeApp({ 'chatty.js': "setInterval(() => console.log('x'.repeat(1000)), 5);" });
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge(), logMaxBytes: 20_000, logCheckIntervalMs: 100 });
  const { ctx } = makeContext(specOf({ processes: { chatty: { command: ['node', 'chatty.js'], min_uptime: '100ms' } }, environments: { staging: {} } }));
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const release = ref('r1', built.artifact);
  await driver.stage(ctx, release);
  await driver.start(ctx, release, null);
  const log = path.join(dataDir, 'apps/hello/staging/run/r1/logs/chatty.0.log');
  await waitFor('a rotated copy', () => stat(`${log}.1`).then((s) => s.size > 20_000));
  await new Promise((r) => setTimeout(r, 300));
  assert.ok((await stat(log)).size < 200_000, 'the live log stays bounded');
  await driver.retire(ctx, release);
});

test('SIGKILL of the control plane leaves the app serving; recover() and status() re-adopt it', async () => {
  const dataDir = await tempDir('data');
  dirs.push(dataDir);
  const child = spawn(process.execPath, [...nodeArgvFor('test/drivers/process/fixtures/start-release.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  try {
    const line = await Promise.race([
      new Promise<string>((resolve) => readline.createInterface({ input: child.stdout }).once('line', resolve)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the control plane did not start the release within 30s')), 30_000);
      }),
      exited.then(() => Promise.reject(new Error('the control plane exited early'))),
    ]);
    clearTimeout(timer);
    const { ports, source } = JSON.parse(line) as { ports: number[]; source: string };
    dirs.push(source);
    assert.equal(ports.length, 2);
    child.kill('SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 500));
    for (const port of ports) assert.equal((await httpGet(port, '/')).status, 200, `port ${port} still serves`);

    const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
    const summary = await driver.recoverRuns();
    assert.deepEqual(summary, { adopted: ['hello/staging/r1'], stale: [] });
    const { ctx } = makeContext(stopOnRetire(await exampleSpec()));
    const status = await driver.status(ctx.app, ctx.environment, { id: 'r1' } as never);
    assert.equal(status.healthy, true);
    assert.deepEqual(status.instances.map((i) => i.state), ['healthy', 'healthy', 'running']);

    // Starting the same release again (a resumed deploy) re-adopts instead of starting twice.
    const again = await driver.start(ctx, ref('r1', 'sha256:' + '0'.repeat(64)), null);
    assert.deepEqual(again.processes['web']?.map((i) => i.port), ports);

    await driver.retire(ctx, ref('r1', 'sha256:' + '0'.repeat(64)));
    assert.deepEqual(await processesIn(path.join(dataDir, 'apps/hello/staging/releases/r1')), []);
    const after = await driver.recoverRuns();
    assert.deepEqual(after, { adopted: [], stale: [] });
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
