// Environment locks as leases: an owner holds one until it unlocks or stops heartbeating.
import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import type { Lock } from '../../core/model.js';
import type { LockRequest } from '../../core/ports/store/locks.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, LocksTable } from '../schema.js';

export function toLock(r: Selectable<LocksTable>): Lock {
  return {
    environmentId: r.environment_id,
    owner: r.owner,
    kind: r.kind,
    reason: r.reason,
    deploymentId: r.deployment_id,
    acquiredAt: r.acquired_at,
    heartbeatAt: r.heartbeat_at,
    expiresAt: r.expires_at,
  };
}

/**
 * Takes the lock if there is none or the holder's lease has expired (a takeover: the
 * returned lock has the new owner and a fresh `acquiredAt`). The same owner taking it
 * again keeps `acquiredAt` and renews the lease. Otherwise returns the holder's lock.
 * One upsert decides, so two contenders can never both win.
 */
export async function tryLock(db: Kysely<Database>, clock: Clock, req: LockRequest): Promise<{ acquired: boolean; lock: Lock }> {
  return db.transaction().execute(async (trx) => {
    const env = await trx.selectFrom('environments').select('id').where('id', '=', req.environmentId).executeTakeFirst();
    if (!env) throw new NotFoundError('environment', req.environmentId);
    const now = clock.now();
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + req.ttlMs).toISOString();
    const taken = await trx
      .insertInto('locks')
      .values({
        environment_id: req.environmentId,
        owner: req.owner,
        kind: req.kind,
        reason: req.reason,
        deployment_id: req.deploymentId,
        acquired_at: at,
        heartbeat_at: at,
        expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc
          .column('environment_id')
          .doUpdateSet((eb) => ({
            owner: eb.ref('excluded.owner'),
            kind: eb.ref('excluded.kind'),
            reason: eb.ref('excluded.reason'),
            deployment_id: eb.ref('excluded.deployment_id'),
            acquired_at: eb
              .case()
              .when('locks.owner', '=', req.owner)
              .then(eb.ref('locks.acquired_at'))
              .else(eb.ref('excluded.acquired_at'))
              .end(),
            heartbeat_at: eb.ref('excluded.heartbeat_at'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) => eb.or([eb('locks.expires_at', '<=', at), eb('locks.owner', '=', req.owner)])),
      )
      .returningAll()
      .executeTakeFirst();
    if (taken) return { acquired: true, lock: toLock(taken) };
    const holder = await trx
      .selectFrom('locks')
      .selectAll()
      .where('environment_id', '=', req.environmentId)
      .executeTakeFirstOrThrow();
    return { acquired: false, lock: toLock(holder) };
  });
}

/** Renews the lease for its owner; false if the lock is gone or held by someone else. */
export async function heartbeat(
  db: Kysely<Database>,
  clock: Clock,
  environmentId: string,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  const now = clock.now();
  const res = await db
    .updateTable('locks')
    .set({ heartbeat_at: now.toISOString(), expires_at: new Date(now.getTime() + ttlMs).toISOString() })
    .where('environment_id', '=', environmentId)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** Without `owner` removes any holder's lock (an operator's force-unlock). */
export async function unlock(db: Kysely<Database>, environmentId: string, owner?: string): Promise<boolean> {
  let q = db.deleteFrom('locks').where('environment_id', '=', environmentId);
  if (owner !== undefined) q = q.where('owner', '=', owner);
  const res = await q.executeTakeFirst();
  return res.numDeletedRows > 0n;
}

/** The stored lock, even if its lease has expired (compare `expiresAt` with the time to tell). */
export async function getLock(db: Kysely<Database>, environmentId: string): Promise<Lock | null> {
  const row = await db.selectFrom('locks').selectAll().where('environment_id', '=', environmentId).executeTakeFirst();
  return row ? toLock(row) : null;
}

export async function listLocks(db: Kysely<Database>): Promise<Lock[]> {
  const rows = await db.selectFrom('locks').selectAll().orderBy('acquired_at').orderBy('environment_id').execute();
  return rows.map(toLock);
}
