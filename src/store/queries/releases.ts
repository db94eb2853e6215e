// Releases: what ran (or runs) in an environment, and which one is live.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { ConflictError, InvalidInputError, NotFoundError } from '../../core/errors.js';
import type { Release } from '../../core/model.js';
import type { Clock } from '../../platform/clock.js';
import { fromJsonColumn, toJsonColumn } from '../json-column.js';
import type { Database, ReleasesTable } from '../schema.js';

export type ReleasePatch = Partial<
  Pick<Release, 'status' | 'artifact' | 'driverState' | 'deployedAt' | 'commitSubject' | 'notes'>
>;

export function toRelease(r: Selectable<ReleasesTable>): Release {
  return {
    id: r.id,
    appId: r.app_id,
    environmentId: r.environment_id,
    deploymentId: r.deployment_id,
    commitSha: r.commit_sha,
    commitSubject: r.commit_subject,
    artifact: r.artifact,
    status: r.status,
    driverState: fromJsonColumn(r.driver_state, 'releases.driver_state', {}),
    spec: fromJsonColumn(r.spec, 'releases.spec', {}),
    notes: fromJsonColumn(r.notes, 'releases.notes', []),
    trigger: r.trigger,
    deployedBy: r.deployed_by,
    createdAt: r.created_at,
    deployedAt: r.deployed_at,
  };
}

export async function createRelease(
  db: Kysely<Database>,
  clock: Clock,
  r: Omit<Release, 'createdAt' | 'deployedAt'>,
): Promise<Release> {
  return db.transaction().execute(async (trx) => {
    const dep = await trx
      .selectFrom('deployments')
      .select(['id', 'environment_id'])
      .where('id', '=', r.deploymentId)
      .executeTakeFirst();
    if (!dep) throw new NotFoundError('deployment', r.deploymentId);
    const clash = await trx.selectFrom('releases').select('id').where('id', '=', r.id).executeTakeFirst();
    if (clash) throw new ConflictError(`a release with id ${r.id} already exists; release ids must be unique`, { id: r.id });
    if (dep.environment_id !== r.environmentId) {
      throw new InvalidInputError(
        `release ${r.id}: deployment ${r.deploymentId} belongs to environment ${dep.environment_id}, not ${r.environmentId}`,
      );
    }
    const row = await trx
      .insertInto('releases')
      .values({
        id: r.id,
        app_id: r.appId,
        environment_id: r.environmentId,
        deployment_id: r.deploymentId,
        commit_sha: r.commitSha,
        commit_subject: r.commitSubject,
        artifact: r.artifact,
        status: r.status,
        driver_state: toJsonColumn(r.driverState),
        spec: toJsonColumn(r.spec),
        notes: toJsonColumn(r.notes),
        trigger: r.trigger,
        deployed_by: r.deployedBy,
        created_at: clock.now().toISOString(),
        deployed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRelease(row);
  });
}

export async function getRelease(db: Kysely<Database>, id: string): Promise<Release | null> {
  const row = await db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRelease(row) : null;
}

export async function updateRelease(db: Kysely<Database>, id: string, patch: ReleasePatch): Promise<void> {
  const set: Updateable<ReleasesTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.artifact !== undefined) set.artifact = patch.artifact;
  if (patch.driverState !== undefined) set.driver_state = toJsonColumn(patch.driverState);
  if (patch.deployedAt !== undefined) set.deployed_at = patch.deployedAt;
  if (patch.commitSubject !== undefined) set.commit_subject = patch.commitSubject;
  if (patch.notes !== undefined) set.notes = toJsonColumn(patch.notes);
  const found =
    Object.keys(set).length > 0
      ? (await db.updateTable('releases').set(set).where('id', '=', id).executeTakeFirst()).numUpdatedRows > 0n
      : (await getRelease(db, id)) !== null;
  if (!found) throw new NotFoundError('release', id);
}

/** Newest first; all of them unless `limit` is given. */
export async function listReleases(db: Kysely<Database>, environmentId: string, limit?: number): Promise<Release[]> {
  let q = db
    .selectFrom('releases')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
  if (limit !== undefined) q = q.limit(limit);
  const rows = await q.execute();
  return rows.map(toRelease);
}

/** An index lookup (releases_live: unique on environment_id where status = 'live'). */
export async function liveRelease(db: Kysely<Database>, environmentId: string): Promise<Release | null> {
  const row = await db
    .selectFrom('releases')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .where('status', '=', 'live')
    .executeTakeFirst();
  return row ? toRelease(row) : null;
}

/** The given release `live`, the former live one `previous`, older `previous` ones `retired`, atomically. */
export async function markLive(
  db: Kysely<Database>,
  environmentId: string,
  releaseId: string,
  deployedAt: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom('releases')
      .select(['id', 'environment_id', 'status'])
      .where('id', '=', releaseId)
      .executeTakeFirst();
    if (!target) throw new NotFoundError('release', releaseId);
    if (target.environment_id !== environmentId) {
      throw new InvalidInputError(
        `release ${releaseId} belongs to environment ${target.environment_id}, not ${environmentId}; it cannot go live there`,
      );
    }
    if (target.status !== 'live') {
      await trx
        .updateTable('releases')
        .set({ status: 'retired' })
        .where('environment_id', '=', environmentId)
        .where('status', '=', 'previous')
        .where('id', '!=', releaseId)
        .execute();
      await trx
        .updateTable('releases')
        .set({ status: 'previous' })
        .where('environment_id', '=', environmentId)
        .where('status', '=', 'live')
        .execute();
    }
    await trx.updateTable('releases').set({ status: 'live', deployed_at: deployedAt }).where('id', '=', releaseId).execute();
  });
}
