// Contract: environment locks as leases. Time is the store's clock: tests that need a lease
// to run out move a test clock instead of waiting.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError } from '../../../src/core/errors.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { LockRequest, Locks } from '../../../src/core/ports/store/locks.js';
import { isIsoTime, makeApp, withStore, withTestClock, type OpenStore } from './fixture.js';

function req(environmentId: string, owner: string, ttlMs = 60_000): LockRequest {
  return { environmentId, owner, kind: 'deployment', reason: `deploy by ${owner}`, deploymentId: null, ttlMs };
}

export function locksContract(open: OpenStore<Locks & AppsAndEnvironments>): void {
  describe('locks', () => {
    test('tryLock takes a free lock and refuses a second owner', withStore(open, async (store) => {
      const { staging, production } = await makeApp(store);
      const first = await store.tryLock({ ...req(staging.id, 'engine-1'), deploymentId: null, kind: 'manual' });
      assert.equal(first.acquired, true);
      assert.equal(first.lock.owner, 'engine-1');
      assert.equal(first.lock.kind, 'manual');
      assert.ok(isIsoTime(first.lock.acquiredAt) && isIsoTime(first.lock.expiresAt));
      assert.ok(first.lock.expiresAt > first.lock.acquiredAt);
      const second = await store.tryLock(req(staging.id, 'engine-2'));
      assert.equal(second.acquired, false);
      assert.deepEqual(second.lock, first.lock, 'a refused request sees the holder');
      assert.equal((await store.tryLock(req(production.id, 'engine-2'))).acquired, true, 'locks are per environment');
      assert.deepEqual(await store.getLock(staging.id), first.lock);
      assert.equal((await store.listLocks()).length, 2);
    }));

    test('the same owner taking its lock again keeps it and renews the lease', withTestClock(open, async (store, clock) => {
      const { staging } = await makeApp(store);
      const first = await store.tryLock(req(staging.id, 'engine-1', 50));
      clock.advance(5);
      const again = await store.tryLock(req(staging.id, 'engine-1', 60_000));
      assert.equal(again.acquired, true);
      assert.equal(again.lock.acquiredAt, first.lock.acquiredAt);
      assert.ok(again.lock.expiresAt > first.lock.expiresAt);
    }));

    test('an expired lock is taken over by a new owner', withTestClock(open, async (store, clock) => {
      const { staging } = await makeApp(store);
      const stale = await store.tryLock(req(staging.id, 'crashed', 20));
      clock.advance(40);
      const took = await store.tryLock(req(staging.id, 'engine-2'));
      assert.equal(took.acquired, true);
      assert.equal(took.lock.owner, 'engine-2');
      assert.equal(took.lock.reason, 'deploy by engine-2');
      assert.ok(took.lock.acquiredAt > stale.lock.acquiredAt);
      assert.equal(await store.heartbeat(staging.id, 'crashed', 60_000), false, 'the old owner lost it');
      assert.equal(await store.unlock(staging.id, 'crashed'), false);
      assert.equal((await store.getLock(staging.id))?.owner, 'engine-2');
    }));

    test('heartbeat extends the lease of its owner only', withTestClock(open, async (store, clock) => {
      const { staging } = await makeApp(store);
      const taken = await store.tryLock(req(staging.id, 'engine-1', 60));
      assert.equal(await store.heartbeat(staging.id, 'someone-else', 60_000), false);
      clock.advance(10);
      assert.equal(await store.heartbeat(staging.id, 'engine-1', 60_000), true);
      const lock = await store.getLock(staging.id);
      assert.ok((lock?.expiresAt ?? '') > taken.lock.expiresAt);
      assert.ok((lock?.heartbeatAt ?? '') > taken.lock.heartbeatAt);
      assert.equal(lock?.acquiredAt, taken.lock.acquiredAt);
      clock.advance(80); // past the first lease, within the renewed one
      assert.equal((await store.tryLock(req(staging.id, 'engine-2'))).acquired, false);
      assert.equal(await store.heartbeat(staging.id, 'engine-1', 60_000), true);
    }));

    test('tryLock on an unknown environment is not found', withStore(open, async (store) => {
      await assert.rejects(store.tryLock(req('env_missing', 'engine-1')), NotFoundError);
    }));

    test('heartbeat of a missing lock is false', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      assert.equal(await store.heartbeat(staging.id, 'engine-1', 1000), false);
      assert.equal(await store.getLock(staging.id), null);
    }));

    test('unlock with an owner releases only that owner\'s lock; without one, any', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      await store.tryLock(req(staging.id, 'engine-1'));
      assert.equal(await store.unlock(staging.id, 'engine-2'), false);
      assert.equal((await store.getLock(staging.id))?.owner, 'engine-1');
      assert.equal(await store.unlock(staging.id, 'engine-1'), true);
      assert.equal(await store.getLock(staging.id), null);
      assert.equal(await store.unlock(staging.id, 'engine-1'), false);
      await store.tryLock(req(staging.id, 'engine-3'));
      assert.equal(await store.unlock(staging.id), true, 'force unlock');
      assert.deepEqual(await store.listLocks(), []);
      assert.equal((await store.tryLock(req(staging.id, 'engine-4'))).acquired, true);
    }));

    test('of many concurrent contenders exactly one gets the lock', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.tryLock(req(staging.id, `engine-${i}`))),
      );
      const winners = results.filter((r) => r.acquired);
      assert.equal(winners.length, 1);
      for (const r of results) assert.equal(r.lock.owner, winners[0]?.lock.owner);
    }));

    test('the deployment and reason are kept', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const { lock } = await store.tryLock({ ...req(staging.id, 'engine-1'), deploymentId: null, reason: 'maintenance' });
      assert.equal(lock.reason, 'maintenance');
      assert.equal(lock.deploymentId, null);
    }));
  });
}
