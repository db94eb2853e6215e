// The SQLite store: the Store contract in memory and on disk, plus what is SQLite's own
// (pragmas, migrations at open, persistence across reopen).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { PreconditionError } from '../../src/core/errors.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openSqliteStore } from '../../src/store/open-sqlite-store.js';
import { latestDeploymentsQuery } from '../../src/store/queries/status.js';
import type { Database as StoreDatabase } from '../../src/store/schema.js';
import { storeContract } from './store.contract.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slipway-store-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
const newFile = () => path.join(tmp, `db-${++files}`, 'state.db');

storeContract('sqlite (memory)', (clock) => openSqliteStore(':memory:', { clock }));
storeContract('sqlite (file)', (clock) => openSqliteStore(newFile(), { clock }));

describe('SqliteStore on disk', () => {
  test('data persists across reopen and migrations are applied once', async () => {
    const file = newFile();
    const first = await openSqliteStore(file);
    const app = await first.createApp({ name: 'web', repo: '/srv/web.git', driver: 'process' }, [
      { name: 'staging', branch: 'main' },
    ]);
    await first.putSetting('k', 'v');
    await first.close();
    const before = readMigrations(file);
    assert.deepEqual(before.map((m) => [m.version, m.name]), MIGRATIONS.map((m) => [m.version, m.name]));

    const second = await openSqliteStore(file);
    try {
      assert.deepEqual(await second.getApp('web'), app);
      assert.equal((await second.listEnvironments(app.id)).length, 1);
      assert.equal(await second.getSetting('k'), 'v');
    } finally {
      await second.close();
    }
    assert.deepEqual(readMigrations(file), before, 'reopening applies nothing again');
  });

  test('pragmas: WAL and foreign keys on', async () => {
    const file = newFile();
    const store = await openSqliteStore(file);
    await store.close();
    const raw = new Database(file, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
    // foreign_keys is per connection: observe it through a write that only the foreign key stops.
    const again = await openSqliteStore(file);
    try {
      await assert.rejects(again.startStep('dep_none', 1, 'build'), /FOREIGN KEY/);
    } finally {
      await again.close();
    }
  });

  test('a database written by a newer Slipway is refused with a clear error', async () => {
    const file = newFile();
    await (await openSqliteStore(file)).close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from-the-future', '2030-01-01T00:00:00.000Z')").run();
    raw.close();
    await assert.rejects(openSqliteStore(file), (err: unknown) => {
      assert.ok(err instanceof PreconditionError);
      assert.match(err.message, /written by a newer Slipway/);
      assert.match(err.message, /schema version 99/);
      return true;
    });
  });

  test('a file that is not a database is refused with a clear error', async () => {
    const file = newFile();
    await (await openSqliteStore(file)).close();
    rmSync(file);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'this is not sqlite '.repeat(100));
    await assert.rejects(openSqliteStore(file), /state database/);
  });

  test('the status queries are index lookups, never a scan of all deployments', async () => {
    const file = newFile();
    await (await openSqliteStore(file)).close();
    const raw = new Database(file, { readonly: true });
    try {
      const plan = raw
        .prepare('EXPLAIN QUERY PLAN SELECT * FROM deployments WHERE environment_id = ? ORDER BY number DESC LIMIT 1')
        .all('env_x') as { detail: string }[];
      assert.match(plan.map((p) => p.detail).join('\n'), /deployments_env_number/);
      const live = raw
        .prepare("EXPLAIN QUERY PLAN SELECT * FROM releases WHERE environment_id = ? AND status = 'live'")
        .all('env_x') as { detail: string }[];
      assert.match(live.map((p) => p.detail).join('\n'), /releases_live/);
      const batch = latestDeploymentsQuery(new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: raw }) })).compile();
      const batchPlan = (raw.prepare(`EXPLAIN QUERY PLAN ${batch.sql}`).all() as { detail: string }[]).map((p) => p.detail);
      assert.match(batchPlan[0] ?? '', /^SCAN e\b/, 'driven by the environments');
      assert.ok(!batchPlan.some((d) => /^SCAN d\b/.test(d)), `no scan of deployments: ${batchPlan.join('; ')}`);
    } finally {
      raw.close();
    }
  });
});

function readMigrations(file: string): { version: number; name: string; applied_at: string }[] {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      applied_at: string;
    }[];
  } finally {
    raw.close();
  }
}
