// Before a control plane opens a data dir: never silently reset an installation. A data dir that
// holds a previous installation (token, key, releases, backups) but no database is refused with
// the way back; loose permissions are tightened to 0700 (0711 as root, for app users) or refused with the fix.
import { chmod, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

export const DATABASE_FILE = 'slipway.db';

/** What shows that a data dir was used before (besides the database itself). */
const TRACES = ['admin.token', 'master.key', 'apps', 'artifacts', 'backups', 'git', 'server.json'];

export interface DataDirState {
  /** True when the database exists and is not empty. */
  hasDatabase: boolean;
  /** Lines to log: what the check changed (e.g. permissions tightened). */
  notices: string[];
}

/** `passThrough`: 0711, not 0700 (as root, app users pass through to their own dirs: startup/app-user-access.ts). */
export async function checkDataDir(dataDir: string, opts: { passThrough?: boolean } = {}): Promise<DataDirState> {
  const notices: string[] = [];
  const info = await stat(dataDir);
  if (!info.isDirectory()) throw new ConfigError(`the data dir ${dataDir} is not a directory; set SLIPWAY_DATA_DIR to a directory`, { dataDir });
  const tight = opts.passThrough ? 0o711 : 0o700;
  if ((info.mode & 0o077 & ~tight) !== 0) {
    const was = (info.mode & 0o777).toString(8);
    try {
      await chmod(dataDir, tight);
    } catch (err) {
      throw new ConfigError(
        `the data dir ${dataDir} is open to other users (mode ${was}) and could not be tightened (${(err as Error).message}); run: chmod ${tight.toString(8)} ${dataDir}`,
        { dataDir },
      );
    }
    notices.push(`the data dir ${dataDir} was open to other users (mode ${was}); tightened to ${tight.toString(8)}`);
  }
  const db = await stat(path.join(dataDir, DATABASE_FILE)).catch(() => null);
  const hasDatabase = db !== null && db.size > 0;
  if (!hasDatabase) {
    const entries = new Set(await readdir(dataDir));
    const traces = TRACES.filter((t) => entries.has(t));
    if (traces.length > 0) {
      throw new ConfigError(
        `the data dir ${dataDir} holds a previous installation (${traces.join(', ')}) but its database ${DATABASE_FILE} is ${db === null ? 'missing' : 'empty'}; ` +
          `starting would silently forget every app, release and secret. Restore ${DATABASE_FILE} from a copy (a file-system backup or snapshot of ${dataDir}), ` +
          `or, to start over on purpose, move ${dataDir} away and start again`,
        { dataDir, traces },
      );
    }
  }
  return { hasDatabase, notices };
}
