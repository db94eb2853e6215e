// Backup records: one row per stored backup, with its last drill verdict and the release it preceded.
import type { Kysely, Selectable } from 'kysely';
import type { Backup } from '../../core/model.js';
import type { BackupFilter } from '../../core/ports/store/backups.js';
import type { Clock } from '../../platform/clock.js';
import { fromJsonColumn, toJsonColumn } from '../json-column.js';
import type { BackupsTable, Database } from '../schema.js';

function toBackup(r: Selectable<BackupsTable>): Backup {
  return {
    id: r.id,
    appId: r.app_id,
    environmentId: r.environment_id,
    database: r.database,
    kind: r.kind,
    target: r.target,
    location: r.location,
    key: r.key,
    sha256: r.sha256,
    size: r.size,
    rowCounts: fromJsonColumn(r.row_counts, 'backups.row_counts', {}),
    encrypted: r.encrypted === 1,
    tool: r.tool,
    reason: r.reason,
    status: r.status,
    verdict: r.verdict === null ? null : fromJsonColumn(r.verdict, 'backups.verdict', null),
    releaseId: r.release_id,
    createdAt: r.created_at,
    verifiedAt: r.verified_at,
  };
}

export type NewBackup = Omit<Backup, 'createdAt' | 'verifiedAt'> & { createdAt?: string };

export async function addBackup(db: Kysely<Database>, clock: Clock, b: NewBackup): Promise<Backup> {
  const row = await db
    .insertInto('backups')
    .values({
      id: b.id,
      app_id: b.appId,
      environment_id: b.environmentId,
      database: b.database,
      kind: b.kind,
      target: b.target,
      location: b.location,
      key: b.key,
      sha256: b.sha256,
      size: b.size,
      row_counts: toJsonColumn(b.rowCounts),
      encrypted: b.encrypted ? 1 : 0,
      tool: b.tool,
      reason: b.reason,
      status: b.status,
      verdict: b.verdict === null ? null : toJsonColumn(b.verdict),
      release_id: b.releaseId,
      created_at: b.createdAt ?? clock.now().toISOString(),
      verified_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toBackup(row);
}

export async function getBackup(db: Kysely<Database>, id: string): Promise<Backup | null> {
  const row = await db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toBackup(row) : null;
}

export async function listBackups(db: Kysely<Database>, f: BackupFilter): Promise<Backup[]> {
  let q = db.selectFrom('backups').selectAll();
  if (f.appId !== undefined) q = q.where('app_id', '=', f.appId);
  if (f.environmentId !== undefined) q = q.where('environment_id', '=', f.environmentId);
  if (f.database !== undefined) q = q.where('database', '=', f.database);
  if (f.releaseId !== undefined) q = q.where('release_id', '=', f.releaseId);
  if (f.reason !== undefined) q = q.where('reason', '=', f.reason);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit ?? 1000).execute();
  return rows.map(toBackup);
}

export async function updateBackup(
  db: Kysely<Database>,
  id: string,
  patch: Partial<Pick<Backup, 'status' | 'verdict' | 'verifiedAt' | 'releaseId'>>,
): Promise<void> {
  const set: Partial<BackupsTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.verdict !== undefined) set.verdict = patch.verdict === null ? null : toJsonColumn(patch.verdict);
  if (patch.verifiedAt !== undefined) set.verified_at = patch.verifiedAt;
  if (patch.releaseId !== undefined) set.release_id = patch.releaseId;
  if (Object.keys(set).length === 0) return;
  await db.updateTable('backups').set(set).where('id', '=', id).execute();
}

export async function deleteBackup(db: Kysely<Database>, id: string): Promise<boolean> {
  const res = await db.deleteFrom('backups').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
