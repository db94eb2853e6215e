// Contract: webhook deliveries (claim once, settle, reject, list).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { WebhookDeliveries } from '../../../src/core/ports/store/webhook-deliveries.js';
import { makeApp, withStore, type OpenStore } from './fixture.js';

const at = (n: number) => new Date(Date.UTC(2026, 10, 23, 0, 0, n)).toISOString();
const base = { provider: 'github', event: 'push', ref: 'refs/heads/main', commitSha: 'a'.repeat(40) };

export function webhookDeliveriesContract(open: OpenStore<WebhookDeliveries & AppsAndEnvironments>): void {
  describe('webhook deliveries', () => {
    test('a delivery id is claimed once per app and provider; the replay sees the first settlement', withStore(open, async (store) => {
      const { app } = await makeApp(store);
      const { app: other } = await makeApp(store);
      assert.deepEqual(await store.claimDelivery({ ...base, appId: app.id, deliveryId: 'd1', receivedAt: at(1) }), { duplicate: false, first: null });
      await store.settleDelivery(app.id, 'github', 'd1', { outcome: 'queued', reason: 'branch main deploys staging', deploymentIds: ['dep_1', 'dep_2'] });
      const again = await store.claimDelivery({ ...base, appId: app.id, deliveryId: 'd1', receivedAt: at(2) });
      assert.equal(again.duplicate, true);
      assert.deepEqual(again.first, { ...base, appId: app.id, deliveryId: 'd1', receivedAt: at(1), outcome: 'queued', reason: 'branch main deploys staging', deploymentIds: ['dep_1', 'dep_2'] });
      assert.equal((await store.claimDelivery({ ...base, appId: other.id, deliveryId: 'd1', receivedAt: at(3) })).duplicate, false);
      assert.equal((await store.claimDelivery({ ...base, provider: 'gitea', appId: app.id, deliveryId: 'd1', receivedAt: at(4) })).duplicate, false);
      assert.equal((await store.listDeliveries(app.id)).length, 2);
    }));

    test('rejected deliveries claim nothing and are listed newest first; ping is an outcome', withStore(open, async (store) => {
      const { app } = await makeApp(store);
      await store.rejectDelivery({ appId: app.id, provider: 'github', deliveryId: 'x', event: null, ref: null, commitSha: null, reason: 'bad signature', receivedAt: at(1) });
      await store.rejectDelivery({ appId: app.id, provider: 'github', deliveryId: null, event: null, ref: null, commitSha: null, reason: 'no signature', receivedAt: at(2) });
      assert.equal((await store.claimDelivery({ ...base, appId: app.id, deliveryId: 'x', receivedAt: at(3) })).duplicate, false);
      await store.settleDelivery(app.id, 'github', 'x', { outcome: 'ping', reason: 'ping', deploymentIds: [] });
      const list = await store.listDeliveries(app.id);
      assert.deepEqual(list.map((d) => d.outcome), ['ping', 'rejected', 'rejected']);
      assert.equal(list[1]?.deliveryId, null);
      assert.deepEqual((await store.listDeliveries(app.id, 1)).map((d) => d.reason), ['ping']);
    }));

    test('settling a delivery that was never claimed is an error', withStore(open, async (store) => {
      const { app } = await makeApp(store);
      await assert.rejects(store.settleDelivery(app.id, 'github', 'nope', { outcome: 'ignored', reason: 'x', deploymentIds: [] }));
    }));
  });
}
