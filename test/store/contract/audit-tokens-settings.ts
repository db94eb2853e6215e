// Contract: the audit trail, API tokens and settings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, NotFoundError } from '../../../src/core/errors.js';
import { isIsoTime, withStore, type OpenStore } from './fixture.js';

export function auditTokensSettingsContract(open: OpenStore): void {
  describe('audit', () => {
    test('audit appends events with increasing ids and a time', withStore(open, async (store) => {
      const a = await store.audit({ actor: 'alice', action: 'deploy', target: 'app/web', outcome: 'ok', details: { env: 'staging' } });
      const b = await store.audit({ actor: 'bob', action: 'rollback', target: 'app/web', outcome: 'error', details: {}, at: '2026-01-01T00:00:00.000Z' });
      assert.ok(b.id > a.id);
      assert.ok(isIsoTime(a.at));
      assert.equal(b.at, '2026-01-01T00:00:00.000Z');
      assert.deepEqual(a.details, { env: 'staging' });
      assert.deepEqual(await store.listAudit({}), [b, a]);
    }));

    test('listAudit pages newest first with beforeId and filters by target', withStore(open, async (store) => {
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) {
        const e = await store.audit({ actor: 'alice', action: 'a', target: i % 2 === 0 ? 'even' : 'odd', outcome: 'ok', details: { i } });
        ids.push(e.id);
      }
      const page1 = await store.listAudit({ limit: 3 });
      assert.deepEqual(page1.map((e) => e.details['i']), [6, 5, 4]);
      const page2 = await store.listAudit({ limit: 3, beforeId: page1.at(-1)?.id });
      assert.deepEqual(page2.map((e) => e.details['i']), [3, 2, 1]);
      const page3 = await store.listAudit({ limit: 3, beforeId: page2.at(-1)?.id });
      assert.deepEqual(page3.map((e) => e.details['i']), [0]);
      assert.deepEqual((await store.listAudit({ target: 'odd' })).map((e) => e.details['i']), [5, 3, 1]);
      assert.deepEqual((await store.listAudit({ target: 'even', beforeId: ids[4] })).map((e) => e.details['i']), [2, 0]);
    }));

    test('the store offers no way to change or delete audit events', withStore(open, async (store) => {
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((m) => /audit/i.test(m));
      assert.deepEqual(methods.sort(), ['audit', 'listAudit']);
    }));
  });

  describe('tokens', () => {
    test('createToken, findTokenByHash, listTokens, touchToken', withStore(open, async (store) => {
      const t = await store.createToken('ci', 'sha256:aaa');
      assert.equal(t.name, 'ci');
      assert.equal(t.lastUsedAt, null);
      assert.ok(isIsoTime(t.createdAt));
      assert.equal('hash' in t, false);
      assert.deepEqual(await store.findTokenByHash('sha256:aaa'), t);
      assert.equal(await store.findTokenByHash('sha256:bbb'), null);
      await store.createToken('laptop', 'sha256:bbb');
      await store.touchToken(t.id, '2026-11-22T10:00:00.000Z');
      const list = await store.listTokens();
      assert.deepEqual(list.map((x) => x.name), ['ci', 'laptop']);
      assert.equal(list[0]?.lastUsedAt, '2026-11-22T10:00:00.000Z');
      for (const x of list) assert.equal('hash' in x, false);
      await assert.rejects(store.createToken('dup', 'sha256:aaa'), ConflictError);
      await assert.rejects(store.touchToken('tok_missing', '2026-11-22T10:00:00.000Z'), NotFoundError);
    }));
  });

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
