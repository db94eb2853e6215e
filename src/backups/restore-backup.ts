// Restores a backup into a live database (`slipway backups restore BACKUP --to APP ENV`). The
// caller asks for confirmation and takes a safety backup first (createBackup); this function
// refuses a backup whose stored bytes do not match its record before touching the database.
import { PreconditionError, errorMessage } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import type { BackupRecord } from './backup-record.js';
import type { BackupTarget } from './backup-target.js';
import { parseDatabaseUrl } from './database-connection.js';
import type { DatabaseEngine, RowCounts } from './database-engine.js';
import { engineFor } from './engine-for.js';
import { readBackup } from './read-backup.js';
import { verifyStored } from './verify-stored.js';

export interface RestoreBackupInput {
  record: BackupRecord;
  target: BackupTarget;
  /** Connection URL of the database to restore into. PostgreSQL: the database must exist and
   * be empty (create it, or drop and recreate it, first); MariaDB: the dump drops and
   * recreates each of its tables. */
  url: Sensitive;
  masterKey?: Sensitive;
  engine?: DatabaseEngine;
  /** Read the whole object back and check it before restoring (default true). */
  verifyFirst?: boolean;
  onLog?: (line: string) => void;
}

export interface RestoreResult {
  /** Row counts of the restored database, compared by the caller with record.rowCounts if wanted. */
  rowCounts: RowCounts;
}

export async function restoreBackup(input: RestoreBackupInput): Promise<RestoreResult> {
  const { record, target } = input;
  const engine = input.engine ?? engineFor(record.kind);
  const conn = parseDatabaseUrl(input.url, record.kind);
  if (record.encrypted && !input.masterKey) throw new PreconditionError(`backup ${record.id} is encrypted: the master key is needed to restore it`);
  if (input.verifyFirst ?? true) {
    const check = await verifyStored(target, record.key, { size: record.size, sha256: record.sha256 });
    if (!check.ok) {
      throw new PreconditionError(`backup ${record.id} cannot be restored: ${check.reasons.join('; ')}`, { reasons: check.reasons });
    }
  }
  const read = await readBackup(target, record, input.masterKey);
  let failure: unknown;
  await engine.restore(conn, read.stream, { onStderr: input.onLog }).catch((err: unknown) => (failure = err));
  const problems = await read.problems();
  if (failure || problems.length > 0) {
    const reasons = [...problems, ...(failure ? [`the restore tool failed: ${errorMessage(failure)}`] : [])];
    throw new PreconditionError(
      `restoring backup ${record.id} into database "${conn.database}" failed; the database may be partly restored (restore the safety backup): ${reasons.join('; ')}`,
      { reasons },
    );
  }
  return { rowCounts: await engine.rowCounts(conn) };
}
