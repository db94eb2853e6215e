// The contract every DeliveryRecorder passes (the store's implementation should run it too):
//   deliveryRecorderContract('sqlite', async () => ({ recorder, close }))
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeliveryRecorder } from '../../src/webhooks/index.js';

export interface RecorderUnderTest {
  recorder: DeliveryRecorder;
  /** Ids of two apps that exist in the backing store. */
  appIds: [string, string];
  close(): Promise<void>;
}

const at = (n: number) => new Date(Date.UTC(2026, 10, 22, 12, 0, n)).toISOString();

export function deliveryRecorderContract(name: string, make: () => Promise<RecorderUnderTest>): void {
  describe(`DeliveryRecorder contract: ${name}`, () => {
    const base = { provider: 'github' as const, event: 'push' as const, ref: 'refs/heads/main', commitSha: 'a'.repeat(40) };

    test('the first claim wins; a replay is a duplicate that reports the first outcome', async () => {
      const { recorder, appIds, close } = await make();
      try {
        const [app] = appIds;
        assert.deepEqual(await recorder.claim({ ...base, appId: app, deliveryId: 'd1', receivedAt: at(1) }), { duplicate: false, first: null });
        await recorder.settle(app, 'github', 'd1', { outcome: 'queued', reason: 'branch main deploys staging', deploymentIds: ['dep1'] });
        const again = await recorder.claim({ ...base, appId: app, deliveryId: 'd1', receivedAt: at(2) });
        assert.equal(again.duplicate, true);
        assert.equal(again.first?.outcome, 'queued');
        assert.deepEqual(again.first?.deploymentIds, ['dep1']);
        assert.equal((await recorder.list(app)).length, 1);
      } finally {
        await close();
      }
    });

    test('concurrent claims of one delivery: exactly one wins', async () => {
      const { recorder, appIds, close } = await make();
      try {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => recorder.claim({ ...base, appId: appIds[0], deliveryId: 'race', receivedAt: at(i) })));
        assert.equal(results.filter((r) => !r.duplicate).length, 1);
      } finally {
        await close();
      }
    });

    test('the same delivery id for another app or provider is not a duplicate', async () => {
      const { recorder, appIds, close } = await make();
      try {
        assert.equal((await recorder.claim({ ...base, appId: appIds[0], deliveryId: 'x', receivedAt: at(1) })).duplicate, false);
        assert.equal((await recorder.claim({ ...base, appId: appIds[1], deliveryId: 'x', receivedAt: at(2) })).duplicate, false);
        assert.equal((await recorder.claim({ ...base, provider: 'gitea', appId: appIds[0], deliveryId: 'x', receivedAt: at(3) })).duplicate, false);
      } finally {
        await close();
      }
    });

    test('rejected deliveries are counted (per app, provider, reason and hour) but claim nothing; list is newest first, per app, limited', async () => {
      const { recorder, appIds, close } = await make();
      try {
        const [app, other] = appIds;
        await recorder.reject({ appId: app, provider: 'github', deliveryId: 'r1', event: null, ref: null, commitSha: null, reason: 'bad signature', receivedAt: at(1) });
        await recorder.reject({ appId: app, provider: 'github', deliveryId: 'r1', event: null, ref: null, commitSha: null, reason: 'bad signature', receivedAt: at(2) });
        assert.equal((await recorder.claim({ ...base, appId: app, deliveryId: 'r1', receivedAt: at(3) })).duplicate, false);
        await recorder.settle(app, 'github', 'r1', { outcome: 'ignored', reason: 'push to branch x maps to no environment', deploymentIds: [] });
        await recorder.claim({ ...base, appId: other, deliveryId: 'o1', receivedAt: at(4) });
        await recorder.reject({ appId: app, provider: 'github', deliveryId: null, event: null, ref: null, commitSha: null, reason: 'missing signature', receivedAt: at(5) });
        const list = await recorder.list(app);
        // Issue 12 item 6: the two identical refusals are one counted record, not two rows.
        assert.deepEqual(list.map((d) => d.outcome), ['rejected', 'ignored', 'rejected']);
        assert.deepEqual(list.map((d) => d.count ?? 1), [1, 1, 2]);
        assert.equal(list[2]?.lastReceivedAt, at(2));
        assert.equal(list[1]?.reason, 'push to branch x maps to no environment');
        assert.equal((await recorder.list(app, { limit: 1 })).length, 1);
        assert.equal((await recorder.list(other)).length, 1);
      } finally {
        await close();
      }
    });
  });
}
