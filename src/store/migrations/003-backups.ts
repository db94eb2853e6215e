// Data safety: the record of every database backup, its last drill verdict and the release it preceded.
import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('backups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('database', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('row_counts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('encrypted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tool', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('pre-migration', 'scheduled', 'manual', 'safety')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('created', 'verified', 'failed')`))
    .addColumn('verdict', 'text')
    // The release whose migration this backup preceded; no foreign key: releases may be pruned.
    .addColumn('release_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .execute();
  await db.schema.createIndex('backups_env').on('backups').columns(['environment_id', 'database', 'created_at']).execute();
  await db.schema.createIndex('backups_release').on('backups').columns(['release_id']).execute();
}

export const backups: Migration = { version: 3, name: 'backups', up };
