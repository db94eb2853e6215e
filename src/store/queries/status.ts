// Batch reads for the status page: every environment's newest deployment and live release.
import type { Kysely } from 'kysely';
import type { Deployment, Release } from '../../core/model.js';
import type { Database } from '../schema.js';
import { toDeployment } from './deployments.js';
import { toRelease } from './releases.js';

/**
 * One query, driven by the environments: per environment, the highest number from the
 * (environment_id, number) index, then that row. (SQLite keeps the CROSS JOIN order;
 * a plain join let it scan all deployments instead.)
 */
export async function latestDeploymentsByEnvironment(db: Kysely<Database>): Promise<Map<string, Deployment>> {
  const rows = await latestDeploymentsQuery(db).execute();
  return new Map(rows.map((r) => [r.environment_id, toDeployment(r)]));
}

/** The query of latestDeploymentsByEnvironment, exported so a test can check its plan. */
export function latestDeploymentsQuery(db: Kysely<Database>) {
  return db
    .selectFrom('environments as e')
    .crossJoin('deployments as d')
    .selectAll('d')
    .whereRef('d.environment_id', '=', 'e.id')
    .where('d.number', '=', (eb) =>
      eb
        .selectFrom('deployments as latest')
        .select((s) => s.fn.max('latest.number').as('n'))
        .whereRef('latest.environment_id', '=', 'e.id'),
    );
}

/**
 * One query over the partial index of live releases. For the status page only: the bulky
 * `spec` and `driver_state` columns are not read (they come back as {}); get the release for them.
 */
export async function liveReleases(db: Kysely<Database>): Promise<Map<string, Release>> {
  const rows = await db
    .selectFrom('releases')
    .select([
      'id',
      'app_id',
      'environment_id',
      'deployment_id',
      'commit_sha',
      'commit_subject',
      'artifact',
      'status',
      'notes',
      'trigger',
      'deployed_by',
      'created_at',
      'deployed_at',
    ])
    .select((eb) => [eb.val('{}').as('spec'), eb.val('{}').as('driver_state')])
    .where('status', '=', 'live')
    .execute();
  return new Map(rows.map((r) => [r.environment_id, toRelease(r)]));
}
