// activate puts `current` back when the edge refuses the new targets; prune never deletes an
// artifact that another environment's release still uses (promotion), nor a running release.
import assert from 'node:assert/strict';
import { readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import type { EdgeRoute, EdgeRouteState } from '../../../src/core/ports/edge-control.js';
import { ProcessDriver } from '../../../src/drivers/process/process-driver.js';
import { cleanup, makeContext, ref, specOf, tempDir, stopOnRetire, webApp, writeApp } from './harness.js';
import { RecordingEdge } from './recording-edge.js';

class RefusingEdge extends RecordingEdge {
  refuse = false;
  override async putRoute(route: EdgeRoute): Promise<EdgeRouteState> {
    if (this.refuse) throw new Error(`targets of ${route.id} failed their health check`);
    return super.putRoute(route);
  }
}

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await cleanup(d);
});

// Retire stops here: keep_warm has its own tests (keep-warm.test.ts).
const spec = stopOnRetire(specOf({
  processes: { web: { command: ['node', 'server.js'], http: true, health: { path: '/healthz', interval: '100ms' }, min_uptime: '100ms', stop_grace: '1s' } },
  environments: { staging: {}, production: {} },
}));

test('activate restores the previous current when the edge refuses the route', async () => {
  const dataDir = await tempDir('data');
  const source = await writeApp(webApp());
  dirs.push(dataDir, source);
  const edge = new RefusingEdge();
  const driver = new ProcessDriver({ dataDir, edge });
  const { ctx } = makeContext(spec, { app: 'act' });
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const [r1, r2] = [ref('r1', built.artifact), ref('r2', built.artifact)];
  for (const r of [r1, r2]) {
    await driver.stage(ctx, r);
    await driver.start(ctx, r, null);
  }
  await driver.activate(ctx, r1);
  edge.refuse = true;
  await assert.rejects(driver.activate(ctx, r2), /targets of act\/staging failed their health check/);
  assert.equal(await readlink(path.join(dataDir, 'apps/act/staging/current')), 'releases/r1');
  assert.equal(edge.routes.get('act/staging')?.release, 'r1');
  await driver.retire(ctx, r2);
  await assert.rejects(driver.activate(ctx, r2), /release r2 has no running web instances; start it before activating it/);
  assert.equal(await readlink(path.join(dataDir, 'apps/act/staging/current')), 'releases/r1');
});

test('prune keeps artifacts used by another environment and releases that still run', async () => {
  const dataDir = await tempDir('data');
  const source = await writeApp(webApp());
  dirs.push(dataDir, source);
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const staging = makeContext(spec, { app: 'promo', env: 'staging' }).ctx;
  const production = makeContext(spec, { app: 'promo', env: 'production' }).ctx;
  const built = await driver.build(staging, { releaseId: 's1', source: { dir: source, commitSha: null } });
  // Promotion: production stages the very artifact staging built.
  await driver.stage(staging, ref('s1', built.artifact));
  await driver.stage(production, ref('p1', built.artifact));
  await driver.start(staging, ref('s1', built.artifact), null);

  assert.deepEqual(await driver.prune(staging, []), [], 's1 is running: kept');
  await driver.retire(staging, ref('s1', built.artifact));
  assert.deepEqual(await driver.prune(staging, []), ['release s1'], 'the artifact is still used by production');
  assert.ok(await stat(driver.layout.artifactPath(built.artifact)));
  assert.deepEqual(await driver.prune(production, []), ['release p1', `artifact ${built.artifact}`]);
  assert.equal(await stat(driver.layout.artifactPath(built.artifact)).catch(() => null), null);
});
