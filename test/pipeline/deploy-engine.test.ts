import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM } from '../../src/services/actor.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { createHarness, SPEC, type Harness } from '../support/engine-harness.js';

describe('deploy engine', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a deploy runs every step in order and makes the release live', async () => {
    const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const done = await h.waitFor(d.id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const steps = (await h.store.listSteps(d.id)).map((s) => `${s.name}:${s.status}`);
    assert.deepEqual(steps, [
      'resolve-source:succeeded',
      'fetch-source:succeeded',
      'register-release:succeeded',
      'build:succeeded',
      'test:succeeded',
      'certificates:succeeded',
      'stage:succeeded',
      'backup:succeeded',
      'release-phase:succeeded',
      'start:succeeded',
      'switch-traffic:succeeded',
      'record-release:succeeded',
      'after-deploy:succeeded',
      'retire-previous:succeeded',
      'prune:succeeded',
    ]);
    const env = await h.store.getEnvironment((await h.store.getApp('shop'))!.id, 'staging');
    const live = await h.store.liveRelease(env!.id);
    assert.equal(live?.id, done.releaseId);
    assert.equal(live?.commitSha, done.commitSha);
    const log = (await h.store.readLog(d.id)).map((l) => l.text).join('\n');
    assert.match(log, /==> build/);
    assert.match(log, /deployment succeeded/);
  });

  test('two deploys of one environment run one after the other', async () => {
    const gate = h.driver.hold('start');
    const a = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    await gate.reached;
    const b = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    // Proof that the queue was looked at with b in it: a deploy queued after b (production, whose
    // branch does not exist, so it fails at once) leaves the queue; the engine scans oldest first,
    // so the scan that took it passed over b.
    const later = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'production' });
    assert.equal((await h.waitFor(later.id)).status, 'failed');
    assert.equal((await h.store.getDeployment(b.id))?.status, 'queued', 'b waits while a holds the lock');
    const lock = await h.store.getLock(a.environmentId);
    assert.equal(lock?.deploymentId, a.id);
    gate.release();
    assert.equal((await h.waitFor(a.id)).status, 'succeeded');
    const bd = await h.waitFor(b.id);
    assert.equal(bd.status, 'succeeded');
    assert.ok(bd.startedAt! >= (await h.store.getDeployment(a.id))!.finishedAt!, 'b started after a finished');
    assert.equal(await h.store.getLock(a.environmentId), null, 'lock released');
  });

  test('three queued: the middle one is superseded by the newest', async () => {
    const gate = h.driver.hold('start');
    const a = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    await gate.reached;
    const b = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const c = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const bd = await h.store.getDeployment(b.id);
    assert.equal(bd?.status, 'superseded');
    assert.equal(bd?.supersededBy, c.id);
    gate.release();
    assert.equal((await h.waitFor(a.id)).status, 'succeeded');
    assert.equal((await h.waitFor(c.id)).status, 'succeeded');
    assert.equal((await h.store.listSteps(b.id)).length, 0, 'a superseded deployment never ran');
  });

  test('cancel stops a running deploy and compensates its steps', async () => {
    const env = (await h.store.getEnvironment((await h.store.getApp('shop'))!.id, 'staging'))!;
    const liveBefore = await h.store.liveRelease(env.id);
    const gate = h.driver.hold('start');
    const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    await gate.reached;
    const abandonsBefore = h.driver.count('abandon');
    await h.deployments.cancel(SYSTEM, d.id);
    const done = await h.waitFor(d.id);
    gate.release();
    assert.equal(done.status, 'cancelled');
    assert.equal(h.driver.count('abandon'), abandonsBefore + 1, 'the started release was abandoned');
    const steps = await h.store.listSteps(d.id);
    assert.equal(steps.find((s) => s.name === 'register-release')?.status, 'compensated', 'the pending release is marked failed');
    assert.equal(steps.find((s) => s.name === 'start')?.status, 'compensated', 'the interrupted step is undone too');
    assert.equal((await h.store.getRelease(done.releaseId!))?.status, 'failed');
    assert.equal((await h.store.liveRelease(env.id))?.id, liveBefore?.id, 'the previous release is still live');
    assert.equal(h.driver.active.get('staging'), liveBefore?.id, 'traffic still goes to the previous release');
    assert.equal(await h.store.getLock(env.id), null);
  });

  test('cancelling a queued deploy never runs it', async () => {
    const gate = h.driver.hold('start');
    const a = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    await gate.reached;
    const b = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const cancelled = await h.deployments.cancel(SYSTEM, b.id);
    assert.equal(cancelled.status, 'cancelled');
    gate.release();
    await h.waitFor(a.id);
    assert.equal((await h.store.listSteps(b.id)).length, 0);
    await assert.rejects(h.deployments.cancel(SYSTEM, b.id), /already cancelled/);
  });

  test('a failed health gate fails the deploy and leaves the previous release serving', async () => {
    const env = (await h.store.getEnvironment((await h.store.getApp('shop'))!.id, 'staging'))!;
    const liveBefore = await h.store.liveRelease(env.id);
    h.driver.failOn('start', 'web instance 0 never became healthy: GET /healthz returned 500');
    const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const done = await h.waitFor(d.id);
    h.driver.clearFailures();
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /start: web instance 0 never became healthy/);
    assert.equal((await h.store.liveRelease(env.id))?.id, liveBefore?.id);
    assert.equal(h.driver.active.get('staging'), liveBefore?.id);
  });

  test('a failed traffic switch undoes the start and leaves the previous release live', async () => {
    const env = (await h.store.getEnvironment((await h.store.getApp('shop'))!.id, 'staging'))!;
    const liveBefore = await h.store.liveRelease(env.id);
    const abandons = h.driver.count('abandon');
    h.driver.failOn('activate', 'edge refused the new targets', { times: 1 });
    const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const done = await h.waitFor(d.id);
    h.driver.clearFailures();
    assert.equal(done.status, 'failed');
    assert.equal(h.driver.count('abandon'), abandons + 1);
    assert.equal((await h.store.liveRelease(env.id))?.id, liveBefore?.id);
  });

  test('rollback brings the previous release back without building', async () => {
    for (let i = 0; i < 2; i++) {
      const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
      assert.equal((await h.waitFor(d.id)).status, 'succeeded', 'a release to roll back to, and one to roll back from');
    }
    const env = (await h.store.getEnvironment((await h.store.getApp('shop'))!.id, 'staging'))!;
    const live = await h.store.liveRelease(env.id);
    const builds = h.driver.count('build');
    const r = await h.deployments.rollback(SYSTEM, { app: 'shop', env: 'staging' });
    const done = await h.waitFor(r.id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(h.driver.count('build'), builds, 'no build on rollback');
    const now = await h.store.liveRelease(env.id);
    assert.notEqual(now?.id, live?.id);
    assert.equal(h.driver.active.get('staging'), now?.id);
    // Issue 12 item 5: an unknown release is refused when asked (404), not queued to fail later.
    await assert.rejects(h.deployments.rollback(SYSTEM, { app: 'shop', env: 'staging', to: 'r999-nothing' }), { code: 'not_found', message: /r999-nothing/ });
  });

  test('secret values are redacted from the deployment log', async () => {
    const canary = 'canary-Zq8f3kP0-value';
    await h.secrets.set(SYSTEM, { app: 'shop', env: 'staging', name: 'API_KEY', value: new Sensitive(canary) });
    h.driver.failOn('build', `build printed ${canary} by mistake`);
    const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const done = await h.waitFor(d.id);
    h.driver.clearFailures();
    const log = (await h.store.readLog(d.id)).map((l) => l.text).join('\n');
    assert.ok(log.includes('[redacted]'));
    assert.ok(!log.includes(canary), 'canary in deployment log');
    assert.ok(!(done.error ?? '').includes(canary), 'canary in deployment error');
    const steps = JSON.stringify(await h.store.listSteps(d.id));
    assert.ok(!steps.includes(canary), 'canary in step runs');
  });
  test('after_deploy runs once after traffic moved; its failure is reported and never undoes the deploy', async () => {
    await h.repo.commit({ 'slipway.yml': `${SPEC}after_deploy:\n  - ["notify", "--release", "\${SLIPWAY_RELEASE}"]\n`, 'server.js': '// v-after\n' }, 'after_deploy');
    await h.repo.push('main');
    h.driver.failOn('runAfterDeploy', 'after_deploy command 1 notify exited with code 3');
    const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const done = await h.waitFor(d.id);
    h.driver.clearFailures();
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const env = (await h.store.getEnvironment((await h.store.getApp('shop'))!.id, 'staging'))!;
    assert.equal((await h.store.liveRelease(env.id))?.id, done.releaseId, 'the new release stays live');
    assert.equal(h.driver.calls.filter((c) => c.method === 'runAfterDeploy' && c.release === done.releaseId).length, 1);
    const moved = h.driver.calls.findIndex((c) => c.method === 'activate' && c.release === done.releaseId);
    const ran = h.driver.calls.findIndex((c) => c.method === 'runAfterDeploy' && c.release === done.releaseId);
    assert.ok(moved >= 0 && ran > moved, 'after traffic moved');
    const log = (await h.store.readLog(d.id)).map((l) => l.text).join('\n');
    assert.match(log, /after_deploy failed: after_deploy command 1 notify exited with code 3; the deploy stands \(release \S+ is live and healthy\)/);
  });
});
