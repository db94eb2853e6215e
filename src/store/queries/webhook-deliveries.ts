// Webhook deliveries: claimed once per (app, provider, delivery id), settled, listed newest first.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { WebhookDeliveryOutcome, WebhookDeliveryRecord } from '../../core/model.js';
import { fromJsonColumn, toJsonColumn } from '../json-column.js';
import type { Database, WebhookDeliveriesTable } from '../schema.js';

export type ClaimInput = Omit<WebhookDeliveryRecord, 'outcome' | 'reason' | 'deploymentIds'> & { deliveryId: string };
export interface Settlement {
  outcome: WebhookDeliveryOutcome;
  reason: string;
  deploymentIds: string[];
}

function toDelivery(r: Selectable<WebhookDeliveriesTable>): WebhookDeliveryRecord {
  return {
    appId: r.app_id,
    provider: r.provider,
    deliveryId: r.delivery_id,
    event: r.event,
    ref: r.ref,
    commitSha: r.commit_sha,
    outcome: r.outcome,
    reason: r.reason,
    deploymentIds: fromJsonColumn<string[]>(r.deployment_ids, 'webhook_deliveries.deployment_ids', []),
    receivedAt: r.received_at,
  };
}

async function claimed(db: Kysely<Database>, appId: string, provider: string, deliveryId: string) {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('app_id', '=', appId)
    .where('provider', '=', provider)
    .where('delivery_id', '=', deliveryId)
    .where('outcome', '<>', 'rejected')
    .executeTakeFirst();
}

export async function claimDelivery(db: Kysely<Database>, d: ClaimInput): Promise<{ duplicate: boolean; first: WebhookDeliveryRecord | null }> {
  // The partial unique index decides; the insert and the lookup of the winner share a transaction.
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('webhook_deliveries')
      .values({
        app_id: d.appId,
        provider: d.provider,
        delivery_id: d.deliveryId,
        event: d.event,
        ref: d.ref,
        commit_sha: d.commitSha,
        outcome: 'received',
        reason: 'received',
        deployment_ids: '[]',
        received_at: d.receivedAt,
      })
      .onConflict((oc) => oc.columns(['app_id', 'provider', 'delivery_id']).where(sql<boolean>`outcome <> 'rejected'`).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { duplicate: false, first: null };
    const first = await claimed(trx, d.appId, d.provider, d.deliveryId);
    return { duplicate: true, first: first ? toDelivery(first) : null };
  });
}

export async function settleDelivery(db: Kysely<Database>, appId: string, provider: string, deliveryId: string, s: Settlement): Promise<void> {
  const res = await db
    .updateTable('webhook_deliveries')
    .set({ outcome: s.outcome, reason: s.reason, deployment_ids: toJsonColumn(s.deploymentIds) })
    .where('app_id', '=', appId)
    .where('provider', '=', provider)
    .where('delivery_id', '=', deliveryId)
    .where('outcome', '<>', 'rejected')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new Error(`webhook delivery ${deliveryId} of ${provider} was never claimed`);
}

export async function rejectDelivery(db: Kysely<Database>, d: Omit<WebhookDeliveryRecord, 'outcome' | 'deploymentIds'>): Promise<void> {
  await db
    .insertInto('webhook_deliveries')
    .values({
      app_id: d.appId,
      provider: d.provider,
      delivery_id: d.deliveryId,
      event: d.event,
      ref: d.ref,
      commit_sha: d.commitSha,
      outcome: 'rejected',
      reason: d.reason,
      deployment_ids: '[]',
      received_at: d.receivedAt,
    })
    .execute();
}

export async function listDeliveries(db: Kysely<Database>, appId: string, limit = 100): Promise<WebhookDeliveryRecord[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('app_id', '=', appId)
    .orderBy('id', 'desc')
    .limit(Math.max(1, Math.min(1000, Math.floor(limit))))
    .execute();
  return rows.map(toDelivery);
}
