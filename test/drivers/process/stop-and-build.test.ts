// Retire's SIGTERM -> grace -> SIGKILL, and build failures and cancellation.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { StepFailedError } from '../../../src/core/errors.js';
import { ProcessDriver } from '../../../src/drivers/process/process-driver.js';
import { cleanup, isAlive, makeContext, processesIn, ref, specOf, tempDir, waitFor, stopOnRetire, webApp, writeApp } from './harness.js';
import { RecordingEdge } from './recording-edge.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await cleanup(d);
});

test('retire sends SIGTERM, waits stop_grace, then SIGKILLs a process that ignores SIGTERM', async () => {
  const dataDir = await tempDir('data');
  const source = await writeApp(webApp({ extra: "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));" }));
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const spec = specOf({
    processes: {
      web: { command: ['node', 'server.js'], http: true, health: { path: '/healthz', interval: '100ms' }, min_uptime: '200ms', stop_grace: '1s' },
    },
    environments: { staging: {} },
    keep_warm: false,
  });
  const { ctx } = makeContext(spec, { app: 'stubborn' });
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const release = ref('r1', built.artifact);
  await driver.stage(ctx, release);
  const state = await driver.start(ctx, release, null);
  const pid = state.processes['web']?.[0]?.pid as number;
  const t0 = Date.now();
  await driver.retire(ctx, release);
  const took = Date.now() - t0;
  assert.equal(isAlive(pid), false);
  assert.ok(took >= 1000, `waited the grace (${took}ms)`);
  assert.ok(took < 4000, `then killed it (${took}ms)`);
  const runDir = path.join(dataDir, 'apps/stubborn/staging/run/r1');
  assert.match(await readFile(path.join(runDir, 'logs/web.0.log'), 'utf8'), /ignoring SIGTERM/);
  assert.match(await readFile(path.join(runDir, 'supervisor.log'), 'utf8'), /web\.0 ignored SIGTERM for 1000ms; sending SIGKILL/);
  assert.deepEqual(await processesIn(path.join(dataDir, 'apps/stubborn/staging/releases/r1')), []);
});

test('a failing build command fails the build with its exit code and stderr tail', async () => {
  const dataDir = await tempDir('data');
  const source = await writeApp({ 'fail.js': "console.log('compiling'); console.error('line 1'); console.error('error TS2322: nope'); process.exit(2);" });
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const { ctx, lines } = makeContext(specOf({ build: [['node', 'fail.js']], environments: { staging: {} } }));
  await assert.rejects(driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } }), (err: unknown) => {
    assert.ok(err instanceof StepFailedError);
    assert.equal(err.message, 'build command 1 ["node","fail.js"] exited with code 2; last lines of stderr:\nline 1\nerror TS2322: nope');
    assert.equal(err.details['exitCode'], 2);
    return true;
  });
  assert.ok(lines.includes('stdout compiling'));
  assert.ok(lines.includes('stderr error TS2322: nope'));
});

test('cancelling a build kills the running command and its children', async () => {
  const dataDir = await tempDir('data');
  const source = await writeApp({
    'slow.js': "import { spawn } from 'node:child_process'; spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }); console.log('started'); setTimeout(() => {}, 60000);",
    'package.json': '{ "type": "module" }',
  });
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const abort = new AbortController();
  const { ctx, lines } = makeContext(specOf({ build: [['node', 'slow.js']], environments: { staging: {} } }), { signal: abort.signal });
  const building = driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  await waitFor('the build command to start', async () => lines.includes('stdout started'));
  const buildDir = (await processesIn(path.join(dataDir, 'builds'))).length;
  assert.equal(buildDir, 2, 'the command and its child run in the build dir');
  const t0 = Date.now();
  abort.abort();
  await assert.rejects(building, /build command 1 \["node","slow\.js"\] was cancelled/);
  assert.ok(Date.now() - t0 < 2000);
  await waitFor('no process left in the builds dir', async () => (await processesIn(path.join(dataDir, 'builds'))).length === 0, 3000);
});

test('runRelease and start refuse a release that was not staged', async () => {
  const dataDir = await tempDir('data');
  dirs.push(dataDir);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const { ctx } = makeContext(specOf({ environments: { staging: {} } }));
  const r = ref('nope', 'sha256:' + 'a'.repeat(64));
  await assert.rejects(driver.runRelease(ctx, r), /release nope is not staged in hello\/staging; run stage first/);
  await assert.rejects(driver.stage(ctx, r), /artifact sha256:a{64} is missing/);
  assert.deepEqual(JSON.parse(await readFile(path.join(dataDir, 'apps/hello/staging/artifacts.json'), 'utf8')), {});
  await assert.rejects(driver.stage(ctx, ref('../evil', r.artifact)), /release id "\.\.\/evil" cannot be used as a directory name/);
});
