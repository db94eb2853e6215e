// Contract: the control plane's key/value settings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredSettings } from '../../../src/core/ports/store/settings.js';
import { withStore, type OpenStore } from './fixture.js';

export function storedSettingsContract(open: OpenStore<StoredSettings>): void {
  describe('settings', () => {
    test('getSetting is null until putSetting; putSetting overwrites', withStore(open, async (store) => {
      assert.equal(await store.getSetting('webhook.secret'), null);
      await store.putSetting('webhook.secret', 'one');
      await store.putSetting('webhook.secret', 'two');
      await store.putSetting('other', '');
      assert.equal(await store.getSetting('webhook.secret'), 'two');
      assert.equal(await store.getSetting('other'), '');
    }));
  });
}
