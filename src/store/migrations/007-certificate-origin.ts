// Where a certificate came from: a route's hosts at a deploy ('route'), or a host first seen in a
// TLS handshake on a route with on-demand TLS ('on-demand').
import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('certificates')
    .addColumn('origin', 'text', (c) => c.notNull().defaultTo('route').check(sql`origin in ('route', 'on-demand')`))
    .execute();
}

export const certificateOrigin: Migration = { version: 7, name: 'certificate-origin', up };
