// Contract: the deployment queue, supersede, compare-and-set transitions, cancel.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError, SlipwayError } from '../../../src/core/errors.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { Deployments } from '../../../src/core/ports/store/deployments.js';
import { enqueue, isIsoTime, makeApp, withStore, type OpenStore } from './fixture.js';

export function deploymentsContract(open: OpenStore<Deployments & AppsAndEnvironments>): void {
  describe('deployments', () => {
    test('enqueueDeployment stores a queued deployment numbered per app', withStore(open, async (store) => {
      const a = await makeApp(store);
      const b = await makeApp(store);
      const first = await enqueue(store, a.staging, { params: { upload: '/tmp/x.tgz' }, commitSha: 'abc' });
      const second = await enqueue(store, a.production);
      const other = await enqueue(store, b.staging);
      assert.equal(first.deployment.status, 'queued');
      assert.equal(first.deployment.number, 1);
      assert.equal(second.deployment.number, 2);
      assert.equal(other.deployment.number, 1);
      assert.deepEqual(first.deployment.params, { upload: '/tmp/x.tgz' });
      assert.equal(first.deployment.commitSha, 'abc');
      assert.equal(first.deployment.cancelRequested, false);
      assert.equal(first.deployment.supersededBy, null);
      assert.ok(isIsoTime(first.deployment.createdAt));
      assert.equal(first.deployment.startedAt, null);
      assert.deepEqual(await store.getDeployment(first.deployment.id), first.deployment);
      assert.equal(await store.getDeployment('dep_missing'), null);
    }));

    test('a new deployment supersedes the queued ones of its environment only', withStore(open, async (store) => {
      const { staging, production } = await makeApp(store);
      const running = (await enqueue(store, staging)).deployment;
      await store.transitionDeployment(running.id, ['queued'], 'running');
      const old1 = (await enqueue(store, staging)).deployment;
      const old2 = (await enqueue(store, staging)).deployment; // supersedes old1
      const prod = (await enqueue(store, production)).deployment;
      const { deployment, superseded } = await enqueue(store, staging);
      assert.deepEqual(superseded.map((d) => d.id), [old2.id]);
      assert.equal(superseded[0]?.status, 'superseded');
      assert.equal(superseded[0]?.supersededBy, deployment.id);
      assert.ok(isIsoTime(superseded[0]?.finishedAt ?? null));
      const o1 = await store.getDeployment(old1.id);
      assert.equal(o1?.status, 'superseded');
      assert.equal(o1?.supersededBy, old2.id);
      assert.equal((await store.getDeployment(running.id))?.status, 'running');
      assert.equal((await store.getDeployment(prod.id))?.status, 'queued');
      assert.equal((await store.getDeployment(deployment.id))?.status, 'queued');
    }));

    test('enqueueDeployment refuses an environment of another app or none', withStore(open, async (store) => {
      const a = await makeApp(store);
      const b = await makeApp(store);
      await assert.rejects(enqueue(store, { ...b.staging, appId: a.app.id }), SlipwayError);
      await assert.rejects(enqueue(store, { ...a.staging, id: 'env_missing' }), NotFoundError);
    }));

    test('listDeployments filters, orders newest first, limits', withStore(open, async (store) => {
      const a = await makeApp(store);
      const b = await makeApp(store);
      const d1 = (await enqueue(store, a.staging)).deployment;
      const d2 = (await enqueue(store, a.production)).deployment;
      const d3 = (await enqueue(store, b.staging)).deployment;
      const d4 = (await enqueue(store, a.staging)).deployment; // supersedes d1
      const ids = (ds: { id: string }[]) => ds.map((d) => d.id);
      assert.deepEqual(ids(await store.listDeployments({ appId: a.app.id })), [d4.id, d2.id, d1.id]);
      assert.deepEqual(ids(await store.listDeployments({ appId: a.app.id, oldestFirst: true })), [d1.id, d2.id, d4.id]);
      assert.deepEqual(ids(await store.listDeployments({ environmentId: a.staging.id, limit: 1 })), [d4.id]);
      assert.deepEqual(ids(await store.listDeployments({ statuses: ['superseded'] })), [d1.id]);
      assert.deepEqual(ids(await store.listDeployments({ statuses: [] })), []);
      assert.deepEqual(ids(await store.listDeployments({})), [d4.id, d3.id, d2.id, d1.id]);
      assert.deepEqual(ids(await store.listDeployments({ oldestFirst: true, limit: 2 })), [d1.id, d2.id]);
      assert.deepEqual(
        ids(await store.listDeployments({ appId: a.app.id, statuses: ['queued', 'running'] })),
        [d4.id, d2.id],
      );
    }));

    test('transitionDeployment is a compare-and-set on the status', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      assert.equal(await store.transitionDeployment(d.id, ['running'], 'succeeded'), null);
      const running = await store.transitionDeployment(d.id, ['queued'], 'running', { commitSha: 'def' });
      assert.equal(running?.status, 'running');
      assert.equal(running?.commitSha, 'def');
      assert.ok(isIsoTime(running?.startedAt ?? null), 'moving to running sets startedAt');
      assert.equal(running?.finishedAt, null);
      assert.equal(await store.transitionDeployment(d.id, ['queued'], 'running'), null);
      const failed = await store.transitionDeployment(d.id, ['running'], 'failed', { error: 'health check failed' });
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.error, 'health check failed');
      assert.equal(failed?.startedAt, running?.startedAt);
      assert.ok(isIsoTime(failed?.finishedAt ?? null), 'a terminal status sets finishedAt');
      assert.equal(await store.transitionDeployment('dep_missing', ['queued'], 'running'), null);
    }));

    test('transitionDeployment keeps explicit times from the patch', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      const t = '2026-01-02T03:04:05.000Z';
      const done = await store.transitionDeployment(d.id, ['queued'], 'cancelled', { startedAt: t, finishedAt: t });
      assert.equal(done?.startedAt, t);
      assert.equal(done?.finishedAt, t);
    }));

    test('only one of two concurrent transitions from the same status wins', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      const results = await Promise.all([
        store.transitionDeployment(d.id, ['queued'], 'running'),
        store.transitionDeployment(d.id, ['queued'], 'running'),
        store.transitionDeployment(d.id, ['queued'], 'cancelled'),
      ]);
      assert.equal(results.filter((r) => r !== null).length, 1);
    }));

    test('updateDeployment patches commit, release and params', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      await store.updateDeployment(d.id, { commitSha: '123abc', params: { sourceRelease: 'rel_x' } });
      const got = await store.getDeployment(d.id);
      assert.equal(got?.commitSha, '123abc');
      assert.deepEqual(got?.params, { sourceRelease: 'rel_x' });
      assert.equal(got?.releaseId, null);
      await assert.rejects(store.updateDeployment('dep_missing', { commitSha: 'x' }), NotFoundError);
    }));

    test('requestCancel cancels a queued deployment and flags a running one', withStore(open, async (store) => {
      const { staging, production } = await makeApp(store);
      const queued = (await enqueue(store, staging)).deployment;
      const cancelled = await store.requestCancel(queued.id);
      assert.equal(cancelled?.status, 'cancelled');
      assert.equal(cancelled?.cancelRequested, true);
      assert.ok(isIsoTime(cancelled?.finishedAt ?? null));
      const run = (await enqueue(store, production)).deployment;
      await store.transitionDeployment(run.id, ['queued'], 'running');
      const flagged = await store.requestCancel(run.id);
      assert.equal(flagged?.status, 'running');
      assert.equal(flagged?.cancelRequested, true);
      await store.transitionDeployment(run.id, ['running'], 'cancelled');
      assert.equal(await store.requestCancel(run.id), null, 'a finished deployment cannot be cancelled');
      assert.equal(await store.requestCancel('dep_missing'), null);
    }));
  });
}
