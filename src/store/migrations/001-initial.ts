// The first schema: apps, environments, deployments and everything a deploy records.
import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema;

  await s
    .createTable('apps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('driver', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('environments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('branch', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('environments_app_name', ['app_id', 'name'])
    .execute();

  await s
    .createTable('deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('release_id', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('superseded_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await s.createIndex('deployments_app_number').unique().on('deployments').columns(['app_id', 'number']).execute();
  // Latest deployments of an environment (status page, history): an index seek, newest first.
  await s.createIndex('deployments_env_number').on('deployments').columns(['environment_id', 'number']).execute();
  await s.createIndex('deployments_status').on('deployments').columns(['status', 'environment_id']).execute();
  await s.createIndex('deployments_created').on('deployments').columns(['created_at', 'id']).execute();

  await s
    .createTable('releases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('commit_sha', 'text')
    .addColumn('commit_subject', 'text')
    .addColumn('artifact', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('driver_state', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('spec', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('deployed_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deployed_at', 'text')
    .execute();
  await s.createIndex('releases_env_created').on('releases').columns(['environment_id', 'created_at', 'id']).execute();
  // At most one live release per environment, found by an index lookup.
  await s
    .createIndex('releases_live')
    .unique()
    .on('releases')
    .column('environment_id')
    .where(sql.ref('status'), '=', 'live')
    .execute();

  await s
    .createTable('step_runs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('output', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await s.createIndex('step_runs_deployment').on('step_runs').columns(['deployment_id', 'seq']).execute();

  await s
    .createTable('deployment_logs')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('step', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_logs_pk', ['deployment_id', 'seq'])
    .execute();

  await s
    .createTable('secrets')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('environment_id', 'text', (c) => c.references('environments.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // NULLs are distinct in unique indexes, so app-wide and per-environment names get one index each.
  await s
    .createIndex('secrets_app_wide')
    .unique()
    .on('secrets')
    .columns(['app_id', 'name'])
    .where(sql.ref('environment_id'), 'is', null)
    .execute();
  await s
    .createIndex('secrets_env')
    .unique()
    .on('secrets')
    .columns(['app_id', 'environment_id', 'name'])
    .where(sql.ref('environment_id'), 'is not', null)
    .execute();

  await s
    .createTable('locks')
    .addColumn('environment_id', 'text', (c) => c.primaryKey().references('environments.id').onDelete('cascade'))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text')
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('audit_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await s.createIndex('audit_events_target').on('audit_events').columns(['target', 'id']).execute();

  await s
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();

  await s
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export const initial: Migration = { version: 1, name: 'initial', up };
