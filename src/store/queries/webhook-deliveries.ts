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
    ...(r.outcome === 'rejected' ? { count: r.count, lastReceivedAt: r.last_received_at ?? r.received_at } : {}),
  };
}

/** The columns every new row starts with: what the request said about itself, and when. */
function newRow(d: Pick<WebhookDeliveryRecord, 'appId' | 'provider' | 'deliveryId' | 'event' | 'ref' | 'commitSha' | 'receivedAt'>, outcome: WebhookDeliveryOutcome, reason: string) {
  return {
    app_id: d.appId,
    provider: d.provider,
    delivery_id: d.deliveryId,
    event: d.event,
    ref: d.ref,
    commit_sha: d.commitSha,
    outcome,
    reason,
    deployment_ids: '[]',
    received_at: d.receivedAt,
  };
}

/** Rejections are counted per hour; older counts are kept this long. */
export const REJECTION_WINDOW_MS = 60 * 60 * 1000;
export const REJECTION_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

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
      .values(newRow(d, 'received', 'received'))
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

/**
 * Counts a refused delivery: adds `count` (default 1) to the row of its app, provider and reason
 * for the hour of `receivedAt`, or starts that row (and drops counts older than the retention).
 * The id, event, ref and sha a refused request claimed are untrusted: the row keeps the first ones.
 */
export async function rejectDelivery(db: Kysely<Database>, d: Omit<WebhookDeliveryRecord, 'outcome' | 'deploymentIds'>): Promise<void> {
  const at = Date.parse(d.receivedAt);
  const windowStart = new Date(at - (at % REJECTION_WINDOW_MS)).toISOString();
  const add = Math.max(1, Math.floor(d.count ?? 1));
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('app_id', '=', d.appId)
      .where('provider', '=', d.provider)
      .where('outcome', '=', 'rejected')
      .where('reason', '=', d.reason)
      .where('received_at', '>=', windowStart)
      .orderBy('received_at', 'desc')
      .executeTakeFirst();
    if (row) {
      await trx
        .updateTable('webhook_deliveries')
        .set({ count: sql`count + ${add}`, last_received_at: d.receivedAt })
        .where('id', '=', row.id)
        .execute();
      return;
    }
    await trx
      .deleteFrom('webhook_deliveries')
      .where('outcome', '=', 'rejected')
      .where('received_at', '<', new Date(at - REJECTION_RETENTION_MS).toISOString())
      .execute();
    await trx
      .insertInto('webhook_deliveries')
      .values({ ...newRow(d, 'rejected', d.reason), count: add, last_received_at: d.receivedAt })
      .execute();
  });
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
