// Contract: secrets (ciphertext only), app-wide and per environment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError } from '../../../src/core/errors.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { EncryptedSecrets } from '../../../src/core/ports/store/secrets.js';
import { isIsoTime, makeApp, withStore, type OpenStore } from './fixture.js';

function put(store: EncryptedSecrets, appId: string, environmentId: string | null, name: string, ciphertext: string): Promise<void> {
  return store.putSecret({ ref: { appId, environmentId, name, createdAt: '', updatedAt: '' }, ciphertext });
}

export function secretsContract(open: OpenStore<EncryptedSecrets & AppsAndEnvironments>): void {
  describe('secrets', () => {
    test('putSecret inserts, then replaces the ciphertext and keeps createdAt', withStore(open, async (store) => {
      const { app } = await makeApp(store);
      await put(store, app.id, null, 'DATABASE_URL', 'v1:a');
      const [first] = await store.listSecrets(app.id);
      assert.ok(isIsoTime(first?.createdAt ?? null));
      await put(store, app.id, null, 'DATABASE_URL', 'v1:b');
      const all = await store.allSecrets();
      assert.equal(all.length, 1);
      assert.equal(all[0]?.ciphertext, 'v1:b');
      assert.equal(all[0]?.ref.createdAt, first?.createdAt);
      assert.ok((all[0]?.ref.updatedAt ?? '') >= (first?.updatedAt ?? ''));
    }));

    test('listSecrets: all, app-wide only, or one environment only; never ciphertext', withStore(open, async (store) => {
      const { app, staging, production } = await makeApp(store);
      await put(store, app.id, null, 'B_SHARED', 'c1');
      await put(store, app.id, staging.id, 'A_TOKEN', 'c2');
      await put(store, app.id, staging.id, 'B_SHARED', 'c3');
      await put(store, app.id, production.id, 'C_KEY', 'c4');
      const names = (refs: { name: string; environmentId: string | null }[]) => refs.map((r) => `${r.environmentId ?? '*'}:${r.name}`);
      assert.deepEqual(names(await store.listSecrets(app.id)), [
        `${staging.id}:A_TOKEN`,
        '*:B_SHARED',
        `${staging.id}:B_SHARED`,
        `${production.id}:C_KEY`,
      ]);
      assert.deepEqual(names(await store.listSecrets(app.id, null)), ['*:B_SHARED']);
      assert.deepEqual(names(await store.listSecrets(app.id, staging.id)), [`${staging.id}:A_TOKEN`, `${staging.id}:B_SHARED`]);
      for (const ref of await store.listSecrets(app.id)) assert.equal('ciphertext' in ref, false);
    }));

    test('secretsFor overlays app-wide secrets with the environment\'s own', withStore(open, async (store) => {
      const { app, staging, production } = await makeApp(store);
      await put(store, app.id, null, 'SHARED', 'app-wide');
      await put(store, app.id, null, 'OVERRIDDEN', 'app-wide');
      await put(store, app.id, staging.id, 'OVERRIDDEN', 'staging');
      await put(store, app.id, staging.id, 'ONLY_STAGING', 'staging');
      await put(store, app.id, production.id, 'ONLY_PRODUCTION', 'production');
      const got = (await store.secretsFor(app.id, staging.id)).map((s) => [s.ref.name, s.ciphertext, s.ref.environmentId]);
      assert.deepEqual(got, [
        ['ONLY_STAGING', 'staging', staging.id],
        ['OVERRIDDEN', 'staging', staging.id],
        ['SHARED', 'app-wide', null],
      ]);
      const prod = (await store.secretsFor(app.id, production.id)).map((s) => [s.ref.name, s.ciphertext]);
      assert.deepEqual(prod, [
        ['ONLY_PRODUCTION', 'production'],
        ['OVERRIDDEN', 'app-wide'],
        ['SHARED', 'app-wide'],
      ]);
    }));

    test('deleteSecret removes exactly one scope', withStore(open, async (store) => {
      const { app, staging } = await makeApp(store);
      await put(store, app.id, null, 'X', 'a');
      await put(store, app.id, staging.id, 'X', 'b');
      assert.equal(await store.deleteSecret(app.id, staging.id, 'X'), true);
      assert.equal(await store.deleteSecret(app.id, staging.id, 'X'), false);
      assert.deepEqual((await store.secretsFor(app.id, staging.id)).map((s) => s.ciphertext), ['a']);
      assert.equal(await store.deleteSecret(app.id, null, 'X'), true);
      assert.deepEqual(await store.allSecrets(), []);
    }));

    test('secrets of different apps are separate', withStore(open, async (store) => {
      const a = await makeApp(store);
      const b = await makeApp(store);
      await put(store, a.app.id, null, 'K', 'a');
      await put(store, b.app.id, null, 'K', 'b');
      assert.deepEqual((await store.secretsFor(b.app.id, b.staging.id)).map((s) => s.ciphertext), ['b']);
      assert.equal((await store.allSecrets()).length, 2);
    }));

    test('a secret for an unknown app is refused', withStore(open, async (store) => {
      await assert.rejects(put(store, 'app_missing', null, 'K', 'x'), NotFoundError);
    }));
  });
}
