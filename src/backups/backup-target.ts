// Where backups are stored. One small interface; every implementation passes
// test/backups/backup-target.contract.ts.
import type { Readable } from 'node:stream';
import type { ObjectDigest } from './digest-stream.js';

export interface StoredObject {
  key: string;
  size: number;
  /** The sha256 recorded with the object when it was written (metadata or sidecar), if any. */
  sha256: string | undefined;
}

export interface BackupTarget {
  /** For humans and records, e.g. "local:/var/lib/slipway/backups" or "s3://bucket/prefix". Never holds credentials. */
  readonly location: string;
  /**
   * Streams `body` to `key`, computing its size and sha256 on the way, and records the sha256
   * with the object. Resolves once the object is complete; on any error nothing is left under
   * `key` (a partial upload or file is removed) and the promise rejects.
   */
  put(key: string, body: Readable, opts?: { onProgress?: (bytes: number) => void }): Promise<ObjectDigest>;
  /** Size and recorded sha256 of a stored object, or null when there is none. */
  stat(key: string): Promise<StoredObject | null>;
  /** The object's bytes as a stream. Rejects with NotFoundError when missing. */
  get(key: string): Promise<Readable>;
  /** Removes the object (and anything recorded with it); no error when it is already gone. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix ("" for all), sorted. */
  list(prefix: string): Promise<StoredObject[]>;
}

/** Backup object keys: "<database>/<timestamp>-<id>.<ext>"; only these characters are used. */
export function isSafeKey(key: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(key) && !key.split('/').some((p) => p === '' || p === '.' || p === '..');
}
