// Opens a data dir for a control plane (or an offline admin command): checks it (never a silent
// reset, 0700), takes its lock, opens the database and loads the master key without ever making
// a new key while data sealed with the old one exists.
import path from 'node:path';
import { ConfigError, errorMessage } from '../core/errors.js';
import { loadMasterKey } from '../secrets/master-key.js';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import { runningAsRoot } from '../platform/system-user.js';
import { lockDataDir } from './data-dir-lock.js';
import { checkDataDir, DATABASE_FILE } from './installation-check.js';

export interface Installation {
  store: SqliteStore;
  masterKey: Buffer;
  /** What the checks changed, to be logged. */
  notices: string[];
  /** Closes the database and releases the data dir's lock. */
  close(): Promise<void>;
}

export async function openInstallation(opts: { dataDir: string; masterKeyFromEnv?: string }): Promise<Installation> {
  const { dataDir } = opts;
  const { notices } = await checkDataDir(dataDir, { passThrough: runningAsRoot() });
  const lock = await lockDataDir(dataDir);
  let store: SqliteStore | undefined;
  try {
    const file = path.join(dataDir, DATABASE_FILE);
    store = await openSqliteStore(file).catch((err: unknown) => {
      throw new ConfigError(`the database ${file} cannot be opened (${errorMessage(err)}); restore it from a copy of the data dir`, { file });
    });
    const apps = await store.listApps();
    const sealedData = apps.length > 0 ? `the database holds ${apps.length} app(s) whose secrets, webhook secrets and backups are` : undefined;
    const masterKey = await loadMasterKey({
      dataDir,
      ...(opts.masterKeyFromEnv ? { fromEnv: opts.masterKeyFromEnv } : {}),
      ...(sealedData ? { sealedData } : {}),
    });
    const opened = store;
    return {
      store: opened,
      masterKey,
      notices,
      async close() {
        await opened.close();
        await lock.release();
      },
    };
  } catch (err) {
    await store?.close().catch(() => undefined);
    await lock.release();
    throw err;
  }
}
