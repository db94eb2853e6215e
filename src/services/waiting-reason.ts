// What a queued deployment waits for, in words a person can act on: the environment's lock and
// who holds it (another deployment, or someone who locked it by hand, why and since when).
import type { Deployment } from '../core/model.js';
import type { Deployments } from '../core/ports/store/deployments.js';
import type { Locks } from '../core/ports/store/locks.js';

export async function waitingReason(store: Pick<Locks, 'getLock'> & Pick<Deployments, 'getDeployment'>, d: Deployment): Promise<string> {
  const lock = await store.getLock(d.environmentId);
  if (!lock) return 'waiting for the deploy engine to start it (the environment is not locked)';
  if (lock.kind === 'manual') {
    return `the environment was locked by ${lock.owner.replace(/^manual:/, '')} since ${lock.acquiredAt}: "${lock.reason}"; it starts once they unlock it (\`slipway unlock APP ENV\`), or cancel it`;
  }
  if (lock.deploymentId === d.id) return 'starting';
  const holder = lock.deploymentId ? await store.getDeployment(lock.deploymentId) : null;
  if (!holder) return `waiting for the environment's lock, held by ${lock.owner} since ${lock.acquiredAt}`;
  return `waiting for ${holder.kind} #${holder.number} (${holder.id}, ${holder.status} since ${holder.startedAt ?? holder.createdAt}) to finish: it holds the environment's lock`;
}
