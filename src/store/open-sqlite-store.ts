// Opens (creating if needed) the SQLite state database and brings its schema up to date.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { PreconditionError, errorMessage } from '../core/errors.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { MIGRATIONS } from './migrations/index.js';
import { migrate } from './migrator.js';
import type { Database } from './schema.js';
import { SqliteStore } from './sqlite-store.js';
import { cachingStatements } from './statement-cache.js';

export interface OpenSqliteStoreOptions {
  /** Source of "now" for timestamps and lock leases; the system clock by default. */
  clock?: Clock;
}

/** `file` is a path (its directory is created if missing) or `':memory:'`. */
export async function openSqliteStore(file: string, opts: OpenSqliteStoreOptions = {}): Promise<SqliteStore> {
  const clock = opts.clock ?? systemClock;
  const raw = openDatabase(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(raw) }) });
  try {
    await migrate(db, MIGRATIONS, clock, file);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new SqliteStore(db, clock);
}

let addonPath: string | null | undefined;

/**
 * The path of better-sqlite3's native addon where its own build puts it. Handing it over skips the
 * `bindings` package, which searches a dozen candidate paths (and reads a stack trace) on the
 * first open. null (it searches as usual) when the addon is elsewhere.
 */
function nativeBinding(): string | null {
  if (addonPath === undefined) {
    try {
      const main = createRequire(import.meta.url).resolve('better-sqlite3');
      const candidate = path.join(path.dirname(main), '..', 'build', 'Release', 'better_sqlite3.node');
      addonPath = existsSync(candidate) ? candidate : null;
    } catch {
      addonPath = null;
    }
  }
  return addonPath;
}

function openDatabase(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  let raw: BetterSqlite3.Database | undefined;
  try {
    const addon = nativeBinding();
    raw = new BetterSqlite3(file, addon ? { nativeBinding: addon } : {});
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('synchronous = NORMAL');
    return raw;
  } catch (err) {
    raw?.close();
    throw new PreconditionError(
      `cannot open the state database ${file}: ${errorMessage(err)}; check that the data dir is writable and the file is a Slipway database`,
      { file },
    );
  }
}
