// The record of every webhook delivery, owned by the webhook route and implemented by the store.
// Replay protection is the claim: the first claim of (appId, provider, deliveryId) wins atomically.
import type { WebhookEventKind, WebhookProvider } from './webhook-event.js';

/** received: claimed, being handled; queued: deployments were queued; ignored: verified but nothing
 *  to deploy (reason says why); rejected: signature or payload refused (never claimed). */
export type DeliveryOutcome = 'received' | 'queued' | 'ignored' | 'rejected';

export interface WebhookDelivery {
  appId: string;
  provider: WebhookProvider;
  /** For rejected deliveries, whatever id the request claimed (untrusted), or null. */
  deliveryId: string | null;
  event: WebhookEventKind | null;
  ref: string | null;
  commitSha: string | null;
  outcome: DeliveryOutcome;
  /** Human explanation: environments deployed, or why nothing was. */
  reason: string;
  /** Ids of the deployments this delivery queued. */
  deploymentIds: string[];
  receivedAt: string;
  /** For rejected deliveries: how many refusals the record counts, and when the last came. */
  count?: number;
  lastReceivedAt?: string;
}

export interface DeliverySettlement {
  outcome: 'queued' | 'ignored';
  reason: string;
  deploymentIds: string[];
}

export interface DeliveryRecorder {
  /**
   * Records a verified delivery as `received`, atomically (a unique index on appId, provider,
   * deliveryId over claimed rows). `{ duplicate: true }` when it was claimed before: the caller
   * then does nothing (a replay is a no-op) and answers with the first delivery's outcome.
   */
  claim(delivery: Omit<WebhookDelivery, 'outcome' | 'reason' | 'deploymentIds'> & { deliveryId: string }): Promise<{ duplicate: boolean; first: WebhookDelivery | null }>;
  /** Sets the outcome of a claimed delivery. */
  settle(appId: string, provider: WebhookProvider, deliveryId: string, settlement: DeliverySettlement): Promise<void>;
  /**
   * Counts a refused delivery (`count` of them, default 1): one record per app, provider, reason and
   * hour, with the number of refusals and the last one's time. Its id is not trusted and claims nothing.
   */
  reject(delivery: Omit<WebhookDelivery, 'outcome' | 'deploymentIds'>): Promise<void>;
  /** Newest first. */
  list(appId: string, opts?: { limit?: number }): Promise<WebhookDelivery[]>;
}
