// Deployments: the durable queue and history. Status changes are compare-and-set.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { InvalidInputError, NotFoundError } from '../../core/errors.js';
import { isTerminal, type Deployment, type DeploymentStatus } from '../../core/model.js';
import type { DeploymentFilter, NewDeployment } from '../../core/ports/store/deployments.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../ids.js';
import { fromJsonColumn, toJsonColumn } from '../json-column.js';
import type { Database, DeploymentsTable } from '../schema.js';

export type TransitionPatch = Partial<Pick<Deployment, 'error' | 'commitSha' | 'releaseId' | 'startedAt' | 'finishedAt'>>;
export type DeploymentPatch = Partial<Pick<Deployment, 'commitSha' | 'releaseId' | 'params'>>;

export function toDeployment(r: Selectable<DeploymentsTable>): Deployment {
  return {
    id: r.id,
    appId: r.app_id,
    environmentId: r.environment_id,
    number: r.number,
    kind: r.kind,
    trigger: r.trigger,
    status: r.status,
    ref: r.ref,
    commitSha: r.commit_sha,
    releaseId: r.release_id,
    requestedBy: r.requested_by,
    error: r.error,
    cancelRequested: r.cancel_requested !== 0,
    supersededBy: r.superseded_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    params: fromJsonColumn(r.params, 'deployments.params', {}),
  };
}

export async function enqueueDeployment(
  db: Kysely<Database>,
  clock: Clock,
  d: NewDeployment,
): Promise<{ deployment: Deployment; superseded: Deployment[] }> {
  return db.transaction().execute(async (trx) => {
    const env = await trx
      .selectFrom('environments')
      .select(['id', 'app_id'])
      .where('id', '=', d.environmentId)
      .executeTakeFirst();
    if (!env) throw new NotFoundError('environment', d.environmentId);
    if (env.app_id !== d.appId) {
      throw new InvalidInputError(`environment ${d.environmentId} belongs to app ${env.app_id}, not to ${d.appId}`, {
        environmentId: d.environmentId,
        appId: d.appId,
      });
    }
    const now = clock.now();
    const at = now.toISOString();
    const id = newId('dep', now.getTime());
    const row = await trx
      .insertInto('deployments')
      .values((eb) => ({
        id,
        app_id: d.appId,
        environment_id: d.environmentId,
        number: eb
          .selectFrom('deployments')
          .select((s) => s(s.fn.coalesce(s.fn.max('number'), s.lit(0)), '+', 1).as('next'))
          .where('app_id', '=', d.appId),
        kind: d.kind,
        trigger: d.trigger,
        status: 'queued' as const,
        ref: d.ref,
        commit_sha: d.commitSha ?? null,
        release_id: d.releaseId ?? null,
        requested_by: d.requestedBy,
        error: null,
        cancel_requested: 0,
        superseded_by: null,
        created_at: at,
        started_at: null,
        finished_at: null,
        params: toJsonColumn(d.params ?? {}),
      }))
      .returningAll()
      .executeTakeFirstOrThrow();
    const superseded = await trx
      .updateTable('deployments')
      .set({ status: 'superseded', superseded_by: id, finished_at: at })
      .where('environment_id', '=', d.environmentId)
      .where('status', '=', 'queued')
      .where('id', '!=', id)
      .returningAll()
      .execute();
    return { deployment: toDeployment(row), superseded: superseded.map(toDeployment).sort(byNumber) };
  });
}

export async function getDeployment(db: Kysely<Database>, id: string): Promise<Deployment | null> {
  const row = await db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toDeployment(row) : null;
}

/** Newest first (by number within an app or environment, else by creation time); no limit unless given. */
export async function listDeployments(db: Kysely<Database>, filter: DeploymentFilter): Promise<Deployment[]> {
  if (filter.statuses && filter.statuses.length === 0) return [];
  let q = db.selectFrom('deployments').selectAll();
  if (filter.appId !== undefined) q = q.where('app_id', '=', filter.appId);
  if (filter.environmentId !== undefined) q = q.where('environment_id', '=', filter.environmentId);
  if (filter.statuses) q = q.where('status', 'in', filter.statuses);
  const dir = filter.oldestFirst ? 'asc' : 'desc';
  if (filter.appId !== undefined || filter.environmentId !== undefined) {
    q = q.orderBy('number', dir);
  } else {
    q = q.orderBy('created_at', dir).orderBy('id', dir);
  }
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  const rows = await q.execute();
  return rows.map(toDeployment);
}

/**
 * Compare-and-set: moves the deployment to `to` only if its status is one of `from`.
 * Moving to `running` sets `startedAt` (if unset), moving to a terminal status sets
 * `finishedAt`, unless the patch gives them.
 */
export async function transitionDeployment(
  db: Kysely<Database>,
  clock: Clock,
  id: string,
  from: DeploymentStatus[],
  to: DeploymentStatus,
  patch: TransitionPatch = {},
): Promise<Deployment | null> {
  if (from.length === 0) return null;
  const at = clock.now().toISOString();
  const set: Updateable<DeploymentsTable> = { status: to };
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.commitSha !== undefined) set.commit_sha = patch.commitSha;
  if (patch.releaseId !== undefined) set.release_id = patch.releaseId;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  const row = await db
    .updateTable('deployments')
    .set((eb) => ({
      ...set,
      ...(to === 'running' && patch.startedAt === undefined
        ? { started_at: eb.fn.coalesce('started_at', eb.val(at)) }
        : {}),
      ...(isTerminal(to) && patch.finishedAt === undefined ? { finished_at: at } : {}),
    }))
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
  return row ? toDeployment(row) : null;
}

export async function updateDeployment(db: Kysely<Database>, id: string, patch: DeploymentPatch): Promise<void> {
  const set: Updateable<DeploymentsTable> = {};
  if (patch.commitSha !== undefined) set.commit_sha = patch.commitSha;
  if (patch.releaseId !== undefined) set.release_id = patch.releaseId;
  if (patch.params !== undefined) set.params = toJsonColumn(patch.params);
  const found =
    Object.keys(set).length > 0
      ? (await db.updateTable('deployments').set(set).where('id', '=', id).executeTakeFirst()).numUpdatedRows > 0n
      : (await getDeployment(db, id)) !== null;
  if (!found) throw new NotFoundError('deployment', id);
}

/**
 * A queued deployment is cancelled at once (nothing runs it yet); a running one gets
 * `cancelRequested` for the engine to act on. Returns null if the deployment does not
 * exist or has already finished.
 */
export async function requestCancel(db: Kysely<Database>, clock: Clock, id: string): Promise<Deployment | null> {
  return db.transaction().execute(async (trx) => {
    const at = clock.now().toISOString();
    const queued = await trx
      .updateTable('deployments')
      .set({ status: 'cancelled', cancel_requested: 1, finished_at: at })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    if (queued) return toDeployment(queued);
    const running = await trx
      .updateTable('deployments')
      .set({ cancel_requested: 1 })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    return running ? toDeployment(running) : null;
  });
}

function byNumber(a: Deployment, b: Deployment): number {
  return a.number - b.number;
}
