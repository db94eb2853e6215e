// The webhooks adapter's DeliveryRecorder on the Store's webhook_deliveries table.
import type { WebhookDeliveries } from '../core/ports/store/webhook-deliveries.js';
import type { WebhookDeliveryRecord } from '../core/model.js';
import type { DeliveryView } from '../core/wire/webhooks.js';
import type { DeliveryOutcome, DeliveryRecorder, WebhookDelivery, WebhookEventKind, WebhookProvider } from '../webhooks/index.js';

/** A settlement; beyond the recorder's own outcomes, `ping` marks a test delivery. */
export interface Settlement {
  outcome: 'queued' | 'ignored' | 'ping' | 'stale';
  reason: string;
  deploymentIds: string[];
}

export class StoreDeliveryRecorder implements DeliveryRecorder {
  constructor(private readonly store: WebhookDeliveries) {}

  async claim(d: Parameters<DeliveryRecorder['claim']>[0]): Promise<{ duplicate: boolean; first: WebhookDelivery | null }> {
    const r = await this.store.claimDelivery(d);
    return { duplicate: r.duplicate, first: r.first ? asDelivery(r.first) : null };
  }

  settle(appId: string, provider: WebhookProvider, deliveryId: string, s: Settlement): Promise<void> {
    return this.store.settleDelivery(appId, provider, deliveryId, s);
  }

  reject(d: Omit<WebhookDelivery, 'outcome' | 'deploymentIds'>): Promise<void> {
    return this.store.rejectDelivery(d);
  }

  async list(appId: string, opts: { limit?: number } = {}): Promise<WebhookDelivery[]> {
    return (await this.store.listDeliveries(appId, opts.limit)).map(asDelivery);
  }

  /** Like `list`, with the outcomes the store knows beyond the recorder's (ping). */
  async view(appId: string, limit?: number): Promise<DeliveryView[]> {
    return (await this.store.listDeliveries(appId, limit)) as DeliveryView[];
  }
}

function asDelivery(r: WebhookDeliveryRecord): WebhookDelivery {
  // 'ping', 'duplicate' and 'stale' rows are, to the recorder's interface, deliveries that deployed nothing.
  const outcome: DeliveryOutcome = r.outcome === 'ping' || r.outcome === 'duplicate' || r.outcome === 'stale' ? 'ignored' : r.outcome;
  return { ...r, provider: r.provider as WebhookProvider, event: r.event as WebhookEventKind | null, outcome };
}
