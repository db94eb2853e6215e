// Contract: apps and environments.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, NotFoundError } from '../../../src/core/errors.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import { isIsoTime, makeApp, withStore, type OpenStore } from './fixture.js';

export function appsAndEnvironmentsContract(open: OpenStore<AppsAndEnvironments>): void {
  describe('apps and environments', () => {
    test('createApp stores the app and its environments', withStore(open, async (store) => {
      const app = await store.createApp({ name: 'shop', repo: '/srv/shop.git', driver: 'swarm' }, [
        { name: 'staging', branch: 'main' },
        { name: 'production', branch: null },
      ]);
      assert.equal(typeof app.id, 'string');
      assert.equal(app.name, 'shop');
      assert.equal(app.driver, 'swarm');
      assert.ok(isIsoTime(app.createdAt));
      const envs = await store.listEnvironments(app.id);
      assert.deepEqual(envs.map((e) => [e.name, e.branch, e.appId]), [
        ['staging', 'main', app.id],
        ['production', null, app.id],
      ]);
    }));

    test('getApp finds an app by id or by name, null otherwise', withStore(open, async (store) => {
      const { app } = await makeApp(store, 'blog');
      assert.deepEqual(await store.getApp(app.id), app);
      assert.deepEqual(await store.getApp('blog'), app);
      assert.equal(await store.getApp('nope'), null);
    }));

    test('a second app with the same name is a conflict', withStore(open, async (store) => {
      await makeApp(store, 'twice');
      await assert.rejects(makeApp(store, 'twice'), ConflictError);
      assert.equal((await store.listApps()).length, 1);
    }));

    test('listApps is sorted by name', withStore(open, async (store) => {
      await makeApp(store, 'zeta');
      await makeApp(store, 'alpha');
      assert.deepEqual((await store.listApps()).map((a) => a.name), ['alpha', 'zeta']);
    }));

    test('ensureEnvironments adds new ones, keeps the others, and follows branch changes', withStore(open, async (store) => {
      const { app, staging, production } = await makeApp(store);
      const envs = await store.ensureEnvironments(app.id, [
        { name: 'staging', branch: 'develop' },
        { name: 'preview', branch: null },
      ]);
      assert.deepEqual(envs.map((e) => e.name).sort(), ['preview', 'production', 'staging']);
      const again = await store.getEnvironment(app.id, 'staging');
      assert.equal(again?.id, staging.id);
      assert.equal(again?.branch, 'develop');
      assert.deepEqual(await store.getEnvironmentById(production.id), production);
      assert.equal((await store.listEnvironments(app.id)).length, 3);
    }));

    test('ensureEnvironments of an unknown app is not found', withStore(open, async (store) => {
      await assert.rejects(store.ensureEnvironments('app_missing', [{ name: 'x', branch: null }]), NotFoundError);
    }));

    test('environments are scoped to their app', withStore(open, async (store) => {
      const a = await makeApp(store);
      const b = await makeApp(store);
      assert.notEqual(a.staging.id, b.staging.id);
      assert.equal((await store.listEnvironments()).length, 4);
      assert.equal((await store.getEnvironment(a.app.id, 'staging'))?.id, a.staging.id);
      assert.equal(await store.getEnvironment(a.app.id, 'nope'), null);
      assert.equal(await store.getEnvironmentById('env_missing'), null);
    }));
  });
}
