// `start` fails with the reason and leaves nothing running: a failing health check, a process
// that exits while starting.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { StepFailedError } from '../../../src/core/errors.js';
import { ProcessDriver } from '../../../src/drivers/process/process-driver.js';
import { liveSupervisor } from '../../../src/drivers/process/supervisor-control.js';
import { cleanup, makeContext, processesIn, ref, specOf, tempDir, webApp, writeApp } from './harness.js';
import { RecordingEdge } from './recording-edge.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await cleanup(d);
});

async function deployUpToStart(files: Record<string, string>, processes: Parameters<typeof specOf>[0]['processes']) {
  const dataDir = await tempDir('data');
  const source = await writeApp(files);
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const spec = specOf({ processes, environments: { staging: {} } });
  const { ctx, lines } = makeContext(spec, { app: 'failing' });
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const release = ref('r1', built.artifact);
  await driver.stage(ctx, release);
  const releaseDir = path.join(dataDir, 'apps/failing/staging/releases/r1');
  const runDir = path.join(dataDir, 'apps/failing/staging/run/r1');
  return { driver, ctx, lines, release, releaseDir, runDir };
}

test('a failing health check makes start throw and leaves nothing running', async () => {
  const d = await deployUpToStart(webApp({ healthStatus: 500 }), {
    web: {
      command: ['node', 'server.js'],
      http: true,
      instances: 2,
      // A long start_period: it forgives an instance that is not listening yet (a loaded machine
      // starts node slowly), never one that answers 500, so the failure still comes fast.
      health: { path: '/healthz', interval: '100ms', timeout: '500ms', retries: 2, start_period: '10s' },
      min_uptime: '100ms',
    },
    worker: { command: ['node', '-e', 'setInterval(() => {}, 1000)'] },
  });
  const t0 = Date.now();
  await assert.rejects(d.driver.start(d.ctx, d.release, null), (err: unknown) => {
    assert.ok(err instanceof StepFailedError);
    assert.match(err.message, /web\.\d failed its health check 2 times in a row: GET \/healthz on 127\.0\.0\.1:\d+ -> HTTP 500/);
    return true;
  });
  assert.ok(Date.now() - t0 < 5000, 'fails fast once start_period and retries are used up');
  assert.deepEqual(await processesIn(d.releaseDir), [], 'no instance left running');
  assert.equal(await liveSupervisor(d.runDir), null, 'no supervisor left running');
});

test('an answer with an error status counts during start_period: a 500 fails after its retries, not after start_period', async () => {
  // start_period is ten minutes: only failures that count during it can end this test.
  const d = await deployUpToStart(webApp({ healthStatus: 500 }), {
    web: { command: ['node', 'server.js'], http: true, health: { path: '/healthz', interval: '100ms', retries: 3, start_period: '10m' } },
  });
  await assert.rejects(d.driver.start(d.ctx, d.release, null), /web\.0 failed its health check 3 times in a row: GET \/healthz on 127\.0\.0\.1:\d+ -> HTTP 500/);
  assert.equal(await liveSupervisor(d.runDir), null);
});

test('during start_period an instance that is not listening yet is waited for', async () => {
  // Listens only after 1.5 s, while 3 retries at 100 ms would be used up long before.
  const files = webApp();
  files['server.js'] = `await new Promise((r) => setTimeout(r, 1500));\n${files['server.js'] ?? ''}`;
  const d = await deployUpToStart(files, {
    web: { command: ['node', 'server.js'], http: true, health: { path: '/healthz', interval: '100ms', retries: 3, start_period: '20s' } },
  });
  const state = await d.driver.start(d.ctx, d.release, null);
  assert.equal(state.processes['web']?.length, 1);
  await d.driver.retire(d.ctx, d.release);
});

test('a process that exits while starting fails start with its exit code and last log lines', async () => {
  const d = await deployUpToStart(
    { ...webApp(), 'boom.js': "console.error('boom: DATABASE_URL is not set'); process.exit(3);" },
    {
      web: { command: ['node', 'server.js'], http: true, instances: 1, health: { path: '/healthz', interval: '100ms' } },
      worker: { command: ['node', 'boom.js'], min_uptime: '2s' },
    },
  );
  await assert.rejects(d.driver.start(d.ctx, d.release, null), (err: unknown) => {
    assert.ok(err instanceof StepFailedError);
    assert.match(err.message, /^worker\.0 exited with code 3 while starting; last lines of its log:\nboom: DATABASE_URL is not set$/);
    assert.equal(err.details['exitCode'], 3);
    return true;
  });
  assert.deepEqual(await processesIn(d.releaseDir), []);
  assert.equal(await liveSupervisor(d.runDir), null);
  assert.ok(d.lines.some((l) => l.startsWith('error release r1 did not start')));
});

test('a program that does not exist fails start with a clear reason', async () => {
  const d = await deployUpToStart({ 'x.txt': 'x' }, { worker: { command: ['no-such-program-slipway'] } });
  await assert.rejects(d.driver.start(d.ctx, d.release, null), /worker\.0 could not start: spawn no-such-program-slipway ENOENT/);
  assert.equal(await liveSupervisor(d.runDir), null);
});
