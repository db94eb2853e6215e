// What Slipway records about a backup (the lead's store persists it as JSON) and the drill verdict.
import type { DatabaseKind } from './database-spec.js';
import type { RowCounts } from './database-engine.js';

export interface BackupRecord {
  id: string;
  /** The database's name in slipway.yml. */
  database: string;
  kind: DatabaseKind;
  /** The target's location (no credentials) and the object's key on it. */
  target: string;
  key: string;
  /** Size and sha256 of the stored bytes (after encryption when encrypted). */
  size: number;
  sha256: string;
  encrypted: boolean;
  /** Exact row counts per table taken at backup time. */
  rowCounts: RowCounts;
  /** e.g. "pg_dump (PostgreSQL) 15.18". */
  tool: string;
  startedAt: string;
  finishedAt: string;
  /** The stored object was read back after the upload and matched size and sha256. */
  uploadVerified: boolean;
}

export interface DrillVerdict {
  ok: boolean;
  /** Every problem found, in the order found; empty when ok. */
  reasons: string[];
  backupId: string;
  scratchDatabase: string;
  /** Row counts found in the restored copy (empty when the restore failed). */
  rowCounts: RowCounts;
  startedAt: string;
  finishedAt: string;
}

/** "<database>/<20261122T031500Z>-<id>.<ext>[.enc]" */
export function backupKey(database: string, id: string, at: Date, extension: string, encrypted: boolean): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${database}/${stamp}-${id}.${extension}${encrypted ? '.enc' : ''}`;
}

/** A backup counts as verified only once a restore drill of it passed. */
export interface BackupWithVerdict {
  record: BackupRecord;
  lastDrill: DrillVerdict | null;
}

export function isVerified(b: BackupWithVerdict): boolean {
  return b.record.uploadVerified && b.lastDrill?.ok === true;
}
