// Webhook deliveries, second shape:
// - rejected deliveries are counted, not stored one by one: one row per app, provider, reason and
//   hour (`count`, `last_received_at`), so a flood of unsigned requests cannot grow the database
//   without bound;
// - a new outcome, `stale`: a signed push whose commit was no longer the tip of its ref.
// SQLite cannot change a CHECK constraint, so the table is rebuilt (same rows, same indexes).
import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_deliveries_v4')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('event', 'text')
    .addColumn('ref', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('received', 'queued', 'ignored', 'rejected', 'duplicate', 'ping', 'stale')`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('deployment_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_received_at', 'text')
    .execute();
  await sql`insert into webhook_deliveries_v4 (id, app_id, provider, delivery_id, event, ref, commit_sha, outcome, reason, deployment_ids, received_at, count, last_received_at)
    select id, app_id, provider, delivery_id, event, ref, commit_sha, outcome, reason, deployment_ids, received_at, 1, received_at from webhook_deliveries`.execute(db);
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.alterTable('webhook_deliveries_v4').renameTo('webhook_deliveries').execute();
  await sql`create unique index webhook_deliveries_claim on webhook_deliveries (app_id, provider, delivery_id) where outcome <> 'rejected'`.execute(db);
  await db.schema.createIndex('webhook_deliveries_app').on('webhook_deliveries').columns(['app_id', 'id']).execute();
  await sql`create index webhook_deliveries_rejections on webhook_deliveries (app_id, provider, reason, received_at) where outcome = 'rejected'`.execute(db);
}

export const aggregatedRejections: Migration = { version: 4, name: 'aggregated-rejections', up };
