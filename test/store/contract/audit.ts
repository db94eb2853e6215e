// Contract: the audit trail (append and read only).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditLog } from '../../../src/core/ports/store/audit.js';
import { isIsoTime, withStore, type OpenStore } from './fixture.js';

export function auditLogContract(open: OpenStore<AuditLog>): void {
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
}
