// keep_warm: the release a deploy replaces keeps running, unrouted, so that a rollback to it is a
// health check and a route swap; the window, the memory cap and `keep_warm: false` stop it.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import type { AppSpecInput } from '../../../src/core/app-spec.js';
import { ProcessDriver, type ProcessStartState } from '../../../src/drivers/process/process-driver.js';
import { readState } from '../../../src/drivers/process/supervisor-control.js';
import { cleanup, isAlive, makeContext, ref, specOf, tempDir, waitFor, webApp, writeApp } from './harness.js';
import { RecordingEdge } from './recording-edge.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await cleanup(d);
});

function specWith(keepWarm: AppSpecInput['keep_warm']) {
  return specOf({
    processes: {
      web: { command: ['node', 'server.js'], http: true, instances: 2, health: { path: '/healthz', interval: '100ms' }, min_uptime: '300ms', stop_grace: '1s' },
    },
    environments: { staging: {} },
    ...(keepWarm === undefined ? {} : { keep_warm: keepWarm }),
  });
}

function pids(state: ProcessStartState): number[] {
  return (state.processes['web'] ?? []).map((i) => i.pid as number);
}

function targets(edge: RecordingEdge): string[] {
  return (edge.routes.get('warm/staging')?.targets ?? []).map((t) => `${t.release} ${t.url}`);
}

/** Releases a and b of one build, a deployed and then replaced by b (retire a). */
async function deployTwo(keepWarm: AppSpecInput['keep_warm']) {
  const dataDir = await tempDir('data');
  const source = await writeApp(webApp());
  dirs.push(dataDir, source);
  const edge = new RecordingEdge();
  const driver = new ProcessDriver({ dataDir, edge });
  const { ctx, lines } = makeContext(specWith(keepWarm), { app: 'warm' });
  const built = await driver.build(ctx, { releaseId: 'a', source: { dir: source, commitSha: null } });
  const [a, b] = [ref('a', built.artifact), ref('b', built.artifact)];
  await driver.stage(ctx, a);
  const startedA = await driver.start(ctx, a, null);
  await driver.activate(ctx, a);
  await driver.stage(ctx, b);
  const startedB = await driver.start(ctx, b, a);
  await driver.activate(ctx, b);
  await driver.retire(ctx, a);
  const runDir = (id: string) => path.join(dataDir, 'apps/warm/staging/run', id);
  return { dataDir, edge, driver, ctx, lines, a, b, startedA, startedB, runDir };
}

test('a replaced release stays warm, unrouted; the rollback reuses its processes', async () => {
  const t = await deployTwo(undefined);
  const aPids = pids(t.startedA);
  for (const pid of aPids) assert.ok(isAlive(pid), `a's instance ${pid} still runs`);
  const warm = JSON.parse(await readFile(path.join(t.runDir('a'), 'warm.json'), 'utf8')) as { warmUntil: string };
  const left = Date.parse(warm.warmUntil) - Date.now();
  assert.ok(left > 9 * 60_000 && left <= 10 * 60_000, `default window of 10 minutes (${left} ms left)`);
  assert.ok(targets(t.edge).length === 2 && targets(t.edge).every((x) => x.startsWith('b ')), `routed to b only: ${targets(t.edge).join(', ')}`);
  assert.ok(t.lines.some((l) => /kept release a warm until \d\d:\d\d UTC for a fast rollback/.test(l)), t.lines.join('\n'));
  assert.deepEqual(await t.driver.prune(t.ctx, [t.b]), [], 'prune leaves the warm release in place');

  // Rollback: start a again (no restart), route to it, b becomes the warm one.
  const began = Date.now();
  const again = await t.driver.start(t.ctx, t.a, t.b);
  await t.driver.activate(t.ctx, t.a);
  const warmRollbackMs = Date.now() - began;
  await t.driver.retire(t.ctx, t.b);
  assert.deepEqual(pids(again), aPids, 'the same instance processes serve again');
  assert.ok(t.lines.some((l) => l.includes('release a was warm: no restart')), t.lines.join('\n'));
  assert.ok(targets(t.edge).every((x) => x.startsWith('a ')), `routed to a: ${targets(t.edge).join(', ')}`);
  assert.equal(await stat(path.join(t.runDir('a'), 'warm.json')).catch(() => null), null, "a's warm record is gone");
  assert.ok(await stat(path.join(t.runDir('b'), 'warm.json')));

  // The cold path for comparison: b stopped, then started again from nothing.
  await t.driver.abandon(t.ctx, t.b, null);
  const coldBegan = Date.now();
  await t.driver.start(t.ctx, t.b, t.a);
  const coldMs = Date.now() - coldBegan;
  assert.ok(warmRollbackMs * 2 < coldMs, `warm rollback ${warmRollbackMs} ms, cold start ${coldMs} ms (min_uptime alone is 300 ms)`);
});

