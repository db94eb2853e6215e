// Secrets reach build, release and app processes through the environment only: never argv,
// never a file under the data dir, never an error message.
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { ProcessDriver } from '../../../src/drivers/process/process-driver.js';
import { cleanup, makeContext, ref, specOf, tempDir, webApp, writeApp } from './harness.js';
import { RecordingEdge } from './recording-edge.js';

const SECRET = 'canary-4f1d9e7c2b-s3cr3t';
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await cleanup(d);
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

test('secrets are in the environment of every process and nowhere else', async () => {
  const dataDir = await tempDir('data');
  const check = 'if (process.env.API_TOKEN?.length !== 24) process.exit(9);';
  const source = await writeApp({ ...webApp(), 'check.js': check });
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const spec = specOf({
    processes: { web: { command: ['node', 'server.js'], http: true, health: { path: '/healthz', interval: '100ms' }, min_uptime: '200ms' } },
    build: [['node', 'check.js']],
    release: [['node', 'check.js']],
    environments: { staging: {} },
  });
  const { ctx, lines } = makeContext(spec, { app: 'secretive', variables: { PLAIN: 'visible' }, secrets: { API_TOKEN: SECRET } });
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const release = ref('r1', built.artifact);
  await driver.stage(ctx, release);
  await driver.runRelease(ctx, release);
  const state = await driver.start(ctx, release, null);
  const pid = state.processes['web']?.[0]?.pid as number;

  const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  assert.ok(environ.includes(`API_TOKEN=${SECRET}`), 'the secret is in the process environment');
  assert.ok(environ.includes('PLAIN=visible'));
  assert.ok(environ.some((e) => /^PORT=\d+$/.test(e)));
  assert.ok(!(await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(SECRET), 'not in the instance argv');
  const runState = JSON.parse(await readFile(path.join(dataDir, 'apps/secretive/staging/run/r1/state.json'), 'utf8'));
  const supervisorPid = runState.supervisorPid as number;
  assert.ok(!(await readFile(`/proc/${supervisorPid}/cmdline`, 'utf8')).includes(SECRET), 'not in the supervisor argv');
  assert.ok(!(await readFile(`/proc/${supervisorPid}/environ`, 'utf8')).includes(SECRET), 'not in the supervisor environment');

  for (const file of await walk(dataDir)) {
    assert.ok(!(await readFile(file)).includes(SECRET), `${file} does not contain the secret`);
  }
  const runDirMode = (await stat(path.join(dataDir, 'apps/secretive/staging/run/r1'))).mode & 0o777;
  assert.equal(runDirMode & 0o077, 0, 'the run dir (logs) is private to its owner');
  for (const log of await walk(path.join(dataDir, 'apps/secretive/staging/run/r1/logs'))) {
    assert.equal((await stat(log)).mode & 0o077, 0, `${log} is private`);
  }
  assert.ok(!lines.join('\n').includes(SECRET));
  await driver.retire(ctx, release);
});

test('a failing command that prints a secret has it redacted in the error', async () => {
  const dataDir = await tempDir('data');
  const source = await writeApp({ 'leak.js': "console.error('token is ' + process.env.API_TOKEN); process.exit(4);" });
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const spec = specOf({ build: [['node', 'leak.js']], environments: { staging: {} } });
  const { ctx } = makeContext(spec, { secrets: { API_TOKEN: SECRET } });
  await assert.rejects(driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } }), (err: Error) => {
    assert.match(err.message, /^build command 1 \["node","leak\.js"\] exited with code 4; last lines of stderr:\ntoken is \[redacted\]$/);
    assert.ok(!err.message.includes(SECRET));
    return true;
  });
});
