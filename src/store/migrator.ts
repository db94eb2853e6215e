// Applies pending migrations in one transaction and refuses a database from a newer build.
import type { Kysely } from 'kysely';
import { PreconditionError } from '../core/errors.js';
import type { Clock } from '../platform/clock.js';
import type { Migration } from './migrations/migration.js';
import type { Database } from './schema.js';

export interface MigrationResult {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** The schema version of the database after the call. */
  version: number;
}

export async function migrate(
  db: Kysely<Database>,
  migrations: readonly Migration[],
  clock: Clock,
  file: string,
): Promise<MigrationResult> {
  checkOrder(migrations);
  const latestKnown = migrations.at(-1)?.version ?? 0;
  return db.transaction().execute(async (trx) => {
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const rows = await trx.selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute();
    const unknown = rows.filter((r) => r.version > latestKnown);
    if (unknown.length > 0) {
      const newest = unknown.at(-1)!;
      throw new PreconditionError(
        `this data dir was written by a newer Slipway: ${file} has schema version ${newest.version} ("${newest.name}") ` +
          `but this build knows versions up to ${latestKnown}; upgrade Slipway (or restore a backup made by this version)`,
        { file, version: newest.version, latestKnown },
      );
    }
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await m.up(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: m.version, name: m.name, applied_at: clock.now().toISOString() })
        .execute();
      applied.push(m.version);
    }
    return { applied, version: latestKnown };
  });
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}: migrations are numbered 1, 2, 3, ...`);
    }
  });
}
