// Webhooks on the wire: the receiver's answer, webhook secrets, recorded deliveries.
import { z } from 'zod';
import type { WebhookDeliveryRecord } from '../model.js';

/** What the receiver did with a delivery: 202 for queued/ignored/stale, 200 for duplicate/ping. */
export type WebhookOutcome = 'queued' | 'ignored' | 'stale' | 'duplicate' | 'ping';

/** The answer of `POST /hooks/:provider/:app`. */
export interface WebhookResult {
  outcome: WebhookOutcome;
  reason: string;
  deliveryId: string;
  deployments: { id: string; environment: string; number: number }[];
}

/** `POST /api/apps/:app/webhook-secret` */
export const webhookSecretBody = z.strictObject({
  rotate: z.boolean().default(false),
  /** With rotate: the secret being replaced stops being accepted at once (no grace period), e.g. after a leak. */
  revokeOld: z.boolean().default(false),
});
export type WebhookSecretRequest = z.input<typeof webhookSecretBody>;

/** Whether an app has a webhook secret (`GET /api/apps/:app/webhook-secret`); never its value. */
export interface WebhookSecretInfo {
  app: string;
  set: boolean;
  rotatedAt: string | null;
  /** Until when the secret before the last rotation is still accepted, or null. */
  previousValidUntil: string | null;
}

/** A recorded delivery (`GET /api/apps/:app/webhook-deliveries`). */
export type DeliveryView = WebhookDeliveryRecord;
