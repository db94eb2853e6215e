// Contract: releases and the live one per environment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, NotFoundError, SlipwayError } from '../../../src/core/errors.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { Deployments } from '../../../src/core/ports/store/deployments.js';
import type { Releases } from '../../../src/core/ports/store/releases.js';
import { isIsoTime, makeApp, makeRelease, withStore, type OpenStore } from './fixture.js';

async function statuses(store: Releases, envId: string): Promise<Record<string, string>> {
  const rs = await store.listReleases(envId);
  return Object.fromEntries(rs.map((r) => [r.id, r.status]));
}

export function releasesContract(open: OpenStore<Releases & Deployments & AppsAndEnvironments>): void {
  describe('releases', () => {
    test('createRelease, getRelease and updateRelease keep every field', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const r = await makeRelease(store, staging);
      assert.equal(r.status, 'pending');
      assert.ok(isIsoTime(r.createdAt));
      assert.equal(r.deployedAt, null);
      assert.deepEqual(r.driverState, { port: 4001 });
      assert.deepEqual(r.notes, ['migrates the users table']);
      assert.deepEqual(await store.getRelease(r.id), r);
      await store.updateRelease(r.id, { artifact: 'sha256:1111', driverState: { port: 4002 }, notes: [], commitSubject: 'x' });
      const got = await store.getRelease(r.id);
      assert.equal(got?.artifact, 'sha256:1111');
      assert.deepEqual(got?.driverState, { port: 4002 });
      assert.deepEqual(got?.notes, []);
      assert.equal(got?.commitSubject, 'x');
      assert.deepEqual(got?.spec, { name: 'web' });
      assert.equal(await store.getRelease('rel_missing'), null);
      await assert.rejects(store.updateRelease('rel_missing', { status: 'failed' }), NotFoundError);
      await assert.rejects(makeRelease(store, staging, { id: r.id }), ConflictError);
    }));

    test('listReleases is newest first and limited', withStore(open, async (store) => {
      const { staging, production } = await makeApp(store);
      const r1 = await makeRelease(store, staging);
      const r2 = await makeRelease(store, staging);
      await makeRelease(store, production);
      assert.deepEqual((await store.listReleases(staging.id)).map((r) => r.id), [r2.id, r1.id]);
      assert.deepEqual((await store.listReleases(staging.id, 1)).map((r) => r.id), [r2.id]);
    }));

    test('markLive moves live -> previous -> retired and supports rollback', withStore(open, async (store) => {
      const { staging, production } = await makeApp(store);
      const r1 = await makeRelease(store, staging);
      const r2 = await makeRelease(store, staging);
      const r3 = await makeRelease(store, staging);
      const p1 = await makeRelease(store, production);
      await store.markLive(production.id, p1.id, '2026-11-01T00:00:00.000Z');
      assert.equal(await store.liveRelease(staging.id), null);

      await store.markLive(staging.id, r1.id, '2026-11-02T00:00:00.000Z');
      assert.deepEqual(await statuses(store, staging.id), { [r1.id]: 'live', [r2.id]: 'pending', [r3.id]: 'pending' });
      const live = await store.liveRelease(staging.id);
      assert.equal(live?.id, r1.id);
      assert.equal(live?.deployedAt, '2026-11-02T00:00:00.000Z');

      await store.markLive(staging.id, r2.id, '2026-11-03T00:00:00.000Z');
      assert.deepEqual(await statuses(store, staging.id), { [r1.id]: 'previous', [r2.id]: 'live', [r3.id]: 'pending' });
      await store.markLive(staging.id, r3.id, '2026-11-04T00:00:00.000Z');
      assert.deepEqual(await statuses(store, staging.id), { [r1.id]: 'retired', [r2.id]: 'previous', [r3.id]: 'live' });
      // rollback: the previous release goes live again
      await store.markLive(staging.id, r2.id, '2026-11-05T00:00:00.000Z');
      assert.deepEqual(await statuses(store, staging.id), { [r1.id]: 'retired', [r2.id]: 'live', [r3.id]: 'previous' });
      assert.equal((await store.getRelease(r2.id))?.deployedAt, '2026-11-05T00:00:00.000Z');
      // marking the live one live again changes nothing else
      await store.markLive(staging.id, r2.id, '2026-11-06T00:00:00.000Z');
      assert.deepEqual(await statuses(store, staging.id), { [r1.id]: 'retired', [r2.id]: 'live', [r3.id]: 'previous' });
      assert.equal((await store.liveRelease(production.id))?.id, p1.id, 'other environments are untouched');
    }));

    test('markLive refuses a release of another environment or none', withStore(open, async (store) => {
      const { staging, production } = await makeApp(store);
      const p = await makeRelease(store, production);
      await assert.rejects(store.markLive(staging.id, p.id, new Date().toISOString()), SlipwayError);
      await assert.rejects(store.markLive(staging.id, 'rel_missing', new Date().toISOString()), NotFoundError);
      assert.equal(await store.liveRelease(staging.id), null);
      assert.equal((await store.getRelease(p.id))?.status, 'pending');
    }));
  });
}
