// Git-driven deploys: the record of webhook deliveries and the commit statuses external CI reports.
import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema;

  await s
    .createTable('webhook_deliveries')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('event', 'text')
    .addColumn('ref', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('received', 'queued', 'ignored', 'rejected', 'duplicate', 'ping')`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('deployment_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  // Replay protection: a delivery id is claimed once per app and provider. Rejected rows carry an
  // untrusted id and claim nothing, so they are outside the index.
  await sql`create unique index webhook_deliveries_claim on webhook_deliveries (app_id, provider, delivery_id) where outcome <> 'rejected'`.execute(db);
  await s.createIndex('webhook_deliveries_app').on('webhook_deliveries').columns(['app_id', 'id']).execute();

  await s
    .createTable('commit_statuses')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'success', 'failure', 'error')`))
    .addColumn('description', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('commit_statuses_commit').on('commit_statuses').columns(['app_id', 'sha', 'id']).execute();
}

export const gitDriven: Migration = { version: 2, name: 'git-driven', up };
