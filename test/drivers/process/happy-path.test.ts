// The example app through build, stage, release phase, start, activate, a second release, retire
// and prune, with real processes and real HTTP probes.
import assert from 'node:assert/strict';
import { readFile, readlink, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ProcessDriver, type ProcessStartState } from '../../../src/drivers/process/process-driver.js';
import { cleanup, exampleSource, exampleSpec, httpGet, isAlive, makeContext, ref, stopOnRetire, tempDir } from './harness.js';
import { RecordingEdge } from './recording-edge.js';

let dataDir: string;
let source: string;

before(async () => {
  dataDir = await tempDir('data');
  source = await exampleSource();
});
after(async () => cleanup(dataDir, source));

function ports(state: ProcessStartState, proc = 'web'): number[] {
  return (state.processes[proc] ?? []).map((i) => i.port as number);
}

test('example app: build, stage, release, start, activate, second release, retire, prune', async () => {
  const edge = new RecordingEdge();
  const driver = new ProcessDriver({ dataDir, edge });
  const spec = stopOnRetire(await exampleSpec());
  const { ctx, lines } = makeContext(spec);

  // Build: content-addressed, reproducible, without .git.
  const b1 = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  assert.match(b1.artifact, /^sha256:[0-9a-f]{64}$/);
  const again = await driver.build(ctx, { releaseId: 'r1-again', source: { dir: source, commitSha: null } });
  assert.equal(again.artifact, b1.artifact, 'the same tree gives the same artifact');
  const r1 = ref('r1', b1.artifact);

  await driver.stage(ctx, r1);
  await driver.stage(ctx, r1); // idempotent
  const r1Dir = path.join(dataDir, 'apps/hello/staging/releases/r1');
  assert.equal(await stat(path.join(r1Dir, '.git')).catch(() => null), null, '.git is excluded');
  assert.equal(await readlink(path.join(r1Dir, 'data')), path.join(dataDir, 'apps/hello/staging/shared/data'));

  await driver.runRelease(ctx, r1);
  await driver.runRelease(ctx, r1);
  const db = JSON.parse(await readFile(path.join(dataDir, 'apps/hello/staging/shared/data/db.json'), 'utf8'));
  assert.deepEqual(db.applied, ['001-create-greetings.json', '002-seed-greetings.json'], 'migrations applied exactly once');
  assert.ok(lines.includes('stdout applied 001-create-greetings.json'), 'release output is streamed');
  assert.ok(lines.includes('stdout database is up to date'));

  const s1 = await driver.start(ctx, r1, null);
  assert.equal(ports(s1).length, 2);
  assert.equal(s1.processes['worker']?.length, 1);
  for (const port of ports(s1)) {
    const res = await httpGet(port, '/');
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).release, 'r1');
  }
  const heartbeat = JSON.parse(await readFile(path.join(dataDir, 'apps/hello/staging/shared/data/heartbeat-0.json'), 'utf8'));
  assert.equal(heartbeat.release, 'r1');

  await driver.activate(ctx, r1);
  assert.equal(await readlink(path.join(dataDir, 'apps/hello/staging/current')), 'releases/r1');
  const route = edge.routes.get('hello/staging');
  assert.ok(route);
  assert.deepEqual(route.hosts, ['staging.hello.localhost']);
  assert.equal(route.pathPrefix, '/');
  assert.deepEqual(route.targets.map((t) => t.url).sort(), ports(s1).map((p) => `http://127.0.0.1:${p}`).sort());
  assert.deepEqual(route.healthCheck, { path: '/healthz', intervalMs: 200, timeoutMs: 1000, healthyThreshold: 1 });
  assert.equal(route.releaseHeader, 'X-Slipway-Release');
  assert.equal(route.release, 'r1');
  assert.equal(route.drainTimeoutMs, 30_000);

  // A second release with a new version.
  await writeFile(path.join(source, 'VERSION'), '2.0.0\n');
  const b2 = await driver.build(ctx, { releaseId: 'r2', source: { dir: source, commitSha: null } });
  assert.notEqual(b2.artifact, b1.artifact);
  const r2 = ref('r2', b2.artifact);
  await driver.stage(ctx, r2);
  await driver.runRelease(ctx, r2);
  const s2 = await driver.start(ctx, r2, r1);
  await driver.activate(ctx, r2);
  assert.equal(await readlink(path.join(dataDir, 'apps/hello/staging/current')), 'releases/r2');
  assert.equal(JSON.parse((await httpGet(ports(s2)[0] as number)).body).version, '2.0.0');
  assert.equal(edge.routes.get('hello/staging')?.release, 'r2');

  const status = await driver.status(ctx.app, ctx.environment, { id: 'r2' } as never);
  assert.equal(status.healthy, true);
  assert.deepEqual(status.instances.map((i) => `${i.process}.${i.instance}:${i.state}`), ['web.0:healthy', 'web.1:healthy', 'worker.0:running']);

  await driver.retire(ctx, r1);
  for (const list of Object.values(s1.processes)) for (const i of list) assert.equal(isAlive(i.pid as number), false, `pid ${i.pid} stopped`);
  await driver.retire(ctx, r1); // idempotent

  // Prune keeps current (r2) and the kept previous (r1); a third, older release goes.
  await driver.stage(ctx, ref('r0', again.artifact));
  const removed = await driver.prune(ctx, [r1]);
  assert.deepEqual(removed, ['release r0']);
  assert.ok(await stat(path.join(dataDir, 'apps/hello/staging/releases/r1')));
  assert.ok(await stat(path.join(dataDir, 'apps/hello/staging/releases/r2')));
  const removed2 = await driver.prune(ctx, []);
  assert.deepEqual(removed2, ['release r1', `artifact ${b1.artifact}`]);
  assert.ok(await stat(driver.layout.artifactPath(b2.artifact)), 'the current artifact stays');

  await driver.retire(ctx, r2);
  for (const list of Object.values(s2.processes)) for (const i of list) assert.equal(isAlive(i.pid as number), false);
});
