// Webhook deliveries (replay protection: one claimed row per app, provider and delivery id).
import type { WebhookDeliveryOutcome, WebhookDeliveryRecord } from '../../model.js';

export interface WebhookDeliveries {
  /** Inserts the delivery as `received` unless (app, provider, id) was claimed before; then returns that first row. */
  claimDelivery(d: Omit<WebhookDeliveryRecord, 'outcome' | 'reason' | 'deploymentIds'> & { deliveryId: string }): Promise<{ duplicate: boolean; first: WebhookDeliveryRecord | null }>;
  settleDelivery(appId: string, provider: string, deliveryId: string, s: { outcome: WebhookDeliveryOutcome; reason: string; deploymentIds: string[] }): Promise<void>;
  /**
   * Counts a refused delivery (claims nothing): one row per app, provider, reason and hour, whose
   * `count` grows by `d.count` (default 1); so refused requests cannot grow the table without bound.
   */
  rejectDelivery(d: Omit<WebhookDeliveryRecord, 'outcome' | 'deploymentIds'>): Promise<void>;
  /** Newest first. */
  listDeliveries(appId: string, limit?: number): Promise<WebhookDeliveryRecord[]>;
}
