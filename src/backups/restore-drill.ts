// A restore drill: restore a backup into a scratch database that Slipway creates and always
// drops, check the bytes against the record, run the verification queries and compare row
// counts. A backup counts as verified only when this returns ok.
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import { systemClock, type Clock } from '../platform/clock.js';
import type { BackupRecord, DrillVerdict } from './backup-record.js';
import type { BackupTarget } from './backup-target.js';
import { parseDatabaseUrl, withDatabase } from './database-connection.js';
import type { DatabaseEngine, RowCounts } from './database-engine.js';
import type { VerifyQuery } from './database-spec.js';
import { engineFor } from './engine-for.js';
import { readBackup } from './read-backup.js';
import { compareRowCounts, runVerifyQueries } from './drill-checks.js';

export interface RestoreDrillInput {
  record: BackupRecord;
  target: BackupTarget;
  /** Connection URL of the server to drill on (the scratch database is created there). */
  url: Sensitive;
  verify: VerifyQuery[];
  /** Needed for encrypted backups. */
  masterKey?: Sensitive;
  engine?: DatabaseEngine;
  clock?: Clock;
  onLog?: (line: string) => void;
  /** Aborting stops the restore; the scratch database is still dropped and the verdict says why. */
  signal?: AbortSignal;
}

export async function restoreDrill(input: RestoreDrillInput): Promise<DrillVerdict> {
  const clock = input.clock ?? systemClock;
  const startedAt = clock.now().toISOString();
  const { record } = input;
  const engine = input.engine ?? engineFor(record.kind);
  const server = parseDatabaseUrl(input.url, record.kind);
  const scratchDatabase = `slipway_drill_${randomBytes(6).toString('hex')}`;
  const scratch = withDatabase(server, scratchDatabase);
  const reasons: string[] = [];
  let rowCounts: RowCounts = {};
  const verdict = (): DrillVerdict => ({
    ok: reasons.length === 0,
    reasons,
    backupId: record.id,
    scratchDatabase,
    rowCounts,
    startedAt,
    finishedAt: clock.now().toISOString(),
  });

  if (!record.uploadVerified) reasons.push('the backup never passed its upload check');
  const stat = await input.target.stat(record.key).catch((err: unknown) => {
    reasons.push(`the target ${input.target.location} could not be read: ${errorMessage(err)}`);
    return undefined;
  });
  if (stat === null) reasons.push(`the backup object "${record.key}" is missing from ${input.target.location}`);
  if (!stat) return verdict();
  if (record.encrypted && !input.masterKey) {
    reasons.push('the backup is encrypted and no master key was given');
    return verdict();
  }

  try {
    await engine.createDatabase(server, scratchDatabase);
  } catch (err) {
    reasons.push(`could not create the scratch database ${scratchDatabase}: ${errorMessage(err)}`);
    return verdict();
  }
  try {
    const read = await readBackup(input.target, record, input.masterKey);
    const cancel = () => read.stream.destroy(new Error('the drill was cancelled'));
    input.signal?.addEventListener('abort', cancel, { once: true });
    const restored = await engine.restore(scratch, read.stream, { onStderr: input.onLog }).finally(() => input.signal?.removeEventListener('abort', cancel)).then(
      () => true,
      (err: unknown) => {
        reasons.push(`the restore failed: ${errorMessage(err)}`);
        return false;
      },
    );
    // Integrity of the bytes read (truncation, flipped bytes, decryption) comes first.
    reasons.unshift(...(await read.problems()));
    if (restored) {
      // A database that had no tables when it was backed up (an app's first deploy) has nothing
      // for the verification queries to find; restore and row counts are still checked.
      if (Object.keys(record.rowCounts).length > 0) reasons.push(...(await runVerifyQueries(engine, scratch, input.verify)));
      else if (input.verify.length > 0) input.onLog?.('the database had no tables at backup time: verification queries skipped, row counts checked');
      rowCounts = await engine.rowCounts(scratch);
      reasons.push(...compareRowCounts(record.rowCounts, rowCounts));
    }
  } catch (err) {
    reasons.push(`the drill failed: ${errorMessage(err)}`);
  } finally {
    await engine.dropDatabase(server, scratchDatabase).catch((err: unknown) => {
      reasons.push(`could not drop the scratch database ${scratchDatabase}: ${errorMessage(err)}; drop it by hand`);
    });
  }
  return verdict();
}
