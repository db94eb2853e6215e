// Reads a stored backup for a restore: target -> sha256 + size -> optional decryption, and
// afterwards says what was wrong with the bytes (truncated, altered, undecryptable).
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { errorMessage } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import type { BackupRecord } from './backup-record.js';
import type { BackupTarget } from './backup-target.js';
import { DecryptStream } from './backup-encryption.js';
import { DigestStream } from './digest-stream.js';
import { sizeReason } from './verify-stored.js';

export interface BackupRead {
  /** The plain dump, to feed the restore tool. */
  stream: Readable;
  /** Call after the consumer stopped: reads any rest of the object, then lists the problems. */
  problems(): Promise<string[]>;
}

export async function readBackup(target: BackupTarget, record: BackupRecord, masterKey?: Sensitive): Promise<BackupRead> {
  const source = await target.get(record.key);
  const digest = new DigestStream();
  let readError: unknown;
  let decryptError: unknown;
  source.on('error', (err) => {
    readError = err;
    digest.destroy(err);
  });
  source.pipe(digest);
  let stream: Readable = digest;
  if (record.encrypted && masterKey) {
    const decrypt = new DecryptStream(masterKey);
    decrypt.on('error', (err) => {
      decryptError = err;
    });
    digest.on('error', (err) => decrypt.destroy(err));
    stream = digest.pipe(decrypt);
  }
  return {
    stream,
    problems: async () => {
      const out: string[] = [];
      // The restore tool may have stopped early; hash the rest so the checksum still speaks.
      digest.unpipe();
      digest.resume();
      try {
        await finished(digest);
      } catch (err) {
        readError ??= err;
      }
      if (readError) out.push(`reading the backup from ${target.location} failed: ${errorMessage(readError)}`);
      else {
        const d = digest.digest;
        if (d.size !== record.size) out.push(sizeReason(d.size, record.size, 'the stored object has'));
        if (d.sha256 !== record.sha256) {
          out.push(`checksum mismatch: the stored bytes hash to ${d.sha256}, the backup recorded ${record.sha256} (the object is corrupted or was altered)`);
        }
      }
      if (decryptError) out.push(errorMessage(decryptError));
      return out;
    },
  };
}