test('a warm release that cannot pass its gate at once (an instance restarting) is started afresh', async () => {
  const t = await deployTwo(undefined);
  const [victim] = pids(t.startedA);
  assert.ok(victim);
  process.kill(victim, 'SIGKILL');
  await waitFor('the supervisor to see the exit', async () => (await readState(t.runDir('a')))?.instances.some((i) => i.state !== 'running'));
  const again = await t.driver.start(t.ctx, t.a, t.b);
  assert.ok(t.lines.some((l) => l.includes('warm release a failed its check') && l.includes('starting it again')), t.lines.join('\n'));
  assert.equal(pids(again).length, 2);
  assert.ok(pids(again).every((p) => !pids(t.startedA).includes(p)), 'new instances');
  for (const p of pids(again)) assert.ok(isAlive(p));
});

test('one warm release per environment: warming a newer one stops the older', async () => {
  const t = await deployTwo(undefined);
  await t.driver.stage(t.ctx, ref('c', t.a.artifact));
  const c = ref('c', t.a.artifact);
  await t.driver.start(t.ctx, c, t.b);
  await t.driver.activate(t.ctx, c);
  await t.driver.retire(t.ctx, t.b);
  for (const pid of pids(t.startedA)) assert.equal(isAlive(pid), false, `a's instance ${pid} was stopped`);
  for (const pid of pids(t.startedB)) assert.ok(isAlive(pid), `b's instance ${pid} is warm`);
  assert.equal(await stat(path.join(t.runDir('a'), 'warm.json')).catch(() => null), null);
  assert.ok(t.lines.some((l) => l.includes('stopped release a, which was kept warm')), t.lines.join('\n'));
});

test('the sweep stops a warm release once its window has passed, also from a new control plane', async () => {
  const t = await deployTwo({ for: '1s' });
  assert.deepEqual(await t.driver.sweepWarm(), [], 'still inside the window');
  for (const pid of pids(t.startedA)) assert.ok(isAlive(pid));
  await new Promise((r) => setTimeout(r, 1100));
  const restarted = new ProcessDriver({ dataDir: t.dataDir, edge: t.edge });
  await restarted.recover(); // a control plane starting after the window: its first sweep stops a
  for (const pid of pids(t.startedA)) assert.equal(isAlive(pid), false, `a's instance ${pid} was stopped`);
  for (const pid of pids(t.startedB)) assert.ok(isAlive(pid), 'the live release is untouched');
  assert.equal(await stat(path.join(t.runDir('a'), 'warm.json')).catch(() => null), null);
});

test('startBackground sweeps on its own', async () => {
  const t = await deployTwo({ for: '200ms' });
  t.driver.startBackground(100);
  try {
    const deadline = Date.now() + 5000;
    while (pids(t.startedA).some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const pid of pids(t.startedA)) assert.equal(isAlive(pid), false, `a's instance ${pid} was stopped by the background sweep`);
  } finally {
    await t.driver.close();
  }
});

test('over the memory cap the replaced release is retired at once, and the log says why', async () => {
  const t = await deployTwo({ max_memory: '1KB' });
  for (const pid of pids(t.startedA)) assert.equal(isAlive(pid), false);
  assert.equal(await stat(path.join(t.runDir('a'), 'warm.json')).catch(() => null), null);
  assert.ok(t.lines.some((l) => /not keeping release a warm: its processes use [\d.]+ MiB, over keep_warm.max_memory \(1 KiB\)/.test(l)), t.lines.join('\n'));
  assert.ok(t.lines.some((l) => l.includes('retired release a')));
});

test('keep_warm: false retires at once as before', async () => {
  const t = await deployTwo(false);
  for (const pid of pids(t.startedA)) assert.equal(isAlive(pid), false);
  assert.ok(t.lines.some((l) => l === 'info retired release a'), t.lines.join('\n'));
});
