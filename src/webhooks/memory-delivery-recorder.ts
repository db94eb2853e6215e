// An in-process DeliveryRecorder: the reference implementation of the contract
// (test/webhooks/delivery-recorder.contract.ts), for tests and for running without a store table.
import type { DeliveryRecorder, DeliverySettlement, WebhookDelivery } from './delivery-recorder.js';
import type { WebhookProvider } from './webhook-event.js';

/** Refusals are counted per hour (as the store does). */
const REJECTION_WINDOW_MS = 60 * 60 * 1000;

export class MemoryDeliveryRecorder implements DeliveryRecorder {
  readonly #rows: WebhookDelivery[] = [];
  readonly #claimed = new Map<string, WebhookDelivery>();

  async claim(d: Parameters<DeliveryRecorder['claim']>[0]): Promise<{ duplicate: boolean; first: WebhookDelivery | null }> {
    const key = claimKey(d.appId, d.provider, d.deliveryId);
    const first = this.#claimed.get(key);
    if (first) return { duplicate: true, first: { ...first } };
    const row: WebhookDelivery = { ...d, outcome: 'received', reason: 'received', deploymentIds: [] };
    this.#claimed.set(key, row);
    this.#rows.push(row);
    return { duplicate: false, first: null };
  }

  async settle(appId: string, provider: WebhookProvider, deliveryId: string, s: DeliverySettlement): Promise<void> {
    const row = this.#claimed.get(claimKey(appId, provider, deliveryId));
    if (!row) throw new Error(`delivery ${deliveryId} was never claimed`);
    row.outcome = s.outcome;
    row.reason = s.reason;
    row.deploymentIds = [...s.deploymentIds];
  }

  async reject(d: Omit<WebhookDelivery, 'outcome' | 'deploymentIds'>): Promise<void> {
    const at = Date.parse(d.receivedAt);
    const windowStart = at - (at % REJECTION_WINDOW_MS);
    const add = d.count ?? 1;
    const row = this.#rows.find((r) => r.outcome === 'rejected' && r.appId === d.appId && r.provider === d.provider && r.reason === d.reason && Date.parse(r.receivedAt) >= windowStart);
    if (row) {
      row.count = (row.count ?? 1) + add;
      row.lastReceivedAt = d.receivedAt;
      return;
    }
    this.#rows.push({ ...d, outcome: 'rejected', deploymentIds: [], count: add, lastReceivedAt: d.receivedAt });
  }

  async list(appId: string, opts: { limit?: number } = {}): Promise<WebhookDelivery[]> {
    const limit = opts.limit ?? 100;
    return this.#rows
      .filter((r) => r.appId === appId)
      .reverse()
      .slice(0, limit)
      .map((r) => ({ ...r, deploymentIds: [...r.deploymentIds] }));
  }
}

function claimKey(appId: string, provider: string, deliveryId: string): string {
  return JSON.stringify([appId, provider, deliveryId]);
}
