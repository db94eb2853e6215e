// What a promotion takes from its source environment: FROM's live release, refused when FROM's
// latest deployment failed or has not finished (so that a broken or moving target is never copied).
import { NotFoundError, PreconditionError } from '../core/errors.js';
import type { App, Release } from '../core/model.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { Deployments } from '../core/ports/store/deployments.js';
import type { Releases } from '../core/ports/store/releases.js';

/** What a promotion reads to choose its source release. */
export type PromotionReads = Pick<AppsAndEnvironments, 'getEnvironment'> & Pick<Deployments, 'listDeployments'> & Pick<Releases, 'liveRelease'>;

export async function promotableRelease(store: PromotionReads, app: App, from: string, to: string): Promise<Release> {
  if (from === to) throw new PreconditionError(`promote needs two different environments (got ${from} twice)`);
  const env = await store.getEnvironment(app.id, from);
  if (!env) throw new NotFoundError(`environment of app ${app.name}`, from);
  const [latest] = await store.listDeployments({ environmentId: env.id, limit: 1 });
  if (latest && (latest.status === 'queued' || latest.status === 'running')) {
    throw new PreconditionError(`${app.name}/${from} has a deployment that is still ${latest.status} (#${latest.number}); promote once it has finished`, { deployment: latest.id });
  }
  if (latest && (latest.status === 'failed' || latest.status === 'rolled_back' || latest.status === 'compensation_failed')) {
    const what = { failed: 'failed', rolled_back: 'was rolled back', compensation_failed: 'failed and could not be undone' }[latest.status];
    throw new PreconditionError(
      `the latest deployment of ${app.name}/${from} (#${latest.number}) ${what}; fix ${from} first (deploy or roll it back), then promote`,
      { deployment: latest.id },
    );
  }
  const live = await store.liveRelease(env.id);
  if (!live) throw new PreconditionError(`${app.name}/${from} has no live release to promote; deploy ${from} first`);
  if (!live.artifact) throw new PreconditionError(`release ${live.id} of ${app.name}/${from} has no artifact to promote`);
  return live;
}
