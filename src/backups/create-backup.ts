// Takes one backup: dump (from argv) -> optional encryption -> sha256 + size -> target, streamed
// end to end, then reads the stored object back to verify it. Throws unless all of that worked.
import { randomBytes } from 'node:crypto';
import { PreconditionError, errorMessage } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { backupKey, type BackupRecord } from './backup-record.js';
import type { BackupTarget } from './backup-target.js';
import { EncryptStream } from './backup-encryption.js';
import { parseDatabaseUrl } from './database-connection.js';
import type { DatabaseEngine } from './database-engine.js';
import type { DatabaseKind } from './database-spec.js';
import { engineFor } from './engine-for.js';
import { verifyStored } from './verify-stored.js';

export interface CreateBackupInput {
  /** The database's name in slipway.yml. */
  database: string;
  kind: DatabaseKind;
  /** The connection URL, from the secret named by `url_secret`. */
  url: Sensitive;
  target: BackupTarget;
  /** Encrypts with this key when given (the control plane's master key). */
  masterKey?: Sensitive;
  engine?: DatabaseEngine;
  clock?: Clock;
  id?: string;
  /** Bytes written to the target so far (for progress output). */
  onProgress?: (bytes: number) => void;
  /** Warnings and progress lines of the dump tool (secrets already scrubbed). */
  onLog?: (line: string) => void;
  /** Aborting stops the dump and the upload; the partial object is deleted. */
  signal?: AbortSignal;
}

export async function createBackup(input: CreateBackupInput): Promise<BackupRecord> {
  const clock = input.clock ?? systemClock;
  const engine = input.engine ?? engineFor(input.kind);
  const conn = parseDatabaseUrl(input.url, input.kind);
  const id = input.id ?? randomBytes(6).toString('hex');
  const started = clock.now();
  const encrypted = input.masterKey !== undefined;
  const key = backupKey(input.database, id, started, engine.extension, encrypted);
  const tool = await engine.toolVersion().catch((err: unknown) => {
    throw new PreconditionError(`the ${engine.family} dump tool is not available: ${errorMessage(err)}`);
  });

  input.signal?.throwIfAborted();
  const dump = await engine.startDump(conn, { onStderr: input.onLog });
  const body = input.masterKey ? dump.stdout.pipe(new EncryptStream(input.masterKey)) : dump.stdout;
  if (body !== dump.stdout) dump.stdout.on('error', (err) => body.destroy(err));
  // A dump tool that fails part-way must fail the upload, not leave a short object behind.
  dump.finished.catch((err: unknown) => body.destroy(err as Error));
  const put = input.target.put(key, body, { onProgress: input.onProgress });
  // A failed upload stops the dump (nobody reads its output any more).
  put.catch(() => dump.abort());
  const cancel = () => {
    dump.abort();
    body.destroy(new Error('the backup was cancelled'));
  };
  input.signal?.addEventListener('abort', cancel, { once: true });
  const [stored, exited] = await Promise.allSettled([put, dump.finished]).finally(() => input.signal?.removeEventListener('abort', cancel));
  if (input.signal?.aborted) {
    dump.abort();
    await input.target.delete(key).catch(() => {});
    throw new PreconditionError(`backup of database "${input.database}" was cancelled; nothing was kept`, { database: input.database });
  }
  if (exited.status === 'rejected' || stored.status === 'rejected') {
    dump.abort();
    await input.target.delete(key).catch(() => {});
    const why =
      stored.status === 'rejected'
        ? errorMessage(stored.reason)
        : `the dump failed: ${errorMessage((exited as PromiseRejectedResult).reason)}`;
    throw new PreconditionError(`backup of database "${input.database}" failed: ${why}`, { database: input.database, key });
  }
  const digest = stored.value;
  const check = await verifyStored(input.target, key, digest);
  if (!check.ok) {
    await input.target.delete(key).catch(() => {});
    throw new PreconditionError(
      `backup of database "${input.database}" failed the upload check on ${input.target.location}: ${check.reasons.join('; ')}`,
      { database: input.database, key, reasons: check.reasons },
    );
  }
  return {
    id,
    database: input.database,
    kind: input.kind,
    target: input.target.location,
    key,
    size: digest.size,
    sha256: digest.sha256,
    encrypted,
    rowCounts: dump.rowCounts,
    tool,
    startedAt: started.toISOString(),
    finishedAt: clock.now().toISOString(),
    uploadVerified: true,
  };
}
