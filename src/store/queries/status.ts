// Batch reads for the status page: every environment's newest deployment and live release.
import type { Kysely } from 'kysely';
import type { Deployment, Release } from '../../core/model.js';
import type { Database } from '../schema.js';
import { toDeployment } from './deployments.js';
import { toRelease } from './releases.js';

/** One query: for each environment, an index seek to its highest deployment number. */
export async function latestDeploymentsByEnvironment(db: Kysely<Database>): Promise<Map<string, Deployment>> {
  const rows = await db
    .selectFrom('deployments as d')
    .selectAll('d')
    .where('d.number', '=', (eb) =>
      eb
        .selectFrom('deployments as latest')
        .select((s) => s.fn.max('latest.number').as('n'))
        .whereRef('latest.environment_id', '=', 'd.environment_id'),
    )
    .execute();
  return new Map(rows.map((r) => [r.environment_id, toDeployment(r)]));
}

/** One query over the partial index of live releases. */
export async function liveReleases(db: Kysely<Database>): Promise<Map<string, Release>> {
  const rows = await db.selectFrom('releases').selectAll().where('status', '=', 'live').execute();
  return new Map(rows.map((r) => [r.environment_id, toRelease(r)]));
}
