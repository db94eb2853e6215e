// Contract: the status batch reads (every environment at once).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { Deployments } from '../../../src/core/ports/store/deployments.js';
import type { Releases } from '../../../src/core/ports/store/releases.js';
import type { StatusReads } from '../../../src/core/ports/store/status-reads.js';
import { enqueue, makeApp, makeRelease, withStore, type OpenStore } from './fixture.js';

export function statusReadsContract(open: OpenStore<StatusReads & Releases & Deployments & AppsAndEnvironments>): void {
  describe('status reads', () => {
    test('liveReleases and latestDeploymentsByEnvironment answer for every environment at once', withStore(open, async (store) => {
      const a = await makeApp(store);
      const b = await makeApp(store);
      const ra = await makeRelease(store, a.staging);
      await store.markLive(a.staging.id, ra.id, new Date().toISOString());
      const rb = await makeRelease(store, b.production);
      await store.markLive(b.production.id, rb.id, new Date().toISOString());
      const lastA = (await enqueue(store, a.staging)).deployment;
      const live = await store.liveReleases();
      assert.deepEqual([...live.keys()].sort(), [a.staging.id, b.production.id].sort());
      // For the status page: everything but the bulky spec and driver state, which stay empty.
      assert.deepEqual(live.get(a.staging.id), { ...(await store.getRelease(ra.id))!, spec: {}, driverState: {} });
      const latest = await store.latestDeploymentsByEnvironment();
      // makeRelease enqueues a deployment: a.staging and b.production have deployments, the others none
      assert.deepEqual([...latest.keys()].sort(), [a.staging.id, b.production.id].sort());
      assert.deepEqual(latest.get(a.staging.id), await store.getDeployment(lastA.id));
      assert.equal(latest.get(b.production.id)?.id, rb.deploymentId);
      assert.equal(latest.has(a.production.id), false);
    }));
  });
}
